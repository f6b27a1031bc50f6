"""Answers that list papers from the process data: "Welche Anträge der CDU wurden 2025 abgelehnt?"
exactly from the consultations (no retrieval), and "Gab es dazu schon Anträge?" (the papers
linked to a paper, then the most similar earlier ones; or every paper on a subject), each with
where it stands.

A period asked together with a result ("wurden 2025 abgelehnt") is the day of that result;
without one ("2025 gestellt") the paper's own date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from assistant.access import Principal
from assistant.models import Passage, ProcessRecord, SearchFilters
from assistant.service.paper_history import paper_ref
from assistant.service.process_compose import Lookup
from assistant.service.process_models import PaperRef, PaperRowOut, StateOut
from assistant.service.process_records import (
    Draft,
    day,
    history_passage,
    label,
    linked_passage,
    list_passage,
    paper_state_passage,
)
from assistant.service.process_service import ProcessService
from assistant.store.process_views import StepView
from ingest.process.question_parts import ADOPTIONS
from ingest.process.questions import ProcessQuestion
from ingest.process.state import in_body
from ingest.records import DocumentInfo
from ingest.text.words import analyze

MAX_ROWS = 40
MAX_EARLIER = 8
_NAMING_STEM = 5  # characters
_PLURALS = {
    "Antrag": "Anträge",
    "Änderungsantrag": "Änderungsanträge",
    "Dringlichkeitsantrag": "Dringlichkeitsanträge",
    "Anfrage": "Anfragen",
    "Beschlussvorlage": "Beschlussvorlagen",
    "Informationsvorlage": "Informationsvorlagen",
    "Stellungnahme": "Stellungnahmen",
}


def state_source(
    process: ProcessService, principal: Principal, document: DocumentInfo, today: date
) -> tuple[PaperRef, str, Passage]:
    """A paper, where it stands, and that as a record to cite."""
    ref = paper_ref(process.index, document)
    state = StateOut.of(process.index.state(principal, document, today))
    record = ProcessRecord(
        what="Vorlage", body=state.body, date=state.date, outcome=state.outcome, url=document.url
    )
    return ref, state.text, paper_state_passage(ref, state.text, record, document)


def _wanted(families: Sequence[str], document: DocumentInfo | PaperRef) -> bool:
    wanted = {family.casefold() for family in families if family}
    family = document.paper_family if isinstance(document, DocumentInfo) else ""
    return not wanted or family.casefold() in wanted or document.paper_type.casefold() in wanted


def _plural(families: Sequence[str]) -> str:
    named = [_PLURALS.get(family, family) for family in families if family]
    return " und ".join(named) or "Vorlagen"


def _outcome_word(outcomes: Sequence[str]) -> str:
    return "beschlossen" if set(outcomes) == set(ADOPTIONS) else ", ".join(outcomes)


def _decision(process: ProcessService, principal: Principal, document: DocumentInfo) -> StepView | None:
    with_result = [step for step in process.index.visible_steps(principal, document) if step.outcome]
    return with_result[-1] if with_result else None


def list_answer(process: ProcessService, principal: Principal, asked: ProcessQuestion, today: date) -> Draft:
    """The papers asked for, exactly from data, each with its result (or state)."""
    families = tuple(family for family in asked.paper_types if family)
    period = asked.period
    by_paper_date = period if period is not None and not asked.outcomes else None
    filters = SearchFilters(
        paper_types=families,
        originator=asked.originator,
        date_from=by_paper_date.start if by_paper_date else None,
        date_to=by_paper_date.end if by_paper_date else None,
    )
    rows = process.papers_of(principal, filters)
    if asked.subject:
        stems = set(analyze(asked.subject))
        rows = [row for row in rows if stems <= set(analyze(row.title))]
    documents = process.index.documents()
    chosen: list[tuple[PaperRowOut, StepView | None]] = []
    for row in rows:
        step = _decision(process, principal, documents[row.doc_id]) if asked.outcomes else None
        if asked.outcomes and (step is None or step.outcome not in asked.outcomes):
            continue
        if step is not None and period is not None and not period.holds(step.day):
            continue
        chosen.append((row, step))
    chosen.sort(
        key=lambda pair: ((pair[1].day if pair[1] else None) or pair[0].date or date.min, pair[0].reference)
    )
    parts = [
        f"Art: {', '.join(families) or 'alle'}",
        f"Einreicher: {asked.originator}" if asked.originator else "",
        f"Thema: {asked.subject}" if asked.subject else "",
        f"Ergebnis: {_outcome_word(asked.outcomes)}" if asked.outcomes else "",
        f"Zeitraum {'des Ergebnisses' if asked.outcomes else 'der Vorlage'}: {period.label}"
        if period
        else "",
    ]
    description = "; ".join(part for part in parts if part)
    draft = Draft()
    head = list_passage(description, len(chosen))
    if chosen:
        draft.say(f"{len(chosen)} {_plural(families)} ({description})", [head])
    else:
        draft.say(f"Keine {_plural(families)} gefunden ({description})", [head])
    for row, step in chosen[:MAX_ROWS]:
        _row_sentence(draft, row, step, documents[row.doc_id])
    if len(chosen) > MAX_ROWS:
        draft.say(f"Weitere {len(chosen) - MAX_ROWS} {_plural(families)} sind hier nicht aufgeführt", [head])
    return draft


def _row_sentence(draft: Draft, row: PaperRowOut, step: StepView | None, document: DocumentInfo) -> None:
    who = f" ({row.originator})" if row.originator else ""
    if step is None:
        record = ProcessRecord(what="Vorlage", outcome=row.outcome, result=row.result, url=row.url)
        dated = f" vom {day(row.date)}" if row.date else ""
        draft.say(
            f"{label(row)}{dated}{who}: {row.state}", [paper_state_passage(row, row.state, record, document)]
        )
        return
    body = "; ".join(step.bodies)
    where = " ".join(part for part in (f"am {day(step.day)}" if step.day else "", in_body(body)) if part)
    record = ProcessRecord(
        what="Vorlage",
        meeting_id=step.meeting_key,
        meeting=step.meeting_name,
        body=body,
        date=step.day,
        agenda_item=step.number,
        agenda_item_title=step.item_name,
        result=step.result,
        outcome=step.outcome,
        url=row.url,
    )
    state = f"Ergebnis „{step.result}“ {where}; Stand: {row.state}"
    draft.say(
        f"{label(row)}{who}: „{step.result}“ {where}", [paper_state_passage(row, state, record, document)]
    )


def earlier_answer(
    process: ProcessService,
    principal: Principal,
    asked: ProcessQuestion,
    found: DocumentInfo | list[DocumentInfo] | str | None,
    lookup: Lookup,
    today: date,
) -> Draft | None:
    """Earlier papers: of one paper (its linked papers, then the most similar earlier ones), or
    on a subject (every paper whose title holds it, earliest first)."""
    families = [family for family in asked.paper_types if family]
    if isinstance(found, list):
        papers = [doc for doc in found if _wanted(families, doc)] or found
        draft = Draft()
        draft.say(
            f"Vorlagen zu „{asked.subject}“: {len(papers)}",
            [list_passage(f"Thema: {asked.subject}", len(papers))],
        )
        for document in papers[:MAX_EARLIER]:
            paper, state, source = state_source(process, principal, document, today)
            draft.say(f"{label(paper)}{_dated(paper)}: {state}", [source])
        return draft
    if not isinstance(found, DocumentInfo):
        return None
    history, _ = process.history_of(principal, found.doc_id)
    draft = Draft()
    draft.say(f"{label(history)}: {history.state.text}", [history_passage(history, found)])
    for linked in history.linked:
        linked_doc = lookup(linked.doc_id)
        if linked_doc is not None and (
            linked.date is None or found.date is None or linked.date <= found.date
        ):
            draft.say(
                f"Verknüpft ({linked.relation}): {label(linked)}: {linked.state.text}",
                [linked_passage(linked, linked_doc)],
            )
    # Similar by text is not yet the same subject: a related paper must share a word of the title.
    subject = _title_words(history.title)
    related = [
        item
        for item in process.related_of(principal, found.doc_id, k=MAX_EARLIER).related
        if subject & _title_words(item.title)
    ]
    for other in [item for item in related if _wanted(families, item)] or related:
        other_doc = lookup(other.doc_id)
        if other_doc is not None:
            paper, state, source = state_source(process, principal, other_doc, today)
            draft.say(f"Ähnlich, früher: {label(paper)}{_dated(paper)}: {state}", [source])
    return draft


def _title_words(title: str) -> set[str]:
    """The stems of a title that name something (short stems such as "nutz" name nothing)."""
    return {stem for stem in analyze(title) if len(stem) >= _NAMING_STEM}


def _dated(paper: PaperRef) -> str:
    return f" vom {day(paper.date)}" if paper.date else ""
