"""ALLRIS net paper pages (vo020) read without OParl: the metadata in the page's header table.

An export of ALLRIS net pages (``vo020.asp?VOLFDNR=…`` saved as HTML, ISO-8859-1) can be
ingested as a folder. The text itself is extracted by ``ingest.extract.html`` like any page;
this module reads the labelled header table into ``CouncilMetadata`` for ``RawDocument.known``:

* reference: the heading "Drucksache - 22-2362" (or "Vorlage - …"), else a "Drucksache:" field
* paper type: "Drucksache-Art:" / "Vorlage-Art:" as stated ("Beschlussempfehlung", "Eingabe"),
  without the visibility ALLRIS appends to some type names ("Antrag öffentlich"), and its family
* date: "Datum:" (ALLRIS net shows it in some versions only)
* originator: "Verfasser:"/"Verfasserin:" (one name per line, joined with "; "), else
  "Federführend:"
* subject: "Betreff:"
* consultations: the "Beratungsfolge:" table; a row naming a body (and its role) is followed by
  one row per session date, whose last text cell holds the Beschlussart (the result) once the
  body has decided (empty while the session is planned)
"""

from __future__ import annotations

import re
from datetime import date

from bs4 import BeautifulSoup, Tag

from ingest.extract.html import decode_html
from ingest.metadata import paper_type_and_family
from ingest.records import ConsultationStep, CouncilMetadata

_VO020 = re.compile(r"""id=["']allriscontainer["'][^>]*class=["'][^"']*\bvo020\b""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml\b[^>]*>")
_HEADING = re.compile(r"^(?:Drucksache|Vorlage)\s*-\s*(?P<reference>\S.*?)\s*$")
_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_PRESCAN_BYTES = 8192
# ALLRIS types are configured per visibility ("Antrag öffentlich"); the Status field says that.
_VISIBILITY_SUFFIX = re.compile(r"\s+(?:nicht\s*-?\s*)?öffentlich$", re.IGNORECASE)


def is_vo020(data: bytes) -> bool:
    """Whether ``data`` is an ALLRIS net paper page (vo020)."""
    head = data[:_PRESCAN_BYTES].decode("latin-1")
    return bool(_VO020.search(head))


def _text(element: Tag, separator: str = " ") -> str:
    for script in element.find_all(["script", "style"]):
        script.decompose()
    parts = [" ".join(part.split()) for part in element.get_text(separator).split(separator)]
    return separator.join(part for part in parts if part)


def _day(value: str) -> date | None:
    match = _DATE.search(value)
    if match is None:
        return None
    day, month, year = (int(group) for group in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _fields(soup: BeautifulSoup) -> dict[str, Tag]:
    """Label (without colon, lower-case) → the value cell beside it; the first label wins."""
    fields: dict[str, Tag] = {}
    for label_cell in soup.find_all("td", class_="kb1"):
        label = " ".join(label_cell.get_text(" ").split()).rstrip(":").strip().lower()
        value = label_cell.find_next_sibling("td")
        if label and label not in fields and isinstance(value, Tag):
            fields[label] = value
    return fields


def _consultations(soup: BeautifulSoup) -> tuple[ConsultationStep, ...]:
    label = soup.find("td", class_="kb1", string=re.compile(r"^\s*Beratungsfolge:?\s*$"))
    row = label.find_parent("tr") if isinstance(label, Tag) else None
    holder = row.find_next_sibling("tr") if isinstance(row, Tag) else None
    table = holder.find("table") if isinstance(holder, Tag) else None
    if not isinstance(table, Tag):
        return ()
    steps: list[ConsultationStep] = []
    body, role, dated = "", "", False
    for line in (tr for tr in table.find_all("tr") if tr.find_parent("table") is table):
        cells = line.find_all("td", recursive=False)
        names = [cell for cell in cells if "text1" in (cell.get("class") or [])]
        dates = [cell for cell in cells if "text2" in (cell.get("class") or [])]
        decided = [cell for cell in cells if "text3" in (cell.get("class") or [])]
        if names:
            if body and not dated:
                steps.append(ConsultationStep(body=body, role=role))
            body = _text(names[0])
            role = _text(names[1]) if len(names) > 1 else ""
            dated = False
        elif dates and body:
            result = _text(decided[0]) if decided else ""  # the Beschlussart, once decided
            steps.append(ConsultationStep(body=body, date=_day(_text(dates[0])), role=role, result=result))
            dated = True
    if body and not dated:
        steps.append(ConsultationStep(body=body, role=role))
    return tuple(steps)


def read_vo020(data: bytes) -> CouncilMetadata | None:
    """Metadata from an ALLRIS net vo020 page; None if ``data`` is not one."""
    if not is_vo020(data):
        return None
    try:
        return _read(data)
    except Exception:  # metadata is a bonus: a page it cannot read is still ingested as text
        return None


def _read(data: bytes) -> CouncilMetadata:
    markup = _XML_DECLARATION.sub("", decode_html(data), count=1)
    soup = BeautifulSoup(markup, "lxml")
    fields = _fields(soup)

    def field(*labels: str, separator: str = " ") -> str:
        for label in labels:
            if label in fields:
                value = _text(fields[label], separator)
                if value:
                    return value
        return ""

    heading = soup.find("h1")
    match = _HEADING.match(" ".join(heading.get_text(" ").split())) if isinstance(heading, Tag) else None
    authors = field("verfasser", "verfasserin", "verfasser/in", separator="\n")
    stated = _VISIBILITY_SUFFIX.sub("", field("drucksache-art", "vorlage-art", "vorlagenart"))
    paper_type, paper_family = paper_type_and_family(stated)
    return CouncilMetadata(
        reference=match.group("reference") if match else field("drucksache", "vorlage"),
        date=_day(field("datum")),
        paper_type=paper_type,
        paper_family=paper_family,
        originator="; ".join(authors.splitlines()) or field("federführend"),
        subject=field("betreff"),
        consultations=_consultations(soup),
    )
