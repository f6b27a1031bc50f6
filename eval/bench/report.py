"""Targets checked against the results, and the results as Markdown tables for benchmarks/README.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

START = "<!-- results:start (written by `make bench`) -->"
END = "<!-- results:end -->"


def _get(results: dict[str, Any], *path: str) -> Any:
    value: Any = results
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets: each with the measured value and whether it is met (None: not measured)."""
    checks: list[tuple[str, Any, str, Any]] = [
        (
            "ingest vs naive llama-index (wall time ratio)",
            _get(results, "ingest", "ratios", "wall"),
            ">=",
            5.0,
        ),
        (
            "re-ingest speed-up over first ingest",
            _get(results, "ingest", "ratios", "reingest_speedup"),
            ">=",
            20.0,
        ),
        (
            "search p50 at 100k chunks (ms)",
            _get(results, "search:100000", "ours", "plain", "search", "p50_ms"),
            "<",
            50.0,
        ),
        (
            "ask p50 at 100k chunks (ms)",
            _get(results, "search:100000", "ours", "plain", "ask", "p50_ms"),
            "<",
            150.0,
        ),
        (
            "resident memory with the 1M store (MB)",
            _get(results, "search:1000000", "ours", "rss_mb"),
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
    rows = []
    for name, measured, operator, target in checks:
        met = None
        if measured is not None:
            met = {">=": measured >= target, "<": measured < target, "==": measured == target}[operator]
        rows.append({"target": name, "measured": measured, "goal": f"{operator} {target:g}", "met": met})
    return rows


def _row(cells: list[Any]) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _ms(entry: dict[str, Any] | None) -> str:
    if not entry:
        return "–"
    return f"{entry['p50_ms']:.1f} / {entry['p95_ms']:.1f}"


def markdown(results: dict[str, Any]) -> str:
    """Tables of every figure; the narrative around them lives in benchmarks/README.md."""
    lines = [START, ""]
    host = results.get("machine", {})
    lines += [
        f"Measured {results.get('generated', '?')} ({results.get('mode', '?')} run) on "
        f"{host.get('cpu', '?')}, {host.get('cores', '?')} cores, {host.get('memory_gb', '?')} GB, "
        f"Python {host.get('python', '?')}; load average at the start {host.get('load_average', '?')} "
        "(other work shared the machine: CPU seconds are given beside wall seconds).",
        "",
        "### Targets",
        "",
        _row(["target", "goal", "measured", "met"]),
        _row(["---"] * 4),
    ]
    for row in targets(results):
        met = {True: "yes", False: "**no**", None: "not measured"}[row["met"]]
        lines.append(_row([row["target"], row["goal"], row["measured"], met]))
    ingest = results.get("ingest")
    if ingest and "ours" in ingest:
        lines += [
            "",
            "### Ingest",
            "",
            _row(
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
            _row(["---"] * 11),
        ]
        for label, key in (
            ("ratsinfo, first", "ours"),
            ("ratsinfo, re-ingest", "reingest"),
            ("llama-index naive", "naive"),
        ):
            run = ingest[key]
            lines.append(
                _row(
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
    sizes = sorted(int(key.split(":")[1]) for key in results if key.startswith("search:"))
    if sizes:
        lines += [
            "",
            "### Search and ask latency (p50 / p95 ms)",
            "",
            _row(
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
            _row(["---"] * 9),
        ]
        for size in sizes:
            entry = results[f"search:{size}"]
            for side in ("ours", "naive"):
                run = entry.get(side)
                if not run:
                    continue
                lines.append(
                    _row(
                        [
                            f"{size:,}",
                            "ratsinfo" if side == "ours" else "llama-index",
                            _ms(_get(run, "plain", "search")),
                            _ms(_get(run, "plain", "ask")),
                            _ms(_get(run, "filtered", "search")),
                            _ms(_get(run, "filtered", "ask")),
                            _ms(_get(run, "substring", "search")),
                            run.get("rss_mb", "–"),
                            run.get("open_s", "–"),
                        ]
                    )
                )
            if entry.get("naive_skipped"):
                lines.append(
                    _row(
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
        lines += [
            "",
            _row(
                [
                    "chunks",
                    "store build s",
                    "build chunks/s",
                    "data dir MB",
                    "BM25 rebuild s",
                    "BM25 rebuild peak MB",
                ]
            ),
            _row(["---"] * 6),
        ]
        for size in sizes:
            build = results.get(f"store:{size}", {})
            rebuild = results[f"search:{size}"].get("bm25_rebuild", {})
            lines.append(
                _row(
                    [
                        f"{size:,}",
                        build.get("write_s", "–"),
                        build.get("write_chunks_per_s", "–"),
                        _get(results, f"search:{size}", "ours", "data_dir_mb") or "–",
                        rebuild.get("build_s", "–"),
                        rebuild.get("peak_rss_mb", "–"),
                    ]
                )
            )
    api = results.get("api")
    if api:
        lines += [
            "",
            f"### API ({api['store_chunks']:,}-chunk store, uvicorn on 127.0.0.1)",
            "",
            _row(["route", "clients", "requests", "errors", "req/s", "p50 ms", "p95 ms"]),
            _row(["---"] * 7),
        ]
        for route in ("search", "ask"):
            for level in api.get(route, []):
                lines.append(
                    _row(
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
    semantic = results.get("semantic")
    if semantic:
        model = semantic["model"]
        lines += [
            "",
            f"### Semantic model ({'built here: ' if model.get('built_here') else ''}"
            f"{model.get('layers', '?')} layers, {model.get('hidden', '?')} hidden, "
            f"{model.get('max_tokens', '?')} tokens; device {semantic['device']}, "
            f"CUDA available: {semantic['cuda_available']})",
            "",
            _row(["run", "files", "wall s", "CPU s", "chunks", "chunks/s", "encoder share"]),
            _row(["---"] * 7),
        ]
        for label, key in (("ratsinfo", "ours"), ("llama-index naive", "naive")):
            run = semantic[key]
            lines.append(
                _row(
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
            f"on that store: search {_ms(_get(search, 'plain', 'search'))} ms, "
            f"ask {_ms(_get(search, 'plain', 'ask'))} ms (p50 / p95)."
        )
    lines += ["", END]
    return "\n".join(lines) + "\n"


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
