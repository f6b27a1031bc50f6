"""Backup and restore of a data dir: the store, the users, the audit log, the OParl sync state and
the alerts (subscriptions, alerts, e-mail outbox).

A backup is a folder holding a copy of every file of the data dir and a manifest
(``ratsinfo-backup.json``) with the size and SHA-256 of each. It is a consistent snapshot:

* the writer lock is held throughout, so no ingest, sync, reindex or repair changes the store;
* SQLite databases (catalog, Chroma's metadata, users, audit log, OParl state, alerts) are copied with
  SQLite's online backup API, a transaction-consistent copy even while a running API server
  appends to the audit log or an admin adds a user;
* of the BM25 index only the generation the pointer names is copied, never a folder that a
  reader is saving at that moment.

The backup is written into ``<destination>.partial-<pid>`` and renamed when complete, so a folder
named like the destination is always a whole backup. Restore verifies every checksum first,
copies into a staging folder inside the data dir, and only then replaces the data dir's
content, under the writer lock. With a Chroma server (``RATSINFO_CHROMA_URL``) the vectors live
on that server and are not in the backup: ``ratsinfo check --repair`` embeds them again from the
catalog after a restore.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.config import MODELS_FOLDER
from assistant.errors import InvalidRequestError
from assistant.store.writer_lock import LOCK_NAME, WriterLock

MANIFEST = "ratsinfo-backup.json"
FORMAT = 1
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
_RESTORE_STAGING = ".restore-staging"


@dataclass(frozen=True, slots=True)
class BackupReport:
    folder: str
    files: int
    bytes: int
    documents: int
    chunks: int
    seconds: float

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(16) == _SQLITE_MAGIC
    except OSError:
        return False


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _bm25_keep(data_dir: Path) -> str | None:
    """The BM25 generation folder the pointer names (the only one worth keeping)."""
    try:
        return (data_dir / "bm25" / "CURRENT").read_text().strip()
    except OSError:
        return None


def _wanted(relative: Path, current_bm25: str | None) -> bool:
    parts = relative.parts
    if parts[0] in (LOCK_NAME, _RESTORE_STAGING, MODELS_FOLDER):
        return False  # MODELS_FOLDER: a cache of converted models, rebuilt from the package
    if relative.name.endswith(_SQLITE_SIDE_FILES):
        return False  # folded into the database by the backup API
    if parts[0] == "bm25" and len(parts) > 1:
        if parts[1].startswith("."):  # staging folders, trash, pointer drafts of other processes
            return False
        if parts[1].startswith("gen-") and parts[1] != current_bm25:
            return False
    return True


def data_files(data_dir: Path) -> list[Path]:
    """The files of ``data_dir`` a backup holds, relative, in a stable order."""
    current_bm25 = _bm25_keep(data_dir)
    found = []
    for folder, subfolders, files in os.walk(data_dir):
        subfolders.sort()
        for name in sorted(files):
            relative = (Path(folder) / name).relative_to(data_dir)
            if _wanted(relative, current_bm25):
                found.append(relative)
    return found


def _copy_sqlite(source: Path, target: Path) -> None:
    """A transaction-consistent copy, even while another process writes to ``source``."""
    origin = sqlite3.connect(source, timeout=60)
    copy = sqlite3.connect(target)
    try:
        origin.backup(copy)
    finally:
        copy.close()
        origin.close()


def _counts(catalog: Path) -> tuple[int, int]:
    """(documents, chunks) of a catalog file, (0, 0) when there is none."""
    if not catalog.is_file():
        return 0, 0
    connection = sqlite3.connect(catalog)
    try:
        row = connection.execute(
            "SELECT (SELECT COUNT(*) FROM documents), (SELECT COUNT(*) FROM chunks)"
        ).fetchone()
        return int(row[0]), int(row[1])
    except sqlite3.Error:
        return 0, 0
    finally:
        connection.close()


def backup(data_dir: Path, destination: Path) -> BackupReport:
    """Copy ``data_dir`` into the new folder ``destination`` (see the module docstring).

    Raises StoreBusyError while a writer runs and InvalidRequestError when ``destination``
    exists and is not empty or lies inside the data dir.
    """
    started = time.perf_counter()
    data_dir, destination = data_dir.resolve(), destination.resolve()
    if not data_dir.is_dir() or not any(data_dir.iterdir()):
        raise InvalidRequestError(
            f"data dir {data_dir} is empty or missing: nothing to back up",
            german=f"Datenordner {data_dir} ist leer oder fehlt: nichts zu sichern.",
        )
    if destination.is_relative_to(data_dir):
        raise InvalidRequestError(
            f"the backup destination {destination} lies inside the data dir {data_dir}",
            german=f"Das Sicherungsziel {destination} liegt im Datenordner {data_dir}.",
        )
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise InvalidRequestError(
            f"the backup destination {destination} exists and is not empty",
            german=f"Das Sicherungsziel {destination} existiert und ist nicht leer.",
        )
    partial = destination.with_name(f"{destination.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    with WriterLock(data_dir, "backup"):
        entries: list[dict[str, Any]] = []
        for relative in data_files(data_dir):
            source, target = data_dir / relative, partial / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            sqlite = _is_sqlite(source)
            if sqlite:
                _copy_sqlite(source, target)
            else:
                shutil.copy2(source, target)
            entries.append(
                {
                    "path": relative.as_posix(),
                    "bytes": target.stat().st_size,
                    "sha256": _sha256(target),
                    "sqlite": sqlite,
                }
            )
        documents, chunks = _counts(partial / "catalog.sqlite3")
        manifest = {
            "format": FORMAT,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "data_dir": str(data_dir),
            "documents": documents,
            "chunks": chunks,
            "files": entries,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    if destination.exists():
        destination.rmdir()  # checked empty above
    partial.rename(destination)
    return BackupReport(
        folder=str(destination),
        files=len(entries),
        bytes=sum(int(entry["bytes"]) for entry in entries),
        documents=documents,
        chunks=chunks,
        seconds=round(time.perf_counter() - started, 3),
    )


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest of the backup in ``source``, with every file checked against it.

    Raises InvalidRequestError naming the first missing or changed file.
    """
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InvalidRequestError(
            f"{source} is no ratsinfo backup ({MANIFEST} is missing or broken)",
            german=f"{source} ist keine ratsinfo-Sicherung ({MANIFEST} fehlt oder ist defekt).",
        ) from error
    if manifest.get("format") != FORMAT:
        raise InvalidRequestError(
            f"backup format {manifest.get('format')!r} is not supported (expected {FORMAT})",
            german=f"Sicherungsformat {manifest.get('format')!r} wird nicht unterstützt (erwartet {FORMAT}).",
        )
    for entry in manifest["files"]:
        path = source / entry["path"]
        if not path.is_file() or path.stat().st_size != entry["bytes"] or _sha256(path) != entry["sha256"]:
            raise InvalidRequestError(
                f"backup damaged: {entry['path']} is missing or differs from its checksum; nothing restored",
                german=f"Sicherung beschädigt: {entry['path']} fehlt oder weicht von der Prüfsumme ab; "
                "nichts wurde wiederhergestellt.",
            )
    return dict(manifest)


def _occupied(data_dir: Path) -> list[str]:
    return sorted(
        entry.name for entry in data_dir.iterdir() if entry.name not in (LOCK_NAME, _RESTORE_STAGING)
    )


def restore(source: Path, data_dir: Path, force: bool = False) -> BackupReport:
    """Make ``data_dir`` hold exactly the backup in ``source``.

    Refuses a data dir that holds anything unless ``force``; raises StoreBusyError while a
    writer runs there. Servers using the data dir must be restarted afterwards.
    """
    started = time.perf_counter()
    source, data_dir = source.resolve(), data_dir.resolve()
    manifest = read_manifest(source)
    data_dir.mkdir(parents=True, exist_ok=True)
    with WriterLock(data_dir, "restore"):
        occupied = _occupied(data_dir)
        if occupied and not force:
            listed = f"{', '.join(occupied[:5])}{' …' if len(occupied) > 5 else ''}"
            raise InvalidRequestError(
                f"the data dir {data_dir} is not empty ({listed}); --force replaces it by the backup",
                german=f"Der Datenordner {data_dir} ist nicht leer ({listed}); mit --force wird er durch "
                "die Sicherung ersetzt.",
            )
        staging = data_dir / _RESTORE_STAGING
        shutil.rmtree(staging, ignore_errors=True)
        for entry in manifest["files"]:
            target = staging / entry["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / entry["path"], target)
            if _sha256(target) != entry["sha256"]:
                raise InvalidRequestError(
                    f"the copy of {entry['path']} differs; the data dir is unchanged",
                    german=f"Kopie von {entry['path']} weicht ab; der Datenordner ist unverändert.",
                )
        # The switch: old content out, staged content in (renames within one file system).
        for name in occupied:
            old = data_dir / name
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old)
            else:
                old.unlink()
        for entry in sorted(staging.iterdir()):
            entry.rename(data_dir / entry.name)
        staging.rmdir()
    files = manifest["files"]
    return BackupReport(
        folder=str(data_dir),
        files=len(files),
        bytes=sum(int(entry["bytes"]) for entry in files),
        documents=int(manifest.get("documents", 0)),
        chunks=int(manifest.get("chunks", 0)),
        seconds=round(time.perf_counter() - started, 3),
    )
