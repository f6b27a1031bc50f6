"""The report's figures as PNG bytes (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before pyplot: headless servers and CI have no display

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

_BLUE = "#2f6690"
_GREY = "#9aa5b1"
_ORANGE = "#d9822b"


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return buffer.getvalue()


def metric_bars(metrics: Mapping[str, Any], names: Sequence[str]) -> bytes:
    """Horizontal bars of quality metrics with their 95% bootstrap intervals as error bars."""
    shown = [name for name in names if isinstance(metrics.get(name), Mapping)]
    values = [metrics[name]["value"] for name in shown]
    low = [metrics[name]["value"] - metrics[name]["ci_low"] for name in shown]
    high = [metrics[name]["ci_high"] - metrics[name]["value"] for name in shown]
    figure, axes = plt.subplots(figsize=(7.5, 0.42 * len(shown) + 1.2))
    positions = list(range(len(shown)))
    axes.barh(positions, values, color=_BLUE, xerr=[low, high], capsize=3, ecolor="#333333")
    for position, value in zip(positions, values, strict=True):
        # Inside the bar's start: never under an error bar, whatever the interval.
        inside = value >= 0.12
        axes.text(
            0.01 if inside else value + 0.01,
            position,
            f"{value:.2f}",
            va="center",
            fontsize=8,
            color="white" if inside else "#1f2933",
        )
    axes.set_yticks(positions, shown, fontsize=9)
    axes.invert_yaxis()
    axes.set_xlim(0, 1.05)
    axes.set_xlabel("Wert (Balken: 95-%-Bootstrap-Intervall)")
    axes.grid(axis="x", alpha=0.3)
    return _png(figure)


def recall_curve(curve: Mapping[int, float], previous: Mapping[int, float] | None = None) -> bytes:
    """Recall@k for k = 1 … 10, with an earlier run's curve for comparison."""
    figure, axes = plt.subplots(figsize=(5.5, 3.4))
    ks = sorted(curve)
    axes.plot(ks, [curve[k] for k in ks], marker="o", color=_BLUE, label="dieser Lauf")
    if previous:
        earlier = sorted(previous)
        axes.plot(earlier, [previous[k] for k in earlier], marker="s", color=_GREY, label="Vergleichslauf")
        axes.legend(fontsize=8)
    axes.set_xticks(ks)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("k (Passagen)")
    axes.set_ylabel("Recall@k")
    axes.grid(alpha=0.3)
    return _png(figure)


def latency_histogram(search_ms: Sequence[float], ask_ms: Sequence[float]) -> bytes:
    """Distribution of search and ask latencies in milliseconds."""
    figure, axes = plt.subplots(figsize=(5.5, 3.4))
    values = list(search_ms) + list(ask_ms)
    bins = 25 if values else 1
    upper = max(values) if values else 1.0
    axes.hist(search_ms, bins=bins, range=(0, upper), alpha=0.7, color=_BLUE, label="Suche")
    axes.hist(ask_ms, bins=bins, range=(0, upper), alpha=0.6, color=_ORANGE, label="Antwort")
    axes.set_xlabel("Millisekunden")
    axes.set_ylabel("Fragen")
    axes.legend(fontsize=8)
    axes.grid(alpha=0.3)
    return _png(figure)
