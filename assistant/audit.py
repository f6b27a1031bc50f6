"""The audit log: who asked what, when, through which interface, and what they got back.

Records live in SQLite (``audit.sqlite3`` under the data dir) and are append-only twice over:
triggers refuse UPDATE and DELETE, and every record carries the SHA-256 of its own stored
columns plus the previous record's hash. ``verify()`` recomputes the chain, so an edited,
removed or reordered record is found even when someone went around the triggers. A chain
without an outside anchor cannot prove that nobody rewrote it *entirely* or cut off its tail:
note the head hash that ``verify()`` reports somewhere else to close that gap.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from assistant.models import SearchFilters

# eval: `ratsinfo eval` asking as the dataset's users; alerts: alerts sent to a user by e-mail or
# read by a feed reader with the user's feed secret (assistant/service/alerts_service.py).
INTERFACES = ("api", "cli", "ui", "eval", "alerts")
GENESIS = "0" * 64
_MAX_QUERY_CHARS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    user TEXT NOT NULL,
    interface TEXT NOT NULL,
    action TEXT NOT NULL,
    query TEXT NOT NULL,
    filters TEXT NOT NULL,
    returned TEXT NOT NULL,
    cited TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_user_time ON records(user, time);
CREATE TRIGGER IF NOT EXISTS records_no_update BEFORE UPDATE ON records
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS records_no_delete BEFORE DELETE ON records
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
_COLUMNS = (
    "id",
    "time",
    "user",
    "interface",
    "action",
    "query",
    "filters",
    "returned",
    "cited",
    "status",
    "detail",
    "prev_hash",
)


def filters_to_dict(filters: SearchFilters | None) -> dict[str, Any]:
    """The filters that were set, JSON-ready (dates as ISO strings)."""
    if filters is None:
        return {}
    data = {}
    for name, value in asdict(filters).items():
        if value in ((), "", None) or name == "doc_ids":  # doc_ids: derived by the service
            continue
        data[name] = value.isoformat() if isinstance(value, date) else value
    return data


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record_hash(stored: dict[str, Any]) -> str:
    """SHA-256 over a record's stored columns (including the previous hash), in a fixed order."""
    return hashlib.sha256(_json([stored[column] for column in _COLUMNS]).encode("utf-8")).hexdigest()


@dataclass(slots=True)
class AuditEntry:
    """What a caller fills in; the log adds id, time and the hashes."""

    user: str
    interface: str
    action: str
    query: str = ""
    filters: dict[str, Any] = field(default_factory=dict)
    returned: list[str] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)
    status: str = "ok"
    detail: str = ""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    time: str
    user: str
    interface: str
    action: str
    query: str
    filters: dict[str, Any]
    returned: list[str]
    cited: list[str]
    status: str
    detail: str
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class VerifyReport:
    ok: bool
    checked: int
    head: str  # hash of the last record (GENESIS for an empty log)
    broken_id: int | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _record_from_row(row: sqlite3.Row) -> AuditRecord:
    return AuditRecord(
        id=row["id"],
        time=row["time"],
        user=row["user"],
        interface=row["interface"],
        action=row["action"],
        query=row["query"],
        filters=json.loads(row["filters"]),
        returned=json.loads(row["returned"]),
        cited=json.loads(row["cited"]),
        status=row["status"],
        detail=row["detail"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def _since_text(since: date | datetime) -> str:
    if not isinstance(since, datetime):
        since = datetime(since.year, since.month, since.day, tzinfo=UTC)
    elif since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return since.astimezone(UTC).isoformat(timespec="microseconds")


class AuditLog:
    """Append-only, hash-chained; safe for several processes appending to the same file."""

    def __init__(self, path: Path) -> None:
        self._path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # Autocommit mode: transactions are opened explicitly where they are needed.
        connection = sqlite3.connect(self._path, timeout=30, isolation_level=None)
        connection.row_factory = sqlite3.Row
        try:
            yield connection
        finally:
            connection.close()

    def append(self, entry: AuditEntry) -> AuditRecord:
        """Write one record, chained to the current last one."""
        if entry.interface not in INTERFACES:
            raise ValueError(f"unknown interface {entry.interface!r}; expected one of {INTERFACES}")
        with self._connect() as connection:
            # IMMEDIATE takes the write lock before reading the head, so two processes
            # appending at once cannot both chain to the same predecessor.
            connection.execute("BEGIN IMMEDIATE")
            try:
                head = connection.execute("SELECT id, hash FROM records ORDER BY id DESC LIMIT 1").fetchone()
                stored: dict[str, Any] = {
                    "id": (head["id"] + 1) if head else 1,
                    "time": datetime.now(UTC).isoformat(timespec="microseconds"),
                    "user": entry.user,
                    "interface": entry.interface,
                    "action": entry.action,
                    "query": entry.query[:_MAX_QUERY_CHARS],
                    "filters": _json(entry.filters),
                    "returned": _json(list(entry.returned)),
                    "cited": _json(list(entry.cited)),
                    "status": entry.status,
                    "detail": entry.detail[:1000],
                    "prev_hash": head["hash"] if head else GENESIS,
                }
                stored["hash"] = record_hash(stored)
                connection.execute(
                    f"INSERT INTO records({', '.join(stored)}) VALUES ({', '.join('?' * len(stored))})",
                    tuple(stored.values()),
                )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            row = connection.execute("SELECT * FROM records WHERE id = ?", (stored["id"],)).fetchone()
        return _record_from_row(row)

    @contextmanager
    def recording(self, user: str, interface: str, action: str, query: str = "") -> Iterator[AuditEntry]:
        """Yield an entry to fill in; it is written when the block ends, as an error if it raised."""
        entry = AuditEntry(user=user, interface=interface, action=action, query=query)
        try:
            yield entry
        except Exception as error:
            entry.status = "error"
            entry.detail = f"{type(error).__name__}: {error}"
            self.append(entry)
            raise
        self.append(entry)

    def records(
        self,
        user: str | None = None,
        since: date | datetime | None = None,
        interface: str | None = None,
        limit: int | None = None,
    ) -> list[AuditRecord]:
        """Records in the order they were written, optionally filtered; ``limit`` keeps the newest."""
        conditions, parameters = [], []
        if user is not None:
            conditions.append("user = ?")
            parameters.append(user)
        if since is not None:
            conditions.append("time >= ?")
            parameters.append(_since_text(since))
        if interface is not None:
            conditions.append("interface = ?")
            parameters.append(interface)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        query = f"SELECT * FROM records {where} ORDER BY id DESC"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        with self._connect() as connection:
            rows = connection.execute(query, parameters).fetchall()
        return [_record_from_row(row) for row in reversed(rows)]

    def verify(self) -> VerifyReport:
        """Recompute the chain; report the first record that was changed, removed or inserted."""
        expected_id, expected_prev, checked = 1, GENESIS, 0
        with self._connect() as connection:
            cursor = connection.execute("SELECT * FROM records ORDER BY id")
            while rows := cursor.fetchmany(1000):
                for row in rows:
                    stored = {column: row[column] for column in _COLUMNS}
                    if row["id"] != expected_id:
                        return VerifyReport(
                            False, checked, expected_prev, expected_id, f"record {expected_id} is missing"
                        )
                    if row["prev_hash"] != expected_prev:
                        reason = "the link to the previous record is broken"
                        return VerifyReport(False, checked, expected_prev, row["id"], reason)
                    if record_hash(stored) != row["hash"]:
                        return VerifyReport(
                            False, checked, expected_prev, row["id"], "the record's content was changed"
                        )
                    expected_id, expected_prev, checked = expected_id + 1, row["hash"], checked + 1
        return VerifyReport(True, checked, expected_prev)
