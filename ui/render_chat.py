"""The chat as HTML: questions, answers with ``[n]`` footnote links, one card per citation."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from assistant.schemas import Citation
from ui.conversation import ChatTurn
from ui.render import document_link, esc, format_date, mark_ranges, source_links
from ui.render_process import record_card

_MARKER = re.compile(r"\[(\d{1,3})\]")


def citation_id(turn: int, n: int) -> str:
    return f"cite-{turn}-{n}"


def passage_anchor(page: int, start: int) -> str:
    """The id of a cited passage in the document view (see ui/render_document.py)."""
    return f"p{page}-{start}"


def footnoted(answer: str, numbers: set[int], turn: int) -> str:
    """The answer escaped, each ``[n]`` of a known citation a link to its card."""

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in numbers:
            return match.group(0)
        return f'<sup class="fn"><a href="#{citation_id(turn, n)}" aria-label="Quelle {n}">[{n}]</a></sup>'

    return _MARKER.sub(link, esc(answer))


def citation_card(citation: Citation, turn: int, bodies: str = "") -> str:
    """Reference number, title, type, date, body, page, the passage with the quoted sentences
    marked, and links to the document view and the council system's page; a record of the
    council process as such (ui/render_process.py)."""
    if citation.kind == "record":
        return record_card(citation, citation_id(turn, citation.n))
    meta = [citation.paper_type or "Dokument", citation.reference, format_date(citation.date)]
    if bodies:
        meta.append(bodies)
    meta.append(f"Seite {citation.page}")
    # Leading blank lines of a chunk would show as a gap in the card; the offsets move along.
    text = citation.text.rstrip()
    lead = len(text) - len(text.lstrip())
    passage = mark_ranges(text[lead:], citation.start + lead, quotes=citation.highlights)
    links = source_links(citation.url, citation.doc_id, passage_anchor(citation.page, citation.start))
    return (
        f'<li class="citation" id="{citation_id(turn, citation.n)}" tabindex="-1">'
        f'<div class="cite-head"><span class="cite-n">[{citation.n}]</span> '
        f'<span class="cite-title">{esc(citation.title or citation.reference or "Ohne Titel")}</span></div>'
        f'<div class="cite-meta">{" · ".join(esc(part) for part in meta if part)}</div>'
        f'<blockquote class="passage">{passage}</blockquote>'
        f'<div class="cite-links">{links}</div></li>'
    )


def _answer_block(turn: ChatTurn, index: int) -> str:
    if turn.error:
        return f'<div class="answer failed" role="alert"><p>{esc(turn.error)}</p></div>'
    if not turn.done and not turn.answer:
        return '<div class="answer pending"><p class="typing">Antwort wird erstellt …</p></div>'
    if turn.abstained:
        return (
            '<div class="answer abstained" role="status">'
            "<p><strong>Keine belegte Antwort gefunden.</strong></p>"
            f"<p>{esc(turn.answer)}</p>"
            '<p class="hint">Die Dokumente, auf die Sie Zugriff haben, beantworten diese Frage nicht '
            "verlässlich. Formulieren Sie die Frage mit Begriffen aus den Vorlagen oder nutzen Sie "
            "den Reiter „Suchen“.</p></div>"
        )
    numbers = {citation.n for citation in turn.citations}
    cursor = "" if turn.done else '<span class="typing" aria-hidden="true"> …</span>'
    return f'<div class="answer"><p>{footnoted(turn.answer, numbers, index)}{cursor}</p></div>'


def _extras(turn: ChatTurn) -> str:
    parts = []
    if turn.opened is not None:
        opened = turn.opened
        parts.append(
            f'<p class="opened" role="note">Drucksache {esc(opened.reference)} ist im Reiter „Dokument“ '
            f"geöffnet: {document_link(opened.doc_id, opened.title)}</p>"
        )
    if turn.notice:
        parts.append(f'<p class="notice" role="note">{esc(turn.notice)}</p>')
    if turn.removed:
        items = "".join(f"<li>„{esc(r.text)}“ – {esc(r.reason)}</li>" for r in turn.removed)
        parts.append(
            f'<details class="removed"><summary>{len(turn.removed)} Satz/Sätze entfernt, weil nicht '
            f"belegt</summary><ul>{items}</ul></details>"
        )
    return "".join(parts)


def render_turn(turn: ChatTurn, index: int, bodies: Mapping[str, str]) -> str:
    cards = ""
    if turn.citations and not turn.error:
        heading = "Geprüfte Fundstellen" if turn.abstained else "Quellen"
        items = "".join(
            citation_card(c, index, bodies.get(c.doc_id, ""))
            for c in sorted(turn.citations, key=lambda c: c.n)
        )
        cards = (
            f'<section class="citations" aria-label="{heading}"><h3>{heading}</h3>'
            f'<ol class="citation-list">{items}</ol></section>'
        )
    return (
        f'<article class="turn" id="turn-{index}">'
        f'<div class="question"><span class="label">Frage</span><p>{esc(turn.question)}</p></div>'
        f"{_answer_block(turn, index)}{_extras(turn)}{cards}</article>"
    )


def render_start(examples: Sequence[str]) -> str:
    """The start screen: what the assistant does, and example questions from the corpus."""
    buttons = "".join(
        f'<li><button type="button" class="example" data-question="{esc(q)}">{esc(q)}</button></li>'
        for q in examples
    )
    listing = (
        f'<p>Zum Beispiel (aus den Dokumenten, die Sie sehen dürfen):</p><ul class="examples">{buttons}</ul>'
        if buttons
        else "<p>Noch keine Dokumente sichtbar: Es gibt nichts, worüber Sie fragen könnten.</p>"
    )
    return (
        '<section class="start"><h2>Was möchten Sie wissen?</h2>'
        "<p>Stellen Sie eine Frage zu Anträgen, Anfragen, Vorlagen und Niederschriften. Jede Aussage "
        "der Antwort trägt eine Fußnote [n]; darunter steht die zitierte Stelle im Dokument.</p>"
        f"{listing}</section>"
    )


def render_conversation(turns: Sequence[ChatTurn], examples: Sequence[str], bodies: Mapping[str, str]) -> str:
    """The whole chat; the start screen while it is empty."""
    if not turns:
        return f'<div class="conversation">{render_start(examples)}</div>'
    rendered = "".join(render_turn(turn, index, bodies) for index, turn in enumerate(turns))
    return f'<div class="conversation">{rendered}</div>'
