"""The benchmark figures as PNG files (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before pyplot: headless servers and CI have no display

import matplotlib.pyplot as plt

_OURS = "#2f6690"
_NAIVE = "#d9822b"
_LIGHT = "#9aa5b1"


def _save(figure: Any, path: Path) -> None:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def ingest_figure(ingest: dict[str, Any], path: Path) -> None:
    """First ingest (ours, naive) and re-ingest: wall and CPU seconds side by side."""
    ours, naive, again = ingest["ours"], ingest["naive"], ingest["reingest"]
    labels = ["ratsinfo\nfirst ingest", "llama-index naive\nfirst ingest", "ratsinfo\nre-ingest"]
    wall = [ours["wall_s"], naive["wall_s"], again["wall_s"]]
    cpu = [ours["process_tree_cpu_s"], naive["process_tree_cpu_s"], again["process_tree_cpu_s"]]
    figure, axes = plt.subplots(figsize=(7.5, 3.8))
    positions = range(len(labels))
    axes.bar([p - 0.2 for p in positions], wall, width=0.4, color=[_OURS, _NAIVE, _OURS], label="wall s")
    axes.bar([p + 0.2 for p in positions], cpu, width=0.4, color=_LIGHT, label="CPU s (process tree)")
    for position, value in zip(positions, wall, strict=True):
        axes.text(position - 0.2, value, f"{value:.1f}", ha="center", va="bottom", fontsize=8)
    axes.set_xticks(list(positions), labels, fontsize=8)
    axes.set_ylabel("seconds")
    files = ours["files"]
    axes.set_title(
        f"Ingest of {files} files: {ingest['ratios']['wall']:.2f}x naive (wall), "
        f"re-ingest {ingest['ratios']['reingest_speedup']:.0f}x faster",
        fontsize=9,
    )
    axes.legend(fontsize=8)
    _save(figure, path)


def latency_figure(search: dict[str, Any], path: Path) -> None:
    """p50 (solid) and p95 (dashed) of search and ask against store size, ours and naive."""
    sizes = sorted(int(size) for size in search)
    figure, panels = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for panel, kind in zip(panels, ("search", "ask"), strict=True):
        for side, color in (("ours", _OURS), ("naive", _NAIVE)):
            for scenario, marker in (("plain", "o"), ("filtered", "s")):
                points = [
                    (size, search[str(size)][side][scenario][kind])
                    for size in sizes
                    if side in search[str(size)] and scenario in search[str(size)][side]
                ]
                if not points:
                    continue
                xs = [size for size, _ in points]
                name = "ratsinfo" if side == "ours" else "llama-index"
                panel.plot(
                    xs,
                    [p["p50_ms"] for _, p in points],
                    marker=marker,
                    color=color,
                    label=f"{name} {scenario} p50",
                )
                panel.plot(
                    xs,
                    [p["p95_ms"] for _, p in points],
                    marker=marker,
                    color=color,
                    linestyle="--",
                    alpha=0.5,
                )
        panel.set_xscale("log")
        panel.set_yscale("log")
        panel.set_xlabel("chunks in the store")
        panel.set_title(f"{kind} latency (dashed: p95)", fontsize=9)
        panel.grid(True, which="both", alpha=0.3)
    panels[0].set_ylabel("ms")
    panels[0].axhline(50, color="grey", linewidth=0.8)
    panels[1].axhline(150, color="grey", linewidth=0.8)
    panels[1].legend(fontsize=7)
    _save(figure, path)


def api_figure(api: dict[str, Any], path: Path) -> None:
    """Throughput and p95 latency of /search and /ask against concurrent clients."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    for route, color in (("search", _OURS), ("ask", _NAIVE)):
        levels = api.get(route, [])
        clients = [level["clients"] for level in levels]
        left.plot(
            clients, [level["throughput_rps"] for level in levels], marker="o", color=color, label=route
        )
        right.plot(
            clients, [level.get("p95_ms", 0) for level in levels], marker="o", color=color, label=route
        )
    left.set_title("requests per second", fontsize=9)
    right.set_title("p95 latency (ms)", fontsize=9)
    for panel in (left, right):
        panel.set_xlabel("concurrent clients")
        panel.set_xscale("log", base=2)
        panel.grid(True, alpha=0.3)
        panel.legend(fontsize=8)
    _save(figure, path)


def semantic_ingest_figure(run: dict[str, Any], path: Path) -> None:
    """Chunks/s and tokens/s of ours and the naive pipeline with the same model, side by side."""
    ours, naive = run["ours"], run["naive"]
    figure, (left, right) = plt.subplots(1, 2, figsize=(7.5, 3.4))
    for axes, key, label in ((left, "chunks_per_s", "chunks/s"), (right, "tokens_per_s", "tokens/s")):
        values = [ours[key], naive[key]]
        axes.bar([0, 1], values, color=[_OURS, _NAIVE])
        for position, value in enumerate(values):
            axes.text(
                position,
                value,
                f"{value:,.0f}" if value >= 100 else f"{value:.1f}",
                ha="center",
                va="bottom",
                fontsize=8,
            )
        axes.set_xticks([0, 1], ["ratsinfo", "llama-index\nnaive"], fontsize=8)
        axes.set_ylabel(label)
    derived = run["derived"]
    figure.suptitle(
        f"Semantic ingest, {ours['chunks']:,} chunks ({derived['precision']}): "
        f"{derived['chunks_per_s_ratio']}x chunks/s, {derived['tokens_per_s_ratio']}x tokens/s",
        fontsize=9,
    )
    _save(figure, path)
