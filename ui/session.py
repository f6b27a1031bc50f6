"""Sign-in state of the web UI, held on the server.

A browser session holds nothing but a random session key, and only in a ``gr.State`` (which
Gradio keeps on the server, never in the page). The key maps to a :class:`UiSession` here. Each
action resolves the key to a fresh :class:`~assistant.access.Principal` from the user store, so
a revoked user or a change of groups takes effect on the next click, not at the next sign-in.

A session is also bound to the browser's ``ratsinfo_ui`` cookie (HttpOnly, set when the page
loads): Gradio identifies a browser session by a hash the page makes up itself, and whoever
learned that hash still lacks the cookie.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from assistant.access import Principal
from assistant.auth.users import User, UserStore
from assistant.errors import AuthenticationError

BROWSER_COOKIE = "ratsinfo_ui"
IDLE_TIMEOUT_S = 2 * 3600.0
MAX_AGE_S = 12 * 3600.0
MAX_SECRET_CHARS = 1024
SIGN_IN_FAILED = "Anmeldung fehlgeschlagen: Name, Passwort oder Token stimmen nicht."
SESSION_ENDED = "Ihre Sitzung ist abgelaufen oder wurde beendet. Bitte melden Sie sich erneut an."


def _sign_in_failed() -> AuthenticationError:
    return AuthenticationError("sign-in failed", german=SIGN_IN_FAILED)


def _session_ended() -> AuthenticationError:
    return AuthenticationError("the session has expired or was ended", german=SESSION_ENDED)


@dataclass(slots=True)
class UiSession:
    key: str
    user: str
    browser: str  # the browser cookie at sign-in ("" for clients without cookies)
    created: float
    seen: float


class SessionStore:
    """Signed-in UI sessions, in memory (a restart signs everybody out, which is fine)."""

    def __init__(
        self,
        users: UserStore,
        idle_timeout_s: float = IDLE_TIMEOUT_S,
        max_age_s: float = MAX_AGE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._users = users
        self._idle_timeout_s = idle_timeout_s
        self._max_age_s = max_age_s
        self._clock = clock
        self._sessions: dict[str, UiSession] = {}
        self._lock = threading.Lock()

    def authenticate(self, name: str, secret: str) -> User:
        """The user for a name and password, a name and token, or a token alone.

        Every failure raises the same AuthenticationError, so the form reveals nothing about
        which part was wrong.
        """
        name, secret = name.strip(), secret.strip()
        if not secret or len(secret) > MAX_SECRET_CHARS or len(name) > 64:
            raise _sign_in_failed()
        if name:
            try:
                return self._users.authenticate_password(name, secret)
            except AuthenticationError:
                pass  # perhaps the token was typed into the password field
        try:
            user = self._users.authenticate_token(secret)
        except AuthenticationError:
            raise _sign_in_failed() from None
        if name and user.name != name:
            raise _sign_in_failed()
        return user

    def sign_in(self, name: str, secret: str, browser: str) -> tuple[str, User]:
        """A new session key for valid credentials (see :meth:`authenticate`)."""
        user = self.authenticate(name, secret)
        now = self._clock()
        key = secrets.token_urlsafe(32)
        with self._lock:
            self._drop_expired(now)
            self._sessions[key] = UiSession(key, user.name, browser, created=now, seen=now)
        return key, user

    def user_of(self, key: str | None) -> str | None:
        """The user name a key was issued to (for the audit log), expired or not."""
        with self._lock:
            session = self._sessions.get(key or "")
        return session.user if session else None

    def principal(self, key: str | None, browser: str) -> Principal:
        """The principal of a live session; AuthenticationError if there is none any more."""
        now = self._clock()
        with self._lock:
            session = self._sessions.get(key or "")
            if session is None or not secrets.compare_digest(session.browser, browser):
                raise _session_ended()
            if self._expired(session, now):
                del self._sessions[session.key]
                raise _session_ended()
            session.seen = now
            name = session.user
        user = self._users.get(name)
        if user is None or not user.active:
            self.sign_out(key)
            raise _session_ended()
        return user.principal()

    def sign_out(self, key: str | None) -> str | None:
        """End a session; returns whose it was (None if it did not exist)."""
        with self._lock:
            session = self._sessions.pop(key or "", None)
        return session.user if session else None

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def _expired(self, session: UiSession, now: float) -> bool:
        return now - session.seen > self._idle_timeout_s or now - session.created > self._max_age_s

    def _drop_expired(self, now: float) -> None:
        for key in [key for key, session in self._sessions.items() if self._expired(session, now)]:
            del self._sessions[key]
