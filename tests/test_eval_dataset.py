"""QA datasets: validation errors name line and field; relevant entries match documents; users resolve."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import InvalidRequestError
from eval.dataset import DatasetError, load_dataset, matches, parse_lines, resolve_relevant
from eval.users import ANONYMOUS, UserDirectory, load_users_file
from ingest.records import DocumentInfo

REPO = Path(__file__).resolve().parents[1]
GOOD = {"id": "q1", "question": "Wie breit wird der Radweg?", "relevant": ["A/2025/014"], "answerable": True}


def _line(**changes: object) -> str:
    data = {**GOOD, **changes}
    return json.dumps({k: v for k, v in data.items() if v is not ...}, ensure_ascii=False)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "q1", "question": ', "line 2: invalid JSON"),
        (_line(question=...), "line 2: field 'question': is missing"),
        (_line(question="  "), "line 2: field 'question': is empty"),
        (_line(answerable="ja"), "line 2: field 'answerable': must be true or false"),
        (_line(relevant="A/2025/014"), "line 2: field 'relevant': must be a list of strings"),
        (_line(relevant=["A/2025/014", 7]), "line 2: field 'relevant': entry 1 must be a non-empty string"),
        (_line(relevant=[]), "line 2: field 'relevant': an answerable question needs"),
        (_line(relevnt=["x"]), "line 2: unknown field(s) 'relevnt'"),
        (_line(claims="2,50 Meter"), "line 2: field 'claims': must be a list of strings"),
        (_line(tags="paraphrase"), "line 2: field 'tags': must be a list of strings"),
        (_line(tags=["paraphrase", ""]), "line 2: field 'tags': entry 1 must be a non-empty string"),
        ('["not", "an", "object"]', "line 2: expected a JSON object"),
        (_line(id="q0"), "line 2: field 'id': duplicate id 'q0' (first on line 1)"),
    ],
)
def test_malformed_lines_are_rejected_with_line_and_field(line: str, message: str) -> None:
    first = _line(id="q0")
    with pytest.raises(DatasetError) as error:
        parse_lines([first, line], source="qa.jsonl")
    assert str(error.value).startswith("qa.jsonl:") and message in str(error.value)


def test_an_unanswerable_question_may_name_no_documents_and_comments_are_skipped() -> None:
    items = parse_lines(
        ["// a comment", "", _line(answerable=False, relevant=[], user="bernd", note="Falle")]
    )
    assert items[0].answerable is False and items[0].user == "bernd" and items[0].line == 3


def test_tags_are_optional_labels_kept_in_order() -> None:
    tagged, plain = parse_lines(
        [_line(id="q1", tags=[" paraphrase ", "unanswerable"], answerable=False, relevant=[]), _line(id="q2")]
    )
    assert tagged.tags == ("paraphrase", "unanswerable")
    assert plain.tags == ()


def test_an_empty_dataset_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="no questions"):
        load_dataset(path)


def _document(doc_id: str, reference: str, source: str) -> DocumentInfo:
    return DocumentInfo(
        doc_id=doc_id,
        source=source,
        root="/",
        content_hash="h",
        media_type="text/plain",
        title="t",
        reference=reference,
    )


def test_relevant_entries_match_reference_doc_id_or_the_end_of_the_path() -> None:
    document = _document("d-42", "2025/0146", "../shared/data/oparl-karlsruhe/file-contents/664884.txt")
    assert matches("2025/0146", document)
    assert matches("d-42", document)
    assert matches("file-contents/664884.txt", document)
    assert matches("664884.txt", document)
    assert matches("./file-contents/664884.txt", document)
    # Cut at a path separator only, and the reference must be equal, not contained.
    assert not matches("4884.txt", document)
    assert not matches("2025/014", document)
    assert not matches("", document)


def test_resolve_relevant_reports_entries_without_a_document() -> None:
    documents = {
        "a": _document("a", "A/2025/014", "corpus/a.txt"),
        "b": _document("b", "ST/2025/011", "corpus/b.txt"),
        "c": _document("c", "ST/2025/011", "corpus/c-anlage.txt"),  # an attachment shares the reference
    }
    item = parse_lines([_line(relevant=["A/2025/014", "ST/2025/011", "Z/9999/1"])])[0]
    entries, unresolved = resolve_relevant(item, documents)
    assert entries == [frozenset({"a"}), frozenset({"b", "c"}), frozenset()]
    assert unresolved == ["Z/9999/1"]


@pytest.mark.parametrize("name", ["sample_qa.jsonl", "real_qa.jsonl"])
def test_shipped_datasets_are_valid(name: str) -> None:
    items = load_dataset(REPO / "eval" / "data" / name)
    assert len(items) >= 50
    assert sum(1 for item in items if not item.answerable) >= 8
    assert all(item.claims for item in items if item.answerable)


def test_users_resolve_from_the_explicit_file_before_the_file_beside_the_dataset(tmp_path: Path) -> None:
    (tmp_path / "users.json").write_text('{"anna": ["fraktion-gruen"], "bernd": []}', encoding="utf-8")
    explicit = tmp_path / "explicit.json"
    explicit.write_text('{"anna": ["gremium-hauptausschuss"]}', encoding="utf-8")
    directory = UserDirectory.for_dataset(tmp_path / "qa.jsonl", explicit, users_db=None)
    assert directory.principal("anna").groups == frozenset({"gremium-hauptausschuss"})
    assert directory.principal("bernd").groups == frozenset()
    assert not directory.principal("bernd").unrestricted
    assert directory.principal("") is ANONYMOUS
    with pytest.raises(InvalidRequestError, match="unknown user 'carla'"):
        directory.principal("carla")


def test_users_resolve_through_the_user_store_of_the_data_dir(tmp_path: Path) -> None:
    users = pytest.importorskip("assistant.auth.users")
    store_path = tmp_path / "users.sqlite3"
    users.UserStore(store_path).add("anna", groups=["fraktion-gruen"])
    (tmp_path / "users.json").write_text('{"anna": ["other"]}', encoding="utf-8")
    directory = UserDirectory.for_dataset(tmp_path / "qa.jsonl", None, users_db=store_path)
    principal = directory.principal("anna")
    assert principal.name == "anna" and principal.groups == frozenset({"fraktion-gruen"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1]", "expected an object"),
        ('{"anna": "fraktion-gruen"}', "groups must be a list"),
        ('{"anna": ["Grüne!"]}', "invalid group"),
    ],
)
def test_a_malformed_users_file_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "users.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidRequestError, match=message):
        load_users_file(path)
