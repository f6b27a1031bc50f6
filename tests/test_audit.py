"""The audit log is append-only and hash-chained: edits, deletions and forged links are found."""

from __future__ import annotations

import itertools
import os
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.audit import AuditEntry, AuditLog
from tests.conftest import REPO


def _fill(log: AuditLog, count: int) -> None:
    for number in range(count):
        log.append(
            AuditEntry(
                user="anna" if number % 2 else "bert",
                interface="api",
                action="search",
                query=f"Frage {number}",
                filters={"paper_types": ["Antrag"], "k": 10},
                returned=[f"doc{number}"],
                cited=[],
                status="200",
            )
        )


def _tamper(path: Path, sql: str, *parameters: object) -> None:
    """What someone with write access to the file can do: drop the triggers, then edit."""
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("DROP TRIGGER IF EXISTS records_no_update")
        connection.execute("DROP TRIGGER IF EXISTS records_no_delete")
        connection.execute(sql, parameters)
    connection.close()


def test_records_are_chained_and_queryable(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3")
    _fill(log, 6)
    records = log.records()
    assert [r.id for r in records] == [1, 2, 3, 4, 5, 6]
    assert records[0].prev_hash == "0" * 64
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(records))
    assert [r.query for r in log.records(user="anna")] == ["Frage 1", "Frage 3", "Frage 5"]
    assert log.records(since=datetime.now(UTC) + timedelta(days=1)) == []
    assert len(log.records(since=datetime.now(UTC).date())) == 6
    assert [r.id for r in log.records(limit=2)] == [5, 6]
    assert records[2].filters == {"paper_types": ["Antrag"], "k": 10} and records[2].returned == ["doc2"]
    report = log.verify()
    assert report.ok and report.checked == 6 and report.head == records[-1].hash


def test_sqlite_refuses_updates_and_deletes(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    _fill(AuditLog(path), 2)
    connection = sqlite3.connect(path)
    for statement in ("UPDATE records SET user = 'mallory'", "DELETE FROM records WHERE id = 1"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute(statement)
    connection.close()


@pytest.mark.parametrize(
    ("sql", "broken", "reason"),
    [
        ("UPDATE records SET query = 'harmlos' WHERE id = 3", 3, "content was changed"),
        ("UPDATE records SET returned = '[]' WHERE id = 4", 4, "content was changed"),
        ("DELETE FROM records WHERE id = 2", 2, "missing"),
        ("UPDATE records SET prev_hash = hash WHERE id = 5", 5, "link"),
    ],
)
def test_verify_names_the_first_tampered_record(tmp_path: Path, sql: str, broken: int, reason: str) -> None:
    path = tmp_path / "audit.sqlite3"
    log = AuditLog(path)
    _fill(log, 6)
    _tamper(path, sql)
    report = log.verify()
    assert not report.ok and report.broken_id == broken and reason in report.reason


def test_a_rewritten_record_with_a_recomputed_hash_breaks_the_next_link(tmp_path: Path) -> None:
    from assistant.audit import record_hash

    path = tmp_path / "audit.sqlite3"
    log = AuditLog(path)
    _fill(log, 4)
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    row = dict(connection.execute("SELECT * FROM records WHERE id = 2").fetchone())
    connection.close()
    row["user"] = "mallory"
    _tamper(path, "UPDATE records SET user = ?, hash = ? WHERE id = 2", "mallory", record_hash(row))
    report = log.verify()
    assert not report.ok and report.broken_id == 3


def test_concurrent_appends_from_threads_keep_one_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"

    def worker() -> None:
        _fill(AuditLog(path), 15)  # each thread with its own connections, like separate processes

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = AuditLog(path).verify()
    assert report.ok and report.checked == 60


def test_cli_audit_verify_exits_1_and_names_the_edited_record(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    _fill(AuditLog(path), 5)
    env = {key: value for key, value in os.environ.items() if not key.startswith("RATSINFO_")}
    env["RATSINFO_DATA_DIR"] = str(tmp_path)

    def cli(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "assistant.cli", "audit", *arguments],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    intact = cli("--verify")
    assert intact.returncode == 0 and "5 Einträge" in intact.stdout
    _tamper(path, "UPDATE records SET user = 'mallory' WHERE id = 4")
    broken = cli("--verify")
    assert broken.returncode == 1
    assert "Eintrag 4" in broken.stdout


def test_cli_audit_filters_by_user_and_date_as_json(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from assistant.cli import app

    _fill(AuditLog(tmp_path / "audit.sqlite3"), 4)
    runner = CliRunner()
    env = {"RATSINFO_DATA_DIR": str(tmp_path)}
    today = datetime.now(UTC).date()
    result = runner.invoke(app, ["audit", "--user", "anna", "--since", today.isoformat(), "--json"], env=env)
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)["records"]
    assert [(r["user"], r["query"]) for r in records] == [("anna", "Frage 1"), ("anna", "Frage 3")]
    tomorrow = (today + timedelta(days=1)).isoformat()
    later = runner.invoke(app, ["audit", "--since", tomorrow, "--json"], env=env)
    assert json.loads(later.stdout)["records"] == []
    assert runner.invoke(app, ["audit", "--since", "gestern"], env=env).exit_code == 2
