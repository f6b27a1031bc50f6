"""The `ratsinfo` command. Settings are read here, at the edge, and passed down."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from assistant.access import LOCAL_OPERATOR, PUBLIC, validate_group
from assistant.audit import filters_to_dict
from assistant.cli_admin import UserOption, acl_app, audit_command, cli_audited, cli_principal, users_app
from assistant.cli_backup import backup_command, restore_command
from assistant.cli_eval import eval_command
from assistant.cli_models import models_app, reindex_command
from assistant.config import Settings
from assistant.errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RatsinfoError,
    StoreBusyError,
    StoreMismatchError,
)
from assistant.models import SearchFilters
from assistant.schemas import AskResponse, SearchHit, SearchResponse
from assistant.store.writer_lock import BUSY_EXIT_CODE, writer_active

app = typer.Typer(
    name="ratsinfo",
    help="Offline assistant for council documents (ALLRIS, OParl): ingest, search, ask, serve.",
    no_args_is_help=True,
    add_completion=False,
)

# One place maps the project's errors to exit codes.
EXIT_CODES: dict[type[RatsinfoError], int] = {
    InvalidRequestError: 2,
    ConfigurationError: 2,
    StoreMismatchError: 3,
    NotFoundError: 4,
    AuthenticationError: 5,
    PermissionDeniedError: 5,
    StoreBusyError: BUSY_EXIT_CODE,
}

T = TypeVar("T")

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
TypeOption = Annotated[
    list[str] | None, typer.Option("--type", "-t", help="Paper type, e.g. Antrag (repeatable).")
]
FromOption = Annotated[str | None, typer.Option("--from", help="Earliest date (YYYY-MM-DD).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Latest date (YYYY-MM-DD).")]
BodyOption = Annotated[str, typer.Option("--body", help="Body in the Beratungsfolge (part of name).")]
OriginatorOption = Annotated[str, typer.Option("--originator", help="Originator (part of name).")]
ReferenceOption = Annotated[str, typer.Option("--reference", help="Exact reference number.")]


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        _fail(f"invalid configuration: {error}", 2)
        raise AssertionError from error  # unreachable


def _fail(message: str, code: int) -> None:
    typer.echo(f"Fehler: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def _errors_to_exit() -> Iterator[None]:
    try:
        yield
    except RatsinfoError as error:
        _fail(str(error), EXIT_CODES.get(type(error), 1))


def _services(settings: Settings) -> Any:
    from assistant.services import build_services

    return build_services(settings)


def _emit(model: BaseModel | dict[str, Any], as_json: bool, human: Callable[[], None]) -> None:
    if as_json:
        data = model.model_dump(mode="json") if isinstance(model, BaseModel) else model
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        human()


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise InvalidRequestError(f"{option} expects a date like 2025-01-31, got {value!r}") from error


def _filters(
    types: list[str] | None,
    date_from: str | None,
    date_to: str | None,
    body: str,
    originator: str,
    reference: str,
) -> SearchFilters:
    from ingest.metadata import normalize_paper_type

    return SearchFilters(
        paper_types=tuple(normalize_paper_type(t) or t for t in types or []),
        date_from=_parse_date(date_from, "--from"),
        date_to=_parse_date(date_to, "--to"),
        body=body,
        originator=originator,
        reference=reference,
    )


@app.command()
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
    settings = _settings()
    crawl: dict[str, Any] = {}
    with _errors_to_exit():
        if not paths and not oparl:
            raise InvalidRequestError("Bitte Dateien oder Ordner angeben, oder --oparl URL.")
        paths = paths or []
        try:
            access = frozenset(validate_group(g) for g in group) if group else frozenset({PUBLIC})
        except ValueError as error:
            raise InvalidRequestError(str(error)) from error
        services = _services(settings)
        show_progress = not as_json and sys.stderr.isatty()
        if show_progress:
            from rich.progress import Progress

            with Progress(transient=True) as progress:
                task = progress.add_task("Einlesen", total=None)
                report = services.ingestor.ingest(
                    paths,
                    access=access,
                    prune=prune,
                    on_progress=lambda done, total: progress.update(task, completed=done, total=total),
                )
        else:
            report = services.ingestor.ingest(paths, access=access, prune=prune)
        if oparl:
            crawl = _crawl_oparl(services, settings, oparl, access, report)

    def human() -> None:
        typer.echo(
            f"{report.added} neu, {report.updated} aktualisiert, {report.unchanged} unverändert, "
            f"{report.deleted} gelöscht, {len(report.failed)} fehlgeschlagen; "
            f"{report.chunks} Abschnitte eingebettet in {report.seconds:.1f} s"
        )
        if crawl:
            _echo_crawl(crawl)
        for failure in report.failed:
            typer.echo(f"  übersprungen: {failure.source}: {failure.error}", err=True)

    _emit(report.to_dict() | crawl, as_json, human)


def _crawl_oparl(
    services: Any, settings: Settings, urls: list[str] | None, access: frozenset[str] | None, report: Any
) -> dict[str, Any]:
    """Crawl OParl sources (``urls``: completely; None: every known one, what changed)."""
    from assistant.indexing.oparl_sync import OParlSync

    with services.store.writing("sync"), OParlSync(services.ingestor, services.store, settings) as oparl_sync:
        if urls is None:
            if not oparl_sync.sources():
                raise InvalidRequestError("Keine OParl-Quelle bekannt: zuerst ratsinfo ingest --oparl URL.")
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


@app.command()
def sync(as_json: JsonOption = False) -> None:
    """Bring every OParl source up to date: only what changed since its last crawl, deletions included."""
    from assistant.indexing import IngestReport

    settings = _settings()
    with _errors_to_exit():
        services = _services(settings)
        report = IngestReport()
        crawl = _crawl_oparl(services, settings, None, None, report)

    def human() -> None:
        typer.echo(
            f"{report.added} neu, {report.updated} aktualisiert, {report.unchanged} unverändert, "
            f"{report.deleted} gelöscht, {len(report.failed)} fehlgeschlagen"
        )
        _echo_crawl(crawl)
        for failure in report.failed:
            typer.echo(f"  übersprungen: {failure.source}: {failure.error}", err=True)

    _emit(crawl, as_json, human)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Search words or a question.")],
    types: TypeOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    body: BodyOption = "",
    originator: OriginatorOption = "",
    reference: ReferenceOption = "",
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="Number of results.")] = 10,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Hybrid search (dense + BM25) over the ingested documents, with filters."""
    settings = _settings()
    with _errors_to_exit(), cli_audited(settings, "search", user, query) as record:
        filters = _filters(types, date_from, date_to, body, originator, reference)
        record.filters = {**filters_to_dict(filters), "k": k}
        principal = cli_principal(settings, user)
        services = _services(settings)
        passages = services.retriever.search(query, principal, filters, k=k)
        record.returned = list(dict.fromkeys(p.document.doc_id for p in passages))
    response = SearchResponse(query=query, results=[SearchHit.from_passage(p) for p in passages])

    def human() -> None:
        if not response.results:
            typer.echo("Keine Treffer.")
        for number, hit in enumerate(response.results, start=1):
            header = " · ".join(
                part
                for part in (hit.reference, hit.paper_type, hit.date.strftime("%d.%m.%Y") if hit.date else "")
                if part
            )
            typer.echo(f"{number}. {hit.title}\n   {header} · S. {hit.page} · {hit.source}")
            snippet = " ".join(hit.text.split())
            typer.echo(f"   {snippet[:240]}{'…' if len(snippet) > 240 else ''}\n")

    _emit(response, as_json, human)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question in German.")],
    types: TypeOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    body: BodyOption = "",
    originator: OriginatorOption = "",
    user: UserOption = None,
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode",
            help="llm, extractive or auto (llm when RATSINFO_LLM_URL is set); default RATSINFO_ANSWER_MODE.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Answer a question with numbered citations: quotes, or the local LLM with checked citations."""
    settings = _settings()
    with _errors_to_exit(), cli_audited(settings, "ask", user, question) as record:
        filters = _filters(types, date_from, date_to, body, originator, "")
        record.filters = filters_to_dict(filters)
        principal = cli_principal(settings, user)
        services = _services(settings)
        response: AskResponse = services.answerer.ask(question, principal, filters, mode=mode)
        record.cited = record.returned = list(dict.fromkeys(c.doc_id for c in response.citations))

    def human() -> None:
        if response.notice:
            typer.echo(f"Hinweis: {response.notice}", err=True)
        typer.echo(response.answer)
        for removed in response.removed:
            typer.echo(f"  entfernt: {removed.text} ({removed.reason})", err=True)
        if response.citations:
            typer.echo("\nQuellen:")
        for citation in response.citations:
            label = " ".join(part for part in (citation.paper_type, citation.reference) if part)
            typer.echo(f"  [{citation.n}] {label}: {citation.title} (S. {citation.page}) – {citation.source}")

    _emit(response, as_json, human)


@app.command()
def stats(as_json: JsonOption = False) -> None:
    """Counts of documents, pages and chunks, and how the store was built."""
    settings = _settings()
    with _errors_to_exit():
        services = _services(settings)
        from assistant.stats import collect_stats  # imports Chroma: only where needed

        response = collect_stats(services.store, LOCAL_OPERATOR)

    def human() -> None:
        typer.echo(
            f"{response.documents} Dokumente, {response.pages} Seiten, {response.chunks} Abschnitte "
            f"in {response.data_dir}"
        )
        for paper_type, count in sorted(response.paper_types.items(), key=lambda item: -item[1]):
            typer.echo(f"  {paper_type or '(ohne Art)'}: {count}")

    _emit(response, as_json, human)


@app.command()
def check(
    repair: Annotated[
        bool, typer.Option("--repair", help="Make Chroma and BM25 agree with the catalog.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Verify that the catalog, Chroma and the BM25 index hold the same chunks."""
    settings = _settings()
    with _errors_to_exit():
        services = _services(settings)
        report = services.store.check(repair=repair)
    data = {
        "consistent": report.consistent,
        "repaired": report.repaired,
        "catalog_chunks": report.catalog_chunks,
        "vector_chunks": report.vector_chunks,
        "missing_vectors": len(report.missing_vectors),
        "orphan_vectors": len(report.orphan_vectors),
        "bm25_current": report.bm25_current,
        "pending_documents": report.pending_documents,
        "writer_active": writer_active(settings.data_dir),
    }
    _emit(data, as_json, lambda: typer.echo(json.dumps(data, indent=2)))
    if not report.consistent and not repair:
        raise typer.Exit(1)


@app.command("sample-corpus")
def sample_corpus(
    destination: Annotated[Path, typer.Argument(help="Folder to write the sample corpus into.")],
) -> None:
    """Write the bundled sample corpus (fictional city) with generated PDF and DOCX files."""
    from eval.sample_corpus import materialize

    written = materialize(destination)
    typer.echo(f"{written} Dateien nach {destination} geschrieben")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default RATSINFO_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default RATSINFO_PORT).")] = None,
) -> None:
    """Serve the JSON API and the web UI."""
    import uvicorn

    settings = _settings()
    if host is not None:
        settings.host = host
    if port is not None:
        settings.port = port
    with _errors_to_exit():
        from assistant.api.app import create_app
        from assistant.auth.security import build_security, ensure_safe_bind

        security = build_security(settings)
        ensure_safe_bind(settings, security.users)
        application = create_app(settings, security=security)
    uvicorn.run(application, host=settings.host, port=settings.port, log_level="info")


app.add_typer(users_app, name="users")
app.add_typer(acl_app, name="acl")
app.command("audit")(audit_command)
app.add_typer(models_app, name="models")
app.command("reindex")(reindex_command)
app.command("eval")(eval_command)
app.command("backup")(backup_command)
app.command("restore")(restore_command)


if __name__ == "__main__":  # pragma: no cover
    app()
