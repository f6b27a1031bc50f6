"""Semantic ingest phases: ours with the built-in multilingual-e5-small against llama-index's naive way.

Ours is ``Ingestor.ingest`` with ``RATSINFO_EMBED_MODEL=multilingual-e5-small`` (precision
``auto``). The naive side is the tutorial recipe with llama-index's own ``HuggingFaceEmbedding``
over the SAME converted model folder (sentence-transformers inside, float32, its default batch of
10 texts, the e5 prefixes given as its instructions so both sides embed the same kind of input).
Tokens are counted after the timed block with the model's tokenizer (what the encoder computed:
prefix and special tokens included, cut at 512). ``gemm_peak`` measures what the CPU's matrix
units do on one large product (bfloat16, int8, float32) in the same torch, the yardstick for the
encoder's share of the peak; ``embed_scaling`` embeds the same texts with 1 and with all cores.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from eval.bench.measure import peak_rss_mb, reset_peak_rss, timed

BUILTIN = "multilingual-e5-small"
# multilingual-e5-small: 12 layers of hidden 384, FFN 1536. Multiply-adds count 2 FLOPs.
_LINEAR_FLOPS_PER_TOKEN = 12 * 2 * (4 * 384 * 384 + 2 * 384 * 1536)
_ATTENTION_FLOPS_PER_TOKEN_PAIR = 12 * 2 * 2 * 384  # scores and weighted sum, per (token, token)


def encoder_flops(token_counts: list[int]) -> float:
    """FLOPs the encoder computes for texts of these token counts (linear layers and attention)."""
    return float(
        sum(_LINEAR_FLOPS_PER_TOKEN * n + _ATTENTION_FLOPS_PER_TOKEN_PAIR * n * n for n in token_counts)
    )


def _model_folder(models_dir: Path) -> Path:
    from assistant.embedding.builtin_e5 import ensure_converted

    return ensure_converted(models_dir)


def _token_counts(models_dir: Path, texts: list[str]) -> list[int]:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(_model_folder(models_dir) / "tokenizer.json"))
    tokenizer.enable_truncation(512)
    return [len(item.ids) for item in tokenizer.encode_batch(["passage: " + text for text in texts])]


def semantic_ours(arguments: dict[str, Any]) -> dict[str, Any]:
    """Ingest ``corpus`` (folders) into a fresh ``data_dir`` with the built-in semantic model."""
    from assistant.config import Settings
    from assistant.indexing import Ingestor
    from assistant.services import build_services
    from assistant.store.search_text import search_text
    from eval.bench.timed_embedder import TimedEmbedder

    data_dir = Path(arguments["data_dir"])
    for entry in data_dir.glob("*") if data_dir.is_dir() else []:  # a fresh store; the model is kept
        if entry.name != "models":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    settings = Settings(
        data_dir=data_dir,
        embed_model=BUILTIN,
        embed_precision=arguments.get("precision", "auto"),
        device=arguments.get("device", "cpu"),
        rate_limit_per_minute=0,
    )
    started = time.perf_counter()
    services = build_services(settings)
    startup_s = time.perf_counter() - started
    embedder = TimedEmbedder(services.embedder)
    ingestor = Ingestor(services.store, embedder, settings)
    reset_peak_rss()
    with timed() as timing:
        report = ingestor.ingest(list(arguments["corpus"]))
    documents = services.store.documents()
    texts = [
        search_text(documents[chunk.doc_id], chunk.section, chunk.text)
        for chunk in services.store.catalog.iter_chunks()
    ]
    name = services.embedder.name
    services.close()
    distinct = list(dict.fromkeys(texts))  # what the encoder computed: each distinct text once
    counts = _token_counts(settings.models_dir, distinct)
    return {
        **timing.to_dict(),
        "embedder": name,
        "startup_s": round(startup_s, 2),
        "documents": report.added,
        "failed": len(report.failed),
        "chunks": report.chunks,
        "embedded": report.embedded,
        "tokens": sum(counts),
        "encoder_flops": encoder_flops(counts),
        "encoder_s": round(embedder.seconds, 2),
        "encoder_share": round(embedder.seconds / timing.wall_s, 3) if timing.wall_s else 0.0,
        "chunks_per_s": round(report.chunks / timing.wall_s, 2),
        "tokens_per_s": round(sum(counts) / timing.wall_s, 1),
        "main_peak_rss_mb": round(peak_rss_mb(), 1),
    }


def semantic_naive(arguments: dict[str, Any]) -> dict[str, Any]:
    """The tutorial pipeline with llama-index's HuggingFaceEmbedding over the same model folder."""
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.core.schema import MetadataMode
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from eval.bench.naive import _chroma_collection

    chroma_dir = Path(arguments["chroma_dir"])
    shutil.rmtree(chroma_dir, ignore_errors=True)
    models_dir = Path(arguments["models_dir"])
    started = time.perf_counter()
    embed_model = HuggingFaceEmbedding(
        model_name=str(_model_folder(models_dir)),
        device=arguments.get("device", "cpu"),
        query_instruction="query: ",
        text_instruction="passage: ",
    )
    startup_s = time.perf_counter() - started
    reset_peak_rss()
    with timed() as timing:
        documents = []
        for folder in arguments["corpus"]:
            documents += SimpleDirectoryReader(input_dir=folder, required_exts=[".txt"]).load_data()
        collection = _chroma_collection(chroma_dir, "naive")
        storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
        index = VectorStoreIndex.from_documents(
            documents, storage_context=storage, embed_model=embed_model, transformations=[SentenceSplitter()]
        )
    nodes = SentenceSplitter().get_nodes_from_documents(documents)
    counts = _token_counts(models_dir, [node.get_content(metadata_mode=MetadataMode.EMBED) for node in nodes])
    chunks = int(collection.count())
    del index
    return {
        **timing.to_dict(),
        "embedder": f"llama-index HuggingFaceEmbedding (batch {embed_model.embed_batch_size}, float32)",
        "startup_s": round(startup_s, 2),
        "documents": len(documents),
        "chunks": chunks,
        "tokens": sum(counts),
        "encoder_flops": encoder_flops(counts),
        "chunks_per_s": round(chunks / timing.wall_s, 2),
        "tokens_per_s": round(sum(counts) / timing.wall_s, 1),
        "main_peak_rss_mb": round(peak_rss_mb(), 1),
    }


def gemm_peak(arguments: dict[str, Any]) -> dict[str, Any]:
    """GFLOP/s (GOP/s for int8) of one large matrix product per number format and thread count."""
    import torch

    size, repeats = int(arguments.get("size", 2048)), int(arguments.get("repeats", 8))
    results: dict[str, Any] = {"size": size}
    for threads in arguments.get("threads", [1]):
        torch.set_num_threads(int(threads))
        for label, make, product in (
            ("bf16", lambda: torch.randn(size, size).to(torch.bfloat16), torch.matmul),
            ("fp32", lambda: torch.randn(size, size), torch.matmul),
            ("int8", lambda: torch.randint(-128, 128, (size, size), dtype=torch.int8), torch._int_mm),
        ):
            left, right = make(), make()
            product(left, right)  # warm-up: kernels chosen, memory touched
            best = float("inf")
            for _ in range(repeats):
                started = time.perf_counter()
                product(left, right)
                best = min(best, time.perf_counter() - started)
            results[f"{label}_t{threads}_gflops"] = round(2 * size**3 / best / 1e9, 1)
    return results


def embed_scaling(arguments: dict[str, Any]) -> dict[str, Any]:
    """Tokens/s of the encoder alone on the same texts with each thread count (best of two runs)."""
    from assistant.config import Settings
    from assistant.embedding.builtin_e5 import load_builtin_e5
    from assistant.store.catalog import Catalog
    from assistant.store.search_text import search_text

    settings = Settings(data_dir=Path(arguments["data_dir"]))
    catalog = Catalog(settings.catalog_path)
    documents = {document.doc_id: document for document in catalog.documents()}
    texts = [search_text(documents[c.doc_id], c.section, c.text) for c in catalog.iter_chunks()]
    catalog.close()
    texts = texts[: int(arguments.get("texts", 256))]
    tokens = sum(_token_counts(settings.models_dir, texts))
    results: dict[str, Any] = {"texts": len(texts), "tokens": tokens}
    for threads in arguments["threads"]:
        embedder = load_builtin_e5(
            settings.models_dir, precision=arguments.get("precision", "auto"), threads=threads
        )
        embedder.embed_passages(texts[:8])
        best = float("inf")
        for _ in range(2):
            with timed() as timing:
                embedder.embed_passages(texts)
            best = min(best, timing.wall_s)
        results[f"t{threads}_tokens_per_s"] = round(tokens / best, 1)
        results["embedder"] = embedder.name
    return results
