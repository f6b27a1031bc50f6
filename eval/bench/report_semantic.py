"""Targets and tables of the semantic sections (``semantic-ingest``, ``semantic-api``)."""

from __future__ import annotations

from typing import Any

from eval.bench.report_tables import api_section, table_row


def semantic_ingest_runs(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``semantic-ingest:<limit>`` entries by limit ("all" is the whole corpus)."""
    return {
        key.split(":", 1)[1]: value for key, value in results.items() if key.startswith("semantic-ingest:")
    }


def semantic_targets(results: dict[str, Any]) -> list[tuple[str, Any, str, float]]:
    """The issue's acceptance figures: measured on the whole corpus only (a subset is not it)."""
    whole = semantic_ingest_runs(results).get("all") or {}
    ask = [level for level in (results.get("semantic-api") or {}).get("ask", []) if level["clients"] == 1]
    drops = (results.get("semantic-quality") or {}).get("int8_recall10_drop_points") or {}
    return [
        *(
            (f"int8 recall@10 below fp32 on {name} (points)", drops.get(name), "<=", 1.0)
            for name in ("real_qa", "sample_qa")
        ),
        (
            "semantic ingest of the whole corpus (chunks/s, 2 cores)",
            (whole.get("ours") or {}).get("chunks_per_s"),
            ">=",
            29.0,
        ),
        (
            "semantic ingest vs naive llama-index, same model (chunks/s ratio)",
            (whole.get("derived") or {}).get("chunks_per_s_ratio"),
            ">=",
            3.0,
        ),
        (
            "semantic ask p50 via the API at 100k chunks (ms)",
            ask[0].get("p50_ms") if ask else None,
            "<",
            150.0,
        ),
    ]


def semantic_sections(results: dict[str, Any]) -> list[str]:
    """One table per semantic-ingest run, then the API with the semantic model."""
    lines: list[str] = []
    for limit, run in sorted(semantic_ingest_runs(results).items()):
        lines += _ingest_table(limit, run)
    if results.get("semantic-quality"):
        lines += quality_table(results["semantic-quality"])
    api = results.get("semantic-api")
    if api:
        lines += [line.replace("### API", "### API with the semantic model", 1) for line in api_section(api)]
    return lines


def _ingest_table(limit: str, run: dict[str, Any]) -> list[str]:
    ours, naive, derived = run["ours"], run["naive"], run["derived"]
    scope = "whole corpus" if limit == "all" else f"first {limit} Karlsruhe texts"
    lines = [
        "",
        f"### Semantic ingest ({scope} and the seeds, multilingual-e5-small, {run['cores']} cores)",
        "",
        table_row(
            [
                "run",
                "model",
                "wall s",
                "CPU s",
                "chunks",
                "embedded",
                "tokens",
                "chunks/s",
                "tokens/s",
                "peak RSS MB",
                "load 1 min",
            ]
        ),
        table_row(["---"] * 11),
    ]
    for label, entry in (("ratsinfo", ours), ("llama-index naive", naive)):
        lines.append(
            table_row(
                [
                    label,
                    entry.get("embedder", ""),
                    entry["wall_s"],
                    entry.get("process_tree_cpu_s", entry["cpu_s"]),
                    entry["chunks"],
                    entry.get("embedded", entry["chunks"]),
                    entry["tokens"],
                    entry["chunks_per_s"],
                    entry["tokens_per_s"],
                    entry.get("process_tree_peak_rss_mb", "–"),
                    f"{entry['load_1min_before']}→{entry['load_1min_after']}",
                ]
            )
        )
    hours = derived["extrapolated_hours_1m_chunks"]
    lines += [
        "",
        f"Ratios: chunks/s {derived['chunks_per_s_ratio']}x, tokens/s {derived['tokens_per_s_ratio']}x, "
        f"wall {derived['wall_ratio']}x. Encoder: {derived['encoder_gflops']} GFLOP/s in "
        f"{derived['precision']}, {derived['share_of_peak']} of this CPU's measured {derived['precision']} "
        f"matrix peak ({derived['peak_gflops']} GFLOP/s; int8 peak {derived['int8_peak_gops']} GOP/s); "
        f"{derived['encoder_tokens_per_s_1_core']} tokens/s on one core, "
        f"+{derived['encoder_tokens_per_s_per_added_core']} per added core. Extrapolated hours for 1M "
        "chunks by cores: "
        + ", ".join(f"{cores}: {value}" for cores, value in hours.items())
        + f" (naive: {derived['extrapolated_hours_1m_chunks_naive']} h on {run['cores']}).",
    ]
    return lines


def quality_table(quality: dict[str, Any]) -> list[str]:
    """Dense-retrieval recall per QA set and precision (``eval.bench.quality``)."""
    header = ["set", "chunks", "questions", "precision", "recall@5", "recall@10", "MRR@10"]
    header += ["cosine to fp32 (mean / min)", "embed wall s", "embed CPU s", "load 1 min"]
    lines = [
        "",
        "### Retrieval quality per precision (dense retrieval alone, multilingual-e5-small)",
        "",
        table_row(header),
        table_row(["---"] * len(header)),
    ]
    for name, run in quality.items():
        if not isinstance(run, dict) or "chunks" not in run:
            continue
        for precision in ("fp32", "bf16", "int8"):
            row = run.get(precision)
            if not row:
                continue
            cells = [name, run["chunks"], run["questions"], precision, row["recall@5"], row["recall@10"]]
            cosine = row["cosine_to_first"]
            cells += [row["mrr@10"], f"{cosine['mean']} / {cosine['min']}", row["embed_s"]]
            lines.append(table_row([*cells, row["embed_cpu_s"], row["load_1min"]]))
    return lines
