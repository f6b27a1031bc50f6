"""Non-public parts of the council process reach only the groups their bodies map to.

A Karlsruhe subset served with one wholly non-public meeting (its documents too) and one
non-public agenda item in a public meeting; ``RATSINFO_BODY_GROUPS`` maps both bodies to
``gremium-kultur``. A member sees them in history, meetings, agendas, paper lists, facets,
counts, search and document views; a user of another group and one without groups see none of
it, not even as a count; the local operator sees everything. Through the service and the API.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from assistant.access import LOCAL_OPERATOR, Principal
from assistant.api.app import create_app
from assistant.auth.users import UserStore
from assistant.config import Settings
from assistant.indexing.oparl_sync import OParlSync
from assistant.models import SearchFilters
from assistant.service import Caller
from assistant.services import Services, build_services
from ingest.sources.oparl.mapping import oparl_doc_id
from tests.conftest import SHARED, shared_path
from tests.oparl_server import Json, OParlTestServer, hide_a_meeting_and_an_item, karlsruhe
from tests.servers import serve_in_thread

MEMBER = Principal("mara", frozenset({"gremium-kultur"}))
OTHER = Principal("olaf", frozenset({"fraktion-west"}))
NOBODY = Principal("nina")


@dataclass
class Setup:
    services: Services
    server: OParlTestServer
    secret_meeting: Json  # every agenda item non-public
    item_meeting: Json  # a public meeting holding …
    secret_item: Json  # … one non-public item
    secret_paper: Json  # consulted under secret_item
    base_url: str
    tokens: dict[str, str]

    def doc(self, object_id: str) -> str:
        return oparl_doc_id(self.server.local(object_id))

    def get(self, path: str, user: str, **params: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return httpx.get(f"{self.base_url}{path}", headers=headers, params=params, timeout=30)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    shared_path("data", "oparl-karlsruhe")
    data = karlsruhe(SHARED, limit=50, pdf_every=1000)
    secret_meeting, item_meeting, secret_item, secret_paper = hide_a_meeting_and_an_item(data)
    organizations = {o["id"]: o["name"] for o in data.objects.values() if "/organizations/" in o["id"]}
    mapping = {
        secret_meeting["organization"][0]: ["gremium-kultur"],  # by OParl id (rewritten below)
        organizations[item_meeting["organization"][0]]: ["gremium-kultur"],  # by name
    }
    server = OParlTestServer(copy.deepcopy(data))
    with server.running():
        mapping = {server.local(key): groups for key, groups in mapping.items()}
        settings = Settings(
            data_dir=tmp_path_factory.mktemp("process-access"),
            oparl_rate_per_second=2000,
            body_groups=mapping,
        )
        services = build_services(settings)
        with OParlSync(services.ingestor, services.store, settings) as sync:
            sync.ingest([server.system_url])
        users = UserStore(settings.users_path)
        tokens = {p.name: users.add(p.name, sorted(p.groups))[1] for p in (MEMBER, OTHER, NOBODY)}
        with serve_in_thread(create_app(settings, services=services, ui=False)) as base_url:
            yield Setup(
                services, server, secret_meeting, item_meeting, secret_item, secret_paper, base_url, tokens
            )
    services.close()


def _caller(principal: Principal) -> Caller:
    return Caller(principal, "cli", name=principal.name)


def test_a_non_public_agenda_item_is_only_in_the_members_history(setup: Setup) -> None:
    process = setup.services.process
    title = setup.secret_item["name"]
    for principal, sees in ((MEMBER, True), (LOCAL_OPERATOR, True), (OTHER, False), (NOBODY, False)):
        history = process.history(_caller(principal), setup.doc(setup.secret_paper["id"]))
        titles = [step.agenda_item_title for step in history.steps]
        assert (title in titles) is sees, principal.name
        assert sees or setup.secret_item["name"] not in json.dumps(
            history.model_dump(mode="json"), ensure_ascii=False
        )


def test_a_non_public_meeting_and_its_documents_are_only_for_members(setup: Setup) -> None:
    process, service = setup.services.process, setup.services.service
    local_id = setup.server.local(setup.secret_meeting["id"])
    key = next(m.key for m in process.index.views.meetings() if m.meeting_id == local_id)
    invitation = oparl_doc_id(local_id, "invitation")
    for principal, sees in ((MEMBER, True), (LOCAL_OPERATOR, True), (OTHER, False), (NOBODY, False)):
        listed = {m.meeting_id for m in process.meetings(_caller(principal)).meetings}
        assert (key in listed) is sees, principal.name
        visible_docs = {d.doc_id for d in service.visible_documents(principal)}
        assert (invitation in visible_docs) is sees
        hits = service.search(_caller(principal), f"Einladung {setup.secret_meeting['name']}", k=100).results
        assert (invitation in {hit.doc_id for hit in hits}) is sees, principal.name
    assert setup.services.store.documents()[invitation].access != frozenset({"public"})
    stats = {p.name: service.stats(p).documents for p in (MEMBER, OTHER, NOBODY)}
    assert stats["mara"] > stats["olaf"] == stats["nina"]


def test_agendas_lists_facets_and_counts_leave_non_public_items_out(setup: Setup) -> None:
    process = setup.services.process
    meeting_id = setup.item_meeting["id"]
    key = next(
        m.key for m in process.index.views.meetings() if m.meeting_id == setup.server.local(meeting_id)
    )
    paper_doc = setup.doc(setup.secret_paper["id"])
    counts = {}
    for principal in (MEMBER, OTHER, NOBODY):
        agenda = process.meeting(_caller(principal), key).agenda
        assert (setup.secret_item["name"] in {item.title for item in agenda}) is (principal is MEMBER)
        listed = process.papers(_caller(principal), SearchFilters(), per_page=200)
        counts[principal.name] = (len(agenda), sum(f.count for f in listed.facets.results))
        assert paper_doc in {row.doc_id for row in listed.papers}  # the paper itself is public
    assert counts["mara"][0] == counts["olaf"][0] + 1 == counts["nina"][0] + 1
    assert counts["mara"][1] >= counts["olaf"][1] == counts["nina"][1]


def test_the_api_answers_outsiders_as_if_there_were_nothing(setup: Setup) -> None:
    local_id = setup.server.local(setup.secret_meeting["id"])
    key = next(m.key for m in setup.services.process.index.views.meetings() if m.meeting_id == local_id)
    invitation = oparl_doc_id(local_id, "invitation")
    for user, status in (("mara", 200), ("olaf", 404), ("nina", 404)):
        assert setup.get(f"/api/v1/meetings/{key}", user).status_code == status
        assert setup.get(f"/api/v1/documents/{invitation}", user).status_code == status
        meetings = setup.get("/api/v1/meetings", user).text
        assert (key in meetings) is (status == 200)
        history = setup.get(f"/api/v1/papers/{setup.doc(setup.secret_paper['id'])}/history", user)
        assert history.status_code == 200
        assert ("Seerosenteich" in history.text) is (user == "mara")
        papers = (
            setup.get("/api/v1/papers", user, per_page=200).text + setup.get("/api/v1/papers.csv", user).text
        )
        assert ("Seerosenteich" in papers) is False  # titles of agenda items are not in lists
    missing = setup.get(f"/api/v1/meetings/{key[:-1]}{'1' if key.endswith('0') else '0'}", "mara")
    assert missing.status_code == 404


def _answered(setup: Setup, principal: Principal, question: str) -> tuple[str, str]:
    """The answer of ``ask`` and the events of the stream, each as JSON text."""
    caller = _caller(principal)
    asked = setup.services.service.ask(caller, question)
    events = list(setup.services.service.stream(caller, question))
    return json.dumps(asked.model_dump(mode="json"), ensure_ascii=False), json.dumps(
        events, ensure_ascii=False
    )


def test_process_questions_give_a_non_public_result_only_to_members(setup: Setup) -> None:
    meeting = setup.item_meeting
    day = meeting["start"][:10]
    dotted = f"{day[8:10]}.{day[5:7]}.{day[:4]}"
    body = next(
        o["name"] for o in setup.server.data.objects.values() if o["id"] == meeting["organization"][0]
    )
    questions = (
        f"Was wurde aus {setup.secret_paper['reference']}?",
        f"Welche Punkte standen am {dotted} im {body} auf der Tagesordnung?",
    )
    for question in questions:
        for principal, sees in ((MEMBER, True), (LOCAL_OPERATOR, True), (OTHER, False), (NOBODY, False)):
            for text in _answered(setup, principal, question):
                assert '"process": "' in text and ("Seerosenteich" in text) is sees, (
                    question,
                    principal.name,
                )
