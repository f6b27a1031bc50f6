"""Answers written by the city's own LLM, every sentence checked against the sources it cites.

1. Abstain without asking the LLM when the retrieved passages do not cover the question (the
   extractive answerer's calibrated coverage test): a model asked anyway tends to answer.
2. The LLM gets the passages as numbered, fenced sources (``prompt.py``) and must end every
   sentence with ``[n]``.
3. As each sentence of the reply completes, it is parsed (``citations.py``) and judged against
   the sources it cites (``grounding.py``). Only sentences that pass reach the answer, with their
   citations renumbered in order of first use; the others are listed under ``removed``.
4. Timeout, error, or no sentence that passes: the extractive answer, with a notice saying why.
   If the model says the sources do not answer the question, the answer abstains.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from assistant.answering.citations import ParsedSentence, SentenceStream
from assistant.answering.events import Event, complete_events, done_event, head_event
from assistant.answering.extractive import ABSTENTION, ExtractiveAnswerer, citation_of
from assistant.answering.grounding import Check, Judge, check_sentence
from assistant.answering.llm import ChatLLM, LLMUnavailableError
from assistant.answering.prompt import answer_messages, says_cannot_answer, source_text
from assistant.models import Passage
from assistant.schemas import AnswerSentence, AskResponse, Citation, RemovedSentence
from ingest.text.sentences import split_sentences
from ingest.text.words import analyze

MODE = "llm"
_NOTHING_SUPPORTED = "Kein Satz der Antwort des Sprachmodells war durch die Quellen belegt"
_FALLBACK_SUFFIX = "; die Antwort besteht deshalb aus wörtlichen Zitaten der Dokumente."
_COMPOSED_SUFFIX = "; die Antwort ist deshalb unmittelbar aus den Sitzungsdaten zusammengestellt."
_NO_ANSWER = "Das Sprachmodell fand in den Quellen keine Antwort"


@dataclass(slots=True)
class _Draft:
    """What the answer holds so far."""

    question: str
    standalone: str
    passages: list[Passage]
    numbers: dict[int, int] = field(default_factory=dict)  # shown number → citation number
    highlights: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # by shown number
    kept: list[str] = field(default_factory=list)
    sentences: list[AnswerSentence] = field(default_factory=list)
    removed: list[RemovedSentence] = field(default_factory=list)

    def citations(self) -> list[Citation]:
        return [
            citation_of(number, self.passages[shown - 1], sorted(self.highlights.get(shown, [])))
            for shown, number in sorted(self.numbers.items(), key=lambda item: item[1])
        ]

    def response(self, **overrides: object) -> AskResponse:
        values: dict[str, object] = {
            "question": self.question,
            "answer": " ".join(self.kept),
            "abstained": False,
            "mode": MODE,
            "citations": self.citations(),
            "standalone_question": self.standalone if self.standalone != self.question else "",
            "sentences": self.sentences,
            "removed": self.removed,
        }
        values.update(overrides)
        return AskResponse.model_validate(values)


def _best_sentence(passage: Passage, claim: str) -> tuple[int, int] | None:
    """Page offsets of the passage sentence sharing most stems with ``claim`` (for highlighting)."""
    terms = set(analyze(claim))
    best, best_overlap = None, 0
    text = passage.chunk.text
    for start, end in split_sentences(text):
        overlap = len(terms & set(analyze(text[start:end])))
        if overlap > best_overlap:
            best, best_overlap = (passage.chunk.start + start, passage.chunk.start + end), overlap
    return best


class GenerativeAnswerer:
    mode = MODE

    def __init__(self, extractive: ExtractiveAnswerer, llm: ChatLLM, judge: Judge) -> None:
        self._extractive = extractive
        self._llm = llm
        self._judge = judge

    def events(
        self,
        question: str,
        standalone: str,
        passages: list[Passage],
        composed: AskResponse | None = None,
    ) -> Iterator[Event]:
        """The answer to ``standalone`` (asked as ``question``) from ``passages``, as events.

        ``composed``: an answer already made from data (the council process, whose records are
        among the passages); the model writes from the same sources, and where it fails or finds
        nothing, ``composed`` is the answer rather than quotes or an abstention.
        """
        draft = _Draft(question, standalone, passages)
        if composed is None and not self._extractive.covers(standalone, passages):
            yield from complete_events(draft.response(answer=ABSTENTION, abstained=True))
            return
        sources = [source_text(passage) for passage in passages]
        # The head goes out before the model is asked; every later change of course (fallback,
        # the model's own abstention) therefore starts with a reset and a new head.
        yield head_event(draft.response())
        reply = ""
        splitter = SentenceStream()
        try:
            for piece in self._llm.stream(answer_messages(standalone, passages)):
                reply += piece
                for sentence in splitter.feed(piece):
                    yield from self._judge_sentence(draft, sentence, sources)
            for sentence in splitter.finish():
                yield from self._judge_sentence(draft, sentence, sources)
        except LLMUnavailableError as error:
            yield from self._fallback(draft, error.reason, composed)
            return
        if says_cannot_answer(reply) and composed is not None:
            yield from self._fallback(draft, _NO_ANSWER, composed)
            return
        if says_cannot_answer(reply):
            yield {"event": "reset", "notice": ""}
            # What the model wrote besides its refusal is not an answer either.
            yield from complete_events(
                draft.response(answer=ABSTENTION, abstained=True, citations=[], sentences=[], removed=[])
            )
            return
        if not draft.kept:
            yield from self._fallback(draft, _NOTHING_SUPPORTED, composed)
            return
        yield done_event(draft.response())

    def _judge_sentence(
        self, draft: _Draft, sentence: ParsedSentence, sources: Sequence[str]
    ) -> Iterator[Event]:
        if says_cannot_answer(sentence.text):
            return
        check: Check = check_sentence(sentence, sources, self._judge)
        if not check.supported:
            draft.sentences.append(AnswerSentence(text=sentence.text, citations=[], supported=False))
            draft.removed.append(RemovedSentence(text=sentence.text, reason=check.reason))
            yield {"event": "removed", "text": sentence.text, "reason": check.reason}
            return
        numbers = []
        for shown in check.supported_by:
            if shown not in draft.numbers:
                draft.numbers[shown] = len(draft.numbers) + 1
                yield {"event": "citation", **self._citation(draft, shown).model_dump(mode="json")}
            numbers.append(draft.numbers[shown])
            span = _best_sentence(draft.passages[shown - 1], sentence.text)
            if span and span not in draft.highlights.setdefault(shown, []):
                draft.highlights[shown].append(span)
        text = f"{sentence.text} {''.join(f'[{n}]' for n in numbers)}"
        draft.sentences.append(AnswerSentence(text=sentence.text, citations=numbers, supported=True))
        yield {"event": "answer", "text": text if not draft.kept else " " + text}
        draft.kept.append(text)

    @staticmethod
    def _citation(draft: _Draft, shown: int) -> Citation:
        return citation_of(draft.numbers[shown], draft.passages[shown - 1], [])

    def _fallback(self, draft: _Draft, reason: str, composed: AskResponse | None = None) -> Iterator[Event]:
        notice = reason + (_FALLBACK_SUFFIX if composed is None else _COMPOSED_SUFFIX)
        yield {"event": "reset", "notice": notice}
        extractive = composed or self._extractive.answer_from(draft.standalone, draft.passages)
        response = extractive.model_copy(
            update={
                "question": draft.question,
                "notice": notice,
                "standalone_question": draft.standalone if draft.standalone != draft.question else "",
                # Why the model's sentences were not used stays visible; its supported ones
                # (before a timeout) are not part of this answer, so they are not listed.
                "removed": draft.removed,
            }
        )
        yield from complete_events(response)
