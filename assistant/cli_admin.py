"""`ratsinfo users`, `ratsinfo acl` and `ratsinfo audit`, plus who the CLI acts as.

Registered on the main app in assistant/cli.py. The shared helpers of assistant.cli (settings,
error → exit code, JSON output) are imported when a command runs, not at import time, because
assistant.cli imports this module.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from types import ModuleType
from typing import Annotated

import typer

from assistant.access import LOCAL_OPERATOR, PUBLIC, Principal, validate_group
from assistant.audit import AuditEntry, AuditLog
from assistant.auth.users import UserStore
from assistant.config import Settings
from assistant.errors import InvalidRequestError, NotFoundError

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
UserOption = Annotated[
    str | None,
    typer.Option("--user", "-u", help="Act as this user (their groups); default: the local operator."),
]

users_app = typer.Typer(name="users", help="Users, their groups and API tokens.", no_args_is_help=True)
acl_app = typer.Typer(name="acl", help="Who may see a document.", no_args_is_help=True)


def _cli() -> ModuleType:
    from assistant import cli

    return cli


# -- who the CLI acts as, and its audit records ----------------------------------------------


def cli_principal(settings: Settings, user: str | None) -> Principal:
    """The local operator (full rights), or with ``--user`` that user's groups (unknown: error)."""
    if user is None:
        return LOCAL_OPERATOR
    return UserStore(settings.users_path).active_user(user).principal()


@contextmanager
def cli_audited(settings: Settings, action: str, user: str | None, query: str = "") -> Iterator[AuditEntry]:
    """An audit record (interface "cli") written when the block ends, as an error if it raised."""
    with AuditLog(settings.audit_path).recording(user or LOCAL_OPERATOR.name, "cli", action, query) as entry:
        yield entry


def _groups(group: list[str] | None) -> frozenset[str]:
    try:
        return frozenset(validate_group(g) for g in group or [])
    except ValueError as error:
        raise InvalidRequestError(str(error)) from error


# -- ratsinfo users ----------------------------------------------------------------------------


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name, e.g. anna.")],
    group: Annotated[
        list[str] | None, typer.Option("--group", "-g", help="A group the user belongs to (repeatable).")
    ] = None,
    admin: Annotated[bool, typer.Option("--admin", help="May ingest and manage users via the API.")] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read a password for the web UI from stdin.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Create a user and print their API token (shown only this once)."""
    cli = _cli()
    settings = cli._settings()
    with cli._errors_to_exit(), cli_audited(settings, "users-add", None, name) as record:
        groups = _groups(group)
        record.filters = {"groups": sorted(groups), "admin": admin}
        password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
        if password_stdin and not password:
            raise InvalidRequestError("--password-stdin: no password on stdin")
        user, token = UserStore(settings.users_path).add(name, groups, admin=admin, password=password)
    groups_out = sorted(user.groups)
    data = {"name": user.name, "groups": groups_out, "admin": user.admin, "token": token}

    def human() -> None:
        typer.echo(f"Benutzer {user.name} angelegt (Gruppen: {', '.join(groups_out) or '–'}).")
        typer.echo(f"Token (wird nur jetzt angezeigt): {token}")

    cli._emit(data, as_json, human)


@users_app.command("list")
def users_list(as_json: JsonOption = False) -> None:
    """List users with their groups and role (never tokens)."""
    cli = _cli()
    settings = cli._settings()
    with cli._errors_to_exit():
        users = UserStore(settings.users_path).users()
    data = {"users": [user.to_dict() for user in users]}

    def human() -> None:
        if not users:
            typer.echo("Keine Benutzer. Anlegen mit: ratsinfo users add NAME --group GRUPPE")
        for user in users:
            state = f"gesperrt seit {user.revoked}" if user.revoked else "aktiv"
            role = " (Admin)" if user.admin else ""
            typer.echo(f"{user.name}{role}: {', '.join(sorted(user.groups)) or '–'} · {state}")

    cli._emit(data, as_json, human)


@users_app.command("revoke")
def users_revoke(
    name: Annotated[str, typer.Argument(help="The user whose token and password stop working.")],
    as_json: JsonOption = False,
) -> None:
    """Revoke a user's token and password at once (the user stays on record)."""
    cli = _cli()
    settings = cli._settings()
    with cli._errors_to_exit(), cli_audited(settings, "users-revoke", None, name):
        user = UserStore(settings.users_path).revoke(name)
    cli._emit(user.to_dict(), as_json, lambda: typer.echo(f"Benutzer {user.name} gesperrt."))


# -- ratsinfo acl ------------------------------------------------------------------------------


@acl_app.command("set")
def acl_set(
    document: Annotated[str, typer.Argument(help="Document id, or a reference number naming one document.")],
    group: Annotated[
        list[str] | None, typer.Option("--group", "-g", help="A group that may see it (repeatable).")
    ] = None,
    public: Annotated[bool, typer.Option("--public", help="Everybody may see it.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Change who may see a document, in the catalog and on every chunk, without re-embedding."""
    cli = _cli()
    settings = cli._settings()
    with cli._errors_to_exit(), cli_audited(settings, "acl-set", None, document) as record:
        if public == bool(group):
            raise InvalidRequestError("give either --public or at least one --group")
        access = frozenset({PUBLIC}) if public else _groups(group)
        services = cli._services(settings)
        documents = services.store.documents()
        if document in documents:
            found = documents[document]
        else:
            matches = [doc for doc in documents.values() if doc.reference == document]
            if not matches:
                raise NotFoundError(f"no document with id or reference {document!r}")
            if len(matches) > 1:
                ids = ", ".join(f"{doc.doc_id} ({doc.title[:50]})" for doc in matches)
                raise InvalidRequestError(f"reference {document!r} names {len(matches)} documents: {ids}")
            found = matches[0]
        services.store.set_access(found.doc_id, access)
        record.returned = [found.doc_id]
        record.filters = {"from": sorted(found.access), "to": sorted(access)}
    before, after = sorted(found.access), sorted(access)
    data = {"doc_id": found.doc_id, "title": found.title, "from": before, "to": after}
    cli._emit(data, as_json, lambda: typer.echo(f"{found.title}: {', '.join(before)} → {', '.join(after)}"))


# -- ratsinfo audit ----------------------------------------------------------------------------


def _since(value: str | None) -> datetime | date | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
    except ValueError as error:
        raise InvalidRequestError(f"--since expects a date like 2026-01-31, got {value!r}") from error


def audit_command(
    user: Annotated[str | None, typer.Option("--user", "-u", help="Only this user's records.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only records from this date (YYYY-MM-DD) on, UTC.")
    ] = None,
    interface: Annotated[
        str | None, typer.Option("--interface", help="Only records of api, cli or ui.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the newest N records.")] = None,
    verify: Annotated[
        bool,
        typer.Option("--verify", help="Recompute the hash chain; exit 1 naming the first broken record."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Query the audit log (who asked what, when, what came back), or verify its hash chain."""
    cli = _cli()
    settings = cli._settings()
    log = AuditLog(settings.audit_path)
    if verify:
        report = log.verify()

        def human_verify() -> None:
            if report.ok:
                typer.echo(f"Prüfkette intakt: {report.checked} Einträge, letzter Hash {report.head}")
            else:
                typer.echo(
                    f"Prüfkette gebrochen bei Eintrag {report.broken_id}: {report.reason} "
                    f"({report.checked} Einträge davor intakt)"
                )

        cli._emit(report.to_dict(), as_json, human_verify)
        if not report.ok:
            raise typer.Exit(1)
        return
    with cli._errors_to_exit():
        records = log.records(user=user, since=_since(since), interface=interface, limit=limit)
    data = {"records": [record.to_dict() for record in records]}

    def human() -> None:
        if not records:
            typer.echo("Keine Einträge.")
        for record in records:
            query = " ".join(record.query.split())
            typer.echo(
                f"{record.id:>6} {record.time[:19]} {record.user} [{record.interface}] {record.action} "
                f"{record.status} „{query[:80]}“ → {len(record.returned)} Dok., {len(record.cited)} zitiert"
            )

    cli._emit(data, as_json, human)
