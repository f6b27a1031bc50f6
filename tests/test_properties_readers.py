"""Properties of every reader and of the metadata parser, over arbitrary input (hypothesis).

Whatever bytes or text come in: a reader either returns text that passes the text rule
(``ingest.extract.text_quality``) with no control characters left, or raises ExtractionError;
nothing else escapes. Every chunk is the exact slice of its page it claims to be. The number of
examples is bounded by the "ratsinfo" profile (tests/conftest.py).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ingest.errors import ExtractionError
from ingest.extract.text_quality import garbage_reason
from ingest.metadata import PAPER_FAMILIES, normalize_paper_type, parse_metadata
from ingest.prepare import prepare
from ingest.records import CouncilMetadata, RawDocument
from ingest.sources.allris_html import read_vo020
from ingest.sources.oparl.adapters import GENERIC
from ingest.sources.oparl.files import inline_text
from ingest.sources.oparl.mapping import (
    MeetingInfo,
    build_document,
    combine_pages,
    meeting_files,
    meeting_metadata,
    paper_files,
    paper_metadata,
)
from tests.conftest import shared_path
from tests.strategies import any_text, docx_document, german_text, html_page, pdf_document

# What normalisation leaves of control characters: tab and line feed only.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _raw(data: bytes, suffix: str) -> RawDocument:
    return RawDocument("prop", f"input{suffix}", data, suffix, hashlib.sha256(data).hexdigest())


def _assert_text_or_reported(data: bytes, suffix: str) -> None:
    """The property every reader keeps: readable text with true offsets, or ExtractionError."""
    try:
        prepared = prepare(_raw(data, suffix), root="/", access=frozenset({"public"}), max_words=60)
    except ExtractionError:
        return
    text = "\n\n".join(page.text for page in prepared.pages)
    assert garbage_reason(text) is None, text[:200]
    assert not _CONTROLS.search(text), text[:200]
    pages = {page.number: page.text for page in prepared.pages}
    for chunk in prepared.chunks:
        assert pages[chunk.page][chunk.start : chunk.end] == chunk.text
    family = prepared.document.paper_family
    assert family in PAPER_FAMILIES or family == ""


@given(
    data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".md", ".html", ".htm", ".pdf", ".docx"])
)
def test_arbitrary_bytes_are_text_or_reported_by_every_reader(data: bytes, suffix: str) -> None:
    _assert_text_or_reported(data, suffix)


@given(text=any_text, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]))
def test_arbitrary_text_files_are_text_or_reported(text: str, encoding: str) -> None:
    data = text.encode(encoding, errors="replace")
    _assert_text_or_reported(data, ".txt")
    _assert_text_or_reported(data, ".md")


@given(text=any_text, charset=st.sampled_from(["utf-8", "iso-8859-1", "windows-1252", ""]))
def test_arbitrary_html_pages_are_text_or_reported(text: str, charset: str) -> None:
    _assert_text_or_reported(html_page(text, charset), ".html")


@given(text=german_text, cut=st.integers(min_value=0, max_value=10_000), noise=st.binary(max_size=40))
def test_pdfs_with_arbitrary_text_and_damage_are_text_or_reported(text: str, cut: int, noise: bytes) -> None:
    data = pdf_document(text)
    _assert_text_or_reported(data, ".pdf")
    position = cut % len(data)
    _assert_text_or_reported(data[:position] + noise + data[position + len(noise) :], ".pdf")


@given(paragraphs=st.lists(any_text, max_size=8), break_after=st.integers(min_value=0, max_value=8))
def test_docx_with_arbitrary_paragraphs_is_text_or_reported(paragraphs: list[str], break_after: int) -> None:
    _assert_text_or_reported(docx_document(paragraphs, break_after), ".docx")


@given(text=any_text, hint=st.text(max_size=60))
def test_the_metadata_parser_takes_any_text_and_keeps_type_and_family_together(text: str, hint: str) -> None:
    metadata = parse_metadata(text, hint)
    assert isinstance(metadata, CouncilMetadata)
    assert metadata.paper_family in PAPER_FAMILIES or metadata.paper_family == ""
    assert normalize_paper_type(metadata.paper_type) == metadata.paper_family
    assert metadata.paper_type == metadata.paper_type.strip()


@given(start=st.integers(min_value=0), noise=st.binary(min_size=1, max_size=300))
def test_allris_pages_with_damage_give_metadata_or_none_never_an_error(start: int, noise: bytes) -> None:
    page = (
        shared_path(
            "data", "allris-html-hamburg", "test", "fixtures", "files", "allris", "altona", "vo020.html"
        )
    ).read_bytes()
    position = start % len(page)
    metadata = read_vo020(page[:position] + noise + page[position + len(noise) :])
    if metadata is not None:
        assert normalize_paper_type(metadata.paper_type) == metadata.paper_family
    assert read_vo020(noise) is None or isinstance(read_vo020(noise), CouncilMetadata)


class _NoReferences:
    """References that resolve nothing: the mapping must cope with what is embedded alone."""

    def organization(self, url: str) -> str:
        return ""

    def person(self, url: str) -> str:
        return ""

    def meeting(self, url: str) -> MeetingInfo | None:
        return None

    def agenda_item_public(self, url: str) -> bool | None:
        return None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=25,
)
PAPER_KEYS = [
    *("id", "type", "name", "reference", "date", "paperType", "mainFile", "auxiliaryFile"),
    *("consultation", "originatorPerson", "originatorOrganization", "underDirectionOf", "web", "text"),
    *("accessUrl", "organization", "meeting", "role", "invitation", "resultsProtocol"),
]
json_objects = st.dictionaries(st.sampled_from(PAPER_KEYS) | st.text(max_size=10), json_values, max_size=12)


@given(paper=json_objects, meeting=json_objects)
def test_oparl_mapping_of_arbitrary_json_objects_never_fails_and_keeps_the_stated_type(
    paper: dict[str, Any], meeting: dict[str, Any]
) -> None:
    paper.setdefault("id", "https://oparl.example/paper/1")
    GENERIC.repair(paper, "Paper")
    refs = _NoReferences()
    metadata = paper_metadata(paper, refs)
    stated = paper.get("paperType")
    if isinstance(stated, str) and stated.strip():
        assert metadata.paper_type  # a type the server states is never dropped
    assert normalize_paper_type(metadata.paper_type) == metadata.paper_family
    files = paper_files(paper)
    texts = [inline_text(file["text"]) if isinstance(file.get("text"), str) else None for file in files]
    pages = [text.pages for text in texts if text is not None and not text.error]
    document = build_document(
        "doc", "https://oparl.example/paper/1", "", combine_pages(pages, metadata), metadata
    )
    if document.data:  # a paper with neither title, type, reference nor text has no document text
        _assert_text_or_reported(document.data, ".txt")
    for _, _, label, _ in meeting_files(GENERIC.repair(meeting, "Meeting")):
        assert meeting_metadata(meeting, "Einladung", label, refs).paper_family == "Einladung"
