"""`ratsinfo search`, `ask`, `stats` and `check`: reading the store through the service layer."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.access import LOCAL_OPERATOR
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
)
from assistant.config import Settings
from assistant.errors import EmptyStoreError
from assistant.messages import HOW_TO_INGEST
from assistant.schemas import Citation, OpenedDocument
from assistant.store.writer_lock import writer_active
from ingest.metadata.paper_types import describe_paper_type

if TYPE_CHECKING:
    from assistant.service import AssistantService


def _require_documents(service: AssistantService, settings: Settings) -> None:
    """A fresh data dir has nothing to search: say so, and how to ingest, instead of "no answer"."""
    if not service.has_documents():
        raise EmptyStoreError(
            f"nothing has been ingested into {settings.data_dir} yet",
            german=f"In {settings.data_dir} sind noch keine Dokumente eingelesen. {HOW_TO_INGEST}",
        )


def _echo_opened(opened: OpenedDocument | None) -> None:
    """The line that says a bare reference number named this paper (it is the first result)."""
    if opened is not None:
        details = ", ".join(
            part
            for part in (opened.paper_type, opened.date.strftime("%d.%m.%Y") if opened.date else "")
            if part
        )
        typer.echo(
            f"Drucksache {opened.reference} geöffnet: {opened.title}"
            + (f" ({details})" if details else "")
            + f" · Dokument-ID {opened.doc_id}\n"
        )


def search(
    query: Annotated[str, typer.Argument(help="Search words or a question.")],
    types: TypeOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    body: BodyOption = "",
    originator: OriginatorOption = "",
    reference: ReferenceOption = "",
    result: ResultOption = "",
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="Number of results.")] = 10,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Hybrid search (dense + BM25) over the ingested documents, with filters."""
    settings = load_settings()
    with errors_to_exit():
        with refusal_audited(settings, "search", user, query) as refused:
            filters = build_filters(types, date_from, date_to, body, originator, reference, result)
            refused.filters = {**filters_to_dict(filters), "k": k}
            caller = cli_caller(settings, user)
            service = open_services(settings).service
            _require_documents(service, settings)
        response = service.search(caller, query, filters, k)

    def human() -> None:
        _echo_opened(response.opened)
        if not response.results:
            typer.echo("Keine Treffer.")
        for number, hit in enumerate(response.results, start=1):
            header = " · ".join(
                part
                for part in (
                    hit.reference,
                    describe_paper_type(hit.paper_type, hit.paper_family),
                    hit.date.strftime("%d.%m.%Y") if hit.date else "",
                )
                if part
            )
            typer.echo(f"{number}. {hit.title}\n   {header} · S. {hit.page} · {hit.source}")
            snippet = " ".join(hit.text.split())
            typer.echo(f"   {snippet[:240]}{'…' if len(snippet) > 240 else ''}\n")

    emit(response, as_json, human)


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
    settings = load_settings()
    with errors_to_exit():
        with refusal_audited(settings, "ask", user, question) as refused:
            filters = build_filters(types, date_from, date_to, body, originator, "")
            refused.filters = filters_to_dict(filters)
            caller = cli_caller(settings, user)
            service = open_services(settings).service
            _require_documents(service, settings)
        response = service.ask(caller, question, filters, mode=mode)

    def human() -> None:
        _echo_opened(response.opened)
        if response.notice:
            typer.echo(f"Hinweis: {response.notice}", err=True)
        typer.echo(response.answer)
        for removed in response.removed:
            typer.echo(f"  entfernt: {removed.text} ({removed.reason})", err=True)
        if response.citations:
            typer.echo("\nQuellen:")
        for citation in response.citations:
            typer.echo(f"  [{citation.n}] {_source_line(citation)}")

    emit(response, as_json, human)


def _source_line(citation: Citation) -> str:
    """A passage: type, reference, title, page and file; a record of the council process: what
    it is, with meeting, day, body and agenda item, then the paper."""
    label = " ".join(part for part in (citation.paper_type, citation.reference) if part)
    record = citation.record
    if record is None:
        return f"{label}: {citation.title} (S. {citation.page}) – {citation.source}"
    when = f"{record.date:%d.%m.%Y}" if record.date else ""
    item = f"TOP {record.agenda_item}" if record.agenda_item else ""
    where = ", ".join(part for part in (when, record.body, item) if part)
    paper = f"{label}: {citation.title}" if label else citation.title
    return f"Sitzungsdaten ({record.what}{': ' + where if where else ''}) – {paper}"


def stats(as_json: JsonOption = False) -> None:
    """Counts of documents, pages and chunks, and how the store was built."""
    settings = load_settings()
    with errors_to_exit():
        service = open_services(settings).service
        response = service.stats(LOCAL_OPERATOR)

    def human() -> None:
        typer.echo(
            f"{response.documents} Dokumente, {response.pages} Seiten, {response.chunks} Abschnitte "
            f"in {response.data_dir}"
        )
        # Families, each with the types as the sources state them beneath it.
        for family in service.facets(LOCAL_OPERATOR).paper_families:
            typer.echo(f"  {family.value or '(andere Arten)'}: {family.count}")
            for paper_type in family.types:
                typer.echo(f"      {paper_type.value}: {paper_type.count}")
        untyped = response.paper_types.get("", 0)
        if untyped:
            typer.echo(f"  (ohne Art): {untyped}")

    emit(response, as_json, human)


def check(
    repair: Annotated[
        bool, typer.Option("--repair", help="Make Chroma and BM25 agree with the catalog.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Verify that the catalog, Chroma and the BM25 index hold the same chunks."""
    settings = load_settings()
    with errors_to_exit():
        report = open_services(settings).store.check(repair=repair)
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
    emit(data, as_json, lambda: typer.echo(json.dumps(data, indent=2)))
    if not report.consistent and not repair:
        raise typer.Exit(1)
