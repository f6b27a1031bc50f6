"""`ratsinfo alerts`: saved searches, followed papers, e-mail and feed, delivery and its status.

Subscriptions belong to a user (``--user``, required): the operator manages them on the user's
behalf, each change recorded in the audit log as that user's on the CLI. ``deliver`` and
``status`` concern every user's e-mail (the outbox).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.acting import cli_caller, refusal_audited
from assistant.cli.common import (
    BodyOption,
    FromOption,
    JsonOption,
    OriginatorOption,
    ResultOption,
    ToOption,
    TypeOption,
    build_filters,
    emit,
    errors_to_exit,
    load_settings,
    open_services,
)

if TYPE_CHECKING:
    from assistant.service import Caller
    from assistant.service.alerts_service import AlertsService

alerts_app = typer.Typer(
    name="alerts",
    help="Saved searches, followed papers and their alerts (UI, feed, e-mail).",
    no_args_is_help=True,
)
AlertUser = Annotated[str, typer.Option("--user", "-u", help="The user whose alerts these are.")]


def _acting(action: str, user: str, query: str = "") -> tuple[Caller, AlertsService]:
    settings = load_settings()
    with refusal_audited(settings, action, user, query):
        caller = cli_caller(settings, user)
        return caller, open_services(settings).alerts


@alerts_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A name for the search, e.g. Radverkehr.")],
    user: AlertUser,
    query: Annotated[
        str, typer.Option("--query", "-q", help="Search terms (empty: the filters alone).")
    ] = "",
    types: TypeOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    body: BodyOption = "",
    originator: OriginatorOption = "",
    result: ResultOption = "",
    as_json: JsonOption = False,
) -> None:
    """Save a search: after every ingest or sync, new and changed documents it finds are alerts."""
    with errors_to_exit():
        filters = build_filters(types, date_from, date_to, body, originator, "", result)
        caller, alerts = _acting("alerts-add", user, query)
        saved = alerts.add_search(caller, name, query, filters)
    emit(saved, as_json, lambda: typer.echo(f"Suche „{saved.name}“ gespeichert (Nr. {saved.id})."))


@alerts_app.command("list")
def list_command(user: AlertUser, as_json: JsonOption = False) -> None:
    """The user's saved searches, followed papers, e-mail setting and feed."""
    with errors_to_exit():
        caller, alerts = _acting("alerts-list", user)
        found = alerts.subscriptions(caller)

    def human() -> None:
        typer.echo(f"Gespeicherte Suchen ({len(found.searches)}):")
        for search in found.searches:
            filters = ", ".join(f"{key}={value}" for key, value in search.filters.items())
            typer.echo(f"  {search.id}: {search.name} – „{search.query}“ {filters}".rstrip())
        typer.echo(f"Verfolgte Vorgänge ({len(found.follows)}):")
        for follow in found.follows:
            typer.echo(f"  {follow.reference or follow.doc_id}: {follow.title}")
        mail = f"{found.mail.address} ({found.mail.digest})" if found.mail else "aus"
        typer.echo(f"E-Mail: {mail} · Feed: {'eingerichtet' if found.feed else 'keiner'}")

    emit(found, as_json, human)


@alerts_app.command("remove")
def remove(
    wanted: Annotated[str, typer.Argument(help="Number or name of the saved search.")],
    user: AlertUser,
    as_json: JsonOption = False,
) -> None:
    """Remove a saved search."""
    with errors_to_exit():
        caller, alerts = _acting("alerts-remove", user, wanted)
        removed = alerts.remove_search(caller, wanted)
    emit(removed, as_json, lambda: typer.echo(f"Suche „{removed.name}“ entfernt."))


@alerts_app.command("follow")
def follow(
    paper: Annotated[str, typer.Argument(help="Reference (e.g. 2024/0884/3) or document id.")],
    user: AlertUser,
    as_json: JsonOption = False,
) -> None:
    """Follow a paper: new consultations, agenda items, results, linked papers and files are alerts."""
    with errors_to_exit():
        caller, alerts = _acting("alerts-follow", user, paper)
        followed = alerts.follow(caller, paper)
    emit(followed, as_json, lambda: typer.echo(f"Sie folgen {followed.reference}: {followed.title}".strip()))


@alerts_app.command("unfollow")
def unfollow(
    paper: Annotated[str, typer.Argument(help="Reference or document id of a followed paper.")],
    user: AlertUser,
    as_json: JsonOption = False,
) -> None:
    """Stop following a paper."""
    with errors_to_exit():
        caller, alerts = _acting("alerts-unfollow", user, paper)
        doc_id = alerts.unfollow(caller, paper)
    emit({"doc_id": doc_id}, as_json, lambda: typer.echo("Sie folgen dem Vorgang nicht mehr."))


@alerts_app.command("email")
def email(
    user: AlertUser,
    address: Annotated[str, typer.Option("--address", help="Where the alerts go.")] = "",
    digest: Annotated[
        str, typer.Option("--digest", help="immediate (one e-mail per run), daily, or off.")
    ] = "immediate",
    as_json: JsonOption = False,
) -> None:
    """Alerts by e-mail: where, and how often."""
    with errors_to_exit():
        caller, alerts = _acting("alerts-email", user)
        saved = alerts.set_mail(caller, address, digest)
    emit(saved, as_json, lambda: typer.echo(f"E-Mail: {saved.address or '–'} ({saved.digest})"))


@alerts_app.command("feed")
def feed(
    user: AlertUser,
    revoke: Annotated[bool, typer.Option("--revoke", help="Stop the user's feed addresses.")] = False,
    as_json: JsonOption = False,
) -> None:
    """A new Atom feed address for a feed reader (shown only now; earlier ones stop), or --revoke."""
    with errors_to_exit():
        caller, alerts = _acting("alerts-feed", user)
        if revoke:
            count = alerts.revoke_feed(caller)
            emit({"revoked": count}, as_json, lambda: typer.echo(f"{count} Feed-Adresse(n) gesperrt."))
            return
        created = alerts.create_feed(caller)

    def human() -> None:
        typer.echo("Feed-Adresse (wird nur jetzt angezeigt):")
        typer.echo(created.url)

    emit(created, as_json, human)


@alerts_app.command("new")
def new(
    user: AlertUser,
    seen: Annotated[bool, typer.Option("--seen", help="Mark them as seen afterwards.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The user's alerts since they were last marked seen ("Neu für Sie")."""
    with errors_to_exit():
        caller, alerts = _acting("alerts-new", user)
        found = alerts.new_alerts(caller, mark_seen=seen)

    def human() -> None:
        if not found.alerts:
            typer.echo("Nichts Neues.")
        for alert in found.alerts:
            typer.echo(f"{alert.created[:16]}  {alert.reference} {alert.title} – {alert.reason}".strip())
            for event in alert.events:
                typer.echo(f"    {event}")

    emit(found, as_json, human)


@alerts_app.command("deliver")
def deliver(
    every: Annotated[
        bool, typer.Option("--all", help="Every pending e-mail now: also retries still backing off.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Send the alert e-mails that are due: daily digests, retries whose wait is over (cron)."""
    with errors_to_exit():
        report = open_services(load_settings()).alerts.deliver(force=every)

    def human() -> None:
        if report.skipped:
            typer.echo(f"Nichts versandt: {report.skipped}")
        typer.echo(
            f"{report.sent} versandt, {report.failed} fehlgeschlagen, {report.dropped} verworfen, "
            f"{report.pending} ausstehend"
        )
        for error in report.errors:
            typer.echo(f"  Fehler: {error}", err=True)

    emit(report, as_json, human)
    if report.failed:
        raise typer.Exit(1)


@alerts_app.command("status")
def status(as_json: JsonOption = False) -> None:
    """The e-mail outbox: digests pending, sent and dropped, with attempts and last errors."""
    with errors_to_exit():
        found = open_services(load_settings()).alerts.status()

    def human() -> None:
        counts = found.counts
        typer.echo(
            f"SMTP: {found.smtp or 'nicht eingerichtet'} · ausstehend {counts['pending']}, "
            f"versandt {counts['sent']}, verworfen {counts['dropped']}"
        )
        for row in found.outbox:
            error = f" – {row.last_error}" if row.last_error else ""
            typer.echo(
                f"  #{row.id} {row.user}: {row.alerts} Hinweise, {row.state}, {row.attempts} Versuche, "
                f"fällig {row.due}{error}"
            )

    emit(found, as_json, human)
