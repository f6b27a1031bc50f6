"""Integrity of the bundled sample corpus (eval/data/sample_corpus) and its QA set.

These tests check the data, not retrieval: every question must point at a document that exists
and states the facts its claims quote, the folder conventions the build relies on (pdf/, docx/,
restricted/<group>/, form feeds as page breaks, ISO-8859-1 HTML) must hold, and the counts the
evaluation was designed around must not silently shrink.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

DATA_DIR = Path(__file__).resolve().parents[1] / "eval" / "data"
CORPUS_DIR = DATA_DIR / "sample_corpus"
QA_PATH = DATA_DIR / "sample_qa.jsonl"
README_PATH = DATA_DIR / "README.md"

# Own reference of a paper: the first one in its text (the header block names it before any
# cross-reference such as "Bezug: Anfrage AF/2025/007").
REFERENCE = re.compile(r"\b(?:A|AF|BV|IV|ST|NS|FG)/\d{4}/\d{3}\b")
DATE = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")
# Numbers as written in German papers: 1.384.920,40 / 2,50 / 29.04.2025 / 22:00 / 495
NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
QUOTED = re.compile(r"„([^“]+)“")

PUBLIC_MINIMUMS = {"A": 12, "AF": 10, "ST": 8, "BV": 8, "IV": 3, "NS": 4}
RESTRICTED_GROUPS = {
    "fraktion-gruen": "nur für den internen gebrauch der fraktion",
    "gremium-hauptausschuss": "nicht öffentlich",
}
QA_FIELDS = {"id", "question", "relevant", "answerable", "reference_answer", "claims"}


def _read_text(path: Path) -> str:
    """Return the readable text of a corpus file as the build would see it."""
    if path.suffix == ".html":
        markup = path.read_bytes().decode("iso-8859-1")
        return BeautifulSoup(markup, "html.parser").get_text(" ")
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _corpus() -> dict[Path, tuple[str, str]]:
    """Map every corpus file to (own reference, text)."""
    documents: dict[Path, tuple[str, str]] = {}
    for path in sorted(CORPUS_DIR.rglob("*")):
        if not path.is_file():
            continue
        text = _read_text(path)
        match = REFERENCE.search(text)
        assert match is not None, f"{path} names no reference number"
        documents[path] = (match.group(0), text)
    return documents


def _is_restricted(path: Path) -> bool:
    return "restricted" in path.relative_to(CORPUS_DIR).parts


def _public() -> dict[Path, tuple[str, str]]:
    return {p: v for p, v in _corpus().items() if not _is_restricted(p)}


def _by_reference() -> dict[str, list[Path]]:
    index: dict[str, list[Path]] = {}
    for path, (reference, _) in _corpus().items():
        index.setdefault(reference, []).append(path)
    return index


@lru_cache(maxsize=1)
def _qa() -> list[dict[str, Any]]:
    lines = QA_PATH.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _occurs(token: str, text: str) -> bool:
    """True if ``token`` occurs in ``text`` as a whole number (not inside 2027 or 1.380,50)."""
    return re.search(rf"(?<![\d.,:]){re.escape(token)}(?!\d|[.,:]\d)", text) is not None


def _pages(text: str) -> list[str]:
    return text.split("\f")


def test_corpus_has_at_least_46_public_and_exactly_6_restricted_documents() -> None:
    restricted = [p for p in _corpus() if _is_restricted(p)]
    assert len(_public()) >= 46
    assert len(restricted) == 6
    for group in RESTRICTED_GROUPS:
        assert len(list((CORPUS_DIR / "restricted" / group).glob("*.txt"))) == 3, group


def test_every_document_has_a_unique_reference_and_a_date_in_its_header() -> None:
    counts = Counter(reference for reference, _ in _corpus().values())
    assert [r for r, n in counts.items() if n > 1] == []
    for path, (_, text) in _corpus().items():
        header = text[:1500]
        assert DATE.search(header), f"{path.name}: no date near the top"


def test_public_documents_cover_every_paper_type_in_the_planned_numbers() -> None:
    kinds = Counter(reference.split("/")[0] for reference, _ in _public().values())
    for kind, minimum in PUBLIC_MINIMUMS.items():
        assert kinds[kind] >= minimum, f"only {kinds[kind]} {kind} documents"
    texts = [text.lower() for _, text in _public().values()]
    assert any("änderungsantrag" in t[:400] for t in texts)
    assert any("dringlichkeitsantrag" in t[:400] for t in texts)
    answers = [t for r, t in _public().values() if r.startswith("ST/")]
    assert sum("zu frage 1" in t.lower() for t in answers) >= 8


def test_every_document_is_between_250_and_900_words() -> None:
    for path, (_, text) in _corpus().items():
        words = len(text.split())
        assert 250 <= words <= 900, f"{path.name}: {words} words"


def test_file_names_are_lowercase_ascii_and_carry_the_reference() -> None:
    for path, (reference, _) in _corpus().items():
        name = path.name
        assert re.fullmatch(r"[a-z0-9-]+\.(txt|md|html)", name), name
        assert name.startswith(reference.lower().replace("/", "-")), (name, reference)


def test_html_pages_are_iso_8859_1_with_umlauts_and_declare_their_charset() -> None:
    pages = sorted(CORPUS_DIR.glob("*.html"))
    assert len(pages) == 4
    for page in pages:
        raw = page.read_bytes()
        # Latin-1 umlauts are single high bytes, which are invalid as UTF-8.
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        markup = raw.decode("iso-8859-1")
        assert '<meta charset="iso-8859-1"' in markup
        assert re.search("[äöüÄÖÜß]", _read_text(page)), page.name
        assert "Beratungsfolge" in markup


def test_pdf_and_docx_sources_mark_page_breaks_with_form_feeds_on_their_own_line() -> None:
    pdf_sources = sorted((CORPUS_DIR / "pdf").glob("*.txt"))
    docx_sources = sorted((CORPUS_DIR / "docx").glob("*.txt"))
    assert len(pdf_sources) >= 10
    assert len(docx_sources) == 3
    page_counts = {p: len(_pages(_corpus()[p][1])) for p in pdf_sources + docx_sources}
    assert sum(2 <= page_counts[p] <= 3 for p in pdf_sources) >= 6
    assert max(page_counts[p] for p in docx_sources) >= 2
    assert max(page_counts.values()) <= 3
    for path, (_, text) in _corpus().items():
        in_paged_folder = path.parent.name in {"pdf", "docx"}
        if not in_paged_folder:
            assert "\f" not in text, f"{path.name}: form feed outside pdf/ and docx/"
            continue
        for line in text.split("\n"):
            assert "\f" not in line or line == "\f", f"{path.name}: form feed inside a line"
        assert all(page.strip() for page in _pages(text)), f"{path.name}: empty page"


def test_restricted_documents_carry_their_confidentiality_marking() -> None:
    for group, marking in RESTRICTED_GROUPS.items():
        for path in (CORPUS_DIR / "restricted" / group).glob("*.txt"):
            assert marking in _corpus()[path][1][:800].lower(), path.name


def test_qa_lines_are_json_objects_with_the_documented_fields() -> None:
    entries = _qa()
    ids = [entry["id"] for entry in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        assert entry.keys() >= QA_FIELDS, entry.get("id")
        assert re.fullmatch(r"q\d{3}", entry["id"])
        assert isinstance(entry["question"], str) and entry["question"].endswith("?")
        assert isinstance(entry["answerable"], bool)
        assert isinstance(entry["relevant"], list) and isinstance(entry["claims"], list)
        if entry["answerable"]:
            assert entry["relevant"], entry["id"]
            assert 1 <= len(entry["claims"]) <= 3, entry["id"]
            assert entry["reference_answer"].strip(), entry["id"]
        else:
            assert entry["relevant"] == [] and entry["claims"] == [], entry["id"]


def test_qa_counts_meet_the_planned_minimums() -> None:
    entries = _qa()
    public = [e for e in entries if "user" not in e]
    assert len(entries) >= 70
    assert sum(e["answerable"] for e in public) >= 52
    assert sum(not e["answerable"] for e in public) >= 14
    assert sum(len(e["relevant"]) >= 2 for e in public) >= 3


def test_every_relevant_reference_is_the_own_reference_of_exactly_one_document() -> None:
    index = _by_reference()
    for entry in _qa():
        for reference in entry["relevant"]:
            paths = index.get(reference, [])
            assert len(paths) == 1, (entry["id"], reference, paths)
            assert reference in _corpus()[paths[0]][1]


def test_every_number_in_a_claim_occurs_in_one_of_the_relevant_documents() -> None:
    index = _by_reference()
    for entry in _qa():
        texts = [_corpus()[index[r][0]][1] for r in entry["relevant"]]
        for claim in entry["claims"]:
            for token in NUMBER.findall(claim):
                assert any(_occurs(token, t) for t in texts), (entry["id"], claim, token)


def test_public_questions_need_no_restricted_document() -> None:
    index = _by_reference()
    for entry in _qa():
        restricted = [r for r in entry["relevant"] if _is_restricted(index[r][0])]
        if "user" in entry:
            continue
        assert restricted == [], entry["id"]


def test_restricted_questions_come_in_allowed_and_denied_pairs_with_secret_facts() -> None:
    index = _by_reference()
    public_text = "\n".join(text for _, text in _public().values())
    allowed = [e for e in _qa() if e.get("user") == "anna"]
    denied = {e["question"]: e for e in _qa() if e.get("user") == "bernd"}
    assert 4 <= len(allowed) <= 6
    assert len(denied) == len(allowed)
    groups = set()
    for entry in allowed:
        assert entry["answerable"] and entry["note"]
        (reference,) = entry["relevant"]
        path = index[reference][0]
        assert _is_restricted(path), entry["id"]
        groups.add(path.parent.name)
        twin = denied[entry["question"]]
        assert twin["answerable"] is False and twin["relevant"] == [] and twin["note"]
        # The document the answer must not come from is named in the note (no extra field).
        assert reference in twin["note"], twin["id"]
        # At least one fact asked for must exist only behind the restriction.
        markers = [m for c in entry["claims"] for m in NUMBER.findall(c) + QUOTED.findall(c)]
        assert markers, entry["id"]
        assert any(not _occurs(m, public_text) and m not in public_text for m in markers), entry["id"]
    assert groups == set(RESTRICTED_GROUPS)


def test_several_questions_are_answered_only_on_page_two_or_three() -> None:
    index = _by_reference()
    later_page_questions = 0
    for entry in _qa():
        if not entry["answerable"] or len(entry["relevant"]) != 1:
            continue
        path = index[entry["relevant"][0]][0]
        pages = _pages(_corpus()[path][1])
        tokens = [t for c in entry["claims"] for t in NUMBER.findall(c)]
        if len(pages) < 2 or not tokens:
            continue
        if all(not _occurs(t, pages[0]) for t in tokens):
            later_page_questions += 1
    assert later_page_questions >= 6


def test_readme_lists_every_document_with_its_reference() -> None:
    readme = README_PATH.read_text(encoding="utf-8")
    for path, (reference, _) in _corpus().items():
        relative = path.relative_to(CORPUS_DIR).as_posix()
        assert relative in readme, relative
        assert reference in readme, reference
