"""Validate a judge on hand-labelled (sentence, passage, supported?) pairs: accuracy and Cohen's kappa."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answering.judging.base import Judge
from eval.dataset import DatasetError
from eval.metrics import accuracy, cohen_kappa

JUDGE_PAIRS = Path(__file__).resolve().parents[1] / "data" / "judge_pairs.jsonl"


@dataclass(frozen=True, slots=True)
class JudgePair:
    id: str
    sentence: str
    passage: str
    supported: bool
    kind: str
    split: str = "dev"  # "heldout": written after the lexical judge's rules were fixed


def load_pairs(path: Path = JUDGE_PAIRS) -> list[JudgePair]:
    """Read the labelled pairs; a malformed line raises DatasetError naming line and field."""
    pairs: list[JudgePair] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as error:
            raise DatasetError(f"invalid JSON: {error.msg}", number, path=str(path)) from None
        for field, kind in (
            ("id", str),
            ("sentence", str),
            ("passage", str),
            ("supported", bool),
            ("kind", str),
        ):
            if not isinstance(data.get(field), kind):
                raise DatasetError(f"must be a {kind.__name__}", number, field, str(path))
        split = data.get("split", "dev")
        if not isinstance(split, str):
            raise DatasetError("must be a str", number, "split", str(path))
        pairs.append(
            JudgePair(data["id"], data["sentence"], data["passage"], data["supported"], data["kind"], split)
        )
    return pairs


def validate_judge(judge: Judge, pairs: list[JudgePair]) -> dict[str, Any]:
    """Accuracy, Cohen's kappa, confusion counts, accuracy per kind and the pairs judged wrongly."""
    labels = [pair.supported for pair in pairs]
    predictions = [judge.judge(pair.sentence, [pair.passage]).supported for pair in pairs]
    by_kind: dict[str, list[bool]] = defaultdict(list)
    by_split: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    errors = []
    for pair, prediction in zip(pairs, predictions, strict=True):
        by_kind[pair.kind].append(pair.supported == prediction)
        by_split[pair.split].append((pair.supported, prediction))
        if pair.supported != prediction:
            errors.append(
                {"id": pair.id, "kind": pair.kind, "sentence": pair.sentence, "label": pair.supported}
            )
    return {
        "judge": judge.name,
        "pairs": len(pairs),
        "accuracy": round(accuracy(labels, predictions), 4),
        "kappa": round(cohen_kappa(labels, predictions), 4),
        "true_positive": sum(1 for label, p in zip(labels, predictions, strict=True) if label and p),
        "false_positive": sum(1 for label, p in zip(labels, predictions, strict=True) if not label and p),
        "true_negative": sum(1 for label, p in zip(labels, predictions, strict=True) if not label and not p),
        "false_negative": sum(1 for label, p in zip(labels, predictions, strict=True) if label and not p),
        "by_kind": {
            kind: {"n": len(hits), "accuracy": round(sum(hits) / len(hits), 4)}
            for kind, hits in sorted(by_kind.items())
        },
        "by_split": {
            split: {
                "n": len(rows),
                "accuracy": round(accuracy([r[0] for r in rows], [r[1] for r in rows]), 4),
                "kappa": round(cohen_kappa([r[0] for r in rows], [r[1] for r in rows]), 4),
            }
            for split, rows in sorted(by_split.items())
        },
        "errors": errors,
    }
