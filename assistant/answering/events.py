"""The events of a streamed answer, shared by both modes; the API sends them as NDJSON lines.

Every stream is::

    {"event": "citations", "question", "mode", "abstained", "notice", "citations": [...], ...}
    {"event": "citation", <Citation>}        LLM mode: a source, when a sentence first uses it
    {"event": "answer", "text": "..."}       a piece of the answer; the pieces joined are the answer
    {"event": "removed", "text", "reason"}   LLM mode: a sentence that failed its check
    {"event": "reset", "notice": "..."}      LLM mode changed course (the LLM failed, or found no
                                             answer): forget everything before; a new "citations"
                                             event starts the answer that replaces it
    {"event": "done", "response": <AskResponse>}   the final answer, exactly as /api/v1/ask

In LLM mode an "answer" piece is a whole sentence that has already passed its check, so nothing
unverified is ever shown, not even for a moment.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from assistant.models import Passage
from assistant.schemas import AskResponse

Event = dict[str, Any]
_WORDS_PER_PIECE = 6
_WORD = re.compile(r"\S+\s*|\s+")


def _pieces(text: str) -> list[str]:
    """A finished answer in pieces of a few words (joined: the text), as a stream would bring it."""
    tokens = _WORD.findall(text)
    return ["".join(tokens[i : i + _WORDS_PER_PIECE]) for i in range(0, len(tokens), _WORDS_PER_PIECE)]


def head_event(response: AskResponse) -> Event:
    return {
        "event": "citations",
        **response.model_dump(mode="json", exclude={"answer", "sentences", "removed"}),
    }


def complete_events(response: AskResponse) -> Iterator[Event]:
    """A finished answer as a stream: head, the text, done."""
    yield head_event(response)
    for piece in _pieces(response.answer):
        yield {"event": "answer", "text": piece}
    yield done_event(response)


def ndjson_lines(events: Iterable[Event]) -> Iterator[str]:
    """Events as newline-delimited JSON (``application/x-ndjson``)."""
    for event in events:
        yield json.dumps(event, ensure_ascii=False) + "\n"


def done_event(response: AskResponse) -> Event:
    return {"event": "done", "response": response.model_dump(mode="json")}


class AnswerStream:
    """An answer being produced. Retrieval has run when this exists, so errors in the question
    are raised before the first event, and ``passages`` names every document that can be cited
    (what an audit log must record before the response starts)."""

    def __init__(
        self,
        question: str,
        standalone_question: str,
        passages: list[Passage],
        produce: Callable[[], Iterator[Event]],
    ) -> None:
        self.question = question
        self.standalone_question = standalone_question
        self.passages = passages
        self._produce = produce
        self.response: AskResponse | None = None

    @property
    def doc_ids(self) -> list[str]:
        """Documents of the passages the answer is built from (a superset of those cited)."""
        return list(dict.fromkeys(passage.document.doc_id for passage in self.passages))

    def __iter__(self) -> Iterator[Event]:
        for event in self._produce():
            if event["event"] == "done":
                self.response = AskResponse.model_validate(event["response"])
            yield event

    def result(self) -> AskResponse:
        """Run the stream to its end and return the final answer."""
        if self.response is None:
            for _ in self:
                pass
        assert self.response is not None, "an answer stream always ends with a done event"
        return self.response
