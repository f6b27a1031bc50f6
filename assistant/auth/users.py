"""Users, their groups and their credentials, in a small SQLite database under the data dir.

A token is ``secrets.token_urlsafe(32)``: shown once when issued, stored only as its SHA-256
(a 256-bit random secret needs no slow hash: nobody can guess it, and an indexed lookup by
hash leaks nothing useful through timing). Passwords, chosen by people, get Argon2id.
Revoking a user stops both their token and their password at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from assistant.access import Principal, checked_groups
from assistant.errors import AuthenticationError, InvalidRequestError, NotFoundError

_USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    groups TEXT NOT NULL,
    admin INTEGER NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    created TEXT NOT NULL,
    revoked TEXT
);
"""
_PASSWORDS = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when a name is unknown, so that a wrong name costs as long as a wrong password."""
    return _PASSWORDS.hash(secrets.token_urlsafe(16))


def validate_user_name(name: str) -> str:
    if not _USER_NAME.match(name):
        raise InvalidRequestError(
            f"invalid user name {name!r}: use letters, digits, '.', '_', '@' and '-' (max 64)",
            german=f"Ungültiger Benutzername {name!r}: erlaubt sind Buchstaben, Ziffern, „.“, „_“, "
            "„@“ und „-“ (höchstens 64 Zeichen).",
        )
    return name


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class User:
    name: str
    groups: frozenset[str]
    admin: bool
    created: str
    revoked: str | None
    has_password: bool

    @property
    def active(self) -> bool:
        return self.revoked is None

    def principal(self) -> Principal:
        """The identity this user's requests act as: their groups, never unrestricted."""
        return Principal(name=self.name, groups=self.groups, admin=self.admin)

    def to_dict(self) -> dict[str, object]:
        """The public view of a user (no token, no hash)."""
        return {
            "name": self.name,
            "groups": sorted(self.groups),
            "admin": self.admin,
            "created": self.created,
            "revoked": self.revoked,
        }


def _user_from_row(row: sqlite3.Row) -> User:
    return User(
        name=row["name"],
        groups=frozenset(filter(None, row["groups"].split(","))),
        admin=bool(row["admin"]),
        created=row["created"],
        revoked=row["revoked"],
        has_password=row["password_hash"] is not None,
    )


class UserStore:
    """Users and credentials. A connection per operation: safe across threads and processes."""

    def __init__(self, path: Path) -> None:
        self._path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self._path, timeout=30)
        connection.row_factory = sqlite3.Row
        try:
            with connection:  # commit or roll back
                yield connection
        finally:
            connection.close()

    # -- management --------------------------------------------------------------------------

    def add(
        self, name: str, groups: Iterable[str] = (), admin: bool = False, password: str | None = None
    ) -> tuple[User, str]:
        """Create a user; returns the user and their token, which is not stored and never shown again."""
        validate_user_name(name)
        group_set = checked_groups(groups)
        token = secrets.token_urlsafe(32)
        password_hash = _PASSWORDS.hash(password) if password else None
        try:
            with self._connect() as connection:
                connection.execute(
                    "INSERT INTO users(name, groups, admin, token_hash, password_hash, created) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (name, ",".join(sorted(group_set)), int(admin), hash_token(token), password_hash, _now()),
                )
        except sqlite3.IntegrityError as error:
            raise InvalidRequestError(
                f"user {name!r} exists already", german=f"Den Benutzer {name!r} gibt es schon."
            ) from error
        user = self.get(name)
        assert user is not None
        return user, token

    def revoke(self, name: str) -> User:
        """Revoke a user's token and password; the record stays for the audit trail."""
        with self._connect() as connection:
            updated = connection.execute(
                "UPDATE users SET revoked = ? WHERE name = ? AND revoked IS NULL", (_now(), name)
            ).rowcount
        user = self.get(name)
        if user is None:
            raise NotFoundError(f"no user {name!r}", german=f"Den Benutzer {name!r} gibt es nicht.")
        if not updated:
            raise InvalidRequestError(
                f"user {name!r} was revoked already ({user.revoked})",
                german=f"Der Benutzer {name!r} ist schon gesperrt (seit {user.revoked}).",
            )
        return user

    def set_password(self, name: str, password: str) -> None:
        if not password:
            raise InvalidRequestError("the password is empty", german="Das Passwort ist leer.")
        with self._connect() as connection:
            updated = connection.execute(
                "UPDATE users SET password_hash = ? WHERE name = ?", (_PASSWORDS.hash(password), name)
            ).rowcount
        if not updated:
            raise NotFoundError(f"no user {name!r}", german=f"Den Benutzer {name!r} gibt es nicht.")

    # -- lookups -----------------------------------------------------------------------------

    def get(self, name: str) -> User | None:
        with self._connect() as connection:
            row = connection.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
        return None if row is None else _user_from_row(row)

    def users(self) -> list[User]:
        with self._connect() as connection:
            rows = connection.execute("SELECT * FROM users ORDER BY name").fetchall()
        return [_user_from_row(row) for row in rows]

    def active_count(self) -> int:
        with self._connect() as connection:
            row = connection.execute("SELECT COUNT(*) FROM users WHERE revoked IS NULL").fetchone()
        return int(row[0])

    def active_user(self, name: str) -> User:
        """The user acting on the CLI with ``--user``: unknown or revoked is an error."""
        user = self.get(name)
        if user is None:
            raise NotFoundError(
                f"no user {name!r} (see ratsinfo users list)",
                german=f"Den Benutzer {name!r} gibt es nicht (siehe „ratsinfo users list“).",
            )
        if not user.active:
            raise AuthenticationError(
                f"user {name!r} was revoked on {user.revoked}",
                german=f"Der Benutzer {name!r} ist seit {user.revoked} gesperrt.",
            )
        return user

    def authenticate_token(self, token: str) -> User:
        """The active user holding ``token``; AuthenticationError if none (or revoked)."""
        with self._connect() as connection:
            row = connection.execute(
                "SELECT * FROM users WHERE token_hash = ?", (hash_token(token),)
            ).fetchone()
        if row is None:
            raise AuthenticationError("invalid token", german="Ungültiges Token.")
        user = _user_from_row(row)
        if not user.active:
            raise RevokedCredentialsError(user.name)
        return user

    def authenticate_password(self, name: str, password: str) -> User:
        """The active user ``name`` if ``password`` matches; one vague error for every failure."""
        with self._connect() as connection:
            row = connection.execute(
                "SELECT password_hash, revoked FROM users WHERE name = ?", (name,)
            ).fetchone()
        stored = row["password_hash"] if row is not None else None
        try:
            _PASSWORDS.verify(stored or _dummy_hash(), password)
            matches = stored is not None
        except (VerificationError, InvalidHashError):
            matches = False
        if not matches or row is None or row["revoked"] is not None:
            raise AuthenticationError(
                "invalid user name or password", german="Benutzername oder Passwort ist falsch."
            )
        user = self.get(name)
        assert user is not None
        return user


class RevokedCredentialsError(AuthenticationError):
    """A token that was valid once; the audit log records whose it was."""

    def __init__(self, user: str) -> None:
        super().__init__("token revoked", german="Dieses Token ist gesperrt.")
        self.user = user
