"""The `ratsinfo` command: the composition root that wires settings, services, UI and evaluation.

One module per command group; what they share (settings, output, options, exit codes) is in
assistant/cli/common.py, who the CLI acts as in assistant/cli/acting.py. This package (with the
API's app factory) is the only place in assistant/ that may import ``ui`` and ``eval``.
"""

from __future__ import annotations

import typer

from assistant.cli import admin, alerts, backup, evaluation, ingest, models, process, search, serve
from assistant.cli.common import exit_codes_help

app = typer.Typer(
    name="ratsinfo",
    help="Offline assistant for council documents (ALLRIS, OParl): ingest, search, ask, serve. "
    "Messages to people are German; logs are English.",
    epilog=exit_codes_help(),
    no_args_is_help=True,
    add_completion=False,
)

# Registered in the order `ratsinfo --help` lists them.
app.command("ingest")(ingest.ingest)
app.command("sync")(ingest.sync)
app.command("search")(search.search)
app.command("ask")(search.ask)
app.command("stats")(search.stats)
app.command("check")(search.check)
app.command("history")(process.history)
app.command("meetings")(process.meetings)
app.command("agenda")(process.agenda)
app.command("papers")(process.papers)
app.command("related")(process.related)
app.add_typer(alerts.alerts_app, name="alerts")
app.command("sample-corpus")(serve.sample_corpus)
app.command("serve")(serve.serve)
app.add_typer(admin.users_app, name="users")
app.add_typer(admin.acl_app, name="acl")
app.command("audit")(admin.audit_command)
app.add_typer(models.models_app, name="models")
app.command("reindex")(models.reindex_command)
app.command("eval")(evaluation.eval_command)
app.command("backup")(backup.backup_command)
app.command("restore")(backup.restore_command)

__all__ = ["app"]
