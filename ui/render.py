"""Pure helpers shared by the UI's HTML: escaping, dates, links, marked passages, the mode banner.

Everything that comes from a document (titles, texts, names, URLs) goes through
:func:`html.escape` here; nothing a document contains can become markup in the page.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterable, Sequence
from datetime import date
from urllib.parse import quote, urlsplit

# A link with this attribute opens the document view inside the page (see ui/theme.py's script).
DOC_ATTRIBUTE = "data-doc"


def esc(text: object) -> str:
    """Text as HTML: every ``<``, ``>``, ``&`` and quote escaped."""
    return html.escape(str(text), quote=True)


def format_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "ohne Datum"


def document_href(doc_id: str, anchor: str = "") -> str:
    """The document view's address relative to the UI (works as a bookmark or in a new tab)."""
    return f"?doc={quote(doc_id, safe='')}" + (f"#{quote(anchor, safe='-')}" if anchor else "")


def document_link(doc_id: str, label: str, anchor: str = "", css_class: str = "doc-link") -> str:
    """An ``<a>`` to the document view; ``label`` is escaped."""
    return (
        f'<a class="{css_class}" href="{esc(document_href(doc_id, anchor))}" '
        f'{DOC_ATTRIBUTE}="{esc(doc_id)}" data-anchor="{esc(anchor)}">{esc(label)}</a>'
    )


def web_url(url: str) -> str:
    """``url`` if it is an http(s) address (an OParl ``web`` link), else "" (no javascript: links)."""
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else ""


def source_links(url: str, doc_id: str, anchor: str = "") -> str:
    """Where a passage comes from: the council system's page if known, and the document view."""
    links = [document_link(doc_id, "Im Dokument ansehen", anchor)]
    external = web_url(url)
    if external:
        links.append(
            f'<a class="source-link" href="{esc(external)}" target="_blank" '
            f'rel="noopener noreferrer external">Im Ratsinformationssystem öffnen ↗</a>'
        )
    return " · ".join(links)


def metadata_line(paper_type: str, reference: str, when: date | None, bodies: str = "") -> str:
    """ "Antrag · A/2025/014 · 14.03.2025 · Stadtrat" with the empty parts left out, escaped."""
    parts = [paper_type or "Dokument", reference, format_date(when), bodies]
    return " · ".join(esc(part) for part in parts if part)


def _merge(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(r for r in ranges if r[1] > r[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def mark_ranges(
    text: str,
    offset: int = 0,
    quotes: Sequence[tuple[int, int]] = (),
    cited: Sequence[tuple[int, int]] = (),
    anchors: dict[int, str] | None = None,
) -> str:
    """``text`` escaped, with quoted sentences in ``<mark class="quote">`` and cited passages in
    ``<mark class="cited">``; ranges are offsets of the page, ``text`` starts at ``offset``.

    ``anchors`` maps a page offset to an element id placed there (the start of a cited passage).
    """
    length = len(text)

    def local(ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
        clipped = ((max(0, s - offset), min(length, e - offset)) for s, e in ranges)
        return _merge(clipped)

    quote_ranges, cited_ranges = local(quotes), local(cited)
    anchor_at = {max(0, min(length, k - offset)): v for k, v in (anchors or {}).items()}
    cuts = sorted({0, length, *anchor_at, *(p for r in quote_ranges + cited_ranges for p in r)})
    pieces: list[str] = []
    for start, end in itertools.pairwise(cuts):
        if start in anchor_at:
            pieces.append(f'<span class="anchor" id="{esc(anchor_at[start])}"></span>')
        segment = esc(text[start:end])
        if any(s <= start and end <= e for s, e in quote_ranges):
            pieces.append(f'<mark class="quote">{segment}</mark>')
        elif any(s <= start and end <= e for s, e in cited_ranges):
            pieces.append(f'<mark class="cited">{segment}</mark>')
        else:
            pieces.append(segment)
    if length in anchor_at:  # an anchor at the very end starts no segment
        pieces.append(f'<span class="anchor" id="{esc(anchor_at[length])}"></span>')
    return "".join(pieces)


def mode_banner(embedder_name: str, answer_mode: str) -> str:
    """What the running configuration means for answers; "" when it has a semantic model and an LLM."""
    notes = []
    if embedder_name.startswith("hashing"):
        notes.append(
            "<strong>Ohne semantisches Sprachmodell:</strong> Die Suche vergleicht Wörter und "
            "Wortstämme, nicht deren Bedeutung. Dokumente, die dasselbe mit anderen Worten sagen "
            "(Synonyme, Umschreibungen), werden schlechter gefunden. Verwenden Sie möglichst die "
            "Begriffe, die in den Vorlagen stehen."
        )
    if answer_mode != "llm":
        notes.append(
            "<strong>Ohne KI-Textmodell (LLM):</strong> Antworten bestehen aus wörtlich zitierten "
            "Sätzen der Dokumente, nicht aus einer formulierten Zusammenfassung. Jeder Satz ist "
            "belegt, die Antwort kann aber holprig wirken oder Teilaspekte auslassen."
        )
    if not notes:
        return ""
    items = "".join(f"<li>{note}</li>" for note in notes)
    return f'<div class="mode-banner" role="note" aria-label="Betriebsart"><ul>{items}</ul></div>'
