"""The document view as HTML: metadata, Beratungsfolge, full text by page, cited passages marked."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath

from assistant.schemas import Citation, DocumentOut
from ingest.metadata.paper_types import describe_paper_type
from ui.render import esc, format_date, mark_ranges, web_url
from ui.render_chat import passage_anchor

NOT_FOUND = (
    '<div class="not-found" role="status"><h2>Dokument nicht gefunden</h2>'
    "<p>Ein Dokument mit dieser Kennung gibt es nicht, oder es ist für Sie nicht freigegeben.</p></div>"
)
_FOCUS = re.compile(r"^p(\d+)-(\d+)$")
EMPTY = (
    '<p class="hint">Öffnen Sie ein Dokument über „Im Dokument ansehen“ bei einer Quelle oder einem '
    "Suchtreffer, oder geben Sie oben ein Aktenzeichen ein.</p>"
)


def _public(value: bool | None) -> str:
    return {True: "öffentlich", False: "nichtöffentlich", None: ""}[value]


def _metadata(document: DocumentOut) -> str:
    external = web_url(document.url)
    source = (
        f'<a href="{esc(external)}" target="_blank" rel="noopener noreferrer external">'
        f"Im Ratsinformationssystem öffnen ↗</a>"
        if external
        else esc(PurePath(document.source).name or document.source)
    )
    rows = [
        ("Art", esc(describe_paper_type(document.paper_type, document.paper_family))),
        ("Aktenzeichen", esc(document.reference)),
        ("Datum", esc(format_date(document.date))),
        ("Einreicher", esc(document.originator)),
        ("Betreff", esc(document.subject)),
        ("Kommune", esc(document.municipality)),
        ("Quelle", source),
        ("Seiten", str(len(document.pages))),
    ]
    items = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows if value)
    return f'<dl class="doc-meta">{items}</dl>'


def _consultations(document: DocumentOut) -> str:
    if not document.consultations:
        return ""
    rows = "".join(
        f"<tr><td>{esc(step.body)}</td><td>{esc(format_date(step.date) if step.date else '')}</td>"
        f"<td>{esc(_public(step.public))}</td><td>{esc(step.role)}</td></tr>"
        for step in document.consultations
    )
    return (
        '<section class="consultations"><h3>Beratungsfolge</h3><div class="table-wrap"><table>'
        '<thead><tr><th scope="col">Gremium</th><th scope="col">Sitzung</th><th scope="col">Status</th>'
        f'<th scope="col">Rolle</th></tr></thead><tbody>{rows}</tbody></table></div></section>'
    )


def _cited_list(cited: Sequence[Citation]) -> str:
    if not cited:
        return ""
    seen: dict[str, str] = {}
    for citation in sorted(cited, key=lambda c: (c.page, c.start)):
        anchor = passage_anchor(citation.page, citation.start)
        excerpt = " ".join(citation.text.split())[:90]
        seen.setdefault(anchor, f"Seite {citation.page}: {excerpt} …")
    items = "".join(f'<li><a href="#{esc(anchor)}">{esc(label)}</a></li>' for anchor, label in seen.items())
    return f'<section class="cited-passages"><h3>Im Gespräch zitierte Stellen</h3><ul>{items}</ul></section>'


def _focus_offset(focus: str) -> tuple[int, int] | None:
    match = _FOCUS.match(focus)
    return (int(match[1]), int(match[2])) if match else None


def _page(number: int, text: str, cited: Sequence[Citation], focus: str) -> str:
    on_page = [c for c in cited if c.page == number]
    anchors = {c.start: passage_anchor(c.page, c.start) for c in on_page}
    target = _focus_offset(focus)
    if target and target[0] == number:
        anchors.setdefault(target[1], focus)  # a search hit's passage: scrolled to, not marked
    body = mark_ranges(
        text,
        quotes=[h for c in on_page for h in c.highlights],
        cited=[(c.start, c.end) for c in on_page],
        anchors=anchors,
    )
    return (
        f'<section class="page" id="page-{number}" aria-label="Seite {number}">'
        f'<h3 class="page-number">Seite {number}</h3><div class="page-text">{body}</div></section>'
    )


def render_document(
    document: DocumentOut, cited: Sequence[Citation] = (), focus: str = "", timeline: str = ""
) -> str:
    """The full document; passages cited in the conversation are marked and listed at the top.

    ``focus`` names the anchor the view scrolls to (a cited passage, see ui/theme.py);
    ``timeline`` is the paper's "Verlauf" (ui/render_process.py), shown instead of the bare
    Beratungsfolge table when there is one.
    """
    pages = "".join(_page(page.number, page.text, cited, focus) for page in document.pages)
    title = document.title or document.reference or "Ohne Titel"
    return (
        f'<article class="document" data-doc-id="{esc(document.doc_id)}" data-focus="{esc(focus)}">'
        f"<h2>{esc(title)}</h2>{_metadata(document)}{timeline or _consultations(document)}"
        f'{_cited_list(cited)}<section class="full-text"><h3>Volltext</h3>{pages}</section></article>'
    )
