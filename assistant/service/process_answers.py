"""Questions on the council process, answered from its data before (and instead of) retrieval.

"Was wurde aus dem Antrag zur Seebühne?", "Wann berät der Gemeinderat über …?", "Was steht auf
der nächsten Tagesordnung des Bauausschusses?", "Welche Anträge der CDU wurden 2025 abgelehnt?",
"Gab es dazu schon Anträge?": ``ingest.process.questions`` reads what is asked; this module finds
the paper (a reference in the question; else the papers whose title holds the subject, by title
and by a search restricted to papers; else the paper the conversation was about), the meeting
or the list, and composes the answer (process_compose.py) with its records as citations. Several
papers that fit equally are named, never guessed between. A question it cannot place (no paper
found) gets None: the ordinary answer from the documents follows.

Everything is read for the caller's principal, already granted its bodies' labels by the
service (``BodyAccess``): the process service leaves out what it may not see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from assistant.access import Principal
from assistant.answering.answerer import Answerer
from assistant.answering.events import AnswerStream
from assistant.answering.prompt import Turn
from assistant.errors import InvalidRequestError, NotFoundError
from assistant.models import SearchFilters
from assistant.retrieval import HybridRetriever
from assistant.service.opening import with_fields
from assistant.service.process_compose import (
    Lookup,
    agenda_answer,
    candidates_answer,
    paper_answer,
    schedule_answer,
)
from assistant.service.process_lists import earlier_answer, list_answer, state_source
from assistant.service.process_models import MeetingOut
from assistant.service.process_records import Draft, is_heading, stand_in
from assistant.service.process_service import ProcessService
from assistant.service.visibility import may_see, visible
from ingest.metadata.references import REF
from ingest.process.questions import AGENDA, EARLIER, LIST, SCHEDULE, ProcessQuestion, read_process_question
from ingest.process.state import in_body
from ingest.records import DocumentInfo
from ingest.text.words import analyze

_SEARCHED = 30  # passages searched for a subject that no title holds
_MIN_TITLE_SHARE = 0.6  # of the subject's words a found paper's title must hold
MAX_CANDIDATES = 8
_PAST_MEETINGS = 12  # meetings looked back through for the last one with an agenda


class ProcessAnswers:
    """Answers from the process data, or None for a question that is not about it."""

    def __init__(self, process: ProcessService, retriever: HybridRetriever, answerer: Answerer) -> None:
        self._process = process
        self._retriever = retriever
        self._answerer = answerer

    def stream(
        self, principal: Principal, question: str, history: Sequence[Turn] = (), mode: str | None = None
    ) -> AnswerStream | None:
        """The answer as a stream (composed, or written by the LLM from the same records)."""
        today = self._process.today()
        if read_process_question(question, today) is None:
            return None
        asked = read_process_question(question, today, self._bodies(principal))
        draft = self.compose(principal, asked, history, today) if asked is not None else None
        if asked is None or draft is None:
            return None
        response = draft.response(question, asked.kind, draft.abstained)
        # The LLM's own answer, too, says that it answers a process question.
        return with_fields(
            self._answerer.stream_composed(question, draft.passages, response, mode), process=asked.kind
        )

    def compose(
        self, principal: Principal, asked: ProcessQuestion, history: Sequence[Turn], today: date
    ) -> Draft | None:
        """The composed answer to ``asked``; None when no paper or subject can be placed."""
        if asked.kind == AGENDA:
            return self._agenda(principal, asked, today)
        if asked.kind == LIST:
            return list_answer(self._process, principal, asked, today)
        if asked.kind == EARLIER:
            on_subject = asked.subject and not asked.references
            found = (
                self._by_subject(principal, replace(asked, paper_types=()), every=True) or None
                if on_subject
                else self._paper(principal, asked, history)
            )
            return earlier_answer(self._process, principal, asked, found, self._lookup(principal), today)
        found = self._paper(principal, asked, history)
        if found is None:
            return None
        if isinstance(found, str):
            # Not echoed: whether it exists for others is none of the caller's business.
            draft = Draft(abstained=True)
            draft.say("Eine Vorlage mit diesem Aktenzeichen ist nicht bekannt oder für Sie nicht sichtbar")
            return draft
        if isinstance(found, list):
            sources = [state_source(self._process, principal, document, today) for document in found]
            return candidates_answer(asked.subject, sources)
        history_out, _ = self._process.history_of(principal, found.doc_id)
        compose = schedule_answer if asked.kind == SCHEDULE else paper_answer
        return compose(history_out, found, self._lookup(principal), today, asked.body)

    # -- which paper -------------------------------------------------------------------------

    def _paper(
        self, principal: Principal, asked: ProcessQuestion, history: Sequence[Turn]
    ) -> DocumentInfo | list[DocumentInfo] | str | None:
        """By reference; else by subject; else the paper the conversation is about. A list when
        several fit, the reference when none is known, None when nothing can be placed."""
        for reference in asked.references:
            try:
                return self._process.find_paper(principal, reference)
            except InvalidRequestError:  # the reference names several documents
                return self._with_reference(principal, reference)
            except NotFoundError:
                continue
        if asked.references:
            return asked.references[0]
        if asked.subject:
            found = self._by_subject(principal, asked)
            return found[0] if len(found) == 1 else found or None
        return self._from_conversation(principal, history)

    def _with_reference(self, principal: Principal, reference: str) -> list[DocumentInfo]:
        documents = self._papers(principal)
        return [doc for doc in documents if doc.reference == reference][:MAX_CANDIDATES]

    def _papers(self, principal: Principal, families: Sequence[str] = ()) -> list[DocumentInfo]:
        """The visible papers (not meeting documents) of ``families`` (any when empty)."""
        index = self._process.index
        wanted = {family.casefold() for family in families if family}
        return [
            doc
            for doc in visible(principal, index.documents().values())
            if not index.is_meeting_document(doc.doc_id)
            and (not wanted or doc.paper_family.casefold() in wanted or doc.paper_type.casefold() in wanted)
        ]

    def _by_subject(
        self, principal: Principal, asked: ProcessQuestion, every: bool = False
    ) -> list[DocumentInfo]:
        """The papers whose title holds the subject's words; one, when they are all one
        process (linked to each other) or one is of the type asked for; ``every``: all of them."""
        stems = set(analyze(asked.subject))
        if not stems:
            return []
        typed = self._papers(principal, asked.paper_types)
        found = [doc for doc in typed if stems <= _title_stems(doc)]
        if not found and typed:
            found = self._searched(principal, asked.subject, typed, stems)
        if not found and asked.paper_types:  # "der Antrag" said of a Vorlage
            every_paper = self._papers(principal)
            found = [doc for doc in every_paper if stems <= _title_stems(doc)]
        found.sort(key=lambda doc: (doc.date or date.min, doc.reference))
        if every or len(found) <= 1:
            return found
        if self._one_process(found):
            return found[:1]  # the earliest: its history names the others
        return found[-MAX_CANDIDATES:][::-1]

    def _searched(
        self, principal: Principal, subject: str, papers: list[DocumentInfo], stems: set[str]
    ) -> list[DocumentInfo]:
        filters = SearchFilters(doc_ids=frozenset(doc.doc_id for doc in papers))
        ranked: dict[str, DocumentInfo] = {}
        for passage in self._retriever.search(subject, principal, filters, k=_SEARCHED):
            ranked.setdefault(passage.document.doc_id, passage.document)
        return [
            doc for doc in ranked.values() if len(stems & _title_stems(doc)) >= _MIN_TITLE_SHARE * len(stems)
        ][:1]

    def _one_process(self, documents: Sequence[DocumentInfo]) -> bool:
        """Whether the papers are all linked to one another (an Antrag, its amendment, …)."""
        index = self._process.index
        wanted = {doc.doc_id for doc in documents}
        reached, frontier = {documents[0].doc_id}, [documents[0].doc_id]
        while frontier:
            paper = index.paper(frontier.pop())
            for link in index.views.links(paper.paper_id) if paper else []:
                other = index.doc_of(link.linked_id)
                if other in wanted and other not in reached:
                    reached.add(other)
                    frontier.append(other)
        return reached == wanted

    def _from_conversation(self, principal: Principal, history: Sequence[Turn]) -> DocumentInfo | None:
        """The paper the last turns named first (by its reference)."""
        for turn in reversed(history):
            for reference in [*REF.findall(turn.answer), *REF.findall(turn.question)]:
                try:
                    return self._process.find_paper(principal, reference)
                except (NotFoundError, InvalidRequestError):
                    continue
        return None

    # -- meetings ----------------------------------------------------------------------------

    def _agenda(self, principal: Principal, asked: ProcessQuestion, today: date) -> Draft | None:
        body = asked.body or asked.body_mention
        meetings = self._process.meetings_of(principal, body).meetings
        exact = [
            m for m in meetings if asked.body and asked.body.casefold() in (b.casefold() for b in m.bodies)
        ]
        meetings = exact or meetings
        where = in_body(body)
        lookup = self._lookup(principal)
        if asked.days:
            on_day = [m for m in meetings if m.date in asked.days]
            if not on_day:
                draft = Draft(abstained=True)
                days = ", ".join(f"{d:%d.%m.%Y}" for d in asked.days)
                draft.say(f"Am {days} ist keine Sitzung {where} verzeichnet".replace("  ", " "))
                return draft
            detail = self._process.meeting_of(principal, on_day[0].meeting_id)
            return agenda_answer(detail, self._document_of(detail, lookup), lookup, today, "", asked.outcomes)
        past = [m for m in meetings if m.date is not None and m.date < today and not m.cancelled]
        coming = [m for m in meetings if m.date is not None and m.date >= today and not m.cancelled]
        lead = "letzte Sitzung mit Tagesordnung"
        if asked.which != "last" and coming:
            detail = self._process.meeting_of(principal, coming[0].meeting_id)
            if any(not is_heading(item) for item in detail.agenda) or not past:
                document = self._document_of(detail, lookup)
                return agenda_answer(detail, document, lookup, today, "nächste Sitzung", asked.outcomes)
            lead = f"nächste Sitzung am {coming[0].date:%d.%m.%Y} noch ohne Tagesordnung; {lead}"
        elif asked.which != "last":
            lead = " ".join(f"keine kommende Sitzung {where} verzeichnet; {lead}".split())
        for meeting in reversed(past[-_PAST_MEETINGS:]):
            detail = self._process.meeting_of(principal, meeting.meeting_id)
            if any(not is_heading(item) for item in detail.agenda):
                document = self._document_of(detail, lookup)
                return agenda_answer(detail, document, lookup, today, lead, asked.outcomes)
        return None

    @staticmethod
    def _document_of(meeting: MeetingOut, lookup: Lookup) -> DocumentInfo:
        """The meeting's invitation, when visible, else a stand-in for the meeting."""
        return lookup(meeting.invitation_doc) or stand_in(meeting)

    # -- helpers -----------------------------------------------------------------------------

    def _lookup(self, principal: Principal) -> Lookup:
        documents = self._process.index.documents()

        def lookup(doc_id: str) -> DocumentInfo | None:
            document = documents.get(doc_id) if doc_id else None
            return document if document is not None and may_see(principal, document) else None

        return lookup

    def _bodies(self, principal: Principal) -> set[str]:
        """Names of the bodies the principal may see meetings or consultations of."""
        bodies = {
            body for meeting in self._process.meetings_of(principal).meetings for body in meeting.bodies
        }
        documents = visible(principal, self._process.index.documents().values())
        return bodies | {body for doc in documents for body in doc.bodies}


def _title_stems(document: DocumentInfo) -> set[str]:
    return set(analyze(f"{document.title} {document.subject}"))
