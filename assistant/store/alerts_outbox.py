"""Deliveries in the alerts database: e-mail settings, the outbox of digests, feed secrets.

The outbox is what makes e-mail safe to fail: a digest (one per user and run, or one per day)
is a row naming its alerts before anything is sent; a failed attempt stays ``pending`` with
its error and the time of the next attempt (exponential backoff), a sent one becomes ``sent``.
Nothing is ever deleted, so ``ratsinfo alerts status`` can say what happened.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from assistant.store.alerts_schema import ALERTS_FILE, AlertsFile, now, parse_stamp, stamp

DIGESTS = ("off", "immediate", "daily")
PENDING, SENT, DROPPED = "pending", "sent", "dropped"
_LINK_KEY = "link_key"


@dataclass(frozen=True, slots=True)
class MailSettings:
    user: str
    address: str
    digest: str  # one of DIGESTS
    last_digest: str | None


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    user: str
    alert_ids: tuple[int, ...]
    created: str
    due: str
    attempts: int
    last_error: str
    state: str
    finished: str | None


def _mail(row: sqlite3.Row) -> MailSettings:
    return MailSettings(row["user"], row["address"], row["digest"], row["last_digest"])


def _outbox(row: sqlite3.Row) -> OutboxRow:
    return OutboxRow(
        row["id"],
        row["user"],
        tuple(json.loads(row["alert_ids"])),
        row["created"],
        row["due"],
        row["attempts"],
        row["last_error"],
        row["state"],
        row["finished"],
    )


class Outbox:
    """E-mail settings, digests to send, and feed secrets of every user."""

    def __init__(self, data_dir: Path) -> None:
        self.file = AlertsFile(data_dir / ALERTS_FILE)

    # -- e-mail settings -------------------------------------------------------------------------

    def set_mail(self, user: str, address: str, digest: str) -> MailSettings:
        with self.file.connect() as db:
            db.execute(
                "INSERT INTO mail_settings (user, address, digest) VALUES (?, ?, ?) ON CONFLICT(user) "
                "DO UPDATE SET address = excluded.address, digest = excluded.digest",
                (user, address, digest),
            )
        found = self.mail(user)
        assert found is not None
        return found

    def mail(self, user: str) -> MailSettings | None:
        with self.file.connect() as db:
            row = db.execute("SELECT * FROM mail_settings WHERE user = ?", (user,)).fetchone()
        return _mail(row) if row else None

    def stop_mail(self, user: str) -> bool:
        """No more e-mail for ``user`` (unsubscribed); True when something changed."""
        with self.file.connect() as db:
            changed = db.execute(
                "UPDATE mail_settings SET digest = 'off' WHERE user = ? AND digest != 'off'", (user,)
            ).rowcount
        return changed > 0

    # -- the outbox ------------------------------------------------------------------------------

    def enqueue(self, user: str, alert_ids: list[int], due: datetime, collect: bool) -> int:
        """Put alerts into a digest for ``user``; with ``collect`` (daily digests) they join the
        user's digest that has not been tried yet, if there is one. Returns the digest's id."""
        with self.file.connect() as db:
            if collect:
                row = db.execute(
                    "SELECT * FROM outbox WHERE user = ? AND state = ? AND attempts = 0 ORDER BY id LIMIT 1",
                    (user, PENDING),
                ).fetchone()
                if row is not None:
                    joined = [*json.loads(row["alert_ids"]), *alert_ids]
                    db.execute(
                        "UPDATE outbox SET alert_ids = ? WHERE id = ?", (json.dumps(joined), row["id"])
                    )
                    return int(row["id"])
            cursor = db.execute(
                "INSERT INTO outbox (user, alert_ids, created, due) VALUES (?, ?, ?, ?)",
                (user, json.dumps(alert_ids), stamp(), stamp(due)),
            )
            return int(cursor.lastrowid or 0)

    def pending(self, due_by: datetime | None = None) -> list[OutboxRow]:
        """Digests not sent yet (those due by ``due_by``; all with None), oldest first."""
        sql, parameters = "SELECT * FROM outbox WHERE state = ?", [PENDING]
        if due_by is not None:
            sql += " AND due <= ?"
            parameters.append(stamp(due_by))
        with self.file.connect() as db:
            rows = db.execute(sql + " ORDER BY id", parameters).fetchall()
        return [_outbox(row) for row in rows]

    def rows(self, limit: int = 50) -> list[OutboxRow]:
        """The newest digests, whatever their state."""
        with self.file.connect() as db:
            rows = db.execute("SELECT * FROM outbox ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [_outbox(row) for row in rows]

    def counts(self) -> dict[str, int]:
        with self.file.connect() as db:
            rows = db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall()
        return {PENDING: 0, SENT: 0, DROPPED: 0} | {row[0]: int(row[1]) for row in rows}

    def sent(self, row: OutboxRow) -> None:
        with self.file.connect() as db:
            db.execute(
                "UPDATE outbox SET state = ?, attempts = attempts + 1, finished = ?, last_error = '' "
                "WHERE id = ?",
                (SENT, stamp(), row.id),
            )
            db.execute("UPDATE mail_settings SET last_digest = ? WHERE user = ?", (stamp(), row.user))

    def failed(self, row: OutboxRow, error: str, retry_in: timedelta) -> None:
        """A failed attempt: the digest stays pending and is due again after ``retry_in``."""
        with self.file.connect() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, due = ? WHERE id = ?",
                (error[:500], stamp(now() + retry_in), row.id),
            )

    def dropped(self, row: OutboxRow, reason: str) -> None:
        """Nothing to send any more (user revoked, e-mail switched off, nothing left visible)."""
        with self.file.connect() as db:
            db.execute(
                "UPDATE outbox SET state = ?, finished = ?, last_error = ? WHERE id = ?",
                (DROPPED, stamp(), reason[:500], row.id),
            )

    def daily_due(self, user: str, moment: datetime) -> datetime:
        """When a daily digest started now is due: a day after the last one (now if none)."""
        settings = self.mail(user)
        if settings is None or not settings.last_digest:
            return moment
        return max(moment, parse_stamp(settings.last_digest) + timedelta(days=1))

    # -- feed secrets ----------------------------------------------------------------------------

    def add_feed(self, user: str, secret_hash: str) -> None:
        """A new feed secret for ``user``; earlier ones stop working."""
        with self.file.connect() as db:
            db.execute("UPDATE feeds SET revoked = ? WHERE user = ? AND revoked IS NULL", (stamp(), user))
            db.execute(
                "INSERT INTO feeds (user, secret_hash, created) VALUES (?, ?, ?)",
                (user, secret_hash, stamp()),
            )

    def revoke_feeds(self, user: str) -> int:
        with self.file.connect() as db:
            return db.execute(
                "UPDATE feeds SET revoked = ? WHERE user = ? AND revoked IS NULL", (stamp(), user)
            ).rowcount

    def feed_user(self, secret_hash: str) -> str | None:
        """The user of an active feed secret (None: unknown or revoked)."""
        with self.file.connect() as db:
            row = db.execute(
                "SELECT user FROM feeds WHERE secret_hash = ? AND revoked IS NULL", (secret_hash,)
            ).fetchone()
        return str(row[0]) if row else None

    def has_feed(self, user: str) -> bool:
        with self.file.connect() as db:
            row = db.execute("SELECT 1 FROM feeds WHERE user = ? AND revoked IS NULL", (user,)).fetchone()
        return row is not None

    # -- the key of signed links -----------------------------------------------------------------

    def link_key(self) -> bytes:
        """The secret that signs unsubscribe links, made on first use and kept here."""
        with self.file.connect() as db:
            db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (_LINK_KEY, secrets.token_hex(32))
            )
            row = db.execute("SELECT value FROM meta WHERE key = ?", (_LINK_KEY,)).fetchone()
        return bytes.fromhex(row[0])
