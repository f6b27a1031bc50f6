"""Alerts after a real OParl sync: the Karlsruhe data served by tests/oparl_server.py, the real CLI
(`ratsinfo ingest --oparl`, `alerts …`, `sync`, `users revoke`), e-mail through a real SMTP
server on 127.0.0.1 with STARTTLS and login (tests/smtp_server.py), and the Atom feed of the real
app, read by feedparser."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import feedparser
import httpx
import pytest
from typer.testing import CliRunner

from assistant.api.app import create_app
from assistant.audit import AuditLog
from assistant.auth.users import UserStore
from assistant.config import Settings
from assistant.services import build_services
from tests.conftest import SHARED, shared_path
from tests.oparl_server import Json, OParlTestServer, karlsruhe
from tests.servers import serve_in_thread
from tests.smtp_server import SmtpServer, running_smtp

ATOM = "{http://www.w3.org/2005/Atom}"
HELD_BACK = ("2025/0031", "2025/0021")  # Hundefreilauffläche, inklusive Spielplätze: added by the sync
pytestmark = pytest.mark.slow


@dataclass
class World:
    tmp: Path
    server: OParlTestServer
    smtp: SmtpServer
    env: dict[str, str]
    followed: Json  # the paper carla follows
    meeting: Json  # where it got its result
    item: Json  # the agenda item with that result
    held: list[str]  # ids of the papers the first crawl did not see

    def cli(self, *args: str) -> Any:
        result = CliRunner().invoke(_app(), [*args, "--json"], env=self.env)
        assert result.exit_code == 0, result.stdout + result.stderr
        return json.loads(result.stdout)

    def settings(self) -> Settings:
        return Settings(**{key.removeprefix("RATSINFO_").lower(): value for key, value in self.env.items()})


def _app() -> Any:
    from assistant.cli import app

    return app


def _papers_list(server: OParlTestServer) -> str:
    return next(url for url in server.data.lists if url.endswith("/papers"))


def _decided(server: OParlTestServer) -> tuple[Json, Json, Json]:
    """A paper (not held back), the meeting and the agenda item where it got a result."""
    objects = server.data.objects
    for paper_id in server.data.lists[_papers_list(server)]:
        paper = objects[paper_id]
        for consultation in paper.get("consultation", []):
            meeting = objects.get(consultation.get("meeting", ""), {})
            for item in meeting.get("agendaItem", []):
                if (
                    item["id"] == consultation.get("agendaItem")
                    and item.get("result")
                    and paper.get("reference")
                ):
                    return paper, meeting, item
    raise AssertionError("no decided paper in the subset")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    shared_path("data", "oparl-karlsruhe")
    data = karlsruhe(SHARED, limit=60, pdf_every=1000)
    papers_list = next(url for url in data.lists if url.endswith("/papers"))
    held = {i for i in data.lists[papers_list] if data.objects[i].get("reference") in HELD_BACK}
    assert len(held) == len(HELD_BACK)
    data.lists[papers_list] = [i for i in data.lists[papers_list] if i not in held]
    with OParlTestServer(data).running() as server, running_smtp(tmp_path / "smtp") as smtp:
        env = {
            "RATSINFO_DATA_DIR": str(tmp_path / "data"),
            "RATSINFO_OPARL_RATE_PER_SECOND": "1000",
            "RATSINFO_PUBLIC_BASE_URL": "https://ratsinfo.stadt.example",
            **{f"RATSINFO_{key.upper()}": str(value) for key, value in smtp.settings().items()},
        }
        world = World(tmp_path, server, smtp, env, *_decided(server), held=sorted(held))
        world.cli("ingest", "--oparl", server.system_url)
        data.lists[papers_list] += world.held
        yield world


def _subscribe(world: World) -> None:
    users = UserStore(world.settings().users_path)
    for name in ("anna", "bernd", "carla", "dave"):
        users.add(name)
        world.cli(
            "alerts", "email", "--user", name, "--address", f"{name}@stadt.example", "--digest", "immediate"
        )
    world.cli("alerts", "add", "Hundewiese", "--user", "anna", "--query", "Hundefreilauffläche")
    world.cli("alerts", "add", "Spielplätze", "--user", "anna", "--query", "inklusive Spielplätze")
    world.cli("alerts", "add", "Turmberg", "--user", "bernd", "--query", "Turmbergbahn")
    world.cli("alerts", "follow", world.followed["reference"], "--user", "carla")
    world.cli("alerts", "add", "Hunde", "--user", "dave", "--query", "Hundefreilauffläche")


def _change_result(world: World, result: str) -> None:
    changed = [
        dict(i, result=result) if i["id"] == world.item["id"] else i for i in world.meeting["agendaItem"]
    ]
    world.server.modify(world.meeting["id"], agendaItem=changed)
    world.meeting = world.server.data.objects[world.meeting["id"]]


def _publish_held_back(world: World) -> None:
    for paper_id in world.held:
        world.server.modify(paper_id)


def test_a_sync_mails_one_digest_per_subscriber_and_nothing_to_others_or_the_revoked(world: World) -> None:
    _subscribe(world)
    world.cli("users", "revoke", "dave")
    _publish_held_back(world)
    _change_result(world, "vertagt")
    started = time.perf_counter()
    report = world.cli("sync")
    alerts = report["alerts"]
    assert alerts["error"] == "" and alerts["delivery"]["sent"] == 2 and alerts["delivery"]["failed"] == 0
    assert alerts["alerts"] == 3 and alerts["users"] == 2
    print(f"sync with alerts: {time.perf_counter() - started:.2f} s, matching {alerts['seconds']:.3f} s")

    mailbox = world.smtp.mailbox
    assert [len(mailbox.to(f"{name}@stadt.example")) for name in ("anna", "bernd", "carla", "dave")] == [
        1,
        0,
        1,
        0,
    ]
    anna = mailbox.to("anna@stadt.example")[0]
    assert anna["Subject"] == "Ratsinfo: 2 neue Hinweise für Sie"
    text = anna.get_body(("plain",)).get_content()
    html = anna.get_body(("html",)).get_content()
    for reference in HELD_BACK:
        assert reference in text and reference in html
    assert "Turmberg" not in text and world.followed["reference"] not in text
    unsubscribe = anna["List-Unsubscribe"].strip("<>")
    assert (
        unsubscribe.startswith("https://ratsinfo.stadt.example/alerts/unsubscribe/") and unsubscribe in text
    )
    assert anna["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    carla = mailbox.to("carla@stadt.example")[0].get_body(("plain",)).get_content()
    assert "Ergebnis" in carla and "vertagt" in carla and world.followed["reference"] in carla

    # Who was told what, through which channel: on record before the e-mail left.
    records = AuditLog(world.settings().audit_path).records(interface="alerts")
    sent = [r for r in records if r.action == "alert-email" and r.status == "sent"]
    assert sorted(r.user for r in sent) == ["anna", "carla"]
    services = build_services(world.settings())
    try:
        documents = services.store.documents()
        told = {documents[doc_id].reference for r in sent if r.user == "anna" for doc_id in r.returned}
        assert told == set(HELD_BACK)
    finally:
        services.close()

    again = world.cli("sync")  # nothing changed: nothing is reported twice
    assert again["alerts"]["alerts"] == 0 and len(mailbox.messages) == 2


def test_an_unreachable_smtp_server_is_reported_and_retried_until_the_mail_is_delivered(world: World) -> None:
    _subscribe(world)
    _publish_held_back(world)
    down = world.smtp.port
    world.smtp.stop()
    report = world.cli("sync")["alerts"]["delivery"]
    assert report["sent"] == 0 and report["failed"] == 2 and report["pending"] == 2  # anna, dave
    assert all("ConnectionRefused" in error for error in report["errors"])
    status = world.cli("alerts", "status")
    assert status["counts"]["pending"] == 2
    assert all(row["attempts"] == 1 and "ConnectionRefused" in row["last_error"] for row in status["outbox"])
    assert world.cli("sync")["alerts"]["delivery"]["failed"] == 0  # backing off: not tried again yet

    with running_smtp(world.tmp / "smtp-again", port=down) as smtp:
        world.env["RATSINFO_SMTP_CA_FILE"] = str(smtp.ca_file)
        assert world.cli("alerts", "deliver")["sent"] == 0  # the retry's wait is not over
        delivered = world.cli("alerts", "deliver", "--all")
        assert delivered["sent"] == 2 and delivered["pending"] == 0
        assert sorted(m["To"] for m in smtp.mailbox.messages) == ["anna@stadt.example", "dave@stadt.example"]
        assert HELD_BACK[0] in smtp.mailbox.to("anna@stadt.example")[0].get_body(("plain",)).get_content()
    assert world.cli("alerts", "status")["counts"] == {"pending": 0, "sent": 2, "dropped": 0}


def _valid_atom(body: bytes) -> ElementTree.Element:
    """The elements RFC 4287 requires of a feed and of each entry, with RFC 3339 dates."""
    feed = ElementTree.fromstring(body)
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert (feed.findtext(f"{ATOM}{tag}") or "").strip(), tag
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None or all(
        entry.find(f"{ATOM}author") is not None for entry in feed.iter(f"{ATOM}entry")
    )
    datetime.fromisoformat(feed.findtext(f"{ATOM}updated") or "")
    for entry in feed.iter(f"{ATOM}entry"):
        for tag in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{tag}") or "").strip(), tag
        datetime.fromisoformat(entry.findtext(f"{ATOM}updated") or "")
        link = entry.find(f"{ATOM}link[@rel='alternate']")
        assert link is not None or entry.find(f"{ATOM}content") is not None
    return feed


def test_the_atom_feed_validates_opens_in_a_feed_reader_and_its_secret_is_revocable(world: World) -> None:
    _subscribe(world)
    _publish_held_back(world)
    world.cli("sync")
    url = world.cli("alerts", "feed", "--user", "anna")["url"]
    assert url.startswith("https://ratsinfo.stadt.example/feeds/")
    path = url.removeprefix("https://ratsinfo.stadt.example")
    services = build_services(world.settings())
    try:
        with serve_in_thread(create_app(services.settings, services=services, ui=False)) as base:
            response = httpx.get(base + path)
            assert response.status_code == 200 and response.headers["content-type"].startswith(
                "application/atom+xml"
            )
            _valid_atom(response.content)
            parsed = feedparser.parse(response.content)
            assert not parsed.bozo, parsed.get("bozo_exception")
            titles = [entry.title for entry in parsed.entries]
            assert len(titles) == 2 and all(any(ref in t for ref in HELD_BACK) for t in titles)
            assert all(
                entry.link.startswith("https://ratsinfo.stadt.example/ui/?doc=") for entry in parsed.entries
            )
            assert path.rsplit("/", 1)[1] not in response.text  # the secret is not in the feed

            assert httpx.get(base + path[:-3] + "xyz").status_code == 404
            world.cli("alerts", "feed", "--user", "anna", "--revoke")
            assert httpx.get(base + path).status_code == 404
            new_url = world.cli("alerts", "feed", "--user", "anna")["url"]
            assert httpx.get(base + new_url.removeprefix("https://ratsinfo.stadt.example")).status_code == 200
    finally:
        services.close()
