"""Search results as HTML and CSV: one row per document, its best passage as a snippet with the
query's words highlighted (matched by stem, as BM25 matches them)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.schemas import SearchHit
from assistant.service.csv_export import write_csv
from ingest.text.identifiers import reference_candidates, reference_key
from ingest.text.words import analyze
from ui.render import document_link, esc, format_date, web_url

PER_PAGE = 10
_WORD = re.compile(r"\w+")
SNIPPET_CHARS = 320


@dataclass(slots=True)
class DocumentHit:
    """A document in the result list: its best passage, the pages of all its passages, and
    whether any of them contains a word of the query (dense retrieval also finds documents
    that merely resemble it)."""

    best: SearchHit
    pages: list[int] = field(default_factory=list)
    has_terms: bool = False


def _has_terms(text: str, stems: set[str]) -> bool:
    return bool(stems) and bool(stems.intersection(analyze(text)))


def group_hits(hits: Sequence[SearchHit], query: str) -> list[DocumentHit]:
    """Passages grouped by document, in the order of each document's best passage."""
    stems = set(analyze(query))
    named = reference_candidates(query)  # a document named by its reference is no mere look-alike
    grouped: dict[str, DocumentHit] = {}
    for hit in hits:
        entry = grouped.setdefault(hit.doc_id, DocumentHit(best=hit))
        if hit.page not in entry.pages:
            entry.pages.append(hit.page)
        entry.has_terms = (
            entry.has_terms or _has_terms(hit.text, stems) or reference_key(hit.reference) in named
        )
    return list(grouped.values())


def page_count(total: int, per_page: int = PER_PAGE) -> int:
    return max(1, -(-total // per_page))


def highlight_terms(text: str, query: str, width: int = SNIPPET_CHARS) -> str:
    """A window of ``text`` around the first matching word, matches in ``<mark class="term">``."""
    stems = set(analyze(query))
    matches = [m for m in _WORD.finditer(text) if stems and stems.intersection(analyze(m.group(0)))]
    first = matches[0].start() if matches else 0
    start = max(0, first - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > first else end
    pieces, cursor = [], start
    for match in matches:
        if match.start() < start or match.end() > end:
            continue
        pieces.append(esc(text[cursor : match.start()]))
        pieces.append(f'<mark class="term">{esc(match.group(0))}</mark>')
        cursor = match.end()
    pieces.append(esc(text[cursor:end]))
    body = " ".join("".join(pieces).split())
    return ("… " if start else "") + body + (" …" if end < len(text) else "")


def _result(entry: DocumentHit, query: str) -> str:
    hit = entry.best
    meta = [hit.paper_type or "Dokument", hit.reference, format_date(hit.date), hit.body]
    pages = ", ".join(str(p) for p in sorted(entry.pages))
    external = web_url(hit.source)
    source = (
        f' · <a href="{esc(external)}" target="_blank" rel="noopener noreferrer external">Quelle ↗</a>'
        if external
        else ""
    )
    title = hit.title or hit.reference or "Ohne Titel"
    similar = (
        "" if entry.has_terms else ' <span class="similar">ähnlicher Inhalt, ohne die Suchbegriffe</span>'
    )
    return (
        f'<li class="result">'
        f'<div class="result-title">{document_link(hit.doc_id, title, f"p{hit.page}-{hit.start}")}</div>'
        f'<div class="result-meta">{" · ".join(esc(p) for p in meta if p)} · '
        f"{'Seiten' if len(entry.pages) > 1 else 'Seite'} {esc(pages)}{source}{similar}</div>"
        f'<p class="snippet">{highlight_terms(hit.text, query)}</p></li>'
    )


def render_results(entries: Sequence[DocumentHit], query: str, page: int, per_page: int = PER_PAGE) -> str:
    """One page of results (``page`` counts from 0)."""
    if not entries:
        return (
            '<p class="no-results" role="status">Keine Treffer in den Dokumenten, auf die Sie Zugriff '
            "haben. Versuchen Sie andere Begriffe oder weniger Filter.</p>"
        )
    first = page * per_page
    items = "".join(_result(entry, query) for entry in entries[first : first + per_page])
    return f'<ol class="results" start="{first + 1}">{items}</ol>'


def result_summary(entries: Sequence[DocumentHit], page: int, per_page: int = PER_PAGE) -> str:
    """ "12 Dokumente gefunden, davon 5 mit den Suchbegriffen · Seite 1 von 2"."""
    total = len(entries)
    if not total:
        return '<p class="result-count" role="status">0 Dokumente gefunden</p>'
    noun = "Dokument" if total == 1 else "Dokumente"
    with_terms = sum(entry.has_terms for entry in entries)
    return (
        f'<p class="result-count" role="status"><strong>{total} {noun} gefunden</strong>, davon '
        f"{with_terms} mit den Suchbegriffen · Seite {page + 1} von {page_count(total, per_page)}</p>"
    )


CSV_COLUMNS = (
    "Rang",
    "Aktenzeichen",
    "Titel",
    "Art",
    "Datum",
    "Gremien",
    "Seiten",
    "Auszug",
    "Quelle",
    "Dokument-ID",
    "Score",
)


def results_csv(entries: Sequence[DocumentHit]) -> str:
    """The whole result list as CSV (semicolon-separated, as German spreadsheets expect)."""
    return write_csv(
        CSV_COLUMNS,
        (
            (
                rank,
                entry.best.reference,
                entry.best.title,
                entry.best.paper_type,
                entry.best.date.isoformat() if entry.best.date else "",
                entry.best.body,
                ", ".join(str(p) for p in sorted(entry.pages)),
                " ".join(entry.best.text.split())[:500],
                entry.best.source,
                entry.best.doc_id,
                f"{entry.best.score:.6f}",
            )
            for rank, entry in enumerate(entries, start=1)
        ),
    )
