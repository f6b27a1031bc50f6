"""A sentence-transformers CrossEncoder NLI model as judge (by hub name or local directory).

NLI models answer (premise, hypothesis) with logits over labels such as contradiction,
entailment and neutral; the label order differs between models, so the entailment column is
found in the model's ``id2label``. A model with a single output is read as a support score.
Long passages are judged whole (truncated by the model) and in windows of a few sentences;
the best entailment probability counts, so a fact deep inside a long passage is not cut off.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from assistant.answering.judging.base import Verdict, join_passages
from ingest.text.sentences import split_sentences

_WINDOW_SENTENCES = 3


class CrossEncoderJudge:
    """Entailment by a CrossEncoder; ``threshold`` on the entailment probability."""

    def __init__(
        self, model: str, threshold: float = 0.5, device: str = "cpu", max_length: int = 512
    ) -> None:
        try:
            from sentence_transformers import CrossEncoder
        except ImportError as error:  # pragma: no cover - a dependency of the project
            raise RuntimeError("the cross-encoder judge needs sentence-transformers") from error
        self.name = f"cross-encoder:{model}"
        self.threshold = threshold
        self._model: Any = CrossEncoder(model, device=device, max_length=max_length)
        self._entailment = _entailment_index(self._model.config.id2label, self._model.num_labels)

    def judge(self, sentence: str, passages: Sequence[str]) -> Verdict:
        premise = join_passages(passages)
        if not premise:
            return Verdict(False, 0.0, "keine Passage")
        premises = [premise, *_windows(passages)]
        scores = self._model.predict([(text, sentence) for text in premises], show_progress_bar=False)
        probabilities = [self._probability(np.asarray(row)) for row in np.atleast_1d(scores)]
        best = max(probabilities)
        verdict = "gestützt" if best >= self.threshold else "nicht gestützt"
        return Verdict(best >= self.threshold, round(best, 4), f"Entailment {best:.2f}: {verdict}")

    def _probability(self, logits: np.ndarray) -> float:
        if logits.ndim == 0 or logits.size == 1:
            value = float(logits.reshape(-1)[0])
            # A single output is a logit unless the model already applied its activation.
            return value if 0.0 <= value <= 1.0 else float(1 / (1 + np.exp(-value)))
        shifted = np.exp(logits - logits.max())
        return float(shifted[self._entailment] / shifted.sum())


def _entailment_index(id2label: dict[int, str] | None, num_labels: int) -> int:
    """The output column meaning 'entailment' (or 'supported'); for a single output, column 0."""
    if num_labels == 1:
        return 0
    for index, label in (id2label or {}).items():
        if str(label).lower().startswith(("entail", "support")):
            return int(index)
    raise ValueError(
        f"the model's labels {id2label} name no entailment class; use an NLI cross-encoder "
        "(labels like contradiction/entailment/neutral)"
    )


def _windows(passages: Sequence[str]) -> list[str]:
    """Runs of a few consecutive sentences of each passage."""
    windows: list[str] = []
    for passage in passages:
        spans = split_sentences(passage)
        if len(spans) <= _WINDOW_SENTENCES:
            continue
        for first in range(0, len(spans) - _WINDOW_SENTENCES + 1):
            start, end = spans[first][0], spans[first + _WINDOW_SENTENCES - 1][1]
            windows.append(passage[start:end])
    return windows
