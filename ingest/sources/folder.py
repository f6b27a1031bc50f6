"""Folder source: walks paths given on the command line and reads files into RawDocuments."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import ExtractionError
from ingest.extract import SUPPORTED_SUFFIXES
from ingest.records import RawDocument
from ingest.sources.allris_html import read_vo020

# Sidecar keys (from OParl File objects or export tools) that name a document's web address.
_URL_KEYS = ("url", "web", "accessUrl", "downloadUrl")


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path  # absolute
    source: str  # as the user would write it: the given argument joined with the relative path
    root: str  # absolute folder the file was found under (the scope of --prune)


def file_doc_id(path: Path) -> str:
    """Stable id of a file document: its absolute path, hashed (short, URL-safe)."""
    return hashlib.sha256(f"file:{path.as_posix()}".encode()).hexdigest()[:24]


def _is_sidecar(name: str, siblings: set[str]) -> bool:
    """``X.json`` beside a document ``X.<ext>`` describes it; it is not a document itself.

    Decided from the folder's listing, not by probing each suffix with a stat (7 per file).
    """
    stem, dot, suffix = name.rpartition(".")
    if not dot or suffix.lower() != "json":
        return False
    return any(stem + extension in siblings for extension in SUPPORTED_SUFFIXES)


def discover(argument: str) -> Iterator[SourceFile]:
    """Every file under ``argument`` (a folder or a single file), hidden files and sidecars skipped.

    Unsupported files are yielded too, so that the caller reports them instead of
    silently ignoring them.
    """
    given = Path(argument)
    absolute = given.expanduser().resolve()
    if absolute.is_file():
        yield SourceFile(absolute, str(given), str(absolute.parent))
        return
    if not absolute.is_dir():
        raise FileNotFoundError(f"no such file or folder: {argument}")
    for folder, subfolders, files in os.walk(absolute):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        siblings = set(files)
        base = Path(folder)
        shown = given / base.relative_to(absolute)  # once per folder: relative_to is slow
        for name in sorted(files):
            # ratsinfo-access.json is an access manifest (ingest/sources/access_manifest.py).
            if name.startswith(".") or name == "ratsinfo-access.json" or _is_sidecar(name, siblings):
                continue
            yield SourceFile(base / name, str(shown / name), str(absolute))


def read_sidecar(path: Path) -> dict[str, str]:
    sidecar = path.with_suffix(".json")
    if not sidecar.is_file():
        return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    extra: dict[str, str] = {}
    if isinstance(data, dict):
        for key in _URL_KEYS:
            value = data.get(key)
            if isinstance(value, str) and value.startswith(("http://", "https://")):
                extra["url"] = value
                break
    return extra


def unreadable_file(error: OSError) -> ExtractionError:
    """The error for a file the operating system would not let us read."""
    return ExtractionError(
        f"cannot read file: {error.strerror or error}",
        german=f"Die Datei lässt sich nicht lesen ({error.strerror or error}).",
    )


def read_file(source_file: SourceFile, max_bytes: int) -> RawDocument:
    """Read a file; a file that vanished, cannot be read or is too large is an ExtractionError."""
    suffix = source_file.path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = repr(suffix or "(none)")
        raise ExtractionError(
            f"unsupported file type {shown}", german=f"Dateityp {shown} wird nicht unterstützt."
        )
    try:
        size = source_file.path.stat().st_size
        if size > max_bytes:
            raise ExtractionError(
                f"file is {size / 1e6:.3g} MB, over the limit of {max_bytes / 1e6:.3g} MB "
                "(RATSINFO_MAX_FILE_MB)",
                german=f"Die Datei ist {size / 1e6:.3g} MB groß, mehr als die Grenze von "
                f"{max_bytes / 1e6:.3g} MB (RATSINFO_MAX_FILE_MB).",
            )
        data = source_file.path.read_bytes()
    except OSError as error:
        raise unreadable_file(error) from error
    return RawDocument(
        doc_id=file_doc_id(source_file.path),
        source=source_file.source,
        data=data,
        suffix=suffix,
        content_hash=hashlib.sha256(data).hexdigest(),
        extra=read_sidecar(source_file.path),
        # An ALLRIS net paper page (vo020) names its metadata in a table: better than guessing.
        known=read_vo020(data) if suffix in (".html", ".htm") else None,
    )
