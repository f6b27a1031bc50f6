"""The API under load while another process ingests, fuzzed from its OpenAPI document, and
refusing oversized or malformed requests with a 4xx and a message.

Everything talks to a real uvicorn on 127.0.0.1. The stress and fuzz runs are bounded (requests
per client, examples per operation) and print their figures (shown with ``pytest -s``).
"""

from __future__ import annotations

import collections
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from schemathesis.core.result import Ok
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from assistant.api.app import create_app
from assistant.auth.users import UserStore
from assistant.config import Settings
from assistant.service.alert_relevance import key_terms
from assistant.services import Services, build_services
from assistant.store.writer_lock import writer_active
from tests.conftest import REPO, shared_path
from tests.servers import serve_in_thread

CLIENTS = 32
REQUESTS_PER_CLIENT = 40  # or fewer: a client stops when the writer has finished
FUZZ_EXAMPLES = 50  # per operation and per mode (schema-valid, schema-invalid)
QUERIES = (
    "Sanierung der Schule",
    "Haushalt 2025",
    "Radweg",
    "Bebauungsplan",
    "Kosten der Kita",
    "Antrag der Fraktion zum Klimaschutz",
    "Straßenbahn",
    "Wer hat den Antrag gestellt?",
)


@dataclass
class Served:
    url: str
    token: str
    services: Services
    writer_corpus: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """An API over 60 Karlsruhe papers; a second folder waits for a writer process."""
    texts = sorted(shared_path("data", "oparl-karlsruhe", "file-contents").glob("*.txt"))
    root = tmp_path_factory.mktemp("api-reliability")
    stable, changing = root / "bestand", root / "nachlieferung"
    for folder, part in ((stable, texts[:40]), (changing, texts[40:60])):
        folder.mkdir()
        for path in part:
            shutil.copy(path, folder / path.name)
    settings = Settings(data_dir=root / "data", rate_limit_per_minute=0)
    services = build_services(settings)
    services.ingestor.ingest([str(stable)])
    services.ingestor.ingest([str(changing)])
    # What the nightly run will bring: 20 papers withdrawn, 300 new ones.
    for path in changing.iterdir():
        path.unlink()
    for path in texts[60:360]:
        shutil.copy(path, changing / path.name)
    token = UserStore(settings.users_path).add("leserin")[1]
    app = create_app(settings, services=services, ui=False)
    with serve_in_thread(app) as url:
        yield Served(url, token, services, changing)
    services.close()


def _client_session(served: Served, seed: int, stop: threading.Event, out: dict[str, Any]) -> None:
    rng = random.Random(seed)
    stable_ids = [d.doc_id for d in served.services.store.documents().values() if "bestand" in d.root]
    with httpx.Client(
        base_url=served.url, headers={"Authorization": f"Bearer {served.token}"}, timeout=120
    ) as client:
        for number in range(REQUESTS_PER_CLIENT):
            if stop.is_set() and number >= 4:
                break
            kind = ("search", "ask", "search", "document", "stats")[number % 5]
            started = time.perf_counter()
            try:
                if kind == "search":
                    response = client.post("/api/v1/search", json={"query": rng.choice(QUERIES), "k": 10})
                elif kind == "ask":
                    response = client.post("/api/v1/ask", json={"question": rng.choice(QUERIES)})
                elif kind == "document":
                    response = client.get(f"/api/v1/documents/{rng.choice(stable_ids)}")
                else:
                    response = client.get("/api/v1/stats")
            except httpx.HTTPError as error:
                out["errors"].append(f"{kind}: {type(error).__name__}: {error}")
                continue
            out["latencies"].append(time.perf_counter() - started)
            out["statuses"][response.status_code] += 1
            out["during_write"] += not stop.is_set()
            if response.status_code != 200:
                out["errors"].append(f"{kind}: {response.status_code} {response.text[:300]}")


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_32_clients_ask_and_search_without_errors_while_another_process_ingests(served: Served) -> None:
    data_dir = served.services.settings.data_dir
    withdrawn = sum(d.root == str(served.writer_corpus) for d in served.services.store.documents().values())
    writer = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "ingest", str(served.writer_corpus), "--prune", "--json"],
        cwd=REPO,
        env={**os.environ, "RATSINFO_DATA_DIR": str(data_dir), "RATSINFO_INGEST_BATCH_CHUNKS": "50"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not writer_active(data_dir):  # load starts when the writer does
        assert writer.poll() is None, writer.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    stop = threading.Event()
    out: dict[str, Any] = {"latencies": [], "statuses": collections.Counter(), "errors": []}
    out["during_write"] = 0
    started = time.monotonic()
    clients = [
        threading.Thread(target=_client_session, args=(served, seed, stop, out)) for seed in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    stdout, stderr = writer.communicate(timeout=240)
    stop.set()
    writer_seconds = time.monotonic() - started
    for client in clients:
        client.join(timeout=240)
    assert writer.returncode == 0, stderr

    latencies = sorted(out["latencies"])
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(
        f"\n{CLIENTS} clients, {len(latencies)} requests ({out['during_write']} while the writer ran "
        f"{writer_seconds:.1f} s): statuses {dict(out['statuses'])}, errors {len(out['errors'])}, "
        f"p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, max {latencies[-1]:.2f} s"
    )
    assert not out["errors"], out["errors"][:5]
    assert out["statuses"] == {200: len(latencies)} and len(latencies) >= CLIENTS * 4
    assert out["during_write"] >= CLIENTS, "the load did not overlap the writes"
    report = json.loads(stdout)
    assert report["deleted"] == withdrawn > 0 and report["added"] > 250
    assert served.services.store.check().consistent


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_fuzzing_every_endpoint_finds_no_server_error_and_no_schema_violation(served: Served) -> None:
    schema = schemathesis.openapi.from_url(f"{served.url}/openapi.json")
    headers = {"Authorization": f"Bearer {served.token}"}
    cases: collections.Counter[str] = collections.Counter()
    failures: dict[str, str] = {}
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"the OpenAPI document is invalid: {result.err()}"
        operations.append(result.ok())
    assert len(operations) >= 7
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            label = f"{operation.label} ({mode.value})"
            try:
                _fuzz(operation, mode, headers, cases, label)
            except hypothesis.errors.Unsatisfiable:
                continue  # nothing schema-invalid to send (an operation without parameters)
            except BaseException as error:  # schemathesis raises an exception group
                failures[label] = str(error)[:2000]
    total = sum(cases.values())
    print(f"\nfuzzed {len(operations)} operations with {total} cases: {dict(cases)}")
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
    assert total >= FUZZ_EXAMPLES * (len(operations) - 1)


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    headers: dict[str, str],
    cases: collections.Counter[str],
    label: str,
) -> None:
    known = {parameter.name for parameter in operation.query}

    @hypothesis.settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: Any) -> None:
        cases[label] += 1
        # An unknown query parameter without a value (None, [], {}) is not sent at all: the
        # request that arrives is schema-valid, so its acceptance is no violation.
        if mode is GenerationMode.NEGATIVE and any(
            name not in known and value in (None, [], {}) for name, value in (case.query or {}).items()
        ):
            return
        # A query string has no objects: a parameter mutated into one arrives as its values (for an
        # array parameter a valid array), so the request is not schema-invalid in that respect.
        if mode is GenerationMode.NEGATIVE and any(
            name in known and isinstance(value, dict) for name, value in (case.query or {}).items()
        ):
            return
        # "llm" is a valid mode; without a configured LLM the API refuses it on purpose
        # (422 with a message, assistant/answering/answerer.py).
        llm = isinstance(case.body, dict) and case.body.get("mode") == "llm"
        # A saved search whose query has no search terms (stop words only, or "0") is refused on
        # purpose (422 with a message, assistant/service/alert_subscriptions.py).
        stop_words = (
            isinstance(case.body, dict)
            and bool(str(case.body.get("query", "")).strip())
            and not key_terms(str(case.body.get("query", "")))
        )
        refused = llm or stop_words
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance] if refused else [])

    call()


# -- oversized and malformed requests (the sample corpus; no ../shared needed) ----------------


@pytest.fixture(scope="module")
def sample_api(sample_services: Services) -> Iterator[tuple[str, dict[str, str]]]:
    token = UserStore(sample_services.settings.users_path).add("grenzen-test")[1]
    app = create_app(sample_services.settings, services=sample_services, ui=False)
    with serve_in_thread(app) as url:
        yield url, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def _post(api: tuple[str, dict[str, str]], content: Any, path: str = "/api/v1/search") -> httpx.Response:
    url, headers = api
    return httpx.post(f"{url}{path}", content=content, headers=headers, timeout=30)


def test_an_oversized_body_gets_413_with_a_message_declared_or_chunked(
    sample_api: tuple[str, dict[str, str]],
) -> None:
    big = b'{"query": "' + b"Radweg " * 200_000 + b'"}'  # 1.4 MB, over the default 1024 kB

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 64_000):
            yield big[start : start + 64_000]

    for response in (_post(sample_api, big), _post(sample_api, chunks())):
        assert response.status_code == 413
        assert "Anfrage zu groß" in response.json()["detail"] and "1024 kB" in response.json()["detail"]
    # Just under the limit is still read (and refused for its content, not its size).
    assert _post(sample_api, b'{"query": "' + b"a" * 1_000_000 + b'"}').status_code == 422


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"query": ', "JSON decode error"),
        (b'{"query": "Radweg"' + b"\xff\xfe}", "not valid UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"query": "Radweg \\ud800"}', "lone UTF-16 surrogate"),
        (b'{"query": ["Radweg"]}', "string"),
        (b'{"query": "   "}', "should match pattern"),
        (b'{"question": "Radweg?", "mode": "orakel"}', "mode"),
    ],
)
def test_malformed_requests_get_422_with_a_message(
    sample_api: tuple[str, dict[str, str]], body: bytes, message: str
) -> None:
    path = "/api/v1/ask" if b"question" in body else "/api/v1/search"
    response = _post(sample_api, body, path)
    assert response.status_code == 422
    assert message in response.text


def test_the_openapi_document_describes_the_refusals(sample_api: tuple[str, dict[str, str]]) -> None:
    schema = httpx.get(f"{sample_api[0]}/openapi.json").json()
    assert "413" in schema["paths"]["/api/v1/search"]["post"]["responses"]
    detail = schema["components"]["schemas"]["HTTPValidationError"]["properties"]["detail"]
    assert {"type": "string"} in detail["anyOf"]
