"""The OParl HTTP client against a real server on 127.0.0.1 serving real Hürtgenwald data."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ingest.sources.oparl.adapters import ALLRIS, GENERIC, SDNET
from ingest.sources.oparl.client import USER_AGENT, ClientConfig, FetchError, OParlClient, RateLimiter
from tests.conftest import SHARED, shared_path
from tests.oparl_server import OParlTestServer, huertgenwald

FAST = ClientConfig(rate_per_second=1000, concurrency=4, timeout_s=5, retries=3, backoff_s=0.01)


@pytest.fixture
def server() -> Iterator[OParlTestServer]:
    shared_path("data", "oparl-huertgenwald")
    with OParlTestServer(huertgenwald(SHARED, limit=60)).running() as running:
        yield running


def _paper_list(server: OParlTestServer) -> str:
    return server.local(f"{server.data.objects[server.data.system_id]['body']}/1/paper")


def _ids(client: OParlClient, url: str, since: datetime | None = None) -> list[str]:
    return [item["id"] for page in client.iter_list(url, since) for item in page]


def test_list_pages_are_followed_to_the_last_page(server: OParlTestServer) -> None:
    with OParlClient(FAST) as client:
        ids = _ids(client, _paper_list(server))
        assert client.list_pages == 3  # 60 papers, 25 per page
    expected = [server.local(i) for i in server.data.lists[server.original(_paper_list(server))]]
    assert ids == expected and len(ids) == 60


def test_modified_since_is_sent_and_kept_on_every_page(server: OParlTestServer) -> None:
    changed = server.data.lists[server.original(_paper_list(server))][5:35]
    for paper_id in changed:
        server.modify(paper_id, name="geändert")
    since = datetime.now(UTC) - timedelta(minutes=1)
    with OParlClient(FAST) as client:
        ids = _ids(client, _paper_list(server), since)
    assert ids == [server.local(i) for i in changed]
    list_requests = [path for path in server.requests if "/paper?" in path or path.endswith("/paper")]
    assert len(list_requests) == 2 and all("modified_since=" in path for path in list_requests)


def test_modified_since_is_added_again_when_the_server_drops_it_from_next(server: OParlTestServer) -> None:
    server.data.forget_filter_in_next = True
    changed = server.data.lists[server.original(_paper_list(server))][:30]
    for paper_id in changed:
        server.modify(paper_id, name="geändert")
    with OParlClient(FAST) as client:
        ids = _ids(client, _paper_list(server), datetime.now(UTC) - timedelta(minutes=1))
    assert ids == [server.local(i) for i in changed]


def test_server_errors_and_dropped_connections_are_retried(server: OParlTestServer) -> None:
    server.faults.error_500 = {"/paper": 2}
    server.faults.drop = {"page=2": 1}
    with OParlClient(FAST) as client:
        ids = _ids(client, _paper_list(server))
        assert client.retries == 3
    assert len(ids) == 60


def test_a_slow_answer_times_out_and_is_asked_again(server: OParlTestServer) -> None:
    server.faults.slow = {"/paper": 1}
    server.faults.slow_seconds = 1.5
    config = ClientConfig(rate_per_second=1000, timeout_s=0.3, retries=2, backoff_s=0.01)
    with OParlClient(config) as client:
        assert len(_ids(client, _paper_list(server))) == 60
        assert client.retries == 1


def test_a_404_fails_at_once_without_retries(server: OParlTestServer) -> None:
    with OParlClient(FAST) as client, pytest.raises(FetchError) as caught:
        client.get_json(f"{server.base}/rim4220/nothing-here")
    assert caught.value.status == 404 and caught.value.permanent
    assert len(server.requests) == 1


def test_persistent_server_errors_give_up_after_the_configured_retries(server: OParlTestServer) -> None:
    server.faults.error_500 = {"/system": 100}
    config = ClientConfig(rate_per_second=1000, retries=2, backoff_s=0.01)
    with OParlClient(config) as client, pytest.raises(FetchError) as caught:
        client.get_json(server.system_url)
    assert caught.value.status == 500 and not caught.value.permanent
    assert len(server.requests) == 3


def test_allris_gets_extra_retries_for_its_spurious_500s(server: OParlTestServer) -> None:
    config = ClientConfig(rate_per_second=1000, retries=0, backoff_s=0.01)
    server.faults.error_500 = {"/system": 2}
    with OParlClient(config, ALLRIS) as client:
        assert client.get_json(server.system_url)["id"] == server.system_url
    server.faults.error_500 = {"/system": 1}
    with OParlClient(config, GENERIC) as client, pytest.raises(FetchError):
        client.get_json(server.system_url)


def test_sdnet_answers_an_empty_list_with_404(server: OParlTestServer) -> None:
    future = datetime.now(UTC) + timedelta(days=1)
    with OParlClient(FAST, SDNET) as client:
        assert _ids(client, _paper_list(server), future) == []
    with OParlClient(FAST, GENERIC) as client, pytest.raises(FetchError):
        _ids(client, _paper_list(server), future)


def test_requests_name_the_project_in_the_user_agent(server: OParlTestServer) -> None:
    with OParlClient(FAST) as client:
        client.get_json(server.system_url)
    assert server.user_agents == {USER_AGENT}
    assert USER_AGENT.startswith("ratsinfo-assistant/")


def test_a_download_over_the_size_limit_is_refused_for_good(server: OParlTestServer) -> None:
    url = server.local(next(iter(server.data.files)))
    with OParlClient(FAST) as client:
        data, content_type = client.download(url)
        assert data.startswith(b"%PDF") and content_type == "application/pdf"
    small = ClientConfig(rate_per_second=1000, retries=3, backoff_s=0.01, max_bytes=100)
    with OParlClient(small) as client, pytest.raises(FetchError):
        client.download(url)
    assert len(server.requests) == 2  # no retries for a file that is too large


def test_the_rate_limiter_spaces_requests_over_all_threads() -> None:
    limiter = RateLimiter(50)
    started = time.monotonic()
    for _ in range(11):
        limiter.wait()
    assert time.monotonic() - started >= 0.19
