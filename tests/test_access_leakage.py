"""The leakage suite: restricted documents never reach users outside their group.

A real persistent store holds public documents plus documents with unique secret phrases,
restricted to ``fraktion-nord`` (group A) and ``fraktion-sued`` (group B). Users of group B,
of no group and with revoked tokens probe for group A's secrets through the real API (uvicorn
on 127.0.0.1) and the real CLI (``python -m assistant.cli --user``): exact phrases, the
reference number, paraphrases, filters, guessed document ids, statistics and facet counts,
the streaming answer. Not one secret string, restricted document id or count may come back.
Group A's member does get them. Every request of the suite must be in the audit log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.api.app import create_app
from assistant.audit import AuditLog
from assistant.auth.users import UserStore
from assistant.config import Settings
from assistant.services import Services, build_services
from tests.conftest import REPO
from tests.servers import serve_in_thread

GROUP_A, GROUP_B = "fraktion-nord", "fraktion-sued"

PUBLIC_DOCUMENTS = {
    "a-2024-101-grundstuecke-hafen.txt": """Stadt Lindenau an der Weser
Antrag
Drucksache Nr.: A/2024/101
Datum: 05.03.2024
Einreicher: Fraktion Bürgerforum
Betreff: Strategischer Ankauf von Grundstücken am Hafen

Beschlussvorschlag:
Die Verwaltung wird beauftragt, dem Hauptausschuss eine Liste städtebaulich wichtiger Grundstücke
am Hafen vorzulegen, deren Ankauf sich lohnt. Der Kaufpreis soll sich am Bodenrichtwert orientieren.

Begründung:
Am Hafen entstehen neue Flächen für Gewerbe und Wohnen. Die Stadt soll Grundstücke frühzeitig sichern.
""",
    "bv-2024-055-haushalt-gewerbesteuer.txt": """Stadt Lindenau an der Weser
Beschlussvorlage
Vorlage Nr.: BV/2024/055
Datum: 14.10.2024
Einreicher: Der Bürgermeister
Betreff: Haushaltssatzung 2025 und Hebesatz der Gewerbesteuer

Beratungsfolge:
Hauptausschuss   05.11.2024   öffentlich   Vorberatung
Stadtrat         19.11.2024   öffentlich   Entscheidung

Sachverhalt:
Der Hebesatz der Gewerbesteuer bleibt im Haushaltsjahr 2025 unverändert bei 410 Prozent.
Die Verwaltung schlägt vor, die Grundsteuer ebenfalls nicht zu erhöhen.
""",
    "ns-2024-011-hauptausschuss.txt": """Stadt Lindenau an der Weser
Niederschrift
Drucksache Nr.: NS/2024/011
Datum: 05.11.2024
Betreff: Niederschrift über die Sitzung des Hauptausschusses am 05.11.2024

Öffentlicher Teil:
TOP 1: Der Hauptausschuss empfiehlt dem Stadtrat die Haushaltssatzung 2025.
TOP 2: Die Verwaltung berichtet über den Stand der Werft am alten Hafenbecken.

Nichtöffentlicher Teil:
Über den nichtöffentlichen Teil wird gesondert Niederschrift geführt.
""",
    "af-2024-033-radweg-deich.txt": """Stadt Lindenau an der Weser
Anfrage
Drucksache Nr.: AF/2024/033
Datum: 20.06.2024
Einreicher: Fraktion Bürgerforum
Betreff: Radweg auf dem Deich

1. Wann wird der Radweg auf dem Deich zwischen Fähranleger und Hafen saniert?
2. Welche Kosten erwartet die Verwaltung für die Sanierung des Deichradwegs?
""",
    "mt-2024-020-hafenentwicklung.txt": """Stadt Lindenau an der Weser
Mitteilung
Drucksache Nr.: MT/2024/020
Datum: 02.09.2024
Einreicher: Der Bürgermeister
Betreff: Stand der Hafenentwicklung

Die Stadt prüft die Erweiterung des Hafenbeckens und die Ansiedlung einer Werft. Über den Ankauf
einzelner Grundstücke entscheidet der Hauptausschuss. Preise werden erst nach Abschluss genannt.
""",
}

RESTRICTED_A = {
    "nv-2025-999-silberreiher.txt": """Stadt Lindenau an der Weser
Vorlage
Drucksache Nr.: NV/2025/999
Datum: 03.02.2025
Einreicher: Arbeitskreis Morgenlerche
Betreff: Projekt Silberreiher – Ankauf des Grundstücks Deichtor 7

Beratungsfolge:
Hauptausschuss   12.02.2025   nichtöffentlich   Entscheidung

Beschlussvorschlag:
Der Hauptausschuss stimmt dem Ankauf des Grundstücks Deichtor 7 im Rahmen von Projekt Silberreiher
zum Kaufpreis von 4.712.345 Euro zu.

Begründung:
Die Eigentümerin, die Reederei Kranichsand, verlangt strikte Vertraulichkeit bis zur Beurkundung.
Auf dem Grundstück soll das neue Hafenbecken mit einer Werft entstehen.
""",
    "fraktion-nord-strategiepapier.md": """# Strategiepapier der Fraktion Nord zum Haushalt 2026

Datum: 18.03.2025

Interne Verhandlungslinie, Codewort Morgenlerche: Wir streben eine Erhöhung der Gewerbesteuer
um 17,3 Prozent an und bieten im Gegenzug den Verzicht auf die Seilbahn Zwölfapostel an.
""",
}

RESTRICTED_B = {
    "fs-2023-777-eisvogel.txt": """Stadt Lindenau an der Weser
Vorlage
Drucksache Nr.: FS/2023/777
Datum: 09.05.2023
Einreicher: Fraktion Süd
Betreff: Projekt Eisvogel – Pachtvertrag Bootshaus Quappenbucht

Die Fraktion Süd verhandelt vertraulich über die Pacht des Bootshauses Quappenbucht für 2.222.999 Euro.
""",
}

# Strings that exist only in group A's documents (checked case-insensitively, JSON-unescaped).
SECRETS_A = (
    "Silberreiher",
    "NV/2025/999",
    "4.712.345",
    "Deichtor 7",
    "Kranichsand",
    "Morgenlerche",
    "17,3 Prozent",
    "Zwölfapostel",
    "Strategiepapier",
)
SECRETS_B = ("Eisvogel", "FS/2023/777", "2.222.999", "Quappenbucht")

SEARCH_PROBES: list[dict[str, Any]] = [
    {"query": "Projekt Silberreiher"},
    {"query": "Silberreiher"},
    {"query": "SILBERREIHER"},
    {"query": "silber reiher projekt"},
    {"query": "NV/2025/999"},
    {"query": "NV 2025 999"},
    {"query": "Deichtor 7"},
    {"query": "Kaufpreis 4.712.345 Euro"},
    {"query": "4712345"},
    {"query": "Reederei Kranichsand Vertraulichkeit"},
    {"query": "Codewort Morgenlerche"},
    {"query": "Erhöhung der Gewerbesteuer um 17,3 Prozent"},
    {"query": "Seilbahn Zwölfapostel"},
    {"query": "Strategiepapier Fraktion Nord Verhandlungslinie"},
    {"query": "vertraulicher Ankauf Grundstück Hafenbecken Werft", "k": 100},
    {"query": "nichtöffentlich Hauptausschuss Entscheidung", "k": 100},
    {"query": "Grundstück", "reference": "NV/2025/999"},
    {"query": "Kaufpreis", "types": ["Vorlage"], "k": 100},
    {"query": "Grundstück", "date_from": "2025-01-01", "k": 100},
    {"query": "Ankauf", "originator": "Morgenlerche"},
    {"query": "Ankauf Grundstück", "body": "Hauptausschuss", "k": 100},
    {"query": "Eisvogel Quappenbucht"},
]
ASK_PROBES: list[dict[str, Any]] = [
    {"question": "Was ist Projekt Silberreiher?"},
    {"question": "Wie hoch ist der Kaufpreis für das Grundstück Deichtor 7?"},
    {"question": "Welches Grundstück will die Stadt am Deichtor kaufen und für wie viel?"},
    {"question": "Was steht in der Vorlage NV/2025/999?"},
    {"question": "Wer ist Eigentümerin des Grundstücks, das für das neue Hafenbecken gekauft wird?"},
    {"question": "Was hat der Hauptausschuss nichtöffentlich über den Ankauf beschlossen?"},
    {"question": "Um wie viel Prozent will die Fraktion Nord die Gewerbesteuer erhöhen?"},
    {"question": "Was bedeutet das Codewort Morgenlerche?"},
    {"question": "Wie viel kostet der Ankauf?", "types": ["Vorlage"], "date_from": "2025-01-01"},
    {"question": "Was kostet die Pacht des Bootshauses Quappenbucht?"},
]

# Questions on the council process (answered from its data, not by retrieval).
PROCESS_PROBES: list[dict[str, Any]] = [
    {"question": "Was wurde aus der Vorlage NV/2025/999?"},
    {"question": "Wurde NV/2025/999 beschlossen?"},
    {"question": "Wann berät der Hauptausschuss über den Ankauf des Grundstücks?"},
    {"question": "Welche Vorlagen wurden 2025 eingereicht?"},
    {"question": "Welche Vorlagen des Hauptausschusses wurden 2025 gestellt?"},
    {"question": "Gab es schon frühere Vorlagen zum Ankauf von Grundstücken?"},
    {"question": "Was stand am 12.02.2025 im Hauptausschuss auf der Tagesordnung?"},
    {"question": "Was steht auf der nächsten Tagesordnung des Hauptausschusses?"},
    {
        "question": "Gab es dazu schon Anträge?",
        "history": [
            {"question": "Was wurde aus NV/2025/999?", "answer": "Vorlage NV/2025/999: Projekt Silberreiher"}
        ],
    },
]


@dataclass
class Suite:
    settings: Settings
    services: Services
    base_url: str
    tokens: dict[str, str]
    ids_a: set[str]
    ids_b: set[str]
    public_ids: set[str]
    calls: list[tuple[str, str, int]] = field(default_factory=list)  # (audit user, action, status)

    def call(
        self, method: str, path: str, user: str | None, base_url: str = "", **kwargs: Any
    ) -> httpx.Response:
        """A request as ``user`` (None: no token, "!wrong": a made-up one), noted for the audit check."""
        headers = {}
        if user == "!wrong":
            headers["Authorization"] = "Bearer " + "x" * 43
        elif user is not None:
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        response = httpx.request(
            method, f"{base_url or self.base_url}{path}", headers=headers, timeout=30, **kwargs
        )
        audit_user = user if user is not None and user in self.tokens else "-"
        self.calls.append((audit_user, _action(path), response.status_code))
        return response


def _action(path: str) -> str:
    """The action the audit record names for a request of ``path``."""
    path = path.split("?")[0]
    if path.startswith("/api/v1/documents/"):
        return "document"
    if path.startswith("/api/v1/papers/"):  # /api/v1/papers/{id or reference}/history|related
        return path.rsplit("/", 1)[-1]
    if path.startswith("/api/v1/meetings/"):
        return "meeting"
    return path.removeprefix("/api/v1/").replace("/", "-").replace(".", "-")


def _write(folder: Path, documents: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    corpus = tmp_path_factory.mktemp("leak-corpus")
    _write(corpus / "public", PUBLIC_DOCUMENTS)
    _write(corpus / "a", RESTRICTED_A)
    _write(corpus / "b", RESTRICTED_B)
    # Group A may see what the Hauptausschuss discusses behind closed doors (its own paper's step).
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("leak-data"), body_groups={"Hauptausschuss": [GROUP_A]}
    )
    services = build_services(settings)
    for folder, access in (("public", None), ("a", GROUP_A), ("b", GROUP_B)):
        report = services.ingestor.ingest(
            [str(corpus / folder)], access=frozenset({access}) if access else frozenset({"public"})
        )
        assert not report.failed, report.failed
    documents = services.store.documents()
    by_access = {
        key: {doc_id for doc_id, doc in documents.items() if doc.access == frozenset({key})}
        for key in ("public", GROUP_A, GROUP_B)
    }
    assert [len(by_access[key]) for key in ("public", GROUP_A, GROUP_B)] == [5, 2, 1]
    users = UserStore(settings.users_path)
    tokens = {
        "anna": users.add("anna", [GROUP_A])[1],
        "bert": users.add("bert", [GROUP_B])[1],
        "carl": users.add("carl")[1],
        "dora": users.add("dora", [GROUP_A])[1],
        "root": users.add("root", admin=True)[1],
    }
    with serve_in_thread(create_app(settings, services=services)) as base_url:
        yield Suite(
            settings, services, base_url, tokens, by_access[GROUP_A], by_access[GROUP_B], by_access["public"]
        )
    services.close()


def _scrub_echo(data: Any) -> Any:
    """Drop the caller's own words echoed back (query, question): they are not leaks."""
    if isinstance(data, dict):
        return {
            key: _scrub_echo(value)
            for key, value in data.items()
            if key not in ("query", "question", "standalone_question")
        }
    if isinstance(data, list):
        return [_scrub_echo(value) for value in data]
    return data


def _leaks(text: str, secrets: tuple[str, ...], ids: set[str]) -> list[str]:
    lowered = text.casefold()
    return [s for s in (*secrets, *ids) if s.casefold() in lowered]


def _response_text(response: httpx.Response) -> str:
    """The body as text with JSON unescaped (so "ö" cannot hide as "\\u00f6"), echoes removed."""
    if response.headers.get("content-type", "").startswith("application/x-ndjson"):
        events = [json.loads(line) for line in response.text.splitlines() if line]
        return json.dumps(_scrub_echo(events), ensure_ascii=False)
    try:
        return json.dumps(_scrub_echo(response.json()), ensure_ascii=False)
    except ValueError:
        return response.text


# -- the insider gets them ---------------------------------------------------------------------


def test_group_members_find_cite_and_open_their_restricted_documents(suite: Suite) -> None:
    hits = suite.call("POST", "/api/v1/search", "anna", json={"query": "Projekt Silberreiher"}).json()[
        "results"
    ]
    assert hits[0]["doc_id"] in suite.ids_a and "Silberreiher" in hits[0]["text"]
    answer = suite.call(
        "POST",
        "/api/v1/ask",
        "anna",
        json={"question": "Wie hoch ist der Kaufpreis für das Grundstück Deichtor 7?"},
    ).json()
    assert not answer["abstained"]
    assert {c["doc_id"] for c in answer["citations"]} & suite.ids_a
    assert "4.712.345" in answer["answer"]
    for doc_id in suite.ids_a:
        assert suite.call("GET", f"/api/v1/documents/{doc_id}", "anna").status_code == 200
    # Group A's member still sees nothing of group B.
    for probe in ({"query": "Eisvogel Quappenbucht"}, {"query": "FS/2023/777"}):
        response = suite.call("POST", "/api/v1/search", "anna", json=probe)
        assert _leaks(_response_text(response), SECRETS_B, suite.ids_b) == []


# -- outsiders get nothing ---------------------------------------------------------------------


@pytest.mark.parametrize("user", ["bert", "carl"])
def test_outsiders_never_receive_restricted_passages_citations_or_quotes(suite: Suite, user: str) -> None:
    leaks: list[tuple[str, object, list[str]]] = []
    results = 0
    for probe in SEARCH_PROBES:
        response = suite.call("POST", "/api/v1/search", user, json=probe)
        assert response.status_code == 200, response.text
        results += len(response.json()["results"])
        returned = {hit["doc_id"] for hit in response.json()["results"]}
        assert returned <= suite.public_ids | (suite.ids_b if user == "bert" else set())
        if found := _leaks(_response_text(response), SECRETS_A, suite.ids_a):
            leaks.append(("search", probe, found))
    for probe in ASK_PROBES:
        for path in ("/api/v1/ask", "/api/v1/ask/stream"):
            response = suite.call("POST", path, user, json=probe)
            assert response.status_code == 200, response.text
            if found := _leaks(_response_text(response), SECRETS_A, suite.ids_a):
                leaks.append((path, probe, found))
    assert leaks == []
    assert results > 0, "the probes must reach the public documents, else they prove nothing"
    if user == "carl":  # and nothing of group B for a user without groups
        response = suite.call("POST", "/api/v1/search", user, json={"query": "Eisvogel Quappenbucht"})
        assert _leaks(_response_text(response), SECRETS_B, suite.ids_b) == []


def test_group_b_sees_its_own_document_but_not_group_a(suite: Suite) -> None:
    hits = suite.call("POST", "/api/v1/search", "bert", json={"query": "Projekt Eisvogel"}).json()["results"]
    assert hits[0]["doc_id"] in suite.ids_b


def test_streamed_answer_is_the_same_answer_in_pieces(suite: Suite) -> None:
    probe = {"question": "Wie hoch ist der Kaufpreis für das Grundstück Deichtor 7?"}
    whole = suite.call("POST", "/api/v1/ask", "anna", json=probe).json()
    stream = suite.call("POST", "/api/v1/ask/stream", "anna", json=probe)
    assert stream.headers["content-type"].startswith("application/x-ndjson")
    events = [json.loads(line) for line in stream.text.splitlines()]
    assert events[0]["event"] == "citations" and events[-1]["event"] == "done"
    assert events[0]["citations"] == whole["citations"]
    assert events[-1]["response"]["answer"] == whole["answer"]
    pieces = [event["text"] for event in events if event["event"] == "answer"]
    assert len(pieces) > 1 and "".join(pieces) == whole["answer"]


def test_guessed_document_ids_are_indistinguishable_from_missing_ones(suite: Suite) -> None:
    some_public = sorted(suite.public_ids)[0]
    guesses = [*sorted(suite.ids_a), some_public[:-1] + ("0" if some_public[-1] != "0" else "1"), "x" * 24]
    for user in ("bert", "carl"):
        for doc_id in guesses:
            response = suite.call("GET", f"/api/v1/documents/{doc_id}", user)
            assert response.status_code == 404
            assert response.json() == {"detail": f"no document {doc_id!r}"}
            assert _leaks(response.text, SECRETS_A, set()) == []
    assert suite.call("GET", f"/api/v1/documents/{some_public}", "carl").status_code == 200


def test_statistics_and_facets_count_only_visible_documents(suite: Suite) -> None:
    documents = suite.services.store.catalog.documents()

    def expected(ids: set[str]) -> tuple[int, int]:
        chosen = [doc for doc in documents if doc.doc_id in ids]
        return len(chosen), sum(doc.chunk_count for doc in chosen)

    for user, ids in (
        ("carl", suite.public_ids),
        ("bert", suite.public_ids | suite.ids_b),
        ("anna", suite.public_ids | suite.ids_a),
    ):
        stats = suite.call("GET", "/api/v1/stats", user).json()
        assert (stats["documents"], stats["chunks"]) == expected(ids), user
        facets = suite.call("GET", "/api/v1/facets", user).json()
        assert facets["documents"] == len(ids)
        assert sum(item["count"] for item in facets["years"]) == len(ids)
        years = {item["value"] for item in facets["years"]}
        originators = {item["value"] for item in facets["originators"]}
        if user == "anna":
            assert "2025" in years and any("Morgenlerche" in o for o in originators)
        else:
            assert "2025" not in years
            text = json.dumps(facets, ensure_ascii=False) + json.dumps(stats, ensure_ascii=False)
            assert _leaks(text, SECRETS_A, suite.ids_a) == []


# -- the council process: history, lists, related papers, meetings ----------------------------


def test_histories_lists_and_related_papers_leak_nothing_to_outsiders(suite: Suite) -> None:
    for user in ("bert", "carl"):
        for wanted in ("NV/2025/999", *sorted(suite.ids_a)):
            response = suite.call("GET", f"/api/v1/papers/{wanted}/history", user)
            assert response.status_code == 404
            assert response.json() == {"detail": f"no paper {wanted!r}"}  # the caller's own words
            related = suite.call("GET", f"/api/v1/papers/{wanted}/related", user)
            assert related.status_code == 404
        for params in (
            {"per_page": 200},
            {"body": "Hauptausschuss", "per_page": 200},
            {"originator": "Morgenlerche"},
            {"reference": "NV/2025/999"},
            {"date_from": "2025-01-01", "per_page": 200},
            {"result": "unbekannt"},
        ):
            listed = suite.call("GET", "/api/v1/papers", user, params=params)
            assert listed.status_code == 200, listed.text
            assert {row["doc_id"] for row in listed.json()["papers"]} <= suite.public_ids | (
                suite.ids_b if user == "bert" else set()
            )
            assert _leaks(_response_text(listed), SECRETS_A, suite.ids_a) == []
            csv_params = {key: value for key, value in params.items() if key != "per_page"}
            exported = suite.call("GET", "/api/v1/papers.csv", user, params=csv_params)
            assert exported.status_code == 200 and _leaks(exported.text, SECRETS_A, suite.ids_a) == []
        counted = suite.call("GET", "/api/v1/papers", user, params={"per_page": 1}).json()
        assert counted["total"] == len(suite.public_ids) + (len(suite.ids_b) if user == "bert" else 0)
        public = suite.call("GET", "/api/v1/papers/BV/2024/055/history", user)
        assert public.status_code == 200 and [s["body"] for s in public.json()["steps"]] == [
            "Hauptausschuss",
            "Stadtrat",
        ]
        related = suite.call("GET", "/api/v1/papers/A/2024/101/related", user, params={"k": 20})
        assert related.status_code == 200 and _leaks(_response_text(related), SECRETS_A, suite.ids_a) == []
        assert suite.call("GET", "/api/v1/meetings", user).json() == {"total": 0, "meetings": []}


def test_a_member_sees_the_history_of_their_restricted_paper(suite: Suite) -> None:
    history = suite.call("GET", "/api/v1/papers/NV/2025/999/history", "anna")
    assert history.status_code == 200
    steps = history.json()["steps"]  # non-public, but the Hauptausschuss maps to group A
    assert [(s["body"], s["public"], s["role"]) for s in steps] == [("Hauptausschuss", False, "Entscheidung")]
    listed = suite.call(
        "GET", "/api/v1/papers", "anna", params={"body": "Hauptausschuss", "per_page": 200}
    ).json()
    assert {row["doc_id"] for row in listed["papers"]} & suite.ids_a


@pytest.mark.parametrize("user", ["bert", "carl"])
def test_process_questions_leak_nothing_to_outsiders(suite: Suite, user: str) -> None:
    leaks = []
    for probe in PROCESS_PROBES:
        for path in ("/api/v1/ask", "/api/v1/ask/stream"):
            response = suite.call("POST", path, user, json=probe)
            assert response.status_code == 200, response.text
            if found := _leaks(_response_text(response), SECRETS_A, suite.ids_a):
                leaks.append((path, probe["question"], found))
    assert leaks == []


def test_a_member_gets_process_answers_about_their_restricted_paper(suite: Suite) -> None:
    answer = suite.call("POST", "/api/v1/ask", "anna", json=PROCESS_PROBES[0]).json()
    assert answer["process"] == "ergebnis" and "NV/2025/999" in answer["answer"]
    assert "am 12.02.2025 im Hauptausschuss" in answer["answer"]  # the non-public step, mapped to group A
    assert {c["doc_id"] for c in answer["citations"]} <= suite.ids_a
    listed = suite.call("POST", "/api/v1/ask/stream", "anna", json=PROCESS_PROBES[3])
    done = [json.loads(line) for line in listed.text.splitlines()][-1]["response"]
    assert (
        done["process"] == "liste" and "NV/2025/999" in done["answer"] and "Strategiepapier" in done["answer"]
    )
    for user in ("bert", "carl"):  # the same list without what they may not see
        theirs = suite.call("POST", "/api/v1/ask", user, json=PROCESS_PROBES[3]).json()
        assert theirs["process"] == "liste" and _leaks(theirs["answer"], SECRETS_A, suite.ids_a) == []


# -- tokens ------------------------------------------------------------------------------------


def test_missing_wrong_and_revoked_tokens_are_401_everywhere(suite: Suite) -> None:
    assert suite.call("GET", "/api/v1/stats", "dora").status_code == 200  # works until revoked
    UserStore(suite.settings.users_path).revoke("dora")
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/api/v1/search", {"json": {"query": "Projekt Silberreiher"}}),
        ("POST", "/api/v1/ask", {"json": {"question": "Was ist Projekt Silberreiher?"}}),
        ("POST", "/api/v1/ask/stream", {"json": {"question": "Was ist Projekt Silberreiher?"}}),
        ("GET", f"/api/v1/documents/{sorted(suite.ids_a)[0]}", {}),
        ("GET", "/api/v1/stats", {}),
        ("GET", "/api/v1/facets", {}),
        ("POST", "/api/v1/ingest", {"json": {"paths": ["/tmp"]}}),
    ]
    for user in (None, "!wrong", "dora"):
        for method, path, kwargs in requests:
            response = suite.call(method, path, user, **kwargs)
            assert response.status_code == 401, (user, path, response.text)
            assert response.headers["www-authenticate"] == "Bearer"
            assert _leaks(response.text, SECRETS_A, suite.ids_a) == []
    # A token in another scheme is no bearer token.
    basic = httpx.get(
        f"{suite.base_url}/api/v1/stats", headers={"Authorization": f"Basic {suite.tokens['anna']}"}
    )
    suite.calls.append(("-", "stats", basic.status_code))
    assert basic.status_code == 401
    assert httpx.get(f"{suite.base_url}/healthz").status_code == 200
    assert httpx.get(f"{suite.base_url}/docs").status_code == 200


def test_ingest_is_for_admins_and_applies_the_groups(suite: Suite, tmp_path: Path) -> None:
    folder = tmp_path / "neu"
    _write(
        folder, {"nv-2025-1000-nachtrag.txt": "Nachtrag zu Projekt Silberreiher: Notartermin am 14.04.2025."}
    )
    body = {"paths": [str(folder)], "groups": [GROUP_A]}
    assert suite.call("POST", "/api/v1/ingest", "anna", json=body).status_code == 403
    assert (
        suite.call("POST", "/api/v1/ingest", "root", json={**body, "groups": ["Bad Group"]}).status_code
        == 422
    )
    response = suite.call("POST", "/api/v1/ingest", "root", json=body)
    assert response.status_code == 200 and response.json()["added"] == 1
    probe = {"query": "Notartermin Nachtrag"}
    assert any(
        "Notartermin" in h["text"]
        for h in suite.call("POST", "/api/v1/search", "anna", json=probe).json()["results"]
    )
    outsider = suite.call("POST", "/api/v1/search", "carl", json=probe)
    assert outsider.status_code == 200 and "Notartermin" not in _response_text(outsider)


def test_requests_beyond_the_rate_limit_get_429_with_retry_after(suite: Suite) -> None:
    limited = suite.settings.model_copy(update={"rate_limit_per_minute": 2})
    with serve_in_thread(create_app(limited, services=suite.services)) as base_url:
        statuses = [
            suite.call("GET", "/api/v1/stats", "carl", base_url=base_url).status_code for _ in range(3)
        ]
        assert statuses == [200, 200, 429]
        refused = suite.call("GET", "/api/v1/facets", "carl", base_url=base_url)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        # The limit is per token: another user is not slowed down by carl.
        assert suite.call("GET", "/api/v1/stats", "bert", base_url=base_url).status_code == 200


# -- the CLI -----------------------------------------------------------------------------------


def _run_cli_in_parallel(settings: Settings, runs: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("RATSINFO_")}
    env["RATSINFO_DATA_DIR"] = str(settings.data_dir)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", *arguments],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for arguments in runs
    ]
    finished = []
    for arguments, process in zip(runs, processes, strict=True):
        out, err = process.communicate(timeout=120)
        finished.append(subprocess.CompletedProcess(arguments, process.returncode, out, err))
    return finished


def test_cli_acts_as_the_given_user_and_leaks_nothing(suite: Suite) -> None:
    # Few runs: each CLI process spends ~2 s importing Chroma and llama-index.
    outsider_runs = [
        ["search", "Projekt Silberreiher", "--user", "bert", "--json"],
        ["search", "Grundstück", "--reference", "NV/2025/999", "-k", "100", "--user", "carl", "--json"],
        ["ask", "Wie hoch ist der Kaufpreis für das Grundstück Deichtor 7?", "--user", "carl"],
    ]
    refused_runs = [
        ["search", "Projekt Silberreiher", "--user", "dora", "--json"],  # revoked
        ["search", "Projekt Silberreiher", "--user", "nobody", "--json"],  # unknown
    ]
    insider_run = ["search", "Projekt Silberreiher", "--user", "anna", "--json"]
    users = UserStore(suite.settings.users_path)
    dora = users.get("dora")
    if dora is not None and dora.active:  # revoked already when the token test ran before
        users.revoke("dora")
    results = _run_cli_in_parallel(suite.settings, [*outsider_runs, *refused_runs, insider_run])
    outsiders, refused, insider = results[:3], results[3:5], results[5]
    for result in outsiders:
        assert result.returncode == 0, result.stderr
        if "--json" in result.args:
            text = json.dumps(_scrub_echo(json.loads(result.stdout)), ensure_ascii=False)
        else:  # the human answer: an abstention or public quotes, never group A's
            text = result.stdout
            assert "Quellen:" in text or "keine belastbare Antwort" in text
        assert _leaks(text + result.stderr, SECRETS_A, suite.ids_a) == [], result.args
    assert [r.returncode for r in refused] == [5, 4]
    assert all(r.stdout == "" for r in refused)
    assert insider.returncode == 0, insider.stderr
    top = json.loads(insider.stdout)["results"][0]["doc_id"]
    assert GROUP_A in suite.services.store.documents()[top].access
    log = AuditLog(suite.settings.audit_path).records(interface="cli")
    recorded = Counter((r.user, r.action, r.status) for r in log)
    assert recorded[("bert", "search", "ok")] >= 1 and recorded[("carl", "ask", "ok")] >= 1
    assert recorded[("dora", "search", "error")] >= 1 and recorded[("nobody", "search", "error")] >= 1
    assert recorded[("anna", "search", "ok")] >= 1
    for record in log:
        if record.user in ("bert", "carl"):
            assert not set(record.returned) & suite.ids_a


# -- the audit log -----------------------------------------------------------------------------


def test_the_audit_log_holds_every_api_request_of_the_suite(suite: Suite) -> None:
    suite.call("GET", "/api/v1/stats", "carl")  # at least one request even when run alone
    records = AuditLog(suite.settings.audit_path).records(interface="api")
    recorded = Counter((r.user, r.action, r.status) for r in records)
    made = Counter((user, action, str(status)) for user, action, status in suite.calls)
    assert recorded == made
    for record in records:
        if record.user in ("bert", "carl", "-"):
            assert not (set(record.returned) | set(record.cited)) & suite.ids_a, record
    insider = [r for r in records if r.user == "anna" and r.action in ("search", "ask") and r.status == "200"]
    assert any(set(r.returned) & suite.ids_a for r in insider)
    assert any(set(r.cited) & suite.ids_a for r in insider if r.action == "ask")
    assert AuditLog(suite.settings.audit_path).verify().ok
