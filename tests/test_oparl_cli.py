"""`ratsinfo ingest --oparl`, `ratsinfo sync` and `ratsinfo search` on OParl data, through the real CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from tests.conftest import SHARED, shared_path
from tests.oparl_server import OParlTestServer, karlsruhe

CRAWL_FIGURES = {
    "papers",
    "files_downloaded",
    "files_cached",
    "pages_fetched",
    "deleted",
    "failed",
    "seconds",
}


@pytest.fixture
def server() -> Iterator[OParlTestServer]:
    shared_path("data", "oparl-karlsruhe")
    with OParlTestServer(karlsruhe(SHARED, limit=30, pdf_every=3)).running() as running:
        yield running


def _run(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    env = {"RATSINFO_DATA_DIR": str(tmp_path / "data"), "RATSINFO_OPARL_RATE_PER_SECOND": "1000"}
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def _json(tmp_path: Path, *args: str) -> Any:
    code, output, _ = _run(tmp_path, *args, "--json")
    assert code == 0, output
    return json.loads(output)


def test_ingest_oparl_then_sync_report_documents_and_crawl_figures(
    tmp_path: Path, server: OParlTestServer
) -> None:
    first = _json(tmp_path, "ingest", "--oparl", server.system_url)
    assert first.keys() >= CRAWL_FIGURES
    papers = [o for o in server.data.objects.values() if o["id"].count("/papers/") and not o.get("deleted")]
    assert first["papers"] == len(papers) and first["added"] >= len(papers)
    assert first["files_downloaded"] > 0 and first["pages_fetched"] >= 3 and first["chunks"] > 0

    second = _json(tmp_path, "sync")
    assert second.keys() >= CRAWL_FIGURES
    assert second["files_downloaded"] == 0 and second["chunks"] == 0 and second["papers"] == 0
    assert second["sources"] == [server.system_url]


def test_search_finds_an_oparl_paper_by_reference_and_filters_by_body_and_type(
    tmp_path: Path, server: OParlTestServer
) -> None:
    _json(tmp_path, "ingest", "--oparl", server.system_url)
    paper = next(
        o
        for o in server.data.objects.values()
        if "/papers/" in o["id"] and o.get("paperType") == "Beschlussvorlage" and o.get("consultation")
    )
    hits = _json(tmp_path, "search", paper["reference"])["results"]
    assert hits and hits[0]["reference"] == paper["reference"]
    body = hits[0]["body"].split("; ")[0]
    assert body
    filtered = _json(tmp_path, "search", paper["name"], "--body", body, "--type", "Beschlussvorlage")[
        "results"
    ]
    assert filtered and all(
        body in hit["body"] and hit["paper_type"] == "Beschlussvorlage" for hit in filtered
    )
    assert paper["reference"] in {hit["reference"] for hit in filtered}
    other = _json(tmp_path, "search", paper["name"], "--type", "Anfrage")["results"]
    assert all(hit["paper_type"] == "Anfrage" for hit in other)
    assert paper["reference"] not in {hit["reference"] for hit in other}


def test_sync_without_any_source_says_what_to_do(tmp_path: Path) -> None:
    code, _, errors = _run(tmp_path, "sync")
    assert code == 2 and "ratsinfo ingest --oparl" in errors


def test_ingest_needs_paths_or_an_oparl_url(tmp_path: Path) -> None:
    code, _, errors = _run(tmp_path, "ingest")
    assert code == 2 and "--oparl" in errors
