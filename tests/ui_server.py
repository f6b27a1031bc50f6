"""The real app (API + web UI) on 127.0.0.1 over the sample corpus, with two users, for UI tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.api.app import create_app
from assistant.auth.security import Security, build_security
from assistant.config import Settings
from assistant.services import Services
from ingest.records import DocumentInfo
from tests.servers import serve_in_thread

REPO = Path(__file__).resolve().parents[1]
SAMPLE_QA = REPO / "eval" / "data" / "sample_qa.jsonl"
# anna sees the restricted folders of the sample corpus; bernd's group has no documents of its own.
USERS = {
    "anna": ("fraktion-gruen", "gremium-hauptausschuss"),
    "bernd": ("fraktion-spd",),
}


@dataclass
class UiServer:
    base_url: str
    services: Services
    security: Security
    app: Any
    sent: list[bytes]  # every response body chunk the server sent, streams included
    passwords: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def ui_url(self) -> str:
        return f"{self.base_url}/ui/"

    def restricted_documents(self) -> list[DocumentInfo]:
        return [doc for doc in self.services.store.documents().values() if "public" not in doc.access]


def sample_questions() -> list[dict[str, object]]:
    with SAMPLE_QA.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@contextmanager
def running_ui(services: Services, folder: Path) -> Iterator[UiServer]:
    """Users and audit log in ``folder`` (not the shared sample data dir), the app on a free port."""
    security = build_security(Settings(data_dir=folder))
    passwords, tokens = {}, {}
    for name, groups in USERS.items():
        passwords[name] = f"Passwort-{name}-42"
        _, tokens[name] = security.users.add(name, groups, password=passwords[name])
    app = create_app(services.settings, services=services, security=security)
    sent: list[bytes] = []

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        async def spy(message: Any) -> None:
            if message["type"] == "http.response.body":
                sent.append(message.get("body", b""))
            await send(message)

        await app(scope, receive, spy)

    with serve_in_thread(recording, graceful_shutdown_s=1) as base_url:
        yield UiServer(base_url, services, security, app, sent, passwords, tokens)
