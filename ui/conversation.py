"""A chat turn as the UI shows it, built up from the events of a streamed answer.

The events are those of assistant/answering/events.py (the same the API streams as NDJSON);
:func:`apply_event` folds one into a turn, so the page can be redrawn after every piece.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.schemas import AskResponse, Citation, OpenedDocument, RemovedSentence
from assistant.service import MAX_HISTORY_TURNS, MAX_TURN_CHARS, Turn


@dataclass(slots=True)
class ChatTurn:
    """One question and its (possibly still growing) answer."""

    question: str
    answer: str = ""
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    notice: str = ""
    removed: list[RemovedSentence] = field(default_factory=list)
    done: bool = False
    error: str = ""
    opened: OpenedDocument | None = None  # the paper the question named by its reference alone

    def cited_doc_ids(self) -> list[str]:
        return list(dict.fromkeys(citation.doc_id for citation in self.citations))


def _citation(data: dict[str, Any]) -> Citation:
    return Citation.model_validate({key: value for key, value in data.items() if key != "event"})


def apply_response(turn: ChatTurn, response: AskResponse) -> None:
    """Make ``turn`` show the final answer exactly as the answerer returned it."""
    turn.answer = response.answer
    turn.citations = list(response.citations)
    turn.abstained = response.abstained
    turn.notice = response.notice
    turn.removed = list(response.removed)
    turn.opened = response.opened
    turn.done = True


def apply_event(turn: ChatTurn, event: dict[str, Any]) -> None:
    """Fold one stream event into ``turn`` (unknown events are ignored: newer servers may add some)."""
    kind = event.get("event")
    if kind == "citations":
        turn.citations = [Citation.model_validate(item) for item in event.get("citations", [])]
        turn.abstained = bool(event.get("abstained"))
        turn.notice = str(event.get("notice") or "")
        opened = event.get("opened")
        turn.opened = OpenedDocument.model_validate(opened) if opened else None
    elif kind == "citation":
        citation = _citation(event)
        if all(known.n != citation.n for known in turn.citations):
            turn.citations.append(citation)
    elif kind == "answer":
        turn.answer += str(event.get("text", ""))
    elif kind == "removed":
        turn.removed.append(RemovedSentence(text=str(event["text"]), reason=str(event.get("reason", ""))))
    elif kind == "reset":
        # The LLM failed: what was shown so far is withdrawn, the extractive answer follows.
        turn.answer, turn.citations, turn.removed = "", [], []
        turn.notice = str(event.get("notice") or "")
    elif kind == "done":
        apply_response(turn, AskResponse.model_validate(event["response"]))


def history_of(turns: Sequence[ChatTurn]) -> list[Turn]:
    """The finished turns as the answerer's conversation history (newest last, bounded)."""
    finished = [turn for turn in turns if turn.done and not turn.error]
    return [
        Turn(question=turn.question, answer=turn.answer[:MAX_TURN_CHARS])
        for turn in finished[-MAX_HISTORY_TURNS:]
    ]


def citations_of(turns: Sequence[ChatTurn], doc_id: str) -> list[Citation]:
    """Every passage of ``doc_id`` cited in the conversation (marked in the document view; a
    record of the process data has no page to mark)."""
    return [
        citation
        for turn in turns
        for citation in turn.citations
        if citation.doc_id == doc_id and citation.kind == "passage"
    ]
