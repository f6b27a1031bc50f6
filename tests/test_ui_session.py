"""UI sessions: sign-in with password or token, binding to the browser, expiry, revocation, audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.audit import AuditLog
from assistant.auth.security import Security
from assistant.auth.users import UserStore
from assistant.errors import AuthenticationError, RateLimitExceeded
from assistant.ratelimit import RateLimiter
from ui.backend import UiBackend
from ui.session import SESSION_ENDED, SIGN_IN_FAILED, SessionStore


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def users(tmp_path: Path) -> UserStore:
    return UserStore(tmp_path / "users.sqlite3")


@pytest.fixture
def token(users: UserStore) -> str:
    _, issued = users.add("anna", ["fraktion-gruen"], password="richtig-geheim")
    return issued


def test_password_token_and_name_plus_token_sign_in(users: UserStore, token: str) -> None:
    sessions = SessionStore(users)
    for name, secret in (("anna", "richtig-geheim"), ("", token), ("anna", token)):
        key, user = sessions.sign_in(name, secret, browser="cookie-1")
        assert user.name == "anna" and len(key) >= 40
        assert sessions.principal(key, "cookie-1").groups == frozenset({"fraktion-gruen"})


@pytest.mark.parametrize(
    ("name", "secret"),
    [("anna", "falsch"), ("bernd", "richtig-geheim"), ("", "richtig-geheim"), ("anna", ""), ("bernd", None)],
)
def test_every_failed_sign_in_gives_the_same_message(
    users: UserStore, token: str, name: str, secret: Any
) -> None:
    secret = token if secret is None else secret  # someone else's name with anna's token
    with pytest.raises(AuthenticationError) as error:
        SessionStore(users).sign_in(name, secret, browser="")
    assert error.value.german == SIGN_IN_FAILED


def test_a_session_works_only_with_the_browser_cookie_it_was_opened_with(
    users: UserStore, token: str
) -> None:
    sessions = SessionStore(users)
    key, _ = sessions.sign_in("", token, browser="cookie-1")
    with pytest.raises(AuthenticationError) as ended:
        sessions.principal(key, "cookie-2")
    assert ended.value.german == SESSION_ENDED
    with pytest.raises(AuthenticationError):
        sessions.principal("made-up-key", "cookie-1")
    with pytest.raises(AuthenticationError):
        sessions.principal(None, "cookie-1")
    assert sessions.principal(key, "cookie-1").name == "anna"


def test_idle_and_old_sessions_expire(users: UserStore, token: str) -> None:
    clock = Clock()
    sessions = SessionStore(users, idle_timeout_s=60, max_age_s=300, clock=clock)
    key, _ = sessions.sign_in("", token, browser="")
    for _ in range(5):  # staying active keeps the session alive until its maximum age
        clock.now += 50
        sessions.principal(key, "")
    clock.now += 51
    with pytest.raises(AuthenticationError) as expired:
        sessions.principal(key, "")
    assert "abgelaufen" in expired.value.german
    idle_key, _ = sessions.sign_in("", token, browser="")
    clock.now += 61
    with pytest.raises(AuthenticationError):
        sessions.principal(idle_key, "")


def test_revocation_applies_to_open_sessions_at_once(users: UserStore, token: str) -> None:
    sessions = SessionStore(users)
    key, _ = sessions.sign_in("anna", "richtig-geheim", browser="")
    users.revoke("anna")
    with pytest.raises(AuthenticationError) as error:
        sessions.principal(key, "")
    assert error.value.german == SESSION_ENDED
    assert len(sessions) == 0


def test_sign_out_ends_the_session(users: UserStore, token: str) -> None:
    sessions = SessionStore(users)
    key, _ = sessions.sign_in("", token, browser="")
    assert sessions.sign_out(key) == "anna" and sessions.sign_out(key) is None
    with pytest.raises(AuthenticationError):
        sessions.principal(key, "")


def test_backend_audits_sign_in_attempts_and_limits_them_per_client(
    sample_services: Any, users: UserStore, token: str, tmp_path: Path
) -> None:
    audit = AuditLog(tmp_path / "audit.sqlite3")
    backend = UiBackend(sample_services.service, Security(users=users, audit=audit, limiter=RateLimiter(3)))
    with pytest.raises(AuthenticationError):
        backend.sign_in("anna", "falsch", browser="", client="10.0.0.1")
    key, _ = backend.sign_in("anna", "richtig-geheim", browser="", client="10.0.0.1")
    backend.sign_in("", token, browser="", client="10.0.0.1")
    with pytest.raises(RateLimitExceeded):  # the fourth attempt from that address within a minute
        backend.sign_in("anna", "richtig-geheim", browser="", client="10.0.0.1")
    backend.sign_out(key)
    records = [(r.user, r.interface, r.action, r.status) for r in audit.records()]
    assert records == [
        ("anna", "ui", "sign-in", "denied"),
        ("anna", "ui", "sign-in", "ok"),
        ("anna", "ui", "sign-in", "ok"),
        ("anna", "ui", "sign-in", "denied"),
        ("anna", "ui", "sign-out", "ok"),
    ]
    assert audit.verify().ok
