"""Check each sentence of a generated answer against the passages it cites.

The judge (``assistant.answering.judging``: ``judge.judge(sentence, passages) -> Verdict``) is
also the evaluation suite's default, so what the answerer lets through and what the evaluation
measures are the same decision. Each cited passage is judged on its own first, so a sentence
keeps only the citations that support it ("right answer, wrong citation" is repaired, not passed
on); a sentence that only the cited passages together support keeps all of them; a sentence that
none supports is removed with the judge's reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answering.citations import ParsedSentence
from assistant.answering.judging import Judge, LexicalJudge, Verdict

__all__ = ["Check", "Judge", "Verdict", "check_sentence", "default_judge"]


def default_judge() -> Judge:
    """The offline judge used in production: German-aware lexical and numeric support."""
    return LexicalJudge()


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome for one sentence: the shown numbers that support it, or why it goes."""

    sentence: ParsedSentence
    supported_by: tuple[int, ...]  # numbers as shown in the prompt
    reason: str = ""

    @property
    def supported(self) -> bool:
        return bool(self.supported_by)


def check_sentence(sentence: ParsedSentence, sources: Sequence[str], judge: Judge) -> Check:
    """Judge ``sentence`` against the sources it cites (``sources[n - 1]`` is source ``[n]``)."""
    if not sentence.markers:
        return Check(sentence, (), "ohne Quellenangabe")
    valid = [number for number in sentence.markers if 1 <= number <= len(sources)]
    if not valid:
        shown = ", ".join(f"[{n}]" for n in sentence.markers)
        return Check(sentence, (), f"verweist auf keine gezeigte Quelle ({shown})")
    verdicts = {number: judge.judge(sentence.text, [sources[number - 1]]) for number in valid}
    alone = tuple(number for number in valid if verdicts[number].supported)
    if alone:
        return Check(sentence, alone)
    if len(valid) > 1:
        together = judge.judge(sentence.text, [sources[number - 1] for number in valid])
        if together.supported:
            return Check(sentence, tuple(valid))
        reason = together.reason
    else:
        reason = verdicts[valid[0]].reason
    cited = "".join(f"[{n}]" for n in valid)
    return Check(sentence, (), f"nicht durch {cited} belegt: {reason}")
