"""The JSON API, served by a real uvicorn on 127.0.0.1 over the ingested sample corpus."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from assistant.api.app import create_app
from tests.servers import serve_in_thread


@pytest.fixture(scope="module")
def base_url(sample_services) -> Iterator[str]:  # type: ignore[no-untyped-def]
    app = create_app(sample_services.settings, services=sample_services)
    with serve_in_thread(app) as url:
        yield url


def test_health_and_openapi(base_url: str) -> None:
    assert httpx.get(f"{base_url}/healthz").json() == {"status": "ok"}
    paths = httpx.get(f"{base_url}/openapi.json").json()["paths"]
    assert {"/api/v1/search", "/api/v1/ask", "/api/v1/stats", "/api/v1/documents/{doc_id}"} <= set(paths)


def test_search_with_a_type_filter_returns_only_that_type(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/api/v1/search", json={"query": "Radweg", "types": ["Anfrage"], "k": 20}, timeout=30
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert results and {hit["paper_type"] for hit in results} == {"Anfrage"}


def test_ask_returns_cited_answer_and_documents_resolve(base_url: str) -> None:
    body = httpx.post(
        f"{base_url}/api/v1/ask", json={"question": "Was beantragt die Fraktion zum Radweg an der Weserpromenade?"},
        timeout=30,
    ).json()
    assert not body["abstained"] and body["citations"]
    cited = body["citations"][0]
    document = httpx.get(f"{base_url}/api/v1/documents/{cited['doc_id']}").json()
    page = next(p for p in document["pages"] if p["number"] == cited["page"])
    assert page["text"][cited["start"] : cited["end"]] == cited["text"]


def test_unknown_document_is_404_and_bad_requests_are_422(base_url: str) -> None:
    assert httpx.get(f"{base_url}/api/v1/documents/does-not-exist").status_code == 404
    assert httpx.post(f"{base_url}/api/v1/search", json={"query": ""}).status_code == 422
    assert httpx.post(f"{base_url}/api/v1/search", json={"query": "x" * 5000}).status_code == 422
    assert httpx.post(f"{base_url}/api/v1/search", json={"query": "Rad", "k": 1000}).status_code == 422


def test_anonymous_callers_never_see_restricted_documents(base_url: str, sample_services) -> None:  # type: ignore[no-untyped-def]
    restricted = [d for d in sample_services.store.documents().values() if "public" not in d.access]
    assert restricted, "the sample corpus has restricted documents"
    for document in restricted:
        assert httpx.get(f"{base_url}/api/v1/documents/{document.doc_id}").status_code == 404
        hits = httpx.post(
            f"{base_url}/api/v1/search", json={"query": document.title, "k": 50}, timeout=30
        ).json()["results"]
        assert document.doc_id not in {hit["doc_id"] for hit in hits}
    stats = httpx.get(f"{base_url}/api/v1/stats").json()
    public = [d for d in sample_services.store.documents().values() if "public" in d.access]
    assert stats["documents"] == len(public)
