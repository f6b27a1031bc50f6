"""The CLI's ingest, search and ask try no outbound connection (no telemetry, no model hub).

Each command runs in a fresh interpreter with a ``sitecustomize`` that records and refuses every
socket connection and name lookup that is not to the loopback interface. The phone-home switches
are removed from the environment first: the program must set them itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_json import ratsinfo_json

GUARD = """
import os, socket
_LOG = os.environ["NETGUARD_LOG"]
_LOCAL = ("127.", "::1", "localhost", "0.0.0.0")

def _record(what):
    with open(_LOG, "a") as log:
        log.write(what + "\\n")

def _is_local(host):
    return isinstance(host, str) and host.startswith(_LOCAL)

_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

def connect(self, address):
    if self.family != socket.AF_UNIX and not _is_local(address[0]):
        _record(f"connect {address!r}")
        raise OSError("outbound connection blocked by test")
    return _connect(self, address)

def connect_ex(self, address):
    if self.family != socket.AF_UNIX and not _is_local(address[0]):
        _record(f"connect_ex {address!r}")
        return 111
    return _connect_ex(self, address)

def getaddrinfo(host, *args, **kwargs):
    if host is not None and not _is_local(host if isinstance(host, str) else host.decode()):
        _record(f"getaddrinfo {host!r}")
        raise socket.gaierror("name lookup blocked by test")
    return _getaddrinfo(host, *args, **kwargs)

socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
"""

PHONE_HOME_SWITCHES = (
    "HF_HUB_OFFLINE",
    "TRANSFORMERS_OFFLINE",
    "HF_HUB_DISABLE_TELEMETRY",
    "GRADIO_ANALYTICS_ENABLED",
    "ANONYMIZED_TELEMETRY",
    "DO_NOT_TRACK",
)


@pytest.fixture
def guarded_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "connections.log"
    log.touch()
    env = {k: v for k, v in os.environ.items() if k not in PHONE_HOME_SWITCHES}
    env.update(
        PYTHONPATH=str(guard_dir),
        NETGUARD_LOG=str(log),
        RATSINFO_DATA_DIR=str(tmp_path / "data"),
    )
    return env, log


def test_guard_detects_an_outbound_connection(guarded_env: tuple[dict[str, str], Path]) -> None:
    env, log = guarded_env
    probe = (
        "import socket\n"
        "try:\n    socket.create_connection(('192.0.2.1', 80), timeout=1)\nexcept OSError:\n    pass"
    )
    subprocess.run([sys.executable, "-c", probe], env=env, check=True, timeout=60)
    assert "192.0.2.1" in log.read_text()


def test_ingest_search_and_ask_make_no_outbound_connection(
    guarded_env: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, log = guarded_env
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "antrag.txt").write_text(
        "Antrag\nDrucksache Nr.: A/2025/001\nBetreff: Sichere Radwege an Schulen\n\n"
        "Beschlussvorschlag:\nDie Verwaltung richtet bis 2026 sichere Radwege an allen Grundschulen ein.\n",
        encoding="utf-8",
    )

    ingest = ratsinfo_json(env, "ingest", str(corpus))
    search = ratsinfo_json(env, "search", "Radwege Grundschulen")
    ask = ratsinfo_json(env, "ask", "Was soll an den Grundschulen eingerichtet werden?")

    assert ingest["added"] == 1
    assert search["results"]
    assert ask["citations"]
    assert log.read_text() == ""
