"""Targets checked against the results, and the results as Markdown for benchmarks/README.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eval.bench.report_semantic import semantic_sections, semantic_targets
from eval.bench.report_tables import (
    api_section,
    ingest_section,
    latency_section,
    lookup,
    semantic_section,
    table_row,
)

START = "<!-- results:start (written by `make bench`) -->"
END = "<!-- results:end -->"


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets: each with the measured value and whether it is met (None: not measured)."""
    checks: list[tuple[str, Any, str, Any]] = [
        (
            "ingest vs naive llama-index (wall time ratio)",
            lookup(results, "ingest", "ratios", "wall"),
            ">=",
            5.0,
        ),
        (
            "re-ingest speed-up over first ingest",
            lookup(results, "ingest", "ratios", "reingest_speedup"),
            ">=",
            20.0,
        ),
        (
            "search p50 at 100k chunks (ms)",
            lookup(results, "search:100000", "ours", "plain", "search", "p50_ms"),
            "<",
            50.0,
        ),
        (
            "ask p50 at 100k chunks (ms)",
            lookup(results, "search:100000", "ours", "plain", "ask", "p50_ms"),
            "<",
            150.0,
        ),
        (
            "resident memory with the 1M store (MB)",
            lookup(results, "search:1000000", "ours", "rss_mb"),
            "<",
            8192.0,
        ),
    ]
    api = results.get("api") or {}
    errors_32 = [
        level["errors"]
        for route in ("search", "ask")
        for level in api.get(route, [])
        if level["clients"] == 32
    ]
    checks.append(("errors under 32 concurrent clients", sum(errors_32) if errors_32 else None, "==", 0))
    checks += semantic_targets(results)
    rows = []
    for name, measured, operator, target in checks:
        met = None
        if measured is not None:
            met = {
                ">=": measured >= target,
                "<": measured < target,
                "<=": measured <= target,
                "==": measured == target,
            }[operator]
        rows.append({"target": name, "measured": measured, "goal": f"{operator} {target:g}", "met": met})
    return rows


def markdown(results: dict[str, Any]) -> str:
    """Tables of every figure; the narrative around them lives in benchmarks/README.md."""
    lines = [START, ""]
    lines += _machine_and_targets(results)
    lines += ingest_section(results.get("ingest"))
    lines += latency_section(results)
    lines += api_section(results.get("api"))
    lines += semantic_sections(results)
    lines += semantic_section(results.get("semantic"))
    lines += ["", END]
    return "\n".join(lines) + "\n"


def _machine_and_targets(results: dict[str, Any]) -> list[str]:
    """Where and when the run was measured, then every target with its measured value."""
    host = results.get("machine", {})
    lines = [
        f"Measured {results.get('generated', '?')} ({results.get('mode', '?')} run) on "
        f"{host.get('cpu', '?')}, {host.get('cores', '?')} cores, {host.get('memory_gb', '?')} GB, "
        f"Python {host.get('python', '?')}; load average at the start {host.get('load_average', '?')} "
        "(other work shared the machine: CPU seconds are given beside wall seconds).",
        "",
        "### Targets",
        "",
        table_row(["target", "goal", "measured", "met"]),
        table_row(["---"] * 4),
    ]
    for row in targets(results):
        met = {True: "yes", False: "**no**", None: "not measured"}[row["met"]]
        lines.append(table_row([row["target"], row["goal"], row["measured"], met]))
    return lines


def update_readme(path: Path, results: dict[str, Any]) -> None:
    """Replace the generated part of ``path`` (between the markers), keeping the text around it."""
    generated = markdown(results)
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        if START in text and END in text:
            before, rest = text.split(START, 1)
            after = rest.split(END, 1)[1]
            path.write_text(before + generated.rstrip("\n") + after, encoding="utf-8")
            return
        path.write_text(text.rstrip("\n") + "\n\n" + generated, encoding="utf-8")
        return
    path.write_text("# Benchmarks\n\n" + generated, encoding="utf-8")
