"""`ratsinfo history`, `meetings`, `agenda`, `papers` and `related`: the council process."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.audit import filters_to_dict
from assistant.cli.acting import cli_caller, refusal_audited
from assistant.cli.common import (
    BodyOption,
    FromOption,
    JsonOption,
    OriginatorOption,
    ReferenceOption,
    ResultOption,
    ToOption,
    TypeOption,
    UserOption,
    build_filters,
    emit,
    errors_to_exit,
    load_settings,
    open_services,
    parse_date,
)


def _day(value: object) -> str:
    return f"{value:%d.%m.%Y}" if value else "ohne Termin"


def history(
    wanted: Annotated[str, typer.Argument(help="Reference (e.g. 2024/0884/3) or document id.")],
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """The path of a paper: every consultation with its result, the state, the linked papers."""
    settings = load_settings()
    with errors_to_exit():
        with refusal_audited(settings, "history", user, wanted):
            caller = cli_caller(settings, user)
            process = open_services(settings).process
        found = process.history(caller, wanted)

    def human() -> None:
        typer.echo(f"{found.paper_type} {found.reference}: {found.title}".strip())
        typer.echo(f"Stand: {found.state.text}")
        for step in found.steps:
            item = f"TOP {step.agenda_item} " if step.agenda_item else ""
            result = f" – {step.result}" if step.result else ""
            typer.echo(f"  {_day(step.date)}  {step.body} ({step.role or 'Beratung'}) {item}{result}")
            if step.minutes:
                typer.echo(f"      Niederschrift: {step.minutes.title}, S. {step.minutes.page}")
        for other in found.linked:
            typer.echo(
                f"  {other.relation}: {other.paper_type} {other.reference} {other.title} – {other.state.text}"
            )

    emit(found, as_json, human)


def meetings(
    body: BodyOption = "",
    date_from: FromOption = None,
    date_to: ToOption = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Meetings of the bodies (by part of a body's name) in a date range."""
    settings = load_settings()
    with errors_to_exit():
        with refusal_audited(settings, "meetings", user, body):
            start, end = parse_date(date_from, "--from"), parse_date(date_to, "--to")
            caller = cli_caller(settings, user)
            process = open_services(settings).process
        found = process.meetings(caller, body, start, end)

    def human() -> None:
        if not found.meetings:
            typer.echo("Keine Sitzungen.")
        for meeting in found.meetings:
            cancelled = " (abgesagt)" if meeting.cancelled else ""
            typer.echo(f"{_day(meeting.date)}  {meeting.name}{cancelled}  [{meeting.meeting_id}]")

    emit(found, as_json, human)


def agenda(
    meeting_id: Annotated[str, typer.Argument(help="Meeting id, as `ratsinfo meetings` lists it.")],
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """A meeting's agenda: each item's paper, type, originator and result."""
    settings = load_settings()
    with errors_to_exit():
        with refusal_audited(settings, "meeting", user, meeting_id):
            caller = cli_caller(settings, user)
            process = open_services(settings).process
        found = process.meeting(caller, meeting_id)

    def human() -> None:
        typer.echo(f"{found.name} – {_day(found.date)}")
        for item in found.agenda:
            paper = item.paper
            label = f" [{paper.paper_type} {paper.reference}, {paper.originator}]" if paper else ""
            result = f" – {item.result}" if item.result else ""
            typer.echo(f"  TOP {item.number or '–'} {item.title}{label}{result}")

    emit(found, as_json, human)


def papers(
    types: TypeOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    body: BodyOption = "",
    originator: OriginatorOption = "",
    reference: ReferenceOption = "",
    result: ResultOption = "",
    page: Annotated[int, typer.Option("--page", min=1, help="Page of the list (1-based).")] = 1,
    per_page: Annotated[int, typer.Option("--per-page", min=1, max=200, help="Papers per page.")] = 50,
    csv: Annotated[
        Path | None,
        typer.Option("--csv", help="Write every matching paper as CSV to this file ('-': stdout)."),
    ] = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """List papers exactly from data: type, originator, dates, body and result of consultations."""
    settings = load_settings()
    with errors_to_exit():
        with refusal_audited(settings, "papers", user) as refused:
            filters = build_filters(types, date_from, date_to, body, originator, reference, result)
            refused.filters = filters_to_dict(filters)
            caller = cli_caller(settings, user)
            process = open_services(settings).process
        if csv is not None:
            text = process.papers_csv(caller, filters)
            if str(csv) == "-":
                sys.stdout.write(text)
            else:
                csv.write_text(text, encoding="utf-8-sig")  # the BOM makes Excel read UTF-8
            return
        found = process.papers(caller, filters, page, per_page)

    def human() -> None:
        typer.echo(f"{found.total} Vorlagen (Seite {found.page}):")
        for row in found.papers:
            typer.echo(f"  {_day(row.date)}  {row.paper_type} {row.reference}: {row.title} – {row.state}")

    emit(found, as_json, human)


def related(
    wanted: Annotated[str, typer.Argument(help="Reference or document id of the paper.")],
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="Number of earlier papers.")] = 10,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Earlier papers on the same subject, each with its result."""
    settings = load_settings()
    with errors_to_exit():
        with refusal_audited(settings, "related", user, wanted):
            caller = cli_caller(settings, user)
            process = open_services(settings).process
        found = process.related(caller, wanted, k)

    def human() -> None:
        typer.echo(f"Frühere Vorlagen zu {found.reference}: {found.title}")
        for other in found.related:
            label = f"{other.paper_type} {other.reference}".strip()
            typer.echo(f"  {_day(other.date)}  {label}: {other.title} – {other.state.text}")

    emit(found, as_json, human)
