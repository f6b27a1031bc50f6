"""Entailment judges for the evaluation: ``lexical`` (default, offline), ``cross-encoder:NAME``
and ``llm:URL``.

The lexical judge is the one production runs on every LLM answer, so it lives with the answerer
(``assistant.answering.judging``, with the ``Judge`` protocol); this package builds a judge from
its command-line spelling and holds the model-based judges and their validation.
"""

from __future__ import annotations

from assistant.answering.judging import Judge, LexicalJudge, Verdict

__all__ = ["Judge", "Verdict", "build_judge"]


def build_judge(spec: str, *, model: str = "default", api_key: str = "", device: str = "cpu") -> Judge:
    """A judge from its command-line spelling; heavy backends are imported only when asked for.

    ``lexical`` · ``cross-encoder:NAME_OR_PATH`` · ``llm:URL`` (``model`` names the chat model).
    """
    kind, _, argument = spec.partition(":")
    match kind:
        case "lexical":
            return LexicalJudge()
        case "cross-encoder":
            if not argument:
                raise ValueError("cross-encoder needs a model: cross-encoder:NAME_OR_PATH")
            from eval.judges.cross_encoder import CrossEncoderJudge

            return CrossEncoderJudge(argument, device=device)
        case "llm":
            if not argument:
                raise ValueError("llm needs the API's URL: llm:http://127.0.0.1:8080/v1")
            from eval.judges.llm import LLMJudge

            return LLMJudge(argument, model=model, api_key=api_key)
        case _:
            raise ValueError(f"unknown judge {spec!r}: use lexical, cross-encoder:NAME or llm:URL")
