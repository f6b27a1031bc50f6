"""The kind of fact a question asks for, its parts, and which sentences state such a fact."""

from __future__ import annotations

import pytest

from assistant.answering.answer_types import (
    AnswerKind,
    answer_kind,
    question_facts,
    question_parts,
    states_new,
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Was kostet die Sanierung der Turnhalle?", AnswerKind.AMOUNT),
        ("Wie viele Sitzbänke sollen im Stadtpark aufgestellt werden?", AnswerKind.NUMBER),
        ("Wie viele Personen zahlen Zweitwohnungsteuer?", AnswerKind.NUMBER),
        ("Wie hoch ist die Hundesteuer für den ersten Hund?", AnswerKind.AMOUNT),
        ("Welchen Anteil soll das Fahrrad an allen Wegen erreichen?", AnswerKind.SHARE),
        ("Bis wann soll die Verwaltung eine KI-Strategie vorlegen?", AnswerKind.DATE),
        ("Welche Fraktion hat die Anfrage gestellt?", AnswerKind.ACTOR),
        ("Wie hat der Umweltausschuss über den Änderungsantrag abgestimmt?", AnswerKind.DECISION),
        ("Welche Firma baut das Fahrradparkhaus?", AnswerKind.COMPANY),
        ("Warum fallen so viele Busse aus?", AnswerKind.REASON),
        ("Wo gibt es öffentliche Trinkbrunnen?", AnswerKind.ANY),
        # A yes/no question: "Geld" names the topic, not the fact asked for.
        ("Muss die Stadt Geld aufbringen, damit die Schule den Bildungsgang anbieten kann?", AnswerKind.ANY),
    ],
)
def test_question_kinds(question: str, kind: AnswerKind) -> None:
    assert answer_kind(question) is kind


def test_a_two_part_question_gets_a_kind_per_part() -> None:
    parts = question_parts("Welche Fraktion will mehr Radwege und wie breit sollen sie werden?")
    assert [p.kind for p in parts] == [AnswerKind.ACTOR, AnswerKind.NUMBER]
    assert parts[1].text == "wie breit sollen sie werden"


def test_an_elliptic_part_takes_the_kind_before_it_and_a_full_one_does_not() -> None:
    elliptic = question_parts("Was kostet ein Reihengrab heute und was ab 2026?")
    assert [p.kind for p in elliptic] == [AnswerKind.AMOUNT, AnswerKind.AMOUNT]
    full = question_parts("Warum wurden Bäume gefällt und was wird nachgepflanzt?")
    assert [p.kind for p in full] == [AnswerKind.REASON, AnswerKind.ANY]
    assert len(question_parts("Wie lang ist die Lücke zwischen Brückenstraße und Fähranleger?")) == 1


def test_a_number_word_answers_how_many() -> None:
    facts = question_facts("Wie viele Sitzbänke sollen im Stadtpark aufgestellt werden?")
    assert states_new(
        AnswerKind.NUMBER, "Die Verwaltung stellt im Stadtpark zwanzig neue Sitzbänke auf.", facts
    )
    assert not states_new(AnswerKind.NUMBER, "Die Verwaltung stellt im Stadtpark neue Sitzbänke auf.", facts)


def test_the_questions_own_numbers_years_and_references_do_not_answer_it() -> None:
    facts = question_facts("Welchen Anteil soll das Fahrrad bis 2030 erreichen?")
    assert not states_new(AnswerKind.SHARE, "Radverkehrskonzept Lindenau 2030.", facts)
    assert states_new(AnswerKind.SHARE, "Ziel ist ein Radverkehrsanteil von 25 % bis 2030.", facts)
    count = question_facts("Wie viele Stellplätze bekommt das Fahrradparkhaus?")
    assert not states_new(AnswerKind.NUMBER, "Antrag A/2025/014 vom Haushalt 2025.", count)


def test_an_amount_needs_a_currency_or_says_it_is_free() -> None:
    facts = question_facts("Was kostet die Nutzung?")
    assert states_new(AnswerKind.AMOUNT, "Die Miete beträgt 2.150 € pro Monat.", facts)
    assert states_new(AnswerKind.AMOUNT, "In Tarifzone 1 kostet die Stunde vier Euro.", facts)
    assert states_new(AnswerKind.AMOUNT, "Die Vereine nutzen die Hallen weiterhin unentgeltlich.", facts)
    assert not states_new(AnswerKind.AMOUNT, "Die Arbeiten beginnen am 21.07.2025.", facts)
