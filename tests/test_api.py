"""The JSON API, served by a real uvicorn on 127.0.0.1 over the ingested sample corpus.

Calls carry the bearer token of a user without groups (public documents only); the leakage
suite (test_access_leakage.py) covers users with groups.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest

from assistant.api.app import create_app
from assistant.auth.users import UserStore
from assistant.services import Services
from tests.servers import serve_in_thread


@pytest.fixture(scope="module")
def token(sample_services: Services) -> str:
    users = UserStore(sample_services.settings.users_path)
    return users.add(f"api-test-{secrets.token_hex(4)}")[1]


@pytest.fixture(scope="module")
def base_url(sample_services: Services, token: str) -> Iterator[str]:
    app = create_app(sample_services.settings, services=sample_services)
    with serve_in_thread(app) as url:
        yield url


@pytest.fixture(scope="module")
def api(base_url: str, token: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        yield client


def test_health_and_openapi_need_no_token(base_url: str) -> None:
    assert httpx.get(f"{base_url}/healthz").json() == {"status": "ok"}
    schema = httpx.get(f"{base_url}/openapi.json").json()
    assert {
        "/api/v1/search",
        "/api/v1/ask",
        "/api/v1/ask/stream",
        "/api/v1/stats",
        "/api/v1/facets",
        "/api/v1/ingest",
        "/api/v1/documents/{doc_id}",
    } <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert httpx.get(f"{base_url}/docs").status_code == 200


def test_api_calls_without_a_token_are_401(base_url: str) -> None:
    response = httpx.post(f"{base_url}/api/v1/search", json={"query": "Radweg"})
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"


def test_search_with_a_type_filter_returns_only_that_type(api: httpx.Client) -> None:
    response = api.post("/api/v1/search", json={"query": "Radweg", "types": ["Anfrage"], "k": 20})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results and {hit["paper_type"] for hit in results} == {"Anfrage"}


def test_ask_returns_cited_answer_and_documents_resolve(api: httpx.Client) -> None:
    body = api.post(
        "/api/v1/ask", json={"question": "Was beantragt die Fraktion zum Radweg an der Weserpromenade?"}
    ).json()
    assert not body["abstained"] and body["citations"]
    cited = body["citations"][0]
    document = api.get(f"/api/v1/documents/{cited['doc_id']}").json()
    page = next(p for p in document["pages"] if p["number"] == cited["page"])
    assert page["text"][cited["start"] : cited["end"]] == cited["text"]


def test_unknown_document_is_404_and_bad_requests_are_422(api: httpx.Client) -> None:
    assert api.get("/api/v1/documents/does-not-exist").status_code == 404
    assert api.post("/api/v1/search", json={"query": ""}).status_code == 422
    assert api.post("/api/v1/search", json={"query": "x" * 5000}).status_code == 422
    assert api.post("/api/v1/search", json={"query": "Rad", "k": 1000}).status_code == 422


def test_callers_without_groups_never_see_restricted_documents(
    api: httpx.Client, sample_services: Services
) -> None:
    restricted = [d for d in sample_services.store.documents().values() if "public" not in d.access]
    assert restricted, "the sample corpus has restricted documents"
    for document in restricted:
        assert api.get(f"/api/v1/documents/{document.doc_id}").status_code == 404
        hits = api.post("/api/v1/search", json={"query": document.title, "k": 50}).json()["results"]
        assert document.doc_id not in {hit["doc_id"] for hit in hits}
    stats = api.get("/api/v1/stats").json()
    public = [d for d in sample_services.store.documents().values() if "public" in d.access]
    assert stats["documents"] == len(public)
