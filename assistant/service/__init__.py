"""The service layer: what the CLI, the API and the web UI do with documents.

``AssistantService`` (search, ask, stream, document, stats, facets, visible documents) and
``ProcessService`` (a paper's history, meetings and agendas, paper lists, related papers) apply
the access rule and write one audit record per operation, acting as a ``Caller``. Its clients
import from here: the service, the caller, and the types and limits of its requests, so that
none of them reaches into the store, the retriever or the answerer. ``user_message`` renders any
of the project's errors as the German sentence a person reads (assistant/messages.py).
"""

from __future__ import annotations

from assistant.answering.conversation import MAX_HISTORY_TURNS, MAX_TURN_CHARS
from assistant.answering.events import AnswerStream, Event, ndjson_lines
from assistant.answering.prompt import Turn
from assistant.messages import user_message
from assistant.models import SearchFilters
from assistant.retrieval import MAX_QUERY_CHARS
from assistant.service.assistant_service import AccessChange, AssistantService
from assistant.service.body_access import BodyAccess
from assistant.service.caller import Caller
from assistant.service.facets import FacetsResponse, FacetValue
from assistant.service.paper_history import history_text
from assistant.service.process_models import (
    AgendaItemOut,
    LinkedPaperOut,
    MeetingDetailOut,
    MeetingListOut,
    MeetingOut,
    MinutesPassage,
    PaperFacets,
    PaperHistoryOut,
    PaperListOut,
    PaperRef,
    PaperRowOut,
    RelatedPaperOut,
    RelatedPapersOut,
    StateOut,
    StepOut,
)
from assistant.service.process_service import ProcessService
from assistant.service.recorder import AuditRecorder, AuditUnavailableError
from assistant.service.visibility import may_see, visible
from ingest.records import DocumentInfo

__all__ = [
    "MAX_HISTORY_TURNS",
    "MAX_QUERY_CHARS",
    "MAX_TURN_CHARS",
    "AccessChange",
    "AgendaItemOut",
    "AnswerStream",
    "AssistantService",
    "AuditRecorder",
    "AuditUnavailableError",
    "BodyAccess",
    "Caller",
    "DocumentInfo",
    "Event",
    "FacetValue",
    "FacetsResponse",
    "LinkedPaperOut",
    "MeetingDetailOut",
    "MeetingListOut",
    "MeetingOut",
    "MinutesPassage",
    "PaperFacets",
    "PaperHistoryOut",
    "PaperListOut",
    "PaperRef",
    "PaperRowOut",
    "ProcessService",
    "RelatedPaperOut",
    "RelatedPapersOut",
    "SearchFilters",
    "StateOut",
    "StepOut",
    "Turn",
    "history_text",
    "may_see",
    "ndjson_lines",
    "user_message",
    "visible",
]
