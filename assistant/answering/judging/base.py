"""The entailment judge protocol shared by citation grounding, answer correctness and validation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a sentence is supported by passages; ``score`` in [0, 1], ``reason`` for the report."""

    supported: bool
    score: float
    reason: str = ""


@runtime_checkable
class Judge(Protocol):
    """Decides whether ``sentence`` is entailed by the union of ``passages``."""

    name: str

    def judge(self, sentence: str, passages: Sequence[str]) -> Verdict: ...


def join_passages(passages: Sequence[str]) -> str:
    """The premise a model judge reads: the passages one after another, as ALCE joins them."""
    return "\n\n".join(passage.strip() for passage in passages if passage.strip())
