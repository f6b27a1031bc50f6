"""OParl objects → documents: pure functions, no I/O.

A Paper is one document; its text is the text of its files (mainFile first, then the
auxiliaryFiles), pages in order, joined with form feeds so that page numbers survive the
pipeline's text extractor. A Meeting's invitation and protocols are documents of their own,
linked to the meeting by title, date and organisation. Metadata comes from the API and goes into
``RawDocument.known``, where it wins over what the text parser finds.

References (organisations, persons, meetings, agenda items) are resolved through a
``References`` object, so that this module stays pure and testable.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Protocol

from ingest.metadata import paper_type_and_family
from ingest.records import ConsultationStep, CouncilMetadata, RawDocument
from ingest.sources.oparl.adapters import JsonObject

MAPPING_VERSION = "oparl-2"  # part of every content hash: a change here re-indexes documents
PAGE_BREAK = "\f"
_MUNICIPALITY_KINDS = re.compile(
    r"^(?:Landeshauptstadt|Hansestadt|Universitätsstadt|Kreisstadt|Große Kreisstadt|Stadt|Gemeinde"
    r"|Markt|Ortsgemeinde|Samtgemeinde|Verbandsgemeinde)\s+",
    re.IGNORECASE,
)

# Meeting files that become documents: OParl field → (part of the doc id, paper type, label).
MEETING_FILE_ROLES: tuple[tuple[str, str, str], ...] = (
    ("invitation", "Einladung", "Einladung"),
    ("resultsProtocol", "Niederschrift", "Ergebnisprotokoll"),
    ("verbatimProtocol", "Niederschrift", "Wortprotokoll"),
)


@dataclass(frozen=True, slots=True)
class MeetingInfo:
    name: str
    day: date | None
    organizations: tuple[str, ...] = ()  # names
    organization_ids: tuple[str, ...] = ()


class References(Protocol):
    """Names and dates of objects that papers and meetings refer to by URL."""

    def organization(self, url: str) -> str: ...

    def person(self, url: str) -> str: ...

    def meeting(self, url: str) -> MeetingInfo | None: ...

    def agenda_item_public(self, url: str) -> bool | None: ...


def oparl_doc_id(object_id: str, part: str = "") -> str:
    """Stable document id of an OParl object (and, for meetings, of one of its files)."""
    key = f"oparl:{object_id}#{part}" if part else f"oparl:{object_id}"
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def all_doc_ids(object_id: str) -> set[str]:
    """Every document id an object can have produced (a paper, or a meeting's files)."""
    return {oparl_doc_id(object_id)} | {oparl_doc_id(object_id, part) for part, _, _ in MEETING_FILE_ROLES}


def parse_day(value: object) -> date | None:
    """The date of an OParl ``date`` or date-time value; None if absent or malformed."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def municipality_name(body_name: str) -> str:
    """ "Stadt Karlsruhe" → "Karlsruhe" (the parser's municipality field holds the bare name)."""
    return _MUNICIPALITY_KINDS.sub("", body_name.strip()).strip()


def text_of(value: object) -> str:
    """A string value with its white space collapsed; "" for anything else."""
    return " ".join(value.split()) if isinstance(value, str) else ""


def listed(value: object) -> list[Any]:
    """The items of a list field: a list, one object or URL given alone, or none for junk."""
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, dict | str) else []


def urls(value: object) -> list[str]:
    """URLs of a reference list whose items may be URLs or embedded objects."""
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            found.append(item["id"])
    return found


def names(value: object, resolve: Any) -> list[str]:
    """Names of a reference list: embedded objects' names, URLs resolved with ``resolve``."""
    found: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, dict) and text_of(item.get("name")):
            name = text_of(item.get("name"))
        elif isinstance(item, str):
            name = resolve(item)
        else:
            continue
        if name and name not in found:
            found.append(name)
    return found


def consultation_steps(paper: JsonObject, refs: References) -> tuple[ConsultationStep, ...]:
    """The Beratungsfolge: one step per consultation, in the order the server lists them."""
    steps = []
    for consultation in listed(paper.get("consultation")):
        if not isinstance(consultation, dict):
            continue  # a bare URL: resolved (fetched) by the crawler before mapping
        meeting_url = consultation.get("meeting")
        meeting = refs.meeting(meeting_url) if isinstance(meeting_url, str) else None
        bodies = names(consultation.get("organization"), refs.organization)
        if not bodies and meeting is not None:
            bodies = list(meeting.organizations)
        if not bodies:
            continue
        agenda_item = consultation.get("agendaItem")
        public = refs.agenda_item_public(agenda_item) if isinstance(agenda_item, str) else None
        if public is False:
            continue  # kept in the process tables, shown there only to the body's groups
        steps.append(
            ConsultationStep(
                body="; ".join(bodies),
                date=meeting.day if meeting else None,
                public=public,
                role=text_of(consultation.get("role")),
            )
        )
    # Sessions are listed by the server in no guaranteed order; the Beratungsfolge is by date.
    dated = sorted((step for step in steps if step.date), key=lambda step: step.date or date.min)
    return tuple(dated + [step for step in steps if not step.date])


def stated_originators(paper: JsonObject, refs: References) -> list[str]:
    """The originating organisations and persons the paper names."""
    return names(paper.get("originatorOrganization"), refs.organization) + names(
        paper.get("originatorPerson"), refs.person
    )


def originator_names(paper: JsonObject, refs: References) -> list[str]:
    """Originating organisations and persons, else the office directing the paper."""
    return stated_originators(paper, refs) or names(paper.get("underDirectionOf"), refs.organization)


def paper_metadata(paper: JsonObject, refs: References, municipality: str = "") -> CouncilMetadata:
    """CouncilMetadata of a Paper from the API. Its originator is only one the API names: the
    office directing the paper (``underDirectionOf``) is no originator, so that the faction a
    motion's text names wins over it (``directing_office`` is the fallback)."""
    paper_type, paper_family = paper_type_and_family(text_of(paper.get("paperType")))
    return CouncilMetadata(
        reference=text_of(paper.get("reference")),
        date=parse_day(paper.get("date")),
        paper_type=paper_type,
        paper_family=paper_family,
        originator="; ".join(stated_originators(paper, refs)),
        subject=text_of(paper.get("name")),
        consultations=consultation_steps(paper, refs),
        municipality=municipality,
    )


def directing_office(paper: JsonObject, refs: References) -> CouncilMetadata:
    """The office directing a paper as its originator, for papers whose text names none."""
    return CouncilMetadata(originator="; ".join(names(paper.get("underDirectionOf"), refs.organization)))


def paper_files(paper: JsonObject) -> list[JsonObject]:
    """The files of a paper: mainFile first, then auxiliaryFiles, each once."""
    files: list[JsonObject] = []
    seen: set[str] = set()
    main = paper.get("mainFile")
    for file in [main, *listed(paper.get("auxiliaryFile"))]:
        if isinstance(file, dict) and isinstance(file.get("id"), str) and file["id"] not in seen:
            seen.add(file["id"])
            files.append(file)
    return files


def meeting_info(meeting: JsonObject, refs: References) -> MeetingInfo:
    return MeetingInfo(
        name=text_of(meeting.get("name")),
        day=parse_day(meeting.get("start")),
        organizations=tuple(names(meeting.get("organization"), refs.organization)),
        organization_ids=tuple(urls(meeting.get("organization") or [])),
    )


def meeting_files(meeting: JsonObject) -> list[tuple[str, str, str, JsonObject]]:
    """(doc id part, paper type, label, File) of the meeting's invitation and protocols."""
    found = []
    for field, paper_type, label in MEETING_FILE_ROLES:
        file = meeting.get(field)
        if isinstance(file, dict) and isinstance(file.get("id"), str):
            found.append((field, paper_type, label, file))
    return found


def meeting_metadata(
    meeting: JsonObject, paper_type: str, label: str, refs: References, municipality: str = ""
) -> CouncilMetadata:
    """Metadata of one meeting file: titled with the meeting's name and date, linked to its body."""
    info = meeting_info(meeting, refs)
    day = info.day.strftime("%d.%m.%Y") if info.day else ""
    subject = " – ".join(part for part in (f"{label}: {info.name or 'Sitzung'}", day) if part)
    step = ConsultationStep(body="; ".join(info.organizations), date=info.day) if info.organizations else None
    return CouncilMetadata(
        date=info.day,
        paper_type=paper_type,
        paper_family=paper_type,  # "Einladung", "Niederschrift": the roles' types are families
        subject=subject,
        consultations=(step,) if step else (),
        municipality=municipality,
    )


def _heading(metadata: CouncilMetadata) -> str:
    label = " ".join(part for part in (metadata.paper_type, metadata.reference) if part)
    return "\n".join(part for part in (metadata.subject, label) if part)


def combine_pages(files_pages: Sequence[Sequence[str]], metadata: CouncilMetadata) -> str:
    """The document text: a heading (title, type, reference) on page 1, then every file's pages.

    The heading makes every paper findable by its reference and title, also when no file text
    could be had; it starts page 1, so page numbers of the files stay those of the document.
    """
    pages = [page.replace(PAGE_BREAK, "\n") for file_pages in files_pages for page in file_pages]
    heading = _heading(metadata)
    if not pages:
        return heading
    pages[0] = f"{heading}\n\n{pages[0]}" if heading else pages[0]
    return PAGE_BREAK.join(pages)


def content_hash(
    text: str, metadata: CouncilMetadata, url: str, fallback: CouncilMetadata | None = None
) -> str:
    """sha256 of text, API metadata and URL: a metadata-only change re-indexes the document."""
    digest = hashlib.sha256()
    digest.update(MAPPING_VERSION.encode())
    digest.update(text.encode())
    digest.update(json.dumps(asdict(metadata), default=str, sort_keys=True).encode())
    digest.update(url.encode())
    if fallback is not None:
        digest.update(json.dumps(asdict(fallback), default=str, sort_keys=True).encode())
    return digest.hexdigest()


def build_document(
    doc_id: str,
    source: str,
    url: str,
    text: str,
    metadata: CouncilMetadata,
    fallback: CouncilMetadata | None = None,
) -> RawDocument:
    """A RawDocument (".txt", pages separated by form feeds) carrying the API metadata, and
    ``fallback`` for what neither the API nor the text states."""
    return RawDocument(
        doc_id=doc_id,
        source=source,
        data=text.encode("utf-8"),
        suffix=".txt",
        content_hash=content_hash(text, metadata, url, fallback),
        extra={"url": url} if url else {},
        known=metadata,
        fallback=fallback,
    )


def web_url(obj: JsonObject) -> str:
    """The object's page for people (``web``), or "" when the server gives none."""
    value = obj.get("web")
    return value if isinstance(value, str) and value.startswith(("http://", "https://")) else ""
