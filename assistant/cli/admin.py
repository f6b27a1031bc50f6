"""`ratsinfo users`, `ratsinfo acl` and `ratsinfo audit`."""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import Annotated

import typer

from assistant.access import LOCAL_OPERATOR, PUBLIC, checked_groups
from assistant.audit import AuditLog
from assistant.auth.users import UserStore
from assistant.cli.acting import INTERFACE, cli_audited, refusal_audited
from assistant.cli.common import JsonOption, emit, errors_to_exit, load_settings, open_services
from assistant.errors import InvalidRequestError

users_app = typer.Typer(name="users", help="Users, their groups and API tokens.", no_args_is_help=True)
acl_app = typer.Typer(name="acl", help="Who may see a document.", no_args_is_help=True)


def _groups(group: list[str] | None) -> frozenset[str]:
    return checked_groups(group or [])


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
    settings = load_settings()
    with errors_to_exit(), cli_audited(settings, "users-add", None, name) as record:
        groups = _groups(group)
        record.filters = {"groups": sorted(groups), "admin": admin}
        password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
        if password_stdin and not password:
            raise InvalidRequestError(
                "--password-stdin: no password on stdin",
                german="--password-stdin: auf der Standardeingabe kam kein Passwort.",
            )
        user, token = UserStore(settings.users_path).add(name, groups, admin=admin, password=password)
    groups_out = sorted(user.groups)
    data = {"name": user.name, "groups": groups_out, "admin": user.admin, "token": token}

    def human() -> None:
        typer.echo(f"Benutzer {user.name} angelegt (Gruppen: {', '.join(groups_out) or '–'}).")
        typer.echo(f"Token (wird nur jetzt angezeigt): {token}")

    emit(data, as_json, human)


@users_app.command("list")
def users_list(as_json: JsonOption = False) -> None:
    """List users with their groups and role (never tokens)."""
    settings = load_settings()
    with errors_to_exit():
        users = UserStore(settings.users_path).users()
    data = {"users": [user.to_dict() for user in users]}

    def human() -> None:
        if not users:
            typer.echo("Keine Benutzer. Anlegen mit: ratsinfo users add NAME --group GRUPPE")
        for user in users:
            state = f"gesperrt seit {user.revoked}" if user.revoked else "aktiv"
            role = " (Admin)" if user.admin else ""
            typer.echo(f"{user.name}{role}: {', '.join(sorted(user.groups)) or '–'} · {state}")

    emit(data, as_json, human)


@users_app.command("revoke")
def users_revoke(
    name: Annotated[str, typer.Argument(help="The user whose token and password stop working.")],
    as_json: JsonOption = False,
) -> None:
    """Revoke a user's token and password at once (the user stays on record)."""
    settings = load_settings()
    with errors_to_exit(), cli_audited(settings, "users-revoke", None, name):
        user = UserStore(settings.users_path).revoke(name)
    emit(user.to_dict(), as_json, lambda: typer.echo(f"Benutzer {user.name} gesperrt."))


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
    settings = load_settings()
    with errors_to_exit():
        with refusal_audited(settings, "acl-set", None, document):
            if public == bool(group):
                raise InvalidRequestError(
                    "give either --public or at least one --group",
                    german="Entweder --public oder mindestens eine --group angeben.",
                )
            access = frozenset({PUBLIC}) if public else _groups(group)
            service = open_services(settings).service
        from assistant.service import Caller

        change = service.set_access(Caller(LOCAL_OPERATOR, INTERFACE), document, access)
    before, after = ", ".join(change.before), ", ".join(change.after)
    emit(change.to_dict(), as_json, lambda: typer.echo(f"{change.title}: {before} → {after}"))


# -- ratsinfo audit ----------------------------------------------------------------------------


def _since(value: str | None) -> datetime | date | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
    except ValueError as error:
        raise InvalidRequestError(
            f"--since expects a date like 2026-01-31, got {value!r}",
            german=f"--since erwartet ein Datum wie 2026-01-31, nicht {value!r}.",
        ) from error


def audit_command(
    user: Annotated[str | None, typer.Option("--user", "-u", help="Only this user's records.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only records from this date (YYYY-MM-DD) on, UTC.")
    ] = None,
    interface: Annotated[
        str | None, typer.Option("--interface", help="Only records of api, cli, ui, eval or alerts.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the newest N records.")] = None,
    verify: Annotated[
        bool,
        typer.Option("--verify", help="Recompute the hash chain; exit 1 naming the first broken record."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Query the audit log (who asked what, when, what came back), or verify its hash chain."""
    settings = load_settings()
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

        emit(report.to_dict(), as_json, human_verify)
        if not report.ok:
            raise typer.Exit(1)
        return
    with errors_to_exit():
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

    emit(data, as_json, human)
