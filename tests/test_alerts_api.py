"""Alerts through the HTTP API (a real uvicorn on 127.0.0.1), the unsubscribe link, the CLI's
management commands, backup and restore of the alerts database, and the calibration of the
relevance rule on the sample corpus."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from assistant.api.app import create_app
from assistant.auth.users import UserStore
from assistant.backup import backup, restore
from assistant.service.alert_links import unsubscribe_token
from assistant.service.alert_relevance import MIN_COVERAGE
from assistant.services import Services, build_services
from eval.alert_calibration import grid, judge, load_queries
from tests.servers import serve_in_thread

RADWEG = "a-2025-014-radweg-weserpromenade.txt"
SECRET = "fg-2025-003-kampagnenplan-hitzeschutz.txt"


@dataclass
class Api:
    services: Services
    base: str
    tokens: dict[str, str]

    def client(self, user: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.base, headers={"Authorization": f"Bearer {self.tokens[user]}"}, timeout=30
        )


@pytest.fixture
def api(make_services: Callable[..., Services], sample_corpus: Path, tmp_path: Path) -> Iterator[Api]:
    services = make_services()
    folder = tmp_path / "docs"
    (folder / "geheim").mkdir(parents=True)
    shutil.copy(sample_corpus / "public" / RADWEG, folder / RADWEG)
    shutil.copy(sample_corpus / "restricted" / "fraktion-gruen" / SECRET, folder / "geheim" / SECRET)
    (folder / ".ratsinfo-access.json").write_text(json.dumps({"geheim/*": ["fraktion-gruen"]}), "utf-8")
    services.ingestor.ingest([str(folder)])
    users = UserStore(services.settings.users_path)
    tokens = {
        name: users.add(name, groups)[1] for name, groups in (("anna", ["fraktion-gruen"]), ("bernd", []))
    }
    with serve_in_thread(create_app(services.settings, services=services, ui=False)) as base:
        yield Api(services, base, tokens)


def test_the_api_saves_lists_and_removes_searches_and_follows_only_visible_papers(api: Api) -> None:
    with api.client("bernd") as bernd:
        saved = bernd.post(
            "/api/v1/alerts/searches", json={"name": "Radweg", "query": "Radweg", "types": ["Antrag"]}
        )
        assert saved.status_code == 200 and saved.json()["filters"] == {"paper_types": ["Antrag"]}
        assert (
            bernd.post("/api/v1/alerts/searches", json={"name": "Radweg"}).status_code == 409
        )  # name in use
        assert (
            bernd.post("/api/v1/alerts/searches", json={"name": "x", "query": "und der"}).status_code == 422
        )
        assert bernd.post("/api/v1/alerts/follows", json={"paper": "A/2025/014"}).status_code == 200
        assert bernd.post("/api/v1/alerts/follows", json={"paper": "FG/2025/003"}).status_code == 404
        assert (
            bernd.put("/api/v1/alerts/email", json={"address": "kein Name", "digest": "daily"}).status_code
            == 422
        )
        assert (
            bernd.put("/api/v1/alerts/email", json={"address": "b@stadt.example"}).json()["digest"]
            == "immediate"
        )
        listed = bernd.get("/api/v1/alerts").json()
        assert [s["name"] for s in listed["searches"]] == ["Radweg"]
        assert [f["reference"] for f in listed["follows"]] == ["A/2025/014"]
        assert bernd.delete("/api/v1/alerts/searches/Radweg").status_code == 200
        assert bernd.delete("/api/v1/alerts/follows/A/2025/014").status_code == 200
        assert bernd.delete("/api/v1/alerts/searches/Radweg").status_code == 404
        assert bernd.get("/api/v1/alerts/new").json() == {"alerts": []}
    with api.client("anna") as anna:
        assert anna.post("/api/v1/alerts/follows", json={"paper": "FG/2025/003"}).status_code == 200
    assert httpx.get(f"{api.base}/api/v1/alerts").status_code == 401
    records = [r for r in api.services.alerts.db.follows()]
    assert [(f.user, api.services.store.documents()[f.doc_id].reference) for f in records] == [
        ("anna", "FG/2025/003")
    ]


def test_the_unsubscribe_link_works_without_signing_in_and_cannot_be_forged(api: Api) -> None:
    alerts = api.services.alerts
    with api.client("bernd") as bernd:
        bernd.put("/api/v1/alerts/email", json={"address": "b@stadt.example", "digest": "daily"})
    token = unsubscribe_token(alerts.outbox.link_key(), "bernd")
    page = httpx.get(f"{api.base}/alerts/unsubscribe/{token}")
    assert page.status_code == 200 and "<form" in page.text and alerts.outbox.mail("bernd").digest == "daily"  # type: ignore[union-attr]
    forged = unsubscribe_token(b"another key", "bernd")
    assert httpx.post(f"{api.base}/alerts/unsubscribe/{forged}").status_code == 404
    assert httpx.post(f"{api.base}/alerts/unsubscribe/{token[:-2]}xx").status_code == 404
    assert httpx.post(f"{api.base}/alerts/unsubscribe/{token}").status_code == 200
    assert alerts.outbox.mail("bernd").digest == "off"  # type: ignore[union-attr]


def _cli(data_dir: Path, *args: str) -> Any:
    result = CliRunner().invoke(_app(), [*args, "--json"], env={"RATSINFO_DATA_DIR": str(data_dir)})
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def _app() -> Any:
    from assistant.cli import app

    return app


def test_the_cli_manages_subscriptions_and_backup_restore_keeps_them(api: Api, tmp_path: Path) -> None:
    data = api.services.settings.data_dir
    _cli(data, "alerts", "add", "Radweg", "--user", "anna", "-q", "Radweg", "--from", "2025-01-01")
    _cli(data, "alerts", "add", "Anträge", "--user", "anna", "--type", "Antrag")
    _cli(data, "alerts", "follow", "FG/2025/003", "--user", "anna")
    listed = _cli(data, "alerts", "list", "--user", "anna")
    assert [s["name"] for s in listed["searches"]] == ["Radweg", "Anträge"]
    assert listed["searches"][0]["filters"] == {"date_from": "2025-01-01"}
    refused = CliRunner().invoke(
        _app(), ["alerts", "follow", "FG/2025/003", "--user", "bernd"], env={"RATSINFO_DATA_DIR": str(data)}
    )
    assert refused.exit_code == 4  # not found, exactly like a paper that does not exist

    copy = tmp_path / "backup"
    backup(data, copy)
    assert "alerts.sqlite3" in {
        entry["path"] for entry in json.loads((copy / "ratsinfo-backup.json").read_text())["files"]
    }
    restored = tmp_path / "restored"
    restore(copy, restored)
    assert [s["name"] for s in _cli(restored, "alerts", "list", "--user", "anna")["searches"]] == [
        "Radweg",
        "Anträge",
    ]
    _cli(data, "alerts", "remove", "Radweg", "--user", "anna")
    _cli(data, "alerts", "unfollow", "FG/2025/003", "--user", "anna")
    after = _cli(data, "alerts", "list", "--user", "anna")
    assert [s["name"] for s in after["searches"]] == ["Anträge"] and after["follows"] == []


def test_the_relevance_rule_keeps_its_calibrated_precision_and_recall(sample_services: Services) -> None:
    """eval/data/alert_queries.jsonl over the sample corpus (see assistant/service/alert_relevance.py)."""
    row = next(r for r in grid(*judge(sample_services, load_queries())) if r["threshold"] == MIN_COVERAGE)
    assert row["precision"] >= 0.9 and row["recall"] >= 0.85, row


def test_build_services_makes_no_alerts_file_until_someone_subscribes(tmp_path: Path) -> None:
    from assistant.config import Settings

    services = build_services(Settings(data_dir=tmp_path / "data"))
    try:
        assert services.alerts.after_run(services.ingestor.ingest([]).changes).alerts == 0
        assert not (tmp_path / "data" / "alerts.sqlite3").exists()
    finally:
        services.close()
