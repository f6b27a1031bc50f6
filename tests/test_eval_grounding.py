"""ALCE citation recall and precision per sentence, and how answers are cut into cited sentences."""

from __future__ import annotations

import pytest

from assistant.answering.judging import LexicalJudge
from eval.grounding import claim_recall, ground_answer, split_cited_sentences, strip_markers

COSTS = "Die Sanierung der Grundschule kostet 6,85 Mio. Euro."
START = "Die Bauarbeiten beginnen im Juli 2026."
OTHER = "Der Jugendhilfeausschuss tagt monatlich im Rathaus."


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            "Satz eins steht hier. [1] Satz zwei steht dort. [2]",
            [("Satz eins steht hier.", (1,)), ("Satz zwei steht dort.", (2,))],
        ),
        ("Ein Satz mit zwei Quellen. [1][3]", [("Ein Satz mit zwei Quellen.", (1, 3))]),
        ("Ein Satz mit Liste [1, 2].", [("Ein Satz mit Liste", (1, 2))]),
        # An abbreviation before the marker must not glue two quotes together.
        ("Es sind ca. [1] Die Stadt zahlt. [2]", [("Es sind ca.", (1,)), ("Die Stadt zahlt.", (2,))]),
        # Uncited sentences stay uncited, also before a cited one in the same unit.
        (
            "Erst ohne Quelle. Dann mit Quelle. [1] Zum Schluss ohne.",
            [("Erst ohne Quelle.", ()), ("Dann mit Quelle.", (1,)), ("Zum Schluss ohne.", ())],
        ),
        # A footnote quoted from a document ("Koblenz 3[3]") is text, not a citation.
        ("Quelle: Stadt Koblenz 3[3] BVerwG. [2]", [("Quelle: Stadt Koblenz 3[3] BVerwG.", (2,))]),
    ],
)
def test_answers_are_cut_into_sentences_with_their_markers(
    answer: str, expected: list[tuple[str, tuple[int, ...]]]
) -> None:
    assert [(s.text, s.citations) for s in split_cited_sentences(answer)] == expected


def test_alce_recall_and_precision_per_sentence() -> None:
    passages = {
        1: f"{COSTS} {START}",
        2: OTHER,
        3: "Der Schulausschuss empfiehlt die Sanierung der Grundschule.",
    }
    grounding = ground_answer(
        f"{COSTS} [1][2] {START} [3] Ohne Beleg bleibt dieser Satz.", passages, LexicalJudge()
    )
    first, second, third = grounding.sentences
    assert first.supported and first.precise == (True, False)  # [2] is irrelevant: [1] alone suffices
    assert not second.supported and second.precise == (False,)  # [3] does not say when building starts
    assert not third.supported and third.citations == ()
    assert grounding.citation_recall == pytest.approx(1 / 3)
    assert grounding.citation_precision == pytest.approx(1 / 3)  # one precise citation of three


def test_a_sentence_needing_two_passages_keeps_both_citations_precise() -> None:
    sentence = "Die Sanierung der Grundschule kostet 6,85 Mio. Euro, die Bauarbeiten beginnen im Juli 2026."
    grounding = ground_answer(f"{sentence} [1][2]", {1: COSTS, 2: START}, LexicalJudge())
    assert grounding.citation_recall == 1.0 and grounding.citation_precision == 1.0


def test_a_marker_without_a_passage_supports_nothing() -> None:
    grounding = ground_answer(f"{COSTS} [4]", {1: COSTS}, LexicalJudge())
    assert grounding.citation_recall == 0.0 and grounding.citation_count == 1


def test_claim_recall_judges_each_reference_claim_against_the_answer() -> None:
    verdicts = claim_recall(
        ["Kosten 6,85 Mio. Euro", "Beginn der Bauarbeiten im Juli 2026", "Kosten 5,2 Mio. Euro"],
        f"{COSTS} {START} [1]",
        LexicalJudge(),
    )
    assert [v.supported for v in verdicts] == [True, True, False]
    assert strip_markers("Satz [1]. Noch einer [2, 3]") == "Satz. Noch einer"
