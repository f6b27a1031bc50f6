"""German numbers written as words (ingest.text.numbers): what the answerer and the judge count."""

from __future__ import annotations

from fractions import Fraction

import pytest

from assistant.answering.judging.facts import extract_facts
from ingest.text.numbers import cardinal_value, has_number_word, number_words


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("zwei", 2),
        ("zwölf", 12),
        ("achtzehn", 18),
        ("zwanzig", 20),
        ("einundzwanzig", 21),
        ("neunundneunzig", 99),
        ("hundert", 100),
        ("zweihundertfünfzig", 250),
        ("tausend", 1000),
        ("eintausendzweihundert", 1200),
        ("zehntausend", 10000),
    ],
)
def test_cardinals_are_read_as_their_value(word: str, value: int) -> None:
    assert cardinal_value(word) == value
    assert [found for _, _, found in number_words(f"Es sind {word} Bänke.")] == [Fraction(value)]


def test_articles_and_words_that_merely_contain_a_number_are_not_numbers() -> None:
    assert number_words("Ein Antrag der Fraktion, eine Meinung, eins nach dem anderen.") == []
    assert number_words("vierteljährlich im Viertel an der Achtung") == []


def test_fractions_need_a_count_word_and_the_half_stands_alone() -> None:
    assert [v for _, _, v in number_words("ein Drittel der Kosten")] == [Fraction(1, 3)]
    assert [v for _, _, v in number_words("zwei Drittel der Kosten")] == [Fraction(2, 3)]
    assert [v for _, _, v in number_words("die Hälfte der Mittel")] == [Fraction(1, 2)]
    assert not has_number_word("ein schönes Viertel der Stadt")  # a district, not a share


def test_the_judge_compares_number_words_with_digits() -> None:
    words = extract_facts("Die Verwaltung stellt im Stadtpark zwanzig neue Sitzbänke auf.")
    digits = extract_facts("Im Stadtpark werden 20 Sitzbänke aufgestellt.")
    assert words.numbers == digits.numbers == frozenset({"20"})
    assert extract_facts("ein Drittel der Kosten").numbers == frozenset({"1/3"})
