"""Ingest phases: our pipeline (first run and re-run) and the naive llama-index pipeline.

Each runs in its own process (see ``process``); the timed block is the ingest call alone, the
process's start-up (imports, opening the store) is reported separately by the parent.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from eval.bench.measure import peak_rss_mb, reset_peak_rss, timed
from eval.bench.timed_embedder import TimedEmbedder


def _settings(data_dir: Path, embed_model: str, device: str) -> Any:
    from assistant.config import Settings

    return Settings(data_dir=data_dir, embed_model=embed_model, device=device, rate_limit_per_minute=0)


def ingest_ours(arguments: dict[str, Any]) -> dict[str, Any]:
    """Ingest ``corpus`` into ``data_dir`` (``fresh``: emptied first) with our pipeline."""
    from assistant.indexing import Ingestor
    from assistant.services import build_services

    data_dir = Path(arguments["data_dir"])
    if arguments.get("fresh"):
        shutil.rmtree(data_dir, ignore_errors=True)
    settings = _settings(data_dir, arguments.get("embed_model", "hashing"), arguments.get("device", "cpu"))
    services = build_services(settings)
    embedder = TimedEmbedder(services.embedder)
    ingestor = Ingestor(services.store, embedder, settings)
    reset_peak_rss()
    with timed() as timing:
        report = ingestor.ingest([arguments["corpus"]])
    documents, pages, chunks = services.store.catalog.counts()
    services.close()
    files = report.added + report.updated + report.unchanged + len(report.failed)
    return {
        **timing.to_dict(),
        "files": files,
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "failed": len(report.failed),
        "documents": documents,
        "pages": pages,
        "chunks": chunks,
        "chunks_written": report.chunks,
        "encoder_s": round(embedder.seconds, 3),
        "encoder_share": round(embedder.seconds / timing.wall_s, 3) if timing.wall_s else 0.0,
        "main_peak_rss_mb": round(peak_rss_mb(), 1),
        "files_per_s": round(files / timing.wall_s, 1),
        "documents_per_s": round(report.added / timing.wall_s, 1),
        "pages_per_s": round(pages / timing.wall_s, 1) if report.added else 0.0,
        "chunks_per_s": round(report.chunks / timing.wall_s, 1),
    }


def ingest_naive(arguments: dict[str, Any]) -> dict[str, Any]:
    """Ingest ``corpus`` the tutorial llama-index way into a fresh Chroma folder."""
    from assistant.embedding import build_embedder
    from eval.bench.naive import naive_ingest

    chroma_dir = Path(arguments["chroma_dir"])
    shutil.rmtree(chroma_dir, ignore_errors=True)
    embed_model, device = arguments.get("embed_model", "hashing"), arguments.get("device", "cpu")
    settings = _settings(chroma_dir.parent, embed_model, device)
    embedder = TimedEmbedder(build_embedder(settings))
    reset_peak_rss()
    with timed() as timing:
        counts = naive_ingest(Path(arguments["corpus"]), chroma_dir, embedder)
    return {
        **timing.to_dict(),
        **counts,
        "files": counts["documents"],
        "encoder_s": round(embedder.seconds, 3),
        "encoder_share": round(embedder.seconds / timing.wall_s, 3) if timing.wall_s else 0.0,
        "main_peak_rss_mb": round(peak_rss_mb(), 1),
        "files_per_s": round(counts["documents"] / timing.wall_s, 1),
        "documents_per_s": round(counts["documents"] / timing.wall_s, 1),
        "pages_per_s": round(counts["pages"] / timing.wall_s, 1),
        "chunks_per_s": round(counts["chunks"] / timing.wall_s, 1),
    }
