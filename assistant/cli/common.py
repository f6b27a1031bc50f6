"""What every `ratsinfo` command shares: settings read at the edge, output, options, exit codes.

Settings are read here, once per command, and passed down; nothing below reads the environment.
What a command tells a person is German (errors through assistant/messages.py); logs are English.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import BaseModel, ValidationError

from assistant.config import Settings
from assistant.errors import (
    AuthenticationError,
    ConfigurationError,
    EmptyStoreError,
    InvalidRequestError,
    NotFoundError,
    NothingReadError,
    PermissionDeniedError,
    RatsinfoError,
    StoreBusyError,
    StoreMismatchError,
)
from assistant.messages import user_message
from assistant.models import SearchFilters
from assistant.store.writer_lock import BUSY_EXIT_CODE

if TYPE_CHECKING:
    from assistant.services import Services

# The one place that maps the project's errors to exit codes (0 ok, 1 any other failure); the
# table in README ("Exit codes") and `ratsinfo --help` list them.
EXIT_CODES: dict[type[RatsinfoError], int] = {
    InvalidRequestError: 2,
    ConfigurationError: 2,
    StoreMismatchError: 3,
    NotFoundError: 4,
    AuthenticationError: 5,
    PermissionDeniedError: 5,
    EmptyStoreError: 6,
    NothingReadError: 7,
    StoreBusyError: BUSY_EXIT_CODE,
}

# What each exit status means (`ratsinfo --help` and README, "Exit codes").
EXIT_CODE_MEANINGS: dict[int, str] = {
    0: "done (an ingest that read some sources but not all lists the others as failed)",
    1: "any other failure",
    2: "invalid input or configuration",
    3: "the store was built with another embedder, chunker or schema",
    4: "not found (document, user)",
    5: "not authenticated or not allowed",
    6: "nothing ingested yet: search and ask have no documents",
    7: "ingest could read none of the sources it was given",
    BUSY_EXIT_CODE: "another process is writing to the data dir",
}


def exit_codes_help() -> str:
    """The exit codes as a paragraph for ``ratsinfo --help``."""
    return (
        "Exit codes: " + "; ".join(f"{code} {meaning}" for code, meaning in EXIT_CODE_MEANINGS.items()) + "."
    )


JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
UserOption = Annotated[
    str | None,
    typer.Option("--user", "-u", help="Act as this user (their groups); default: the local operator."),
]
TypeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--type",
        "-t",
        help="Paper type as stated (Beschlussempfehlung) or its family (Antrag), repeatable.",
    ),
]
FromOption = Annotated[str | None, typer.Option("--from", help="Earliest date (YYYY-MM-DD).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Latest date (YYYY-MM-DD).")]
BodyOption = Annotated[str, typer.Option("--body", help="Body in the Beratungsfolge (part of name).")]
OriginatorOption = Annotated[str, typer.Option("--originator", help="Originator (part of name).")]
ReferenceOption = Annotated[str, typer.Option("--reference", help="Exact reference number.")]
ResultOption = Annotated[
    str,
    typer.Option(
        "--result",
        help="Outcome of a paper's last result: angenommen, abgelehnt, verwiesen, zur Kenntnis genommen, …",
    ),
]


def load_settings() -> Settings:
    """The settings from the environment (RATSINFO_*); an invalid value exits with code 2."""
    try:
        return Settings()
    except ValidationError as error:
        # pydantic's own words about the value stay as they are, as click's usage errors do.
        problems = "; ".join(
            f"RATSINFO_{str(p['loc'][0]).upper()}: {p['msg']}" if p["loc"] else p["msg"]
            for p in error.errors()
        )
        fail(f"Ungültige Einstellung – {problems}", 2)
        raise AssertionError from error  # unreachable


def fail(message: str, code: int) -> None:
    """Print ``message`` (German) as an error and exit with ``code``."""
    typer.echo(f"Fehler: {message}", err=True)
    raise typer.Exit(code)


def exit_code(error: RatsinfoError) -> int:
    """The exit code of ``error``: that of its class, or of the nearest base class mapped."""
    for kind in type(error).__mro__:
        if kind in EXIT_CODES:
            return EXIT_CODES[kind]
    return 1


@contextmanager
def errors_to_exit() -> Iterator[None]:
    """The project's errors end the command with their German message and exit code."""
    try:
        yield
    except RatsinfoError as error:
        fail(user_message(error), exit_code(error))


def open_services(settings: Settings) -> Services:
    """Store, embedder, retriever, answerer and the service layer (Chroma is imported only here)."""
    from assistant.services import build_services

    return build_services(settings)


def emit(model: BaseModel | dict[str, Any], as_json: bool, human: Callable[[], None]) -> None:
    """``model`` as JSON on stdout with ``--json``, otherwise what ``human`` prints."""
    if as_json:
        data = model.model_dump(mode="json") if isinstance(model, BaseModel) else model
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        human()


def parse_date(value: str | None, option: str) -> date | None:
    """An ISO date given to ``option``, or None; InvalidRequestError for anything else."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise InvalidRequestError(
            f"{option} expects a date like 2025-01-31, got {value!r}",
            german=f"{option} erwartet ein Datum wie 2025-01-31, nicht {value!r}.",
        ) from error


def build_filters(
    types: list[str] | None,
    date_from: str | None,
    date_to: str | None,
    body: str,
    originator: str,
    reference: str,
    result: str = "",
) -> SearchFilters:
    """The search filters of the command-line options."""
    return SearchFilters(
        paper_types=tuple(types or ()),
        date_from=parse_date(date_from, "--from"),
        date_to=parse_date(date_to, "--to"),
        body=body,
        originator=originator,
        reference=reference,
        result=result,
    )
