"""Retrieval quality of the built-in model's precisions (fp32, bf16, int8): dense retrieval alone.

The product ranks by BM25 and vectors fused, which would hide a change of the vectors; here each
question is answered by the vectors alone: its query vector against every chunk's passage vector,
top 10 chunks, scored with the evaluation's own metrics (``eval.metrics``: recall@5, recall@10 and
MRR@10 over the dataset's relevant documents). The corpus is ingested once with the hashing
embedder (the real pipeline: extraction, metadata, chunking, the indexed text with its header),
then the catalog's chunks are embedded with each precision. ``docs`` limits the corpus to the
documents the dataset names plus a fixed random sample of the others (embedding 30,000 chunks in
float32 takes an hour on two cores); the figures say how many chunks were searched.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from eval.bench.measure import load_average, timed

_SEED = 20251207
PRECISIONS = ("fp32", "bf16", "int8")
# real_qa's documents plus a fixed sample up to this many texts: ~3,700 chunks, which three
# precisions embed in about 20 CPU minutes on 2 cores (the whole corpus would take hours).
QUALITY_DOCS = 600


def quality_runs(bench_dir: Path, corpus: list[str]) -> dict[str, dict[str, Any]]:
    """The ``precision-quality`` arguments per QA set: real_qa on ``corpus``, sample_qa on its own."""
    data = Path(__file__).resolve().parents[1] / "data"
    common = {"models_dir": str(bench_dir / "models"), "precisions": list(PRECISIONS)}
    work = bench_dir / "quality"
    return {
        "real_qa": {
            **common,
            "work_dir": str(work / "real_qa"),
            "dataset": str(data / "real_qa.jsonl"),
            "corpus": corpus,
            "docs": QUALITY_DOCS,
        },
        "sample_qa": {
            **common,
            "work_dir": str(work / "sample_qa"),
            "dataset": str(data / "sample_qa.jsonl"),
            "sample_corpus": True,
        },
    }


def recall_drop_points(run: dict[str, Any], precision: str = "int8") -> float:
    """How many points of recall@10 ``precision`` loses against fp32 in one run (negative: gains)."""
    return round((run["fp32"]["recall@10"] - run[precision]["recall@10"]) * 100, 2)


def _corpus_subset(sources: list[Path], relevant: list[str], limit: int, folder: Path) -> list[str]:
    """The files to ingest: all that a relevant entry names, then others up to ``limit``."""
    files = sorted(path for source in sources for path in source.rglob("*") if path.suffix == ".txt")
    if limit <= 0 or len(files) <= limit:
        return [str(source) for source in sources]
    named = [path for path in files if any(str(path).endswith(entry) for entry in relevant)]
    others = [path for path in files if path not in set(named)]
    random.Random(_SEED).shuffle(others)
    chosen = named + others[: max(0, limit - len(named))]
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in chosen:  # keep the name: relevant entries end with "file-contents/<name>"
        target = folder / path.parent.name / path.name
        target.parent.mkdir(exist_ok=True)
        shutil.copy2(path, target)
        if path.with_suffix(".json").is_file():
            shutil.copy2(path.with_suffix(".json"), target.with_suffix(".json"))
    return [str(folder / name) for name in sorted({path.parent.name for path in chosen})]


def precision_quality(arguments: dict[str, Any]) -> dict[str, Any]:
    """Dense-retrieval recall@5/@10 and MRR@10 of ``dataset`` for each of ``precisions``."""
    from assistant.config import Settings
    from assistant.embedding.builtin_e5 import load_builtin_e5
    from assistant.services import build_services
    from assistant.store.search_text import search_text
    from eval.dataset import load_dataset, resolve_relevant
    from eval.metrics import recall_at_k, reciprocal_rank

    work = Path(arguments["work_dir"])
    items = [item for item in load_dataset(Path(arguments["dataset"])) if item.answerable]
    relevant = [entry for item in items for entry in item.relevant]
    if arguments.get("sample_corpus"):  # the fictional corpus, rendered as PDF/DOCX/HTML as in the tests
        from eval.sample_corpus import materialize

        shutil.rmtree(work / "corpus", ignore_errors=True)
        materialize(work / "corpus")
        paths = [str(work / "corpus" / "public"), *map(str, (work / "corpus" / "restricted").iterdir())]
    else:
        sources = [Path(path) for path in arguments["corpus"]]
        paths = _corpus_subset(sources, relevant, int(arguments.get("docs", 0)), work / "corpus")
    shutil.rmtree(work / "store", ignore_errors=True)
    services = build_services(Settings(data_dir=work / "store", embed_model="hashing"))
    services.ingestor.ingest(paths)
    documents = services.store.documents()
    chunks = list(services.store.catalog.iter_chunks())
    services.close()
    texts = [search_text(documents[chunk.doc_id], chunk.section, chunk.text) for chunk in chunks]
    chunk_docs = [chunk.doc_id for chunk in chunks]
    entries = [resolve_relevant(item, documents)[0] for item in items]
    results: dict[str, Any] = {"chunks": len(texts), "documents": len(documents), "questions": len(items)}
    reference: np.ndarray | None = None
    for precision in arguments["precisions"]:
        embedder = load_builtin_e5(Path(arguments["models_dir"]), precision=precision)
        with timed() as timing:
            passages = embedder.embed_passages(texts)
        queries = np.stack([embedder.embed_query(item.question) for item in items])
        top = np.argsort(-(queries @ passages.T), axis=1)[:, :10]
        rankings = [[chunk_docs[row] for row in rows] for rows in top]
        row: dict[str, Any] = {
            "embedder": embedder.name,
            "recall@5": _mean(recall_at_k(r, e, 5) for r, e in zip(rankings, entries, strict=True)),
            "recall@10": _mean(recall_at_k(r, e, 10) for r, e in zip(rankings, entries, strict=True)),
            "mrr@10": _mean(reciprocal_rank(r, e, 10) for r, e in zip(rankings, entries, strict=True)),
            "embed_s": round(timing.wall_s, 1),
            "embed_cpu_s": round(timing.cpu_s, 1),
            "load_1min": round(load_average()[0], 2),
        }
        if reference is None:
            reference = passages
        cosines = np.sum(passages * reference, axis=1)
        row["cosine_to_first"] = {
            "mean": round(float(cosines.mean()), 5),
            "min": round(float(cosines.min()), 5),
        }
        results[precision] = row
    return results


def _mean(values: Any) -> float:
    collected = list(values)
    return round(float(np.mean(collected)), 4) if collected else 0.0
