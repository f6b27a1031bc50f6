"""The extractive answers over the sample QA set: right document cited, abstention, offsets."""

from __future__ import annotations

import pytest

from assistant.access import Principal
from assistant.answering.quotes import clean
from eval.dataset import load_dataset, matches
from tests.conftest import REPO

# The users the QA set names (see eval/data/README.md).
USERS = {
    "anna": Principal("anna", frozenset({"fraktion-gruen", "gremium-hauptausschuss"})),
    "bernd": Principal("bernd", frozenset({"fraktion-spd"})),
}
# Floors, set a little under the measured figures with the default model (multilingual-e5-small:
# 84.8 % and 77.3 %): a change that makes answers worse fails here. The targets (90 %, 80 %)
# are not reached yet; see the README's section on how answers are chosen.
ANSWERED_FLOOR = 0.80
ABSTAINED_FLOOR = 0.68


@pytest.fixture(scope="module")
def outcomes(sample_services):  # type: ignore[no-untyped-def]
    items = load_dataset(REPO / "eval" / "data" / "sample_qa.jsonl")
    documents = sample_services.store.documents()
    results = []
    for item in items:
        principal = USERS.get(item.user, Principal("public-user"))
        response = sample_services.answerer.ask(item.question, principal)
        cited = [documents[c.doc_id] for c in response.citations]
        found = any(matches(entry, doc) for entry in item.relevant for doc in cited)
        results.append((item, response, found))
    return results


def test_answerable_questions_cite_the_expected_document(outcomes) -> None:  # type: ignore[no-untyped-def]
    answerable = [found for item, _, found in outcomes if item.answerable]
    rate = sum(answerable) / len(answerable)
    print(f"answerable questions with the expected document cited: {rate:.1%} of {len(answerable)}")
    assert rate >= ANSWERED_FLOOR


def test_unanswerable_questions_are_mostly_declined(outcomes) -> None:  # type: ignore[no-untyped-def]
    unanswerable = [response.abstained for item, response, _ in outcomes if not item.answerable]
    rate = sum(unanswerable) / len(unanswerable)
    print(f"unanswerable questions declined: {rate:.1%} of {len(unanswerable)}")
    assert rate >= ABSTAINED_FLOOR


def test_abstention_is_a_clear_sentence_without_citations(outcomes) -> None:  # type: ignore[no-untyped-def]
    declined = [response for _, response, _ in outcomes if response.abstained]
    assert declined
    for response in declined:
        assert response.citations == [] and "keine" in response.answer


def test_every_answer_sentence_ends_with_a_citation_and_offsets_point_at_the_text(
    outcomes,
    sample_services,  # type: ignore[no-untyped-def]
) -> None:
    for _, response, _ in outcomes:
        if response.abstained:
            continue
        numbers = {c.n for c in response.citations}
        for sentence in response.answer.split("] "):
            marker = sentence.rsplit("[", 1)[-1].rstrip("]")
            assert marker.isdigit() and int(marker) in numbers, response.answer
        for citation in response.citations:
            pages = {p.number: p.text for p in sample_services.store.catalog.pages(citation.doc_id)}
            page = pages[citation.page]
            assert page[citation.start : citation.end] == citation.text
            for start, end in citation.highlights:
                assert citation.start <= start < end <= citation.end
                # the highlight is what was quoted (a lead-in's closing comma reads as a full stop alone)
                assert clean(page[start:end]).rstrip(".") in response.answer


def test_restricted_answers_reach_only_members(outcomes, sample_services) -> None:  # type: ignore[no-untyped-def]
    documents = sample_services.store.documents()
    for item, response, _ in outcomes:
        principal = USERS.get(item.user, Principal("public-user"))
        for citation in response.citations:
            assert principal.can_see(documents[citation.doc_id].access), (item.id, citation.reference)
