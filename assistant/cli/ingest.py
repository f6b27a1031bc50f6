"""`ratsinfo ingest` and `ratsinfo sync`: files, folders and OParl sources into the store.

Exit status: 0 when the run read anything (some sources may have failed: they are listed, and
``failed`` in the JSON), 7 (NothingReadError) when every source given failed, so that nothing
was added, updated or found unchanged; the other codes as for every command (README, "Exit codes").
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.access import PUBLIC, checked_groups
from assistant.cli.common import JsonOption, emit, errors_to_exit, load_settings, open_services
from assistant.config import Settings
from assistant.errors import InvalidRequestError, NothingReadError
from assistant.messages import failure_message

if TYPE_CHECKING:
    from assistant.indexing import IngestReport


def ingest(
    paths: Annotated[list[str] | None, typer.Argument(help="Files or folders to ingest.")] = None,
    oparl: Annotated[
        list[str] | None,
        typer.Option("--oparl", help="OParl System URL to crawl (repeatable); later: ratsinfo sync"),
    ] = None,
    prune: Annotated[
        bool, typer.Option("--prune", help="Delete documents that are gone from these folders.")
    ] = False,
    group: Annotated[
        list[str] | None,
        typer.Option("--group", "-g", help="Restrict the documents to this group (repeatable)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest council documents (PDF, DOCX, HTML, TXT/Markdown) from files and folders, or via OParl."""
    settings = load_settings()
    crawl: dict[str, Any] = {}
    with errors_to_exit():
        if not paths and not oparl:
            raise InvalidRequestError(
                "give files or folders, or --oparl URL",
                german="Bitte Dateien oder Ordner angeben, oder --oparl URL.",
            )
        paths = paths or []
        access = checked_groups(group) if group else frozenset({PUBLIC})
        services = open_services(settings)
        show_progress = not as_json and sys.stderr.isatty()
        with services.store.writing("ingest"):  # alerts are matched before another writer starts
            if show_progress:
                report = _ingest_with_progress(services, paths, access, prune)
            else:
                report = services.ingestor.ingest(paths, access=access, prune=prune)
            if oparl:
                crawl = _crawl_oparl(services, settings, oparl, access, report)
            matched = services.alerts.after_run(report.changes)
        alerts = services.alerts.delivered_after(matched)

    def human() -> None:
        typer.echo(
            f"{report.added} neu, {report.updated} aktualisiert, {report.unchanged} unverändert, "
            f"{report.deleted} gelöscht, {len(report.failed)} fehlgeschlagen; "
            f"{report.chunks} Abschnitte geschrieben ({report.embedded} neu eingebettet, die anderen "
            f"wiederverwendet) in {report.seconds:.1f} s"
        )
        if crawl:
            _echo_crawl(crawl)
        elif not (report.failed or report.added or report.updated or report.unchanged or report.deleted):
            typer.echo("Keine Dateien gefunden (PDF, DOCX, HTML, TXT/Markdown).")
        _echo_problems(report)
        _echo_alerts(alerts)

    emit(report.to_dict() | crawl | {"alerts": alerts}, as_json, human)
    _exit_when_nothing_read(report)


def _echo_alerts(alerts: dict[str, Any]) -> None:
    delivery = alerts["delivery"]
    if alerts["alerts"] or delivery["sent"] or delivery["failed"] or delivery["pending"]:
        typer.echo(
            f"Benachrichtigungen: {alerts['alerts']} für {alerts['users']} Benutzer; E-Mails: "
            f"{delivery['sent']} versandt, {delivery['failed']} fehlgeschlagen, "
            f"{delivery['pending']} ausstehend"
        )
    for error in [alerts["error"], *delivery["errors"]]:
        if error:
            typer.echo(f"  Benachrichtigung: {error}", err=True)


def _ingest_with_progress(
    services: Any, paths: list[str], access: frozenset[str], prune: bool
) -> IngestReport:
    """The ingest under a progress bar: files, chunks embedded per second, the time still needed."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from assistant.indexing import IngestReport

    report = IngestReport()
    started = time.perf_counter()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[chunks]}"),
        TextColumn("noch"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task("Einlesen", total=None, chunks="")

        def show(done: int, total: int) -> None:
            rate = report.chunks / max(time.perf_counter() - started, 1e-9)
            chunks = f"{report.chunks} Abschnitte, {rate:.1f}/s" if report.chunks else ""
            progress.update(task, completed=done, total=total, chunks=chunks)

        return services.ingestor.ingest(paths, access=access, prune=prune, on_progress=show, report=report)


def _echo_problems(report: IngestReport) -> None:
    """What failed and what was indexed with gaps, in German, on stderr."""
    for failure in report.failed:
        typer.echo(f"  übersprungen: {failure.source}: {failure_message(failure)}", err=True)
    for warning in report.warnings:
        typer.echo(f"  unvollständig: {warning.source}: {failure_message(warning)}", err=True)


def _exit_when_nothing_read(report: IngestReport) -> None:
    if report.failed and not (report.added or report.updated or report.unchanged or report.deleted):
        with errors_to_exit():
            raise NothingReadError(
                f"nothing was ingested: all {len(report.failed)} sources failed",
                german="Nichts eingelesen: keine der angegebenen Quellen ließ sich lesen (Gründe oben).",
            )


def _crawl_oparl(
    services: Any, settings: Settings, urls: list[str] | None, access: frozenset[str] | None, report: Any
) -> dict[str, Any]:
    """Crawl OParl sources (``urls``: completely; None: every known one, what changed)."""
    from assistant.indexing.oparl_sync import OParlSync

    with services.store.writing("sync"), OParlSync(services.ingestor, services.store, settings) as oparl_sync:
        if urls is None:
            if not oparl_sync.sources():
                raise InvalidRequestError(
                    "no OParl source known: first ratsinfo ingest --oparl URL",
                    german="Keine OParl-Quelle bekannt: zuerst „ratsinfo ingest --oparl URL“.",
                )
            result = oparl_sync.sync(report=report)
        else:
            result = oparl_sync.ingest(urls, access=access or frozenset({PUBLIC}), report=report)
    return result.to_dict()


def _echo_crawl(crawl: dict[str, Any]) -> None:
    typer.echo(
        f"OParl: {crawl['papers']} Vorlagen, {crawl['meetings']} Sitzungen, "
        f"{crawl['files_downloaded']} Dateien geladen, {crawl['files_cached']} aus dem Zwischenspeicher, "
        f"{crawl['pages_fetched']} Listenseiten in {crawl['seconds']:.1f} s"
    )


def sync(as_json: JsonOption = False) -> None:
    """Bring every OParl source up to date: only what changed since its last crawl, deletions included."""
    from assistant.indexing import IngestReport

    settings = load_settings()
    with errors_to_exit():
        services = open_services(settings)
        report = IngestReport()
        with services.store.writing("sync"):
            crawl = _crawl_oparl(services, settings, None, None, report)
            matched = services.alerts.after_run(report.changes)
        alerts = services.alerts.delivered_after(matched)

    def human() -> None:
        typer.echo(
            f"{report.added} neu, {report.updated} aktualisiert, {report.unchanged} unverändert, "
            f"{report.deleted} gelöscht, {len(report.failed)} fehlgeschlagen"
        )
        _echo_crawl(crawl)
        _echo_problems(report)
        _echo_alerts(alerts)

    emit(crawl | {"alerts": alerts}, as_json, human)
