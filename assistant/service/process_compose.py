"""German answers composed from the council process: each sentence states what the data holds
(date, body, role, agenda item and the result in the council's words) and cites its records.

Nothing here invents a result: a consultation without one says "kein Ergebnis verzeichnet" (or
"Beratung vorgesehen" when it lies ahead), a paper without any says "noch nicht beraten".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from assistant.models import Passage
from assistant.service.process_models import (
    MeetingDetailOut,
    PaperHistoryOut,
    PaperRef,
    StepOut,
)
from assistant.service.process_records import (
    Draft,
    agenda_passage,
    agenda_text,
    history_passage,
    is_heading,
    label,
    linked_passage,
    meeting_passage,
    meeting_title,
    minutes_passage,
    step_outcome,
    step_passage,
    step_place,
)
from ingest.process.state import in_body
from ingest.records import DocumentInfo

MAX_LINKED = 6
MAX_AGENDA_ITEMS = 40
Lookup = Callable[[str], DocumentInfo | None]  # a visible document by id, else None


def _step_sentences(
    draft: Draft,
    history: PaperHistoryOut,
    steps: Sequence[StepOut],
    paper: DocumentInfo,
    lookup: Lookup,
    today: date,
    named: bool = False,
) -> None:
    """One sentence per consultation; with ``named``, the first names the paper."""
    for number, step in enumerate(steps):
        sources: list[Passage] = [step_passage(history, step, paper, today)]
        protocol = lookup(step.minutes.doc_id) if step.minutes else None
        if step.minutes is not None and protocol is not None:
            sources.append(minutes_passage(step.minutes, protocol))
        place = step_place(step)
        lead = f"{label(history)}: {place}" if named and number == 0 else f"{place[0].upper()}{place[1:]}"
        draft.say(f"{lead}: {step_outcome(step, today)}", sources)


def _linked_sentences(draft: Draft, history: PaperHistoryOut, lookup: Lookup) -> None:
    for linked in history.linked[:MAX_LINKED]:
        document = lookup(linked.doc_id)
        if document is not None:
            draft.say(
                f"Verknüpft ({linked.relation}): {label(linked)}: {linked.state.text}",
                [linked_passage(linked, document)],
            )


def paper_answer(
    history: PaperHistoryOut, paper: DocumentInfo, lookup: Lookup, today: date, body: str = ""
) -> Draft:
    """What became of a paper: where it stands, then every consultation in order, then the
    papers linked to it."""
    draft = Draft()
    draft.say(f"{label(history)}: {history.state.text}", [history_passage(history, paper)])
    steps = [step for step in history.steps if _in(body, step.body)] or history.steps
    _step_sentences(draft, history, steps, paper, lookup, today)
    _linked_sentences(draft, history, lookup)
    return draft


def schedule_answer(
    history: PaperHistoryOut, paper: DocumentInfo, lookup: Lookup, today: date, body: str = ""
) -> Draft:
    """When and where a paper is (or was) discussed: the consultations (of ``body``, when it
    has any) first, the next one ahead named first, then where the paper stands."""
    draft = Draft()
    chosen = [step for step in history.steps if _in(body, step.body)]
    if body and not chosen:
        draft.say(
            f"{label(history)}: keine Beratung {in_body(body)} verzeichnet; Stand: {history.state.text}",
            [history_passage(history, paper)],
        )
        chosen = list(history.steps)
    coming = [step for step in chosen if step.date is not None and step.date >= today and not step.result]
    ordered = coming[:1] + [step for step in chosen if step not in coming[:1]]
    if not ordered:
        draft.say(f"{label(history)}: {history.state.text}", [history_passage(history, paper)])
        return draft
    _step_sentences(draft, history, ordered, paper, lookup, today, named=True)
    draft.say(f"Stand: {history.state.text}", [history_passage(history, paper)])
    return draft


def agenda_answer(
    meeting: MeetingDetailOut,
    document: DocumentInfo,
    lookup: Lookup,
    today: date,
    lead: str = "",
    outcomes: Sequence[str] = (),
) -> Draft:
    """A meeting's agenda: each item with its paper and its result (only items with one of
    ``outcomes``, when asked for); ``lead`` says which meeting this is ("nächste Sitzung …")."""
    held = meeting.date is not None and meeting.date < today
    draft = Draft()
    head = meeting_passage(meeting, document, lead)
    agenda = [item for item in meeting.agenda if not is_heading(item)]
    items = [item for item in agenda if not outcomes or item.outcome in outcomes]
    intro = f"{lead[0].upper()}{lead[1:]}: " if lead else ""
    if not agenda:
        draft.say(f"{intro}{meeting_title(meeting)}, keine Tagesordnung verzeichnet", [head])
        return draft
    count = (
        f"{len(items)} von {len(agenda)} Tagesordnungspunkten"
        if outcomes
        else f"{len(agenda)} Tagesordnungspunkte"
    )
    draft.say(f"{intro}{meeting_title(meeting)}, {count}", [head])
    for item in items[:MAX_AGENDA_ITEMS]:
        paper = lookup(item.paper.doc_id) if item.paper else None
        draft.say(agenda_text(item, held), [agenda_passage(meeting, item, paper or document, held)])
    if len(items) > MAX_AGENDA_ITEMS:
        draft.say(
            f"Weitere {len(items) - MAX_AGENDA_ITEMS} Tagesordnungspunkte sind hier nicht aufgeführt", [head]
        )
    return draft


def candidates_answer(subject: str, papers: Sequence[tuple[PaperRef, str, Passage]]) -> Draft:
    """Several papers fit: name them, each with its state, rather than guess."""
    draft = Draft()
    draft.say(f"Zu „{subject}“ passen {len(papers)} Vorlagen; bitte nennen Sie das Aktenzeichen")
    for paper, state, source in papers:
        draft.say(f"{label(paper)}: {state}", [source])
    return draft


def _in(body: str, bodies: str) -> bool:
    return not body or body.casefold() in bodies.casefold()
