"""OParl papers and meetings → records of the council process (``ingest.process.records``).

Pure functions, like ``mapping`` beside it: references are resolved through ``References``.
A consultation or agenda item given as a URL has been fetched by the crawler before mapping;
one still given as a URL (it could not be fetched) is left out here, and the crawler marks the
object to be fetched again.
"""

from __future__ import annotations

from ingest.process.records import (
    RELATED,
    SUBORDINATED,
    SUPERORDINATED,
    AgendaItem,
    Consultation,
    Meeting,
    MeetingRecords,
    Organization,
    Paper,
    PaperLink,
    PaperRecords,
)
from ingest.process.results import normalize_result
from ingest.sources.oparl.adapters import JsonObject
from ingest.sources.oparl.mapping import (
    References,
    meeting_files,
    names,
    oparl_doc_id,
    originator_names,
    parse_day,
    text_of,
    urls,
    web_url,
)

_LINK_FIELDS = (
    ("superordinatedPaper", SUPERORDINATED),
    ("subordinatedPaper", SUBORDINATED),
    ("relatedPaper", RELATED),
)


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _reference(value: object) -> str:
    """The id of a reference given as a URL or as an embedded object."""
    found = urls(value) if isinstance(value, str | dict) else []
    return found[0] if found else ""


def organization_record(obj: JsonObject) -> Organization:
    return Organization(
        org_id=obj["id"], name=text_of(obj.get("name")), short_name=text_of(obj.get("shortName"))
    )


def paper_records(paper: JsonObject, refs: References) -> PaperRecords:
    """The paper, its consultations (in the server's order) and its links to other papers."""
    paper_id = paper["id"]
    consultations = []
    seen: set[str] = set()
    for position, item in enumerate(paper.get("consultation") or []):
        if not isinstance(item, dict) or item.get("id") in seen:
            continue  # a URL that could not be fetched, or one listed twice (Karlsruhe does)
        if isinstance(item.get("id"), str):
            seen.add(item["id"])
        meeting_url = _reference(item.get("meeting"))
        organizations = urls(item.get("organization") or [])
        bodies = names(item.get("organization"), refs.organization)
        meeting = refs.meeting(meeting_url) if meeting_url else None
        if not organizations and meeting is not None:  # 1.0 servers often name only the meeting
            organizations, bodies = list(meeting.organization_ids), list(meeting.organizations)
        consultations.append(
            Consultation(
                consultation_id=str(item.get("id") or f"{paper_id}#consultation-{position}"),
                paper_id=paper_id,
                meeting_id=meeting_url,
                agenda_item_id=_reference(item.get("agendaItem")),
                organizations=tuple(organizations),
                bodies=tuple(bodies),
                role=text_of(item.get("role")),
                authoritative=_flag(item.get("authoritative")),
                position=position,
            )
        )
    links = tuple(
        PaperLink(paper_id, linked, kind)
        for field, kind in _LINK_FIELDS
        for linked in dict.fromkeys(urls(paper.get(field) or []))
        if linked != paper_id
    )
    record = Paper(
        paper_id=paper_id,
        doc_id=oparl_doc_id(paper_id),
        reference=text_of(paper.get("reference")),
        name=text_of(paper.get("name")),
        paper_type=text_of(paper.get("paperType")),
        date=parse_day(paper.get("date")),
        originator="; ".join(originator_names(paper, refs)),
        url=web_url(paper),
    )
    return PaperRecords(record, tuple(consultations), links)


def _agenda_item(item: JsonObject, meeting_id: str, position: int) -> AgendaItem:
    number = item.get("number")
    order = item.get("order")
    result = text_of(item.get("result"))
    resolution = item.get("resolutionFile")
    resolution_url = ""
    if isinstance(resolution, dict):
        resolution_url = str(resolution.get("accessUrl") or resolution.get("id") or "")
    elif isinstance(resolution, str):
        resolution_url = resolution
    return AgendaItem(
        item_id=str(item.get("id") or f"{meeting_id}#item-{position}"),
        meeting_id=meeting_id,
        number=text_of(str(number)) if isinstance(number, str | int) else "",
        position=order if isinstance(order, int) and not isinstance(order, bool) else None,
        name=text_of(item.get("name")),
        public=_flag(item.get("public")),
        result=result,
        outcome=normalize_result(result),
        resolution_text=text_of(item.get("resolutionText")),
        resolution_file=resolution_url,
        consultation_id=_reference(item.get("consultation")),
    )


def meeting_records(meeting: JsonObject, refs: References) -> MeetingRecords:
    """The meeting and its agenda items (in the server's order)."""
    meeting_id = meeting["id"]
    items = tuple(
        _agenda_item(item, meeting_id, position)
        for position, item in enumerate(meeting.get("agendaItem") or [])
        if isinstance(item, dict)
    )
    public = _flag(meeting.get("public"))  # not in OParl 1.1, but some servers state it
    if public is None and items and all(item.public is False for item in items):
        public = False  # a meeting without a public agenda item is a non-public meeting
    docs = {part: oparl_doc_id(meeting_id, part) for part, _, _, _ in meeting_files(meeting)}
    start = meeting.get("start")
    record = Meeting(
        meeting_id=meeting_id,
        name=text_of(meeting.get("name")),
        start=start if isinstance(start, str) else "",
        day=parse_day(start),
        organizations=tuple(urls(meeting.get("organization") or [])),
        bodies=tuple(names(meeting.get("organization"), refs.organization)),
        public=public,
        cancelled=meeting.get("cancelled") is True,
        invitation_doc=docs.get("invitation", ""),
        results_protocol_doc=docs.get("resultsProtocol", ""),
        verbatim_protocol_doc=docs.get("verbatimProtocol", ""),
        url=web_url(meeting),
    )
    return MeetingRecords(record, items)
