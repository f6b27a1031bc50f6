"""The CLI as a new user meets it: an empty store, nothing readable, and one language (German)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.cli.common import EXIT_CODE_MEANINGS, EXIT_CODES
from assistant.errors import (
    EmptyStoreError,
    InvalidRequestError,
    NotFoundError,
    NothingReadError,
    RateLimitExceeded,
    RatsinfoError,
)
from assistant.messages import GERMAN, user_message
from tests.conftest import REPO
from ui.backend import ui_message
from ui.session import SESSION_ENDED


def _cli(data_dir: Path, *args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"RATSINFO_DATA_DIR": str(data_dir)})


def test_ask_and_search_on_an_empty_store_say_nothing_is_ingested_and_how_to_ingest(tmp_path: Path) -> None:
    for command in (["ask", "Was plant die Stadt beim Radverkehr?"], ["search", "Radweg", "--json"]):
        result = _cli(tmp_path / "data", *command)

        assert result.exit_code == EXIT_CODES[EmptyStoreError] == 6, result.output
        assert result.stdout == ""  # no answer, not even "keine belastbare Antwort"
        assert "noch keine Dokumente eingelesen" in result.stderr
        assert "ratsinfo ingest ORDNER" in result.stderr and "ratsinfo ingest --oparl URL" in result.stderr


def test_ingest_that_can_read_nothing_exits_with_its_own_code(tmp_path: Path) -> None:
    missing = _cli(tmp_path / "data", "ingest", "/a/path/that/does/not/exist")
    assert missing.exit_code == EXIT_CODES[NothingReadError] == 7, missing.output
    assert "/a/path/that/does/not/exist: Datei oder Ordner nicht gefunden" in missing.stderr
    assert "Nichts eingelesen" in missing.stderr

    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "tabelle.xls").write_bytes(b"\xd0\xcf\x11\xe0 not a text")
    (tmp_path / "export" / "daten.txt").write_bytes(bytes(range(256)) * 8)
    unreadable = _cli(tmp_path / "data", "ingest", str(tmp_path / "export"), "--json")
    assert unreadable.exit_code == 7, unreadable.output
    report = json.loads(unreadable.stdout)  # the report is still printed, for scripts
    assert report["added"] == 0 and len(report["failed"]) == 2
    by_name = {Path(entry["source"]).name: entry for entry in report["failed"]}
    assert "not text: binary data" in by_name["daten.txt"]["error"]
    assert "Binärdaten" in by_name["daten.txt"]["message"]
    assert "wird nicht unterstützt" in by_name["tabelle.xls"]["message"]


def test_ingest_that_reads_something_exits_0_and_names_what_failed_in_german(tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "antrag.txt").write_text("Antrag: Sitzbänke am Weserufer aufstellen.\n")
    (tmp_path / "export" / "kaputt.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)

    result = _cli(tmp_path / "data", "ingest", str(tmp_path / "export"), str(tmp_path / "fehlt"))

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("1 neu, 0 aktualisiert, 0 unverändert, 0 gelöscht, 2 fehlgeschlagen")
    assert "kaputt.pdf: Das PDF ist beschädigt" in result.stderr
    assert "fehlt: Datei oder Ordner nicht gefunden" in result.stderr
    assert "damaged" not in result.stderr and "No such file" not in result.stderr
    assert _cli(tmp_path / "data", "search", "Sitzbänke").exit_code == 0


@pytest.mark.parametrize(
    ("arguments", "german", "english"),
    [
        (["search", "Radweg", "--from", "2025-13-01"], "erwartet ein Datum wie", "expects a date"),
        (["ask", "Radweg?", "--user", "niemand"], "Den Benutzer 'niemand' gibt es nicht", "no user"),
        (["acl", "set", "NV/1999/000", "--public"], "Kein Dokument mit der Kennung", "no document"),
        (["ingest", "x", "--group", "Keine Gruppe"], "Ungültiger Gruppenname", "invalid group name"),
        (["users", "revoke", "niemand"], "Den Benutzer 'niemand' gibt es nicht", "no user"),
        (["ask", "Radweg?", "--mode", "orakel"], "Unbekannter Antwortmodus", "unknown answer mode"),
    ],
)
def test_error_messages_are_german_and_only_german(
    tmp_path: Path, arguments: list[str], german: str, english: str
) -> None:
    data_dir = tmp_path / "data"
    (tmp_path / "a.txt").write_text("Antrag: Radweg an der Weserpromenade verbreitern.\n")
    assert _cli(data_dir, "ingest", str(tmp_path / "a.txt")).exit_code == 0

    result = _cli(data_dir, *arguments)

    assert result.exit_code in EXIT_CODE_MEANINGS and result.exit_code not in (0, 1), result.output
    assert result.stderr.startswith("Fehler: ") and german in result.stderr, result.stderr
    assert english not in result.stderr


def test_help_and_readme_list_every_exit_code() -> None:
    assert set(EXIT_CODES.values()) <= set(EXIT_CODE_MEANINGS)
    shown = " ".join(CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"}).stdout.split())
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("### Exit codes") :]
    for code, meaning in EXIT_CODE_MEANINGS.items():
        assert f"{code} {meaning}" in shown
        assert re.search(rf"^\| `{code}` \|", table, re.MULTILINE), code


def test_one_mapping_renders_every_error_in_german_for_the_cli_and_the_ui() -> None:
    class UnknownMinutes(NotFoundError):
        """A subclass without a sentence of its own gets that of the nearest class mapped."""

    assert user_message(UnknownMinutes("no minutes")) == GERMAN[NotFoundError]
    assert user_message(InvalidRequestError("bad", german="Schlecht.")) == "Schlecht."
    assert user_message(RatsinfoError("anything")) == GERMAN[RatsinfoError]
    assert "30 Sekunden" in user_message(RateLimitExceeded(30))
    # The UI shows the same sentences, except that a failed sign-in says only that.
    assert ui_message(InvalidRequestError("bad", german="Schlecht.")) == "Schlecht."
    assert ui_message(UnknownMinutes("no minutes")) == GERMAN[NotFoundError]
    assert ui_message(RateLimitExceeded(30)) == user_message(RateLimitExceeded(30))
    from assistant.errors import AuthenticationError

    assert ui_message(AuthenticationError("invalid token", german="Ungültiges Token.")) == SESSION_ENDED
