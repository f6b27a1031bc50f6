"""Regression gate and comparison between runs, both over metrics.json dictionaries.

``eval/thresholds.json``::

    {"floors": {"recall@10": 0.9, …}, "ceilings": {"leaked_passages": 0}, "note": "why these values"}

A metric under its floor or over its ceiling fails the gate; a metric the run did not produce
fails it too (a renamed metric must not pass silently). The gate compares point estimates: the
floors are set below the measured values by more than the bootstrap interval's half-width.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import InvalidRequestError


@dataclass(frozen=True, slots=True)
class Thresholds:
    floors: dict[str, float]
    ceilings: dict[str, float]


def metric_value(metrics: Mapping[str, Any], name: str) -> float | None:
    """The point value of a metric, whether stored plain or as ``{"value", "ci_low", …}``."""
    entry = metrics.get(name)
    if isinstance(entry, Mapping):
        entry = entry.get("value")
    return float(entry) if isinstance(entry, int | float) and not isinstance(entry, bool) else None


def load_thresholds(path: Path) -> Thresholds:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InvalidRequestError(
            f"cannot read the thresholds {path}: {error}",
            german=f"Die Schwellenwerte {path} lassen sich nicht lesen.",
        ) from error
    if not isinstance(data, dict):
        raise InvalidRequestError(
            f"{path}: expected an object with 'floors' and 'ceilings'",
            german=f"{path}: erwartet wird ein Objekt mit „floors“ und „ceilings“.",
        )
    parsed: dict[str, dict[str, float]] = {}
    for key in ("floors", "ceilings"):
        section = data.get(key, {})
        if not isinstance(section, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in section.values()
        ):
            raise InvalidRequestError(
                f"{path}: '{key}' must map metric names to numbers",
                german=f"{path}: „{key}“ muss Metriknamen auf Zahlen abbilden.",
            )
        parsed[key] = {name: float(value) for name, value in section.items()}
    return Thresholds(floors=parsed["floors"], ceilings=parsed["ceilings"])


def check_gate(metrics: Mapping[str, Any], thresholds: Thresholds) -> list[str]:
    """One German line per violated threshold; empty when the run passes."""
    failures: list[str] = []
    for name, floor in sorted(thresholds.floors.items()):
        value = metric_value(metrics, name)
        if value is None:
            failures.append(f"{name}: fehlt im Ergebnis (Untergrenze {floor:g})")
        elif value < floor:
            failures.append(f"{name}: {value:.4g} < Untergrenze {floor:g}")
    for name, ceiling in sorted(thresholds.ceilings.items()):
        value = metric_value(metrics, name)
        if value is None:
            failures.append(f"{name}: fehlt im Ergebnis (Obergrenze {ceiling:g})")
        elif value > ceiling:
            failures.append(f"{name}: {value:.4g} > Obergrenze {ceiling:g}")
    return failures


def load_previous(path: Path) -> dict[str, Any]:
    """metrics.json of an earlier run, given as the report folder or the file itself."""
    file = path / "metrics.json" if path.is_dir() else path
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InvalidRequestError(
            f"cannot read the earlier run's {file}: {error}",
            german=f"{file} des früheren Laufs lässt sich nicht lesen.",
        ) from error
    if not isinstance(data, dict):
        raise InvalidRequestError(
            f"{file} holds no metrics object", german=f"{file} enthält kein Metrik-Objekt."
        )
    return data


def compare(current: Mapping[str, Any], previous: Mapping[str, Any], names: list[str]) -> dict[str, Any]:
    """Per metric: the earlier value, the current one, and the change (current − earlier)."""
    deltas: dict[str, Any] = {}
    for name in names:
        now, before = metric_value(current, name), metric_value(previous, name)
        if now is None or before is None:
            continue
        deltas[name] = {"previous": before, "current": now, "delta": round(now - before, 4)}
    return deltas
