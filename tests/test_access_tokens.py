"""Users and credentials: tokens shown once and stored as hashes, revocation, passwords, the
per-token rate limit, and `ratsinfo serve` refusing a network bind while nobody can log in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.auth.users import UserStore, hash_token
from assistant.cli import app
from assistant.errors import AuthenticationError, InvalidRequestError, NotFoundError, RateLimitExceeded
from assistant.ratelimit import RateLimiter


def test_tokens_are_random_shown_once_and_stored_only_as_hashes(tmp_path: Path) -> None:
    users = UserStore(tmp_path / "users.sqlite3")
    anna, anna_token = users.add("anna", ["fraktion-gruen", "gremium-hauptausschuss"])
    _, bert_token = users.add("bert")
    assert anna_token != bert_token and len(anna_token) >= 43
    raw = (tmp_path / "users.sqlite3").read_bytes()
    assert anna_token.encode() not in raw and hash_token(anna_token).encode() in raw
    assert users.authenticate_token(anna_token) == anna
    assert anna.principal().groups == {"fraktion-gruen", "gremium-hauptausschuss"}
    assert not anna.principal().unrestricted and not anna.principal().admin
    with pytest.raises(AuthenticationError):
        users.authenticate_token(anna_token[:-1] + ("A" if anna_token[-1] != "A" else "B"))


def test_revoked_users_lose_token_password_and_cli_identity(tmp_path: Path) -> None:
    users = UserStore(tmp_path / "users.sqlite3")
    _, token = users.add("dora", ["fraktion-gruen"], password="Deich-2025!")
    assert users.authenticate_password("dora", "Deich-2025!").name == "dora"
    users.revoke("dora")
    with pytest.raises(AuthenticationError, match="revoked"):
        users.authenticate_token(token)
    with pytest.raises(AuthenticationError):
        users.authenticate_password("dora", "Deich-2025!")
    with pytest.raises(AuthenticationError):
        users.active_user("dora")
    with pytest.raises(InvalidRequestError):
        users.revoke("dora")
    with pytest.raises(NotFoundError):
        users.revoke("nobody")
    assert users.active_count() == 0 and users.get("dora") is not None  # kept for the audit trail


def test_passwords_are_argon2_hashes_and_failures_look_alike(tmp_path: Path) -> None:
    users = UserStore(tmp_path / "users.sqlite3")
    users.add("emil", password="Rathaus#7")
    users.add("frida")  # no password: token only
    assert b"$argon2id$" in (tmp_path / "users.sqlite3").read_bytes()
    assert b"Rathaus#7" not in (tmp_path / "users.sqlite3").read_bytes()
    messages = set()
    for name, password in (("emil", "falsch"), ("frida", ""), ("niemand", "Rathaus#7")):
        with pytest.raises(AuthenticationError) as caught:
            users.authenticate_password(name, password)
        messages.add(str(caught.value))
    assert len(messages) == 1


@pytest.mark.parametrize(
    ("name", "groups"), [("anna", ["x"]), ("", []), ("a b", []), ("x" * 70, []), ("gunda", ["Große Gruppe"])]
)
def test_duplicate_or_malformed_users_are_refused(tmp_path: Path, name: str, groups: list[str]) -> None:
    users = UserStore(tmp_path / "users.sqlite3")
    users.add("anna")
    with pytest.raises(InvalidRequestError):
        users.add(name, groups)


def test_the_rate_limit_is_a_token_bucket_per_key() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=3, clock=lambda: now[0])
    for _ in range(3):
        limiter.check("anna")
    with pytest.raises(RateLimitExceeded) as caught:
        limiter.check("anna")
    assert caught.value.retry_after == 20  # one request refills in 60 s / 3
    limiter.check("bert")  # buckets are per user
    now[0] = 20.0
    limiter.check("anna")
    with pytest.raises(RateLimitExceeded):
        limiter.check("anna")
    disabled = RateLimiter(per_minute=0)
    for _ in range(1000):
        disabled.check("anna")


def test_cli_users_add_list_revoke(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"RATSINFO_DATA_DIR": str(tmp_path)}
    added = runner.invoke(
        app,
        ["users", "add", "anna", "--group", "fraktion-gruen", "--password-stdin", "--json"],
        env=env,
        input="Deich-2025!\n",
    )
    assert added.exit_code == 0, added.output
    data = json.loads(added.stdout)
    assert set(data) == {"name", "groups", "admin", "token"}
    assert (data["name"], data["groups"], data["admin"]) == ("anna", ["fraktion-gruen"], False)
    users = UserStore(tmp_path / "users.sqlite3")
    assert users.authenticate_token(data["token"]).name == "anna"
    assert users.authenticate_password("anna", "Deich-2025!").name == "anna"
    admin = runner.invoke(app, ["users", "add", "admin", "--admin", "--json"], env=env)
    assert json.loads(admin.stdout)["admin"] is True
    assert runner.invoke(app, ["users", "add", "anna", "--json"], env=env).exit_code == 2
    listed = runner.invoke(app, ["users", "list", "--json"], env=env)
    assert data["token"] not in listed.stdout and "token" not in listed.stdout
    assert [u["name"] for u in json.loads(listed.stdout)["users"]] == ["admin", "anna"]
    assert runner.invoke(app, ["users", "revoke", "anna"], env=env).exit_code == 0
    with pytest.raises(AuthenticationError):
        users.authenticate_token(data["token"])
    assert runner.invoke(app, ["users", "revoke", "nobody"], env=env).exit_code == 4


def test_serve_refuses_a_network_bind_until_a_user_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    served: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **kwargs: served.append(kwargs))
    runner = CliRunner()
    env = {"RATSINFO_DATA_DIR": str(tmp_path)}
    refused = runner.invoke(app, ["serve", "--host", "0.0.0.0"], env=env)
    assert refused.exit_code == 2 and "ratsinfo users add" in refused.output and served == []
    assert runner.invoke(app, ["serve", "--host", "127.0.0.1", "--port", "8123"], env=env).exit_code == 0
    assert served[-1] == {"host": "127.0.0.1", "port": 8123, "log_level": "info"}
    UserStore(tmp_path / "users.sqlite3").add("admin", admin=True)
    assert runner.invoke(app, ["serve", "--host", "0.0.0.0"], env=env).exit_code == 0
    assert served[-1]["host"] == "0.0.0.0"
