"""`ratsinfo serve` (the API and the web UI) and `ratsinfo sample-corpus`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.common import errors_to_exit, load_settings


def sample_corpus(
    destination: Annotated[Path, typer.Argument(help="Folder to write the sample corpus into.")],
) -> None:
    """Write the bundled sample corpus (fictional city) with generated PDF and DOCX files."""
    from eval.sample_corpus import materialize

    written = materialize(destination)
    typer.echo(f"{written} Dateien nach {destination} geschrieben")


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default RATSINFO_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default RATSINFO_PORT).")] = None,
) -> None:
    """Serve the JSON API and the web UI."""
    import uvicorn

    settings = load_settings()
    if host is not None:
        settings.host = host
    if port is not None:
        settings.port = port
    with errors_to_exit():
        from assistant.api.app import create_app
        from assistant.auth.security import build_security, ensure_safe_bind

        security = build_security(settings)
        ensure_safe_bind(settings, security.users)
        application = create_app(settings, security=security)
    uvicorn.run(application, host=settings.host, port=settings.port, log_level="info")
