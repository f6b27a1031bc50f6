"""`ratsinfo eval`: run a QA dataset through the assistant and report retrieval, grounding,
abstention, leakage and latency, optionally against a gate of thresholds."""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.cli.common import emit, errors_to_exit, load_settings, open_services
from assistant.config import DEFAULT_EMBED_MODEL, Settings
from assistant.errors import InvalidRequestError


@contextmanager
def _data_dir(
    settings: Settings,
    dataset: Path,
    ingest: list[str] | None,
    mirror: Path | None = None,
    *,
    fresh: bool = False,
) -> Iterator[tuple[Any, str]]:
    """Services over the configured store, or over a temporary one filled first (always with
    ``fresh``); and a note on which."""
    from eval.workspace import crawl_mirror, ingest_paths, ingest_sample_corpus, is_sample_dataset

    if not ingest and mirror is None and not fresh:
        services = open_services(settings) if settings.catalog_path.exists() else None
        if services is not None and services.store.documents():
            try:
                yield services, str(settings.data_dir)
            finally:
                services.close()
            return
        if services is not None:
            services.close()
        if not is_sample_dataset(dataset):
            raise InvalidRequestError(
                f"no documents in {settings.data_dir}: ingest them first, or pass --ingest PATHS",
                german=f"Keine Dokumente in {settings.data_dir}: zuerst einlesen oder --ingest PFADE "
                "angeben.",
            )
    with tempfile.TemporaryDirectory(prefix="ratsinfo-eval-") as workdir:
        temporary = settings.model_copy(update={"data_dir": Path(workdir) / "data"})
        services = open_services(temporary)
        try:
            if mirror is not None:
                count = crawl_mirror(services, mirror)
                note = f"temporärer Bestand: OParl-Abzug {mirror} über 127.0.0.1 ({count} Dokumente)"
            elif ingest:
                count = ingest_paths(services, ingest)
                note = f"temporärer Bestand aus {', '.join(ingest)} ({count} Dokumente)"
            else:
                count = ingest_sample_corpus(services, Path(workdir))
                note = f"temporärer Bestand: Beispielkorpus Lindenau ({count} Dokumente)"
            typer.echo(note, err=True)
            yield services, note
        finally:
            services.close()


def _progress() -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    if not sys.stderr.isatty():
        return None, lambda: None
    from rich.progress import Progress

    progress = Progress(transient=True)
    progress.start()
    task = progress.add_task("Evaluation", total=None)
    return (lambda done, total: progress.update(task, completed=done, total=total)), progress.stop


def _print_summary(document: dict[str, Any], report: Path | None) -> None:
    meta = document["meta"]
    typer.echo(f"Evaluation {meta['dataset']}: {document['questions']} Fragen, Prüfer {meta['judge']}")
    deltas = document.get("compare", {}).get("deltas", {})
    from eval.process_checks import PROCESS_METRICS
    from eval.summary import HEADLINE_METRICS

    for name in HEADLINE_METRICS:
        entry = document.get(name)
        if isinstance(entry, dict):
            line = f"  {name:<22}{entry['value']:>9.3f}  [{entry['ci_low']:.3f} – {entry['ci_high']:.3f}]"
        else:
            line = f"  {name:<22}{entry:>9}"
        if name in deltas:
            line += f"  Δ {deltas[name]['delta']:+.3f}"
        typer.echo(line)
    for tag, group in document.get("by_tag", {}).items():
        shares = [
            f"{name} {group[name]['value']:.3f} [{group[name]['ci_low']:.3f} – {group[name]['ci_high']:.3f}]"
            for name in ("expected_cited", "unanswerable_declined", "answer_correctness")
            if group[name]["n"]
        ]
        typer.echo(f"  {tag} ({group['questions']} Fragen): {', '.join(shares)}")
    for name in PROCESS_METRICS:
        entry = document.get(name)
        if isinstance(entry, dict) and entry["n"]:
            typer.echo(
                f"  {name:<25}{entry['value']:>6.3f}  [{entry['ci_low']:.3f} – {entry['ci_high']:.3f}]"
            )
        elif isinstance(entry, int):
            typer.echo(f"  {name:<25}{entry:>6}")
    validation = document.get("judge_validation")
    if validation:
        typer.echo(
            f"  Prüfer auf {validation['pairs']} Paaren: Genauigkeit {validation['accuracy']:.3f}, "
            f"κ {validation['kappa']:.3f}"
        )
    if document["unresolved_relevant"]:
        typer.echo(
            f"  Warnung: {document['unresolved_relevant']} relevante Einträge passen zu keinem Dokument "
            f"im Bestand ({meta['settings']['store']}); Recall zählt sie als nicht gefunden.",
            err=True,
        )
    if report:
        typer.echo(f"Bericht: {report}")


def eval_command(
    paths: Annotated[
        list[str] | None, typer.Argument(help="With --ingest: files or folders for a temporary store.")
    ] = None,
    dataset: Annotated[
        Path | None, typer.Option("--dataset", "-d", help="QA dataset (JSONL, see eval/data/README.md).")
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Folder for report.html, metrics.json, questions.json.")
    ] = None,
    compare_with: Annotated[
        Path | None, typer.Option("--compare", help="An earlier report folder (or its metrics.json).")
    ] = None,
    gate: Annotated[
        Path | None, typer.Option("--gate", help="Thresholds file; exit 1 when a metric misses its bound.")
    ] = None,
    judge: Annotated[
        str, typer.Option("--judge", help="lexical | cross-encoder:NAME_OR_PATH | llm:URL")
    ] = "lexical",
    judge_model: Annotated[
        str, typer.Option("--judge-model", help="Model name sent to an llm: judge.")
    ] = "default",
    judge_api_key: Annotated[
        str,
        typer.Option("--judge-api-key", envvar="RATSINFO_JUDGE_API_KEY", help="API key of an llm: judge."),
    ] = "",
    users: Annotated[
        Path | None, typer.Option("--users", help='Users file {"name": ["group", …]} for the dataset.')
    ] = None,
    ingest: Annotated[
        bool, typer.Option("--ingest", help="Ingest PATHS into a temporary store and evaluate that.")
    ] = False,
    validate_judge_only: Annotated[
        bool, typer.Option("--validate-judge", help="Only validate the judge on eval/data/judge_pairs.jsonl.")
    ] = False,
    oparl_mirror: Annotated[
        Path | None,
        typer.Option(
            "--oparl-mirror",
            help="A saved OParl folder (as ../shared/data/oparl-karlsruhe): served on 127.0.0.1 and "
            "crawled into a temporary store, which is evaluated.",
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="Only the first N questions (0: all).")] = 0,
    models: Annotated[
        str,
        typer.Option(
            "--models",
            help="Embedding models side by side, comma-separated (default: the default model), "
            "e.g. default,hashing: each in its own temporary store (--ingest or the sample set).",
        ),
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print metrics.json to stdout.")] = False,
) -> None:
    """Evaluate retrieval, citations, abstention, leakage and latency on a QA dataset."""
    settings = load_settings()
    from eval.dataset import DatasetError, load_dataset
    from eval.judges import build_judge
    from eval.judges.validation import load_pairs, validate_judge
    from eval.suite import run_suite
    from eval.users import UserDirectory
    from eval.workspace import is_sample_dataset

    with errors_to_exit():
        try:
            chosen = build_judge(judge, model=judge_model, api_key=judge_api_key, device=settings.device)
        except ValueError as error:
            raise InvalidRequestError(str(error), german=f"Unbrauchbarer --judge: {error}") from error
        if validate_judge_only:
            result = validate_judge(chosen, load_pairs())
            emit(
                result,
                as_json,
                lambda: typer.echo(
                    f"{result['judge']}: Genauigkeit {result['accuracy']:.3f}, κ {result['kappa']:.3f} "
                    f"auf {result['pairs']} Paaren; {json.dumps(result['by_split'])}"
                ),
            )
            return
        if dataset is None:
            raise InvalidRequestError(
                "--dataset is required (or --validate-judge)",
                german="--dataset fehlt (oder --validate-judge angeben).",
            )
        if paths and not ingest:
            raise InvalidRequestError(
                "paths are only taken with --ingest", german="Pfade werden nur mit --ingest angenommen."
            )
        try:
            items = load_dataset(dataset)
        except DatasetError as error:
            raise InvalidRequestError(str(error), german=f"Unbrauchbarer Datensatz: {error}") from error
        items = items[:limit] if limit else items
        if ingest and oparl_mirror is not None:
            raise InvalidRequestError(
                "--ingest and --oparl-mirror exclude each other",
                german="--ingest und --oparl-mirror schließen einander aus.",
            )
        names = [name.strip() for name in models.split(",") if name.strip()]
        if names and not ingest and oparl_mirror is None and not is_sample_dataset(dataset):
            raise InvalidRequestError(
                "--models needs --ingest PATHS or the sample set: each model gets its own store",
                german="--models braucht --ingest PFADE oder den Beispieldatensatz: jedes Modell "
                "bekommt einen eigenen Bestand.",
            )
        runs = {}
        for name in names or [""]:
            run_settings = settings
            if name:
                chosen_model = DEFAULT_EMBED_MODEL if name == "default" else name
                run_settings = settings.model_copy(update={"embed_model": chosen_model})
            run_report = report / _folder_name(name) if report and name else report
            with _data_dir(
                run_settings, dataset, paths if ingest else None, oparl_mirror, fresh=bool(name)
            ) as (
                services,
                store,
            ):
                directory = UserDirectory.for_dataset(dataset, users, services.settings.users_path)
                on_progress, stop = _progress()
                try:
                    runs[name] = run_suite(
                        services,
                        items,
                        chosen,
                        directory,
                        dataset=str(dataset),
                        report_dir=run_report,
                        compare_with=compare_with,
                        gate=gate,
                        store=store,
                        on_progress=on_progress,
                    )
                finally:
                    stop()
    if names:
        _print_side_by_side(runs, report, as_json)
        failures = [f"{name}: {line}" for name, run in runs.items() for line in run.gate_failures]
        _exit_on_gate(gate, failures)
        return
    outcome = runs[""]
    if as_json:
        sys.stdout.write(json.dumps(outcome.document, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_summary(outcome.document, outcome.report)
    _exit_on_gate(gate, outcome.gate_failures)


def _exit_on_gate(gate: Path | None, failures: list[str]) -> None:
    if gate is None:
        return
    if failures:
        typer.echo(f"Schwellenwerte aus {gate} verfehlt:", err=True)
        for line in failures:
            typer.echo(f"  {line}", err=True)
        raise typer.Exit(1)
    typer.echo(f"Schwellenwerte aus {gate} eingehalten.", err=True)


def _folder_name(model: str) -> str:
    """A report subfolder for a model name or path ("intfloat/x" → "intfloat_x")."""
    return re.sub(r"[^\w.@-]+", "_", model).strip("_") or "model"


def _print_side_by_side(runs: dict[str, Any], report: Path | None, as_json: bool) -> None:
    from eval.side_by_side import text_table, write_side_by_side

    documents = {name: run.document for name, run in runs.items()}
    html = write_side_by_side(report, documents) if report else None
    if as_json:
        sys.stdout.write(json.dumps({"models": documents}, ensure_ascii=False, indent=2) + "\n")
        return
    first = next(iter(documents.values()))
    typer.echo(f"Evaluation {first['meta']['dataset']}: {first['questions']} Fragen, Modelle nebeneinander")
    typer.echo(text_table(documents))
    if html:
        typer.echo(f"Bericht: {html}")
