"""The result tables of benchmarks/README.md, one function per section of the report.

Each section function takes its part of the results and returns Markdown lines, or none where
that part was not measured (a quick or partial run).
"""

from __future__ import annotations

from typing import Any


def lookup(results: dict[str, Any], *path: str) -> Any:
    """The value at ``path`` in nested dicts, or None where a key is missing."""
    value: Any = results
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def table_row(cells: list[Any]) -> str:
    """One Markdown table row."""
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def ms(entry: dict[str, Any] | None) -> str:
    """The "p50 / p95" milliseconds of a latency entry, "–" where it was not measured."""
    if not entry:
        return "–"
    return f"{entry['p50_ms']:.1f} / {entry['p95_ms']:.1f}"


def ingest_section(ingest: dict[str, Any] | None) -> list[str]:
    """First ingest, re-ingest and the naive baseline side by side, then their ratios."""
    if not ingest or "ours" not in ingest:
        return []
    lines = [
        "",
        "### Ingest",
        "",
        table_row(
            [
                "run",
                "wall s",
                "CPU s (tree)",
                "files/s",
                "docs/s",
                "pages/s",
                "chunks/s",
                "chunks",
                "peak RSS MB (tree)",
                "encoder share",
                "load 1 min",
            ]
        ),
        table_row(["---"] * 11),
    ]
    for label, key in (
        ("ratsinfo, first", "ours"),
        ("ratsinfo, re-ingest", "reingest"),
        ("llama-index naive", "naive"),
    ):
        run = ingest[key]
        lines.append(
            table_row(
                [
                    label,
                    run["wall_s"],
                    run["process_tree_cpu_s"],
                    run["files_per_s"],
                    run["documents_per_s"],
                    run["pages_per_s"],
                    run["chunks_per_s"],
                    run["chunks"],
                    run["process_tree_peak_rss_mb"],
                    run["encoder_share"],
                    f"{run['load_1min_before']}→{run['load_1min_after']}",
                ]
            )
        )
    ratios = ingest["ratios"]
    lines += [
        "",
        f"Ratios: naive/ours wall {ratios['wall']}x, CPU {ratios['cpu']}x, "
        f"chunks per second {ratios['chunks_per_s']}x; "
        f"re-ingest {ratios['reingest_speedup']}x faster than the first ingest "
        f"({ratios['reingest_speedup_process']}x counting process start-up).",
    ]
    return lines


def latency_section(results: dict[str, Any]) -> list[str]:
    """Search and ask latency per store size, then building each store and its BM25 index."""
    sizes = sorted(int(key.split(":")[1]) for key in results if key.startswith("search:"))
    if not sizes:
        return []
    return latency_table(results, sizes) + store_build_table(results, sizes)


def latency_table(results: dict[str, Any], sizes: list[int]) -> list[str]:
    lines = [
        "",
        "### Search and ask latency (p50 / p95 ms)",
        "",
        table_row(
            [
                "chunks",
                "side",
                "search",
                "ask",
                "search filtered",
                "ask filtered",
                "search substring",
                "RSS MB",
                "open s",
            ]
        ),
        table_row(["---"] * 9),
    ]
    for size in sizes:
        entry = results[f"search:{size}"]
        for side in ("ours", "naive"):
            run = entry.get(side)
            if not run:
                continue
            lines.append(
                table_row(
                    [
                        f"{size:,}",
                        "ratsinfo" if side == "ours" else "llama-index",
                        ms(lookup(run, "plain", "search")),
                        ms(lookup(run, "plain", "ask")),
                        ms(lookup(run, "filtered", "search")),
                        ms(lookup(run, "filtered", "ask")),
                        ms(lookup(run, "substring", "search")),
                        run.get("rss_mb", "–"),
                        run.get("open_s", "–"),
                    ]
                )
            )
        if entry.get("naive_skipped"):
            lines.append(
                table_row(
                    [
                        f"{size:,}",
                        "llama-index",
                        "skipped: " + entry["naive_skipped"],
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                    ]
                )
            )
    return lines


def store_build_table(results: dict[str, Any], sizes: list[int]) -> list[str]:
    lines = [
        "",
        table_row(
            [
                "chunks",
                "store build s",
                "build chunks/s",
                "data dir MB",
                "BM25 rebuild s",
                "BM25 rebuild peak MB",
            ]
        ),
        table_row(["---"] * 6),
    ]
    for size in sizes:
        build = results.get(f"store:{size}", {})
        rebuild = results[f"search:{size}"].get("bm25_rebuild", {})
        lines.append(
            table_row(
                [
                    f"{size:,}",
                    build.get("write_s", "–"),
                    build.get("write_chunks_per_s", "–"),
                    lookup(results, f"search:{size}", "ours", "data_dir_mb") or "–",
                    rebuild.get("build_s", "–"),
                    rebuild.get("peak_rss_mb", "–"),
                ]
            )
        )
    return lines


def api_section(api: dict[str, Any] | None) -> list[str]:
    """Throughput and latency of the HTTP API per route and number of concurrent clients."""
    if not api:
        return []
    lines = [
        "",
        f"### API ({api['store_chunks']:,}-chunk store, uvicorn on 127.0.0.1)",
        "",
        table_row(["route", "clients", "requests", "errors", "req/s", "p50 ms", "p95 ms"]),
        table_row(["---"] * 7),
    ]
    for route in ("search", "ask"):
        for level in api.get(route, []):
            lines.append(
                table_row(
                    [
                        route,
                        level["clients"],
                        level["requests"],
                        level["errors"],
                        level["throughput_rps"],
                        level.get("p50_ms", "–"),
                        level.get("p95_ms", "–"),
                    ]
                )
            )
    lines.append(f"\nServer peak RSS {api.get('server_peak_rss_mb')} MB.")
    return lines


def semantic_section(semantic: dict[str, Any] | None) -> list[str]:
    """Ingest with a real transformer model, ours against the naive baseline, and query latency."""
    if not semantic:
        return []
    model = semantic["model"]
    lines = [
        "",
        f"### Semantic model ({'built here: ' if model.get('built_here') else ''}"
        f"{model.get('layers', '?')} layers, {model.get('hidden', '?')} hidden, "
        f"{model.get('max_tokens', '?')} tokens; device {semantic['device']}, "
        f"CUDA available: {semantic['cuda_available']})",
        "",
        table_row(["run", "files", "wall s", "CPU s", "chunks", "chunks/s", "encoder share"]),
        table_row(["---"] * 7),
    ]
    for label, key in (("ratsinfo", "ours"), ("llama-index naive", "naive")):
        run = semantic[key]
        lines.append(
            table_row(
                [
                    label,
                    semantic["files"],
                    run["wall_s"],
                    run["process_tree_cpu_s"],
                    run["chunks"],
                    run["chunks_per_s"],
                    run["encoder_share"],
                ]
            )
        )
    search = semantic.get("search", {})
    lines.append(
        f"\nRatio naive/ours {semantic['ratios']['wall']}x (wall). Query latency with the model "
        f"on that store: search {ms(lookup(search, 'plain', 'search'))} ms, "
        f"ask {ms(lookup(search, 'plain', 'ask'))} ms (p50 / p95)."
    )
    return lines
