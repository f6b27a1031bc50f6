"""Meetings and their agendas as one principal may see them.

A non-public meeting is seen only by members of its bodies' groups; in a public meeting, a
non-public agenda item is left out for everyone else (not even counted). An item's paper is
named only when its document is visible; its meeting documents likewise.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from assistant.access import Principal
from assistant.errors import NotFoundError
from assistant.service.paper_history import paper_ref
from assistant.service.paper_index import PaperIndex
from assistant.service.process_models import AgendaItemOut, MeetingDetailOut, MeetingListOut, MeetingOut
from assistant.service.visibility import may_see
from assistant.store.process_views import MeetingView
from ingest.records import DocumentInfo


class MeetingReader:
    """Meetings and agendas from the process tables, filtered for a principal."""

    def __init__(self, index: PaperIndex) -> None:
        self._index = index

    def _may_see(self, principal: Principal, meeting: MeetingView) -> bool:
        return self._index.access.may_see(
            principal, meeting.public, (*meeting.organizations, *meeting.bodies)
        )

    def _out(
        self, principal: Principal, meeting: MeetingView, documents: Mapping[str, DocumentInfo]
    ) -> MeetingOut:
        def doc(doc_id: str) -> str:
            found = documents.get(doc_id) if doc_id else None
            return doc_id if found is not None and may_see(principal, found) else ""

        return MeetingOut(
            meeting_id=meeting.key,
            name=meeting.name,
            start=meeting.start,
            date=meeting.day,
            bodies=list(meeting.bodies),
            public=meeting.public,
            cancelled=meeting.cancelled,
            invitation_doc=doc(meeting.invitation_doc),
            results_protocol_doc=doc(meeting.results_protocol_doc),
            verbatim_protocol_doc=doc(meeting.verbatim_protocol_doc),
            url=meeting.url,
        )

    def meetings(
        self, principal: Principal, body: str, date_from: date | None, date_to: date | None
    ) -> MeetingListOut:
        needle = body.casefold().strip()
        documents = self._index.documents()
        found = [
            self._out(principal, meeting, documents)
            for meeting in self._index.views.meetings(date_from, date_to)
            if self._may_see(principal, meeting)
            and (not needle or any(needle in name.casefold() for name in meeting.bodies))
        ]
        return MeetingListOut(total=len(found), meetings=found)

    def meeting(self, principal: Principal, key: str) -> MeetingDetailOut:
        meeting = self._index.views.meeting(key)
        if meeting is None or not self._may_see(principal, meeting):
            raise NotFoundError(f"no meeting {key[:100]!r}")
        documents = self._index.documents()
        holders = (*meeting.organizations, *meeting.bodies)
        agenda = []
        for item in self._index.views.agenda(meeting.meeting_id):
            if not self._index.access.may_see(principal, item.public, holders):
                continue
            document = documents.get(item.paper.doc_id) if item.paper else None
            visible_paper = document if document is not None and may_see(principal, document) else None
            agenda.append(
                AgendaItemOut(
                    number=item.number,
                    title=item.name,
                    public=item.public,
                    result=item.result,
                    outcome=item.outcome,
                    resolution_text=item.resolution_text,
                    role=item.role,
                    paper=paper_ref(self._index, visible_paper) if visible_paper else None,
                )
            )
        base = self._out(principal, meeting, documents)
        return MeetingDetailOut(**base.model_dump(), agenda=agenda)
