"""The entailment judge that checks every LLM answer sentence, and the protocol all judges share.

``LexicalJudge`` (offline, no model) is the production judge; the evaluation measures with the
same decision and adds model-based judges of its own (``eval.judges``: cross-encoder, LLM).
"""

from __future__ import annotations

from assistant.answering.judging.base import Judge, Verdict, join_passages
from assistant.answering.judging.lexical import LexicalJudge

__all__ = ["Judge", "LexicalJudge", "Verdict", "join_passages"]
