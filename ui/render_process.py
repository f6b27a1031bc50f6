"""The council process as HTML: a paper's "Verlauf" (timeline), a meeting's agenda, meeting lists.

Each consultation of the timeline shows date, body, role, agenda item (TOP and title) and the
result in the council's words with a badge for its outcome; the minutes' passage and the
meeting's agenda are links inside the page (``data-doc`` / ``data-meeting``, see ui/theme.py).
Everything from the data is escaped (ui/render.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.schemas import Citation
from assistant.service import (
    AgendaItemOut,
    MeetingDetailOut,
    MeetingOut,
    PaperHistoryOut,
    PaperRef,
    RelatedPaperOut,
    StateOut,
    StepOut,
)
from ui.render import document_link, esc, format_date, web_url

MEETING_ATTRIBUTE = "data-meeting"  # a link that opens a meeting's agenda (ui/theme.py)
# Outcome → the badge's colour class; outcomes not named here are neutral.
_TONES = {
    "angenommen": "good",
    "geändert angenommen": "good",
    "teilweise angenommen": "good",
    "gewählt": "good",
    "abgelehnt": "bad",
    "zurückgezogen": "bad",
    "vertagt": "pending",
    "verwiesen": "pending",
    "beraten": "pending",
}
MEETING_HINT = (
    '<p class="hint">Wählen Sie ein Gremium und einen Zeitraum (TT.MM.JJJJ) und klicken Sie auf '
    "„Sitzungen anzeigen“; eine Sitzung öffnet ihre Tagesordnung.</p>"
)
NO_MEETING = (
    '<div class="not-found" role="status"><h2>Sitzung nicht gefunden</h2>'
    "<p>Eine Sitzung mit dieser Kennung gibt es nicht, oder sie ist für Sie nicht freigegeben.</p></div>"
)
MAX_LISTED_MEETINGS = 200
_CANCELLED = ' <span class="badge badge-bad">abgesagt</span>'


def meeting_link(meeting_id: str, label: str) -> str:
    """An ``<a>`` that opens the meeting's agenda in the "Sitzungen" tab."""
    return f'<a class="meeting-link" href="#" {MEETING_ATTRIBUTE}="{esc(meeting_id)}">{esc(label)}</a>'


def _external(url: str) -> str:
    """A link to the council system's page of an object ("" when there is no http(s) address)."""
    address = web_url(url)
    if not address:
        return ""
    return (
        f'<a class="source-link" href="{esc(address)}" target="_blank" rel="noopener noreferrer '
        'external">Im Ratsinformationssystem öffnen ↗</a>'
    )


def badge(outcome: str) -> str:
    if not outcome:
        return ""
    tone = _TONES.get(outcome, "neutral")
    return f'<span class="badge badge-{tone}" title="Ergebnis, vereinheitlicht">{esc(outcome)}</span>'


def _paper_label(paper: PaperRef) -> str:
    return " ".join(part for part in (paper.paper_type, paper.reference) if part) or "Vorlage"


def _state(state: StateOut) -> str:
    return (
        f'<p class="state state-{esc(state.kind.replace(" ", "-"))}" role="status">'
        f"<strong>Stand:</strong> {esc(state.text)} {badge(state.outcome)}</p>"
    )


def _step(step: StepOut) -> str:
    when = format_date(step.date) if step.date else "ohne Termin"
    item = " ".join(
        part
        for part in (
            f"TOP {esc(step.agenda_item)}" if step.agenda_item else "",
            _quoted(step.agenda_item_title),
        )
        if part
    )
    head = " · ".join(
        part for part in (f'<span class="step-body">{esc(step.body)}</span>', esc(step.role), item) if part
    )
    if step.cancelled:
        result = '<span class="no-result">Sitzung abgesagt</span>'
    elif step.result:
        result = f"„{esc(step.result)}“ {badge(step.outcome)}"
    else:
        result = '<span class="no-result">kein Ergebnis verzeichnet</span>'
    links = []
    if step.minutes is not None:
        anchor = f"p{step.minutes.page}-{step.minutes.start}"
        links.append(document_link(step.minutes.doc_id, "Niederschrift zu diesem Punkt", anchor))
    if step.meeting_id:
        links.append(meeting_link(step.meeting_id, "Tagesordnung der Sitzung"))
    public = ' <span class="badge badge-neutral">nichtöffentlich</span>' if step.public is False else ""
    return (
        f'<li class="step"><div class="step-head"><span class="step-date">{esc(when)}</span> '
        f"{head}{public}</div>"
        f'<div class="step-result">Ergebnis: {result}</div>'
        + (f'<div class="step-links">{" · ".join(links)}</div>' if links else "")
        + "</li>"
    )


def _quoted(text: str) -> str:
    return f"„{esc(text)}“" if text else ""


def _paper_item(paper: PaperRef, state: StateOut, prefix: str = "") -> str:
    label = f"{_paper_label(paper)}: {paper.title}" if paper.title else _paper_label(paper)
    dated = f" vom {format_date(paper.date)}" if paper.date else ""
    return (
        f'<li class="linked-paper">{esc(prefix)}{document_link(paper.doc_id, label)}{esc(dated)} – '
        f"{esc(state.text)} {badge(state.outcome)}</li>"
    )


def render_timeline(history: PaperHistoryOut, related: Sequence[RelatedPaperOut] = ()) -> str:
    """The "Verlauf" of a paper: its state on top, each consultation in order, its linked papers
    and the earlier papers on the same subject, each with its own state."""
    steps = (
        "".join(_step(step) for step in history.steps)
        or '<li class="step no-result">Noch nicht beraten.</li>'
    )
    parts = [
        '<section class="timeline" id="verlauf" aria-label="Verlauf">'
        "<h3>Verlauf: Beratungsfolge und Ergebnisse</h3>",
        _state(history.state),
        f'<ol class="steps">{steps}</ol>',
    ]
    if history.linked:
        items = "".join(
            _paper_item(linked, linked.state, f"{linked.relation}: ") for linked in history.linked
        )
        parts.append(f'<h4>Verknüpfte Vorlagen</h4><ul class="linked">{items}</ul>')
    if related:
        items = "".join(_paper_item(other, other.state) for other in related)
        parts.append(f'<h4>Frühere Vorlagen zum Thema</h4><ul class="related">{items}</ul>')
    parts.append("</section>")
    return "".join(parts)


def _meeting_title(meeting: MeetingOut) -> str:
    bodies = "; ".join(meeting.bodies) or meeting.name or "Sitzung"
    return f"{bodies} am {format_date(meeting.date)}" if meeting.date else bodies


def render_meetings(meetings: Sequence[MeetingOut]) -> str:
    """Meetings, latest first, each a link to its agenda."""
    if not meetings:
        return '<p class="result-count" role="status">Keine Sitzung gefunden.</p>'
    shown = sorted(meetings, key=lambda m: m.start, reverse=True)[:MAX_LISTED_MEETINGS]
    more = f" (die {MAX_LISTED_MEETINGS} neuesten gezeigt)" if len(meetings) > MAX_LISTED_MEETINGS else ""
    rows = "".join(
        f'<li class="meeting">{meeting_link(m.meeting_id, _meeting_title(m))}'
        f"{_CANCELLED if m.cancelled else ''}"
        f'<span class="meeting-name"> – {esc(m.name)}</span></li>'
        for m in shown
    )
    count = f'<p class="result-count" role="status">{len(meetings)} Sitzungen{esc(more)}</p>'
    return f'{count}<ul class="meetings">{rows}</ul>'


def _agenda_row(item: AgendaItemOut) -> str:
    paper = item.paper
    linked = document_link(paper.doc_id, _paper_label(paper)) if paper else ""
    result = f"„{esc(item.result)}“ {badge(item.outcome)}" if item.result else ""
    title = esc(item.title) if item.number or paper or item.result else f"<strong>{esc(item.title)}</strong>"
    return (
        f'<tr class="agenda-item"><td>{esc(item.number)}</td><td>{title}</td><td>{linked}</td>'
        f"<td>{esc(paper.originator) if paper else ''}</td><td>{result}</td></tr>"
    )


def render_agenda(meeting: MeetingDetailOut) -> str:
    """A meeting with its agenda: each item's number, title, paper (type and reference, a link to
    its document view), originator and result."""
    documents = [
        document_link(doc_id, label)
        for doc_id, label in (
            (meeting.invitation_doc, "Einladung"),
            (meeting.results_protocol_doc, "Ergebnisprotokoll"),
            (meeting.verbatim_protocol_doc, "Wortprotokoll"),
        )
        if doc_id
    ]
    if external := _external(meeting.url):
        documents.append(external)
    rows = "".join(_agenda_row(item) for item in meeting.agenda)
    table = (
        '<div class="table-wrap"><table class="agenda"><thead><tr><th scope="col">TOP</th>'
        '<th scope="col">Gegenstand</th><th scope="col">Vorlage</th><th scope="col">Einreicher</th>'
        f'<th scope="col">Ergebnis</th></tr></thead><tbody>{rows}</tbody></table></div>'
        if rows
        else '<p class="hint">Für diese Sitzung ist keine Tagesordnung verzeichnet.</p>'
    )
    cancelled = _CANCELLED if meeting.cancelled else ""
    return (
        f'<article class="meeting-view" data-meeting-id="{esc(meeting.meeting_id)}">'
        f"<h2>{esc(_meeting_title(meeting))}{cancelled}</h2><p>{esc(meeting.name)}</p>"
        f'<p class="meeting-docs">{" · ".join(documents)}</p>{table}</article>'
    )


def record_card(citation: Citation, element_id: str) -> str:
    """A source from the process data (``kind`` "record"): what it is, meeting, day, body and
    agenda item, the fact as written out, and links to the paper's "Verlauf" and the agenda."""
    record = citation.record
    what = record.what if record else "Sitzungsdaten"
    meta = [f"Sitzungsdaten: {what}"]
    if record is not None:
        meta += [format_date(record.date) if record.date else "", record.body]
        meta.append(f"TOP {record.agenda_item}" if record.agenda_item else "")
    links = []
    if citation.doc_id:
        links.append(document_link(citation.doc_id, "Verlauf ansehen", "verlauf"))
    if record is not None and record.meeting_id:
        links.append(meeting_link(record.meeting_id, "Tagesordnung ansehen"))
    if external := _external(citation.url):
        links.append(external)
    title = " ".join(part for part in (citation.paper_type, citation.reference) if part)
    heading = f"{title}: {citation.title}" if title and citation.title else citation.title or title
    return (
        f'<li class="citation record" id="{esc(element_id)}" tabindex="-1">'
        f'<div class="cite-head"><span class="cite-n">[{citation.n}]</span> '
        f'<span class="cite-title">{esc(heading or "Sitzungsdaten")}</span></div>'
        f'<div class="cite-meta">{" · ".join(esc(part) for part in meta if part)}</div>'
        f'<blockquote class="passage record-text">{esc(citation.text)}</blockquote>'
        f'<div class="cite-links">{" · ".join(links)}</div></li>'
    )
