"""Temporary data dirs for an evaluation: the bundled sample corpus, folders given on the CLI, or
a saved OParl folder crawled through the OParl path.

The operator's own data dir is never written to: `make eval` on a fresh clone,
``ratsinfo eval --ingest PATHS`` and ``ratsinfo eval --oparl-mirror FOLDER`` build a store in a
temporary folder that is removed after.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assistant.errors import InvalidRequestError
from assistant.services import Services

SAMPLE_DATASET = Path(__file__).resolve().parent / "data" / "sample_qa.jsonl"


def is_sample_dataset(path: Path) -> bool:
    """The bundled sample QA set (by location, or a copy by its name)."""
    return path.resolve() == SAMPLE_DATASET or path.name == SAMPLE_DATASET.name


def ingest_sample_corpus(services: Services, workdir: Path) -> int:
    """Write the sample corpus under ``workdir`` and ingest it: public, then each restricted group."""
    from eval.sample_corpus import materialize

    corpus = workdir / "sample-corpus"
    materialize(corpus)
    report = services.ingestor.ingest([str(corpus / "public")])
    documents = report.added
    restricted = corpus / "restricted"
    for group_folder in sorted(restricted.iterdir()) if restricted.is_dir() else []:
        group_report = services.ingestor.ingest([str(group_folder)], access=frozenset({group_folder.name}))
        documents += group_report.added
    if report.failed:
        first = report.failed[0]
        raise InvalidRequestError(
            f"the sample corpus did not ingest: {first.source}: {first.error}",
            german=f"Das Beispielkorpus ließ sich nicht einlesen: {first.source}: "
            f"{first.message or first.error}",
        )
    return documents


def ingest_paths(services: Services, paths: Sequence[str]) -> int:
    """Ingest files and folders as public documents; returns how many were added."""
    missing = [path for path in paths if not Path(path).exists()]
    if missing:
        raise InvalidRequestError(
            f"not found: {', '.join(missing)}", german=f"Nicht gefunden: {', '.join(missing)}"
        )
    return services.ingestor.ingest(list(paths)).added


# The mirror is this process's own server on 127.0.0.1: no need to spare it.
MIRROR_RATE_PER_SECOND = 2000.0


def crawl_mirror(services: Services, folder: Path) -> int:
    """Serve the saved OParl data in ``folder`` on 127.0.0.1 (eval/oparl_mirror.py) and crawl it
    into ``services`` through the ordinary OParl sync; returns the number of documents."""
    from assistant.indexing.oparl_sync import OParlSync
    from eval.oparl_mirror import MirrorServer, load_folder

    try:
        data = load_folder(folder)
    except (OSError, ValueError) as error:
        raise InvalidRequestError(
            f"cannot serve {folder} as OParl: {error}",
            german=f"{folder} lässt sich nicht als OParl-Schnittstelle bereitstellen: {error}",
        ) from error
    settings = services.settings.model_copy(update={"oparl_rate_per_second": MIRROR_RATE_PER_SECOND})
    server = MirrorServer(data)
    with server.running(), OParlSync(services.ingestor, services.store, settings) as sync:
        sync.ingest([server.system_url])
    return len(services.store.documents())
