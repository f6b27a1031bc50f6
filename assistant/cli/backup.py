"""`ratsinfo backup DEST` and `ratsinfo restore SRC` (assistant/backup.py does the work)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.common import JsonOption, emit, errors_to_exit, load_settings


def backup_command(
    destination: Annotated[Path, typer.Argument(help="New (or empty) folder to write the backup into.")],
    as_json: JsonOption = False,
) -> None:
    """Back up the data dir (store, users, audit log, OParl state) as a consistent snapshot."""
    from assistant.backup import backup

    settings = load_settings()
    with errors_to_exit():
        report = backup(settings.data_dir, destination)

    def human() -> None:
        typer.echo(
            f"Sicherung in {report.folder}: {report.files} Dateien, {report.bytes / 1e6:.1f} MB, "
            f"{report.documents} Dokumente, {report.chunks} Abschnitte ({report.seconds:.1f} s)"
        )

    emit(report.to_dict(), as_json, human)


def restore_command(
    source: Annotated[Path, typer.Argument(help="Folder written by `ratsinfo backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the content of a data dir that is not empty.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Restore a backup into the data dir (refuses a non-empty one without --force)."""
    from assistant.backup import restore

    settings = load_settings()
    with errors_to_exit():
        report = restore(source, settings.data_dir, force=force)

    def human() -> None:
        typer.echo(
            f"Wiederhergestellt nach {report.folder}: {report.files} Dateien, {report.documents} "
            f"Dokumente, {report.chunks} Abschnitte. Laufende Server (ratsinfo serve) neu starten."
        )

    emit(report.to_dict(), as_json, human)
