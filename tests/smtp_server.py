"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd): STARTTLS with a throwaway certificate
made by ``trustme`` (its CA written to a file the client is told to trust), and AUTH LOGIN/PLAIN
required after STARTTLS. Every accepted message is parsed and kept."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.servers import free_port

USER, PASSWORD = "ratsinfo", "smtp-secret-42"


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # the name aiosmtpd calls
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    port: int
    mailbox: Mailbox
    ca_file: Path
    controller: Controller

    def stop(self) -> None:
        """Take the server down (its port refuses connections until a server listens there again)."""
        if self.controller.loop.is_running():
            self.controller.stop()

    def settings(self) -> dict[str, Any]:
        """The RATSINFO_SMTP_* settings that reach this server."""
        return {
            "smtp_host": "127.0.0.1",
            "smtp_port": self.port,
            "smtp_user": USER,
            "smtp_password": PASSWORD,
            "smtp_from": "ratsinfo@stadt.example",
            "smtp_ca_file": str(self.ca_file),
        }


@contextmanager
def running_smtp(folder: Path, port: int | None = None) -> Iterator[SmtpServer]:
    """An SMTP server on 127.0.0.1 (on ``port``, or a free one) requiring STARTTLS and a login."""
    ca = trustme.CA()
    folder.mkdir(parents=True, exist_ok=True)
    ca_file = folder / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    certificate = ca.issue_cert("127.0.0.1")
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(tls)
    mailbox = Mailbox()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port or free_port(),
        tls_context=tls,
        require_starttls=True,
        authenticator=_authenticate,
        auth_require_tls=True,
        ready_timeout=10,
    )
    controller.start()
    server = SmtpServer(controller.port, mailbox, ca_file, controller)
    try:
        yield server
    finally:
        server.stop()
