"""The store against a real `chroma run` server on 127.0.0.1 (RATSINFO_CHROMA_URL)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.access import LOCAL_OPERATOR
from assistant.config import Settings
from assistant.models import SearchFilters
from assistant.services import build_services
from tests.servers import free_port
from tests.test_ingest_pipeline import _write_corpus


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    executable = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if executable is None:
        pytest.fail("the `chroma` command of the chromadb package is missing")
    port = free_port()
    folder = tmp_path_factory.mktemp("chroma-server")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    process = subprocess.Popen(
        [executable, "run", "--path", str(folder), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail("chroma run did not start")
        time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=20)


def test_ingest_and_search_through_a_chroma_server(chroma_url: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    settings = Settings(data_dir=tmp_path / "data", chroma_url=chroma_url, collection="server-test")
    services = build_services(settings)

    first = services.ingestor.ingest([str(corpus)])
    second = services.ingestor.ingest([str(corpus)])

    assert first.added == 3 and second.unchanged == 3 and second.chunks == 0
    assert not (tmp_path / "data" / "chroma").exists()  # vectors live on the server
    assert services.store.check().consistent
    hits = services.retriever.search(
        "Freibad Sanierung Kosten", LOCAL_OPERATOR, SearchFilters(paper_types=("Beschlussvorlage",))
    )
    assert hits and hits[0].document.reference == "BV/2024/033"
    # A second API process sharing the server and data dir sees the same store.
    other = build_services(settings)
    assert (
        other.retriever.search("Straßenbäume Altstadt", LOCAL_OPERATOR)[0].document.reference == "A/2024/101"
    )
