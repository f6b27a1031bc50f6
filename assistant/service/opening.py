"""A query that is nothing but a reference number opens that paper.

Staff type "2025/0190", "Drucksache 2025/0190" or "Vorlage Nr. A/2025/014" to get to a paper.
Such a query is still searched (or answered), and the named document ranks first there
(assistant/retrieval.py); in addition the response names it as ``opened``, so that the web UI
shows the document view and the CLI says which paper it is. Only a document the caller may see
(under the request's filters) is opened, and only when the reference names exactly one:
otherwise the query is just a search.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.answering.events import AnswerStream, Event
from assistant.schemas import OpenedDocument
from ingest.text.identifiers import reference_key

# Words that may stand before the number: "Drucksache", "Drucksachen-Nr.", "Vorlage Nr.", "DS", …
_LEAD = re.compile(
    r"^(?:(?:drucksachen?(?:-?nr\.?|nummer)?|vorlagen?(?:-?nr\.?|nummer)?|ds|drs\.?|nr\.?|nummer"
    r"|aktenzeichen|az\.?)(?:\s+|:\s*|$))+",
    re.IGNORECASE,
)
_AROUND = "\"'()[]{}<>.,;:!?„“”‚‘’«»#"


def reference_only(query: str) -> str:
    """The reference key (``reference_key``) of a query that holds nothing but a reference and
    the words "Drucksache", "Vorlage", "Nr." before it; "" for any other query."""
    text = query.strip().strip(_AROUND).strip()
    return reference_key(_LEAD.sub("", text).strip(_AROUND).strip())


def with_opened(stream: AnswerStream, opened: OpenedDocument | None) -> AnswerStream:
    """``stream`` with ``opened`` added to its head ("citations") and final ("done") events."""
    if opened is None:
        return stream
    return with_fields(stream, opened=opened.model_dump(mode="json"))


def with_fields(stream: AnswerStream, **fields: object) -> AnswerStream:
    """``stream`` with ``fields`` set in its head ("citations") and final ("done") events."""

    def events() -> Iterator[Event]:
        for event in stream:
            if event["event"] == "citations":
                event = {**event, **fields}
            elif event["event"] == "done":
                event = {**event, "response": {**event["response"], **fields}}
            yield event

    return AnswerStream(stream.question, stream.standalone_question, stream.passages, events)
