"""Reading a question about the council process (pure): its kind, the paper, the body, the period.

Questions as council members and staff ask them; each expectation was checked by hand. The
questions that are *not* about the process keep the ordinary answer from the documents.
"""

from __future__ import annotations

from datetime import date

import pytest

from ingest.process.question_parts import (
    body_named,
    originator_asked,
    outcomes_asked,
    paper_families,
    period_asked,
)
from ingest.process.questions import (
    AGENDA,
    EARLIER,
    LIST,
    OUTCOME,
    SCHEDULE,
    ProcessQuestion,
    read_process_question,
)

TODAY = date(2026, 12, 7)
BODIES = (
    "Gemeinderat",
    "Gemeinderat - Beratungen zum DHH",
    "Bauausschuss",
    "Haupt- und Finanzausschuss",
    "Kulturausschuss",
    "Ausschuss für Umwelt und Gesundheit",
    "Ortschaftsrat Grötzingen",
    "Ortschaftsrat Durlach",
)


def read(question: str) -> ProcessQuestion:
    found = read_process_question(question, TODAY, BODIES)
    assert found is not None, question
    return found


@pytest.mark.parametrize(
    ("question", "kind", "references", "subject"),
    [
        ("Was wurde aus dem Antrag zur Seebühne?", OUTCOME, (), "Seebühne"),
        ("Wurde 2025/1264/1 beschlossen?", OUTCOME, ("2025/1264/1",), ""),
        ("Was ist aus 2025/0518 geworden?", OUTCOME, ("2025/0518",), ""),
        ("Welches Ergebnis hatte die Anfrage 2025/0408?", OUTCOME, ("2025/0408",), ""),
        ("Wurde die Informationsvorlage 2025/0423 zur Kenntnis genommen?", OUTCOME, ("2025/0423",), ""),
        (
            "Wie ist der Stand beim Antrag Verkehrssicherheit erhöhen?",
            OUTCOME,
            (),
            "Verkehrssicherheit erhöhen",
        ),
        ("Wie hat der Gemeinderat über 2025/0912 entschieden?", OUTCOME, ("2025/0912",), ""),
        (
            "Wann berät der Gemeinderat über das Konzept zur Bespielung der Seebühne?",
            SCHEDULE,
            (),
            "Konzept Bespielung Seebühne",
        ),
        ("In welchen Gremien wurde die Vorlage 2025/0938 beraten?", SCHEDULE, ("2025/0938",), ""),
        ("Wann steht 2026/0289 auf der Tagesordnung des Gemeinderats?", SCHEDULE, ("2026/0289",), ""),
        ("Was steht auf der nächsten Tagesordnung des Bauausschusses?", AGENDA, (), ""),
        ("Welche Punkte standen am 25.11.2025 im Gemeinderat auf der Tagesordnung?", AGENDA, (), ""),
        ("Was wurde am 25.11.2025 im Gemeinderat beschlossen?", AGENDA, (), ""),
        ("Welche Anträge der Fraktion Die Linke wurden 2025 abgelehnt?", LIST, (), ""),
        ("Welche Anfragen hat die SPD 2025 gestellt?", LIST, (), ""),
        ("Gab es dazu schon Anträge?", EARLIER, (), ""),
        ("Gab es zur Seebühne schon frühere Anträge?", EARLIER, (), "Seebühne"),
    ],
)
def test_process_questions_are_read_with_their_kind_reference_and_subject(
    question: str, kind: str, references: tuple[str, ...], subject: str
) -> None:
    found = read(question)
    assert (found.kind, found.references, found.subject) == (kind, references, subject)


@pytest.mark.parametrize(
    "question",
    [
        "Wie hoch sind die Kosten der Seebühne?",
        "Was beantragt die Fraktion zum Radweg?",
        "Welche Vorteile hat das Konzept?",
        "Was ist das Ergebnis der Verkehrszählung?",  # a result of a text, not of a consultation
        "Wie viele Einwohner hat Karlsruhe?",
        "Welche Anträge gibt es zum Radverkehr?",  # a list by content: retrieval answers it
        "Wurde beschlossen?",  # names no paper and refers to nothing
        "",
    ],
)
def test_questions_about_content_keep_the_ordinary_answer(question: str) -> None:
    assert read_process_question(question, TODAY, BODIES) is None


def test_a_follow_up_without_a_subject_leans_on_the_conversation() -> None:
    found = read("Und wann wurde darüber entschieden?")
    assert found.kind == OUTCOME and found.follow_up and not found.names_a_paper


def test_an_agenda_question_names_the_body_the_day_and_which_meeting() -> None:
    upcoming = read("Was steht auf der nächsten Tagesordnung des Bauausschusses?")
    assert (upcoming.body, upcoming.which, upcoming.days) == ("Bauausschuss", "next", ())
    dated = read("Welche Punkte standen am 25.11.2025 im Gemeinderat auf der Tagesordnung?")
    assert (dated.body, dated.days) == ("Gemeinderat", (date(2025, 11, 25),))
    decided = read("Was wurde am 25.11.2025 im Gemeinderat beschlossen?")
    assert decided.outcomes == ("angenommen", "geändert angenommen", "teilweise angenommen")
    assert read("Wann tagt der Finanzausschuss das nächste Mal?").body == "Haupt- und Finanzausschuss"


def test_a_list_question_names_types_originator_outcome_and_period() -> None:
    found = read("Welche Anträge der CDU-Fraktion wurden im ersten Halbjahr 2025 abgelehnt?")
    assert (found.paper_types, found.originator, found.outcomes) == (("Antrag",), "CDU", ("abgelehnt",))
    assert found.period is not None and (found.period.start, found.period.end) == (
        date(2025, 1, 1),
        date(2025, 6, 30),
    )
    assert found.subject == ""  # the faction is not a subject


@pytest.mark.parametrize(
    ("question", "originator"),
    [
        ("Welche Anträge der Fraktion Die Linke wurden abgelehnt?", "Linke"),
        ("Welche Anträge der Grünen wurden angenommen?", "Grüne"),
        ("Welche Anträge der SPD-Gemeinderatsfraktion wurden vertagt?", "SPD"),
        ("Welche Anträge hat die Fraktion KULT gestellt?", "KULT"),
        ("Welche Anträge der Freien Wähler wurden abgelehnt?", "Freie Wähler"),
        ("Welche Anträge wurden abgelehnt?", ""),
    ],
)
def test_the_originator_is_a_string_the_originator_field_contains(question: str, originator: str) -> None:
    assert originator_asked(question) == originator


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("… im Jahr 2025 …", date(2025, 1, 1), date(2025, 12, 31)),
        ("… seit 2024 …", date(2024, 1, 1), None),
        ("… vom 01.03.2025 bis 30.06.2025 …", date(2025, 3, 1), date(2025, 6, 30)),
        ("… zwischen dem 01.03.2025 und dem 15.04.2025 …", date(2025, 3, 1), date(2025, 4, 15)),
        ("… im zweiten Halbjahr 2025 …", date(2025, 7, 1), date(2025, 12, 31)),
        ("… im 4. Quartal 2025 …", date(2025, 10, 1), date(2025, 12, 31)),
        ("… im Februar 2024 …", date(2024, 2, 1), date(2024, 2, 29)),
        ("… im letzten Jahr …", date(2025, 1, 1), date(2025, 12, 31)),
        ("… dieses Jahr …", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_periods(question: str, start: date, end: date | None) -> None:
    period = period_asked(question, TODAY)
    assert period is not None and (period.start, period.end) == (start, end)


def test_a_reference_or_a_meeting_day_is_no_year() -> None:
    assert period_asked("Was wurde aus 2025/0518?", TODAY) is None
    assert period_asked("Was stand am 25.11.2025 auf der Tagesordnung?", TODAY) is None


def test_paper_families_and_outcomes() -> None:
    assert paper_families("Welche Änderungsanträge und Anfragen …") == ("Änderungsantrag", "Anfrage")
    assert paper_families("Welche Vorlagen …") == ("",)
    assert outcomes_asked("… zurückgezogen oder vertagt …") == ("zurückgezogen", "vertagt")
    assert outcomes_asked("… zur Kenntnis genommen …") == ("zur Kenntnis genommen",)


@pytest.mark.parametrize(
    ("question", "body"),
    [
        ("… des Bauausschusses …", "Bauausschuss"),
        ("… im Gemeinderat …", "Gemeinderat"),  # not "Gemeinderat - Beratungen zum DHH"
        ("… des Gemeinderats …", "Gemeinderat"),
        ("… im Finanzausschuss …", "Haupt- und Finanzausschuss"),
        ("… im Ausschuss für Umwelt und Gesundheit …", "Ausschuss für Umwelt und Gesundheit"),
        ("… im Ortschaftsrat Durlach …", "Ortschaftsrat Durlach"),
        ("… im Ortschaftsrat …", ""),  # several fit: none is guessed
        ("… im Stadtrat …", ""),
    ],
)
def test_the_body_is_one_the_data_knows(question: str, body: str) -> None:
    assert body_named(question, BODIES) == body
