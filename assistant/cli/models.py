"""`ratsinfo models check|download` and `ratsinfo reindex`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, cast

import typer

from assistant.cli.common import JsonOption, emit, errors_to_exit, load_settings
from assistant.config import DEFAULT_EMBED_MODEL

models_app = typer.Typer(
    name="models", help="Embedding, reranking and LLM models for on-premise installs.", no_args_is_help=True
)


@models_app.command("check")
def models_check(as_json: JsonOption = False) -> None:
    """Load every configured model offline (embedder, reranker) and probe the LLM server."""
    settings = load_settings()
    from assistant.models_admin import check_models
    from assistant.offline import disable_phone_home

    disable_phone_home()
    checks = check_models(settings)
    failed = any(check.status == "fehler" for check in checks)
    data = {"ok": not failed, "models": [check.to_dict() for check in checks]}

    def human() -> None:
        for check in checks:
            typer.echo(f"{check.role:<9} {check.status:<8} {check.configured or '-'}")
            typer.echo(f"          {check.detail}")

    emit(data, as_json, human)
    if failed:
        raise typer.Exit(1)


@models_app.command("download")
def models_download(
    name: Annotated[str, typer.Argument(help="Hub name, e.g. intfloat/multilingual-e5-base.")],
    to: Annotated[Path, typer.Option("--to", help="Empty folder to save the model in.")],
    kind: Annotated[
        str, typer.Option("--kind", help="embedding (SentenceTransformer) or reranker (CrossEncoder).")
    ] = "embedding",
    as_json: JsonOption = False,
) -> None:
    """On a connected machine: fetch a model and save it for an air-gapped install."""
    from assistant.models_admin import ModelKind, allow_hub_downloads, download_model

    # The one command that may download: asked for by name, by the operator.
    allow_hub_downloads()
    with errors_to_exit():
        report = download_model(name, to, cast(ModelKind, kind))  # checked inside
    variable = "RATSINFO_EMBED_MODEL" if kind == "embedding" else "RATSINFO_RERANK_MODEL"

    def human() -> None:
        typer.echo(
            f"{report.name} gespeichert in {report.folder} ({report.files} Dateien, {report.megabytes} MB). "
            f"Auf dem Server: {variable}=<Pfad zu diesem Ordner>"
        )

    emit(report.to_dict(), as_json, human)


def reindex_command(as_json: JsonOption = False) -> None:
    """Re-embed all stored chunks with the configured embedder (no source is read again)."""
    settings = load_settings()
    from assistant.embedding import build_embedder
    from assistant.offline import disable_phone_home
    from assistant.store.reindex import reindex

    disable_phone_home()
    with errors_to_exit():
        if not settings.embed_model.strip():  # unset: move the store to the default model
            settings = settings.model_copy(update={"embed_model": DEFAULT_EMBED_MODEL})
        embedder = build_embedder(settings)
        if not as_json and sys.stderr.isatty():
            from rich.progress import Progress

            with Progress(transient=True) as progress:
                task = progress.add_task("Neu einbetten", total=None)
                report = reindex(
                    settings, embedder, lambda done, total: progress.update(task, completed=done, total=total)
                )
        else:
            report = reindex(settings, embedder)

    def human() -> None:
        typer.echo(
            f"{report.chunks} Abschnitte mit {report.embedder} ({report.dimension} Dimensionen) neu "
            f"eingebettet in {report.seconds:.1f} s; Sammlung {report.collection} ist aktiv. "
            "Laufende Server (ratsinfo serve) neu starten."
        )

    emit(report.to_dict(), as_json, human)
