"""Runs the benchmark sections in order, caching each finished section so a run can resume.

Sections: ``ingest`` (ours, re-ingest, naive), ``stores`` (synthetic stores per size),
``search`` (per size: ours, naive, BM25 rebuild), ``api`` (1/8/32 clients), ``semantic`` (a
locally built sentence-transformers model). Each finished section is saved to
``<bench dir>/partial-<mode>.json`` at once; the next run reuses it unless told to redo it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.embedding.precision import physical_cores
from eval.bench.measure import available_memory_gb, load_average, machine
from eval.bench.process import run_phase
from eval.bench.search_bench import load_questions

SECTIONS = (
    "ingest",
    "semantic-ingest",
    "semantic-api",
    "semantic-quality",
    "stores",
    "search",
    "api",
    "semantic",
)
# Building llama-index's BM25Retriever needs the nodes in memory: ~13 MB per 1,000 chunks.
_NAIVE_MB_PER_1000_CHUNKS = 13.5


@dataclass(slots=True)
class BenchConfig:
    corpus: Path
    bench_dir: Path
    quick: bool = False
    sizes: Sequence[int] = (10_000, 100_000, 1_000_000)
    clients: Sequence[int] = (1, 8, 32)
    api_requests: int = 300
    questions: int = 40
    redo: set[str] = field(default_factory=set)
    only: set[str] = field(default_factory=lambda: set(SECTIONS))
    embed_model: str = ""  # a real sentence-transformers folder for the semantic section
    device: str = "cpu"
    semantic_files: int = 150  # a 6-layer encoder takes ~0.1 s per chunk on 2 cores
    limit: int = 0  # semantic-ingest: this many Karlsruhe texts (0: all), plus the seeds
    seeds: Path | None = None
    log: Callable[[str], None] = print

    @property
    def mode(self) -> str:
        return "quick" if self.quick else "full"


class BenchRunner:
    def __init__(self, config: BenchConfig) -> None:
        self.config = config
        config.bench_dir.mkdir(parents=True, exist_ok=True)
        self._partial_path = config.bench_dir / f"partial-{config.mode}.json"
        self.results: dict[str, Any] = (
            json.loads(self._partial_path.read_text()) if self._partial_path.is_file() else {}
        )
        self._questions = load_questions(config.questions)

    # -- bookkeeping -----------------------------------------------------------------------

    def _cached(self, key: str, section: str) -> Any | None:
        if section in self.config.redo or key not in self.results:
            return None
        self.config.log(f"  {key}: cached from {self.results[key].get('measured_at', '?')}")
        return self.results[key]

    def _store(self, key: str, value: dict[str, Any]) -> dict[str, Any]:
        value["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        value["load_average_after"] = [round(x, 2) for x in load_average()]
        self.results[key] = value
        self._partial_path.write_text(json.dumps(self.results, indent=1, ensure_ascii=False))
        return value

    def _corpus(self) -> Path:
        """The full corpus, or in quick mode a copy of its first 600 texts (with sidecars)."""
        if not self.config.quick:
            return self.config.corpus
        return self._subset("quick-corpus", 600)

    def _subset(self, name: str, files: int) -> Path:
        """A copy of the corpus's first ``files`` texts (with sidecars), made once under the bench dir."""
        subset = self.config.bench_dir / name
        if not subset.is_dir():
            staging = subset.with_name(f"{name}.staging")
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            for text in sorted(self.config.corpus.glob("*.txt"))[:files]:
                shutil.copy2(text, staging / text.name)
                if text.with_suffix(".json").is_file():
                    shutil.copy2(text.with_suffix(".json"), staging / text.with_suffix(".json").name)
            staging.rename(subset)
        return subset

    # -- sections --------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        for section in SECTIONS:
            if section in self.config.only:
                self.config.log(f"[{section}]")
                getattr(self, f"_{section.replace('-', '_')}")()
        return self.results

    def _ingest(self) -> None:
        if self._cached("ingest", "ingest") is not None:
            return
        corpus = str(self._corpus())
        data_dir = str(self.config.bench_dir / "ingest" / self.config.mode / "ours")
        chroma_dir = str(self.config.bench_dir / "ingest" / self.config.mode / "naive" / "chroma")
        self.config.log("  ours, first ingest")
        ours = run_phase("ingest-ours", {"corpus": corpus, "data_dir": data_dir, "fresh": True})
        self.config.log("  ours, re-ingest of the unchanged corpus")
        again = run_phase("ingest-ours", {"corpus": corpus, "data_dir": data_dir})
        self.config.log("  llama-index naive pipeline")
        naive = run_phase("ingest-naive", {"corpus": corpus, "chroma_dir": chroma_dir})
        self._store(
            "ingest",
            {
                "corpus": corpus,
                "ours": ours,
                "reingest": again,
                "naive": naive,
                "ratios": {
                    "wall": round(naive["wall_s"] / ours["wall_s"], 2),
                    "cpu": round(naive["process_tree_cpu_s"] / ours["process_tree_cpu_s"], 2),
                    "chunks_per_s": round(ours["chunks_per_s"] / naive["chunks_per_s"], 2),
                    "reingest_speedup": round(ours["wall_s"] / max(again["wall_s"], 1e-3), 1),
                    "reingest_speedup_process": round(ours["process_wall_s"] / again["process_wall_s"], 1),
                },
            },
        )

    def _semantic_ingest(self) -> None:
        """Ours with the built-in semantic model against llama-index's naive pipeline (same model)."""
        from eval.bench.semantic_section import semantic_ingest

        key = f"semantic-ingest:{self.config.limit or 'all'}"
        if self._cached(key, "semantic-ingest") is not None:
            return
        corpus = self.config.corpus
        if self.config.limit:
            corpus = self._subset(f"semantic-corpus-{self.config.limit}", self.config.limit)
        folders = [str(corpus)] + ([str(self.config.seeds)] if self.config.seeds else [])
        base = self.config.bench_dir / "semantic-ingest" / str(self.config.limit or "all")
        cores = physical_cores()
        self._store(key, semantic_ingest(folders, base, self.config.device, cores, self.config.log))

    def _semantic_api(self) -> None:
        """Search and ask through the API with the built-in semantic model at 100k chunks.

        The store grows the semantic-ingest store (its real e5 vectors plus noise, see
        ``synthetic``): embedding 100k chunks for real would take hours. Queries run the real model.
        """
        if self._cached("semantic-api", "semantic-api") is not None:
            return
        source = self.config.bench_dir / "semantic-ingest" / str(self.config.limit or "all") / "ours"
        if not (source / "catalog.sqlite3").is_file():
            self.config.log("  (the semantic store grows the semantic-ingest store: running it first)")
            self._semantic_ingest()
        size = 10_000 if self.config.quick else 100_000
        data_dir = self.config.bench_dir / "stores" / f"semantic-{size}"
        self.config.log(f"  building {size:,} chunks with e5 vectors (cached under {data_dir})")
        model = {"RATSINFO_EMBED_MODEL": "multilingual-e5-small"}
        built = run_phase(
            "build-store",
            {
                "size": size,
                "data_dir": str(data_dir),
                "source_dir": str(source),
                "embed_model": model["RATSINFO_EMBED_MODEL"],
            },
            timeout_s=6 * 3600,
        )
        self.config.log(f"  uvicorn over it, clients {list(self.config.clients[:2])}")
        result = run_phase(
            "api-clients",
            {
                "data_dir": str(data_dir),
                "questions": self._questions,
                "clients": list(self.config.clients[:2]),
                "requests": self.config.api_requests,
            },
            env=model,
        )
        self._store("semantic-api", {"store_chunks": size, "store": built, **result})

    def _semantic_quality(self) -> None:
        """Dense-retrieval recall of the built-in model's fp32, bf16 and int8 on both QA sets."""
        from eval.bench.quality import quality_runs, recall_drop_points

        if self._cached("semantic-quality", "semantic-quality") is not None:
            return
        corpus = [str(self.config.corpus)] + ([str(self.config.seeds)] if self.config.seeds else [])
        runs: dict[str, Any] = {}
        for name, arguments in quality_runs(self.config.bench_dir, corpus).items():
            self.config.log(f"  {name}: {', '.join(arguments['precisions'])}")
            runs[name] = run_phase("precision-quality", arguments, timeout_s=6 * 3600)
        drops = {name: recall_drop_points(run) for name, run in runs.items()}
        self._store("semantic-quality", {**runs, "int8_recall10_drop_points": drops})

    def _source_store(self) -> str:
        source = self.config.bench_dir / "ingest" / self.config.mode / "ours"
        if not (source / "catalog.sqlite3").is_file():
            self.config.log("  (the synthetic stores grow the ingested corpus: running ingest first)")
            self._ingest()
        return str(source)

    def _store_dir(self, size: int) -> Path:
        return self.config.bench_dir / "stores" / f"{self.config.mode}-{size}"

    def _stores(self) -> None:
        for size in self.config.sizes:
            key = f"store:{size}"
            if (
                self._cached(key, "stores") is not None
                and (self._store_dir(size) / "catalog.sqlite3").is_file()
            ):
                continue
            self.config.log(f"  building {size:,} chunks (cached under {self._store_dir(size)})")
            built = run_phase(
                "build-store",
                {"size": size, "data_dir": str(self._store_dir(size)), "source_dir": self._source_store()},
                timeout_s=6 * 3600,
            )
            if built.get("cached") and key in self.results:
                continue  # built by an earlier run: keep that run's build figures
            self._store(key, built)

    def _search(self) -> None:
        for size in self.config.sizes:
            key = f"search:{size}"
            if self._cached(key, "search") is not None:
                continue
            data_dir = str(self._store_dir(size))
            arguments = {"data_dir": data_dir, "questions": self._questions}
            self.config.log(f"  {size:,} chunks: ours")
            entry: dict[str, Any] = {"ours": run_phase("search-ours", arguments)}
            needed_gb = size / 1000 * _NAIVE_MB_PER_1000_CHUNKS / 1024 * 1.5
            if size <= 100_000 or available_memory_gb() > needed_gb + 4:
                self.config.log(f"  {size:,} chunks: llama-index default retrievers")
                entry["naive"] = run_phase("search-naive", arguments)
            else:
                entry["naive_skipped"] = (
                    f"llama-index's BM25Retriever keeps all nodes in memory (~{needed_gb:.0f} GB here) "
                    f"and only {available_memory_gb():.0f} GB are available"
                )
            self.config.log(f"  {size:,} chunks: BM25 rebuild (the cost of any change)")
            entry["bm25_rebuild"] = run_phase(
                "bm25-rebuild",
                {"data_dir": data_dir, "scratch_dir": str(self.config.bench_dir / "scratch" / "bm25")},
            )
            self._store(key, entry)

    def _api(self) -> None:
        if self._cached("api", "api") is not None:
            return
        size = 10_000 if self.config.quick else 100_000
        self.config.log(f"  uvicorn over the {size:,}-chunk store, clients {list(self.config.clients)}")
        result = run_phase(
            "api-clients",
            {
                "data_dir": str(self._store_dir(size)),
                "questions": self._questions,
                "clients": list(self.config.clients),
                "requests": self.config.api_requests,
            },
        )
        self._store("api", {"store_chunks": size, **result})

    def _semantic(self) -> None:
        if self._cached("semantic", "semantic") is not None:
            return
        import torch

        model = self.config.embed_model
        built: dict[str, Any] = {"model": model, "built_here": False}
        if not model:
            built = run_phase(
                "tiny-model",
                {
                    "folder": str(self.config.bench_dir / "model" / "minilm-shape"),
                    "corpus": str(self.config.corpus),
                },
            )
            built["built_here"] = True
            model = built["path"]
        files = self.config.semantic_files
        subset = self.config.bench_dir / f"semantic-corpus-{files}"
        if not subset.is_dir():
            staging = subset.with_name(subset.name + ".staging")
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            for text in sorted(self.config.corpus.glob("*.txt"))[:files]:
                shutil.copy2(text, staging / text.name)
            staging.rename(subset)
        common = {"corpus": str(subset), "embed_model": model, "device": self.config.device}
        base = self.config.bench_dir / "semantic"
        self.config.log(f"  ours with {Path(model).name} on {files} files ({self.config.device})")
        ours = run_phase("ingest-ours", {**common, "data_dir": str(base / "ours"), "fresh": True})
        self.config.log("  naive with the same model")
        naive = run_phase("ingest-naive", {**common, "chroma_dir": str(base / "naive" / "chroma")})
        self.config.log("  query latency with the model")
        search = run_phase(
            "search-ours",
            {"data_dir": str(base / "ours"), "questions": self._questions},
            env={"RATSINFO_EMBED_MODEL": model, "RATSINFO_DEVICE": self.config.device},
        )
        self._store(
            "semantic",
            {
                "model": built,
                "device": self.config.device,
                "cuda_available": bool(torch.cuda.is_available()),
                "files": files,
                "ours": ours,
                "naive": naive,
                "search": search,
                "ratios": {
                    "wall": round(naive["wall_s"] / ours["wall_s"], 2),
                    "cpu": round(naive["process_tree_cpu_s"] / ours["process_tree_cpu_s"], 2),
                },
            },
        )


def header(config: BenchConfig) -> dict[str, Any]:
    return {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": config.mode,
        "machine": machine(),
        "corpus": str(config.corpus),
        "bench_dir": str(config.bench_dir),
        "pid": os.getpid(),
    }
