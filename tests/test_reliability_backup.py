"""`ratsinfo backup` / `ratsinfo restore` round-trip the store, the users and the audit log."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.access import LOCAL_OPERATOR
from assistant.audit import AuditEntry, AuditLog
from assistant.auth.users import UserStore
from assistant.backup import MANIFEST
from assistant.cli import app
from assistant.config import Settings
from assistant.services import Services, build_services
from assistant.store.bm25_index import Bm25Index
from assistant.store.writer_lock import BUSY_EXIT_CODE, WriterLock

DOCUMENTS = {
    "antrag-radweg.txt": "Antrag\nBetreff: Radweg Lindenallee\n\nDer Radweg wird 2,5 Meter breit.\n",
    "vorlage-kita.txt": "Beschlussvorlage\nBetreff: Neubau der Kita\n\nDie Kosten betragen 3,1 Mio. €.\n",
    "anfrage-laerm.txt": "Anfrage\nBetreff: Lärmschutz an der Bahn\n\nWelche Maßnahmen plant die Stadt?\n",
}


def _snapshot(settings: Settings) -> dict[str, Any]:
    """Everything a restore must bring back, read from the files (a fresh Store each time)."""
    services = build_services(settings)
    try:
        store = services.store
        collection = store.vectors._collection
        got = collection.get(include=["embeddings", "metadatas"])
        embeddings: Any = got["embeddings"]
        metadatas: Any = got["metadatas"]
        vectors = sorted(
            (chunk_id, json.dumps(metadata, sort_keys=True), [round(float(v), 6) for v in embedding])
            for chunk_id, embedding, metadata in zip(got["ids"], embeddings, metadatas, strict=True)
        )
        bm25 = Bm25Index.load(settings.bm25_dir)
        users = UserStore(settings.users_path).users()
        audit = AuditLog(settings.audit_path)
        return {
            "documents": sorted((d.doc_id, d.content_hash, d.title) for d in store.catalog.documents()),
            "chunks": sorted((c.chunk_id, c.text) for c in store.catalog.iter_chunks()),
            "vectors": vectors,
            "bm25": (bm25.generation, sorted(bm25.chunk_ids)) if bm25 else None,
            "build": (settings.data_dir / "build.json").read_text(),
            "users": sorted((u.name, sorted(u.groups), u.admin, u.active) for u in users),
            "audit": [(r.id, r.user, r.query, r.hash) for r in audit.records()],
            "audit_ok": audit.verify().ok,
            "consistent": store.check().consistent,
            "search": [p.document.doc_id for p in services.retriever.search("Kita Neubau", LOCAL_OPERATOR)],
        }
    finally:
        services.close()


@pytest.fixture
def data(tmp_path: Path) -> Iterator[Settings]:
    """A data dir with documents, two users and some audit records."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in DOCUMENTS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data")
    services: Services = build_services(settings)
    services.ingestor.ingest([str(corpus)])
    services.close()
    users = UserStore(settings.users_path)
    users.add("anna", groups=["bauausschuss"])
    users.add("admin", admin=True)
    audit = AuditLog(settings.audit_path)
    for query in ("Radweg", "Kita", "Lärmschutz"):
        audit.append(AuditEntry(user="anna", interface="api", action="search", query=query))
    yield settings


def _cli(settings: Settings, *args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"RATSINFO_DATA_DIR": str(settings.data_dir)})


def test_backup_then_restore_into_an_empty_dir_gives_back_everything(data: Settings, tmp_path: Path) -> None:
    before = _snapshot(data)
    result = _cli(data, "backup", str(tmp_path / "sicherung"), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["documents"] == len(DOCUMENTS) and report["chunks"] == len(before["chunks"])
    # Later changes must not leak into the backup.
    UserStore(data.users_path).add("spaeter")
    AuditLog(data.audit_path).append(AuditEntry(user="spaeter", interface="cli", action="ask"))

    target = Settings(data_dir=tmp_path / "restored")
    result = _cli(target, "restore", str(tmp_path / "sicherung"))
    assert result.exit_code == 0, result.output
    after = _snapshot(target)

    assert after == before
    assert after["consistent"] and after["audit_ok"] and after["search"]
    assert len(after["users"]) == 2 and len(after["audit"]) == 3


def test_restore_refuses_a_non_empty_data_dir_without_force(data: Settings, tmp_path: Path) -> None:
    assert _cli(data, "backup", str(tmp_path / "sicherung")).exit_code == 0
    before = _snapshot(data)
    UserStore(data.users_path).add("spaeter")

    refused = _cli(data, "restore", str(tmp_path / "sicherung"))
    assert refused.exit_code == 2
    assert "nicht leer" in refused.stderr and "--force" in refused.stderr
    assert "spaeter" in [u.name for u in UserStore(data.users_path).users()]  # untouched

    forced = _cli(data, "restore", str(tmp_path / "sicherung"), "--force")
    assert forced.exit_code == 0, forced.output
    assert _snapshot(data) == before


def test_a_damaged_backup_is_refused_and_the_data_dir_left_alone(data: Settings, tmp_path: Path) -> None:
    assert _cli(data, "backup", str(tmp_path / "sicherung")).exit_code == 0
    manifest = json.loads((tmp_path / "sicherung" / MANIFEST).read_text())
    victim = next(entry["path"] for entry in manifest["files"] if entry["path"] == "users.sqlite3")
    damaged = tmp_path / "sicherung" / victim
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"\x00")

    result = _cli(Settings(data_dir=tmp_path / "neu"), "restore", str(tmp_path / "sicherung"))
    assert result.exit_code == 2 and "users.sqlite3" in result.stderr
    assert not (tmp_path / "neu" / "catalog.sqlite3").exists()


def test_backup_waits_for_no_writer_and_says_so(data: Settings, tmp_path: Path) -> None:
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            with WriterLock(data.data_dir, "ingest"):
                held.set()
                release.wait(30)
        except BaseException as error:  # surfaced below
            errors.append(error)
            held.set()

    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(30)
    try:
        result = _cli(data, "backup", str(tmp_path / "sicherung"))
    finally:
        release.set()
        holder.join()
    assert not errors
    assert result.exit_code == BUSY_EXIT_CODE
    assert "ingest" in result.stderr and not (tmp_path / "sicherung").exists()


def test_the_audit_log_copy_is_consistent_while_the_api_keeps_writing(data: Settings, tmp_path: Path) -> None:
    audit = AuditLog(data.audit_path)
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            audit.append(AuditEntry(user="anna", interface="api", action="search", query="Dauerlast"))

    writer = threading.Thread(target=write)
    writer.start()
    try:
        result = _cli(data, "backup", str(tmp_path / "sicherung"))
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    copy = tmp_path / "sicherung" / "audit.sqlite3"
    connection = sqlite3.connect(copy)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        connection.close()
    assert AuditLog(copy).verify().ok
