"""The ``semantic-ingest`` section: ours against llama-index's naive pipeline with the same model.

Both ingest the same files (the Karlsruhe texts, ``--limit`` of them, and ``../shared/seeds``) in
fresh processes, one after the other; then the CPU's matrix peak and the encoder's scaling from one
to all cores are measured, and the figures the README quotes are derived here: chunks/s and tokens/s
side by side, the encoder's share of the peak, and the time extrapolated to 1M chunks per core
count. Everything extrapolated says so in its key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eval.bench.process import run_phase


def semantic_ingest(corpus: list[str], base: Path, device: str, cores: int, log: Any) -> dict[str, Any]:
    """Run the four phases over ``corpus`` (folders) with state under ``base``; the section's results."""
    ours_dir = base / "ours"
    log(f"  ours: built-in multilingual-e5-small over {', '.join(corpus)}")
    ours = run_phase("semantic-ours", {"corpus": corpus, "data_dir": str(ours_dir), "device": device})
    log(f"  ours: {ours['chunks']} chunks in {ours['wall_s']} s ({ours['chunks_per_s']} chunks/s)")
    log("  llama-index naive pipeline, HuggingFaceEmbedding over the same model folder")
    naive = run_phase(
        "semantic-naive",
        {
            "corpus": corpus,
            "chroma_dir": str(base / "naive" / "chroma"),
            "models_dir": str(ours_dir / "models"),
            "device": device,
        },
        timeout_s=6 * 3600,
    )
    log(f"  naive: {naive['chunks']} chunks in {naive['wall_s']} s ({naive['chunks_per_s']} chunks/s)")
    threads = sorted({1, cores})
    log(f"  matrix peak and encoder scaling, threads {threads}")
    peak = run_phase("gemm-peak", {"threads": threads})
    scaling = run_phase("embed-scaling", {"data_dir": str(ours_dir), "threads": threads})
    return {
        "corpus": corpus,
        "cores": cores,
        "ours": ours,
        "naive": naive,
        "gemm_peak": peak,
        "scaling": scaling,
        "derived": derive(ours, naive, peak, scaling, cores),
    }


def derive(
    ours: dict[str, Any], naive: dict[str, Any], peak: dict[str, Any], scaling: dict[str, Any], cores: int
) -> dict[str, Any]:
    """Ratios, the share of the matrix peak, and extrapolations to 1M chunks (labelled as such)."""
    precision = str(ours.get("embedder", "")).partition("+")[2] or "fp32"  # see precision.variant_name
    encoder_gflops = ours["encoder_flops"] / max(ours["encoder_s"], 1e-9) / 1e9
    peak_gflops = peak.get(f"{precision}_t{cores}_gflops") or 0.0
    single = scaling.get("t1_tokens_per_s") or 0.0
    full = scaling.get(f"t{cores}_tokens_per_s") or single
    per_added_core = (full - single) / (cores - 1) if cores > 1 else 0.0
    if per_added_core <= 0:  # measured under load: more threads did not help; no extrapolation
        per_added_core = 0.0
        single = max(single, full)
    tokens_per_chunk = ours["tokens"] / max(ours["embedded"], 1)
    # Ingest time beyond the encoder (reading, chunking, Chroma, BM25), per chunk, as measured.
    other_s_per_chunk = max(ours["wall_s"] - ours["encoder_s"], 0.0) / max(ours["chunks"], 1)
    reuse = ours["embedded"] / max(ours["chunks"], 1)

    def hours_for_1m(core_count: int) -> float:
        tokens_per_s = single + per_added_core * (core_count - 1)
        encoder_s = 1e6 * reuse * tokens_per_chunk / max(tokens_per_s, 1e-9)
        return round((encoder_s + 1e6 * other_s_per_chunk) / 3600, 2)

    return {
        "precision": precision,
        "chunks_per_s_ratio": round(ours["chunks_per_s"] / max(naive["chunks_per_s"], 1e-9), 2),
        "tokens_per_s_ratio": round(ours["tokens_per_s"] / max(naive["tokens_per_s"], 1e-9), 2),
        "wall_ratio": round(naive["wall_s"] / max(ours["wall_s"], 1e-9), 2),
        "encoder_gflops": round(encoder_gflops, 1),
        "peak_gflops": peak_gflops,
        "share_of_peak": round(encoder_gflops / peak_gflops, 3) if peak_gflops else None,
        "int8_peak_gops": peak.get(f"int8_t{cores}_gflops"),
        "encoder_tokens_per_s_1_core": single,
        "encoder_tokens_per_s_per_added_core": round(per_added_core, 1),
        "extrapolated_hours_1m_chunks": {str(c): hours_for_1m(c) for c in (1, cores, 4, 8, 16) if c >= 1},
        "extrapolated_hours_1m_chunks_naive": round(1e6 / max(naive["chunks_per_s"], 1e-9) / 3600, 2),
    }
