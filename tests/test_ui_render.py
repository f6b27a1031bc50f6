"""The UI's pure parts: HTML rendering (escaping, footnotes, marks), stream folding, filters, CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest

from assistant.access import Principal
from assistant.errors import InvalidRequestError
from assistant.schemas import AskResponse, Citation, SearchHit
from assistant.service.facets import collect_facets
from ingest.records import DocumentInfo
from ui.conversation import ChatTurn, apply_event, history_of
from ui.examples import example_questions
from ui.filters import build_filters, parse_date, type_choices
from ui.render import mark_ranges, mode_banner, source_links
from ui.render_chat import footnoted, render_conversation
from ui.render_search import group_hits, highlight_terms, results_csv

EVIL = '<img src=x onerror="alert(1)">'


def citation(n: int, text: str, start: int, highlights: list[tuple[int, int]], **fields: Any) -> Citation:
    values: dict[str, Any] = {
        "n": n,
        "doc_id": f"doc{n}",
        "reference": f"A/2025/{n:03d}",
        "title": f"Titel {n}",
        "paper_type": "Antrag",
        "paper_family": "Antrag",
        "date": date(2025, 3, 14),
        "source": "x.txt",
        "url": "",
        "page": 2,
        "text": text,
        "start": start,
        "end": start + len(text),
        "highlights": highlights,
        "score": 0.5,
    }
    return Citation.model_validate({**values, **fields})


def hit(doc_id: str, text: str, page: int = 1, paper_type: str = "Antrag", **fields: Any) -> SearchHit:
    values: dict[str, Any] = {
        "doc_id": doc_id,
        "reference": f"R-{doc_id}",
        "title": f"Titel {doc_id}",
        "paper_type": paper_type,
        "paper_family": paper_type,
        "date": date(2025, 1, 2),
        "body": "Stadtrat",
        "source": "x.txt",
        "page": page,
        "section": "",
        "text": text,
        "start": 0,
        "end": len(text),
        "score": 0.1,
    }
    return SearchHit.model_validate({**values, **fields})


def test_footnotes_link_only_known_citations_and_the_answer_is_escaped() -> None:
    html = footnoted(f"Satz eins [1]. {EVIL} Satz zwei [2][7].", {1, 2}, turn=3)
    assert '<a href="#cite-3-1"' in html and '<a href="#cite-3-2"' in html
    assert "[7]" in html and "#cite-3-7" not in html  # an unknown number stays text
    assert "<img" not in html and "&lt;img" in html


def test_conversation_cards_mark_exactly_the_quoted_sentence_and_escape_document_text() -> None:
    page_text = "Vorwort. Der Radweg wird 2,50 Meter breit. Schluss " + EVIL
    start = 9  # the chunk starts at "Der Radweg" in the page
    quoted = (start, start + len("Der Radweg wird 2,50 Meter breit."))
    card = citation(1, page_text[start:], start, [quoted], title="Antrag " + EVIL)
    turn = ChatTurn(
        question="Wie breit?", answer="Der Radweg wird 2,50 Meter breit. [1]", citations=[card], done=True
    )
    html = render_conversation([turn], [], {"doc1": "Bauausschuss"})
    assert '<mark class="quote">Der Radweg wird 2,50 Meter breit.</mark>' in html
    assert "<img" not in html and html.count("&lt;img") == 2
    assert 'id="cite-0-1"' in html and "Bauausschuss" in html and "Seite 2" in html and "14.03.2025" in html
    assert 'data-doc="doc1"' in html  # the link to the document view


def test_abstention_is_shown_as_such_not_as_an_empty_answer() -> None:
    text = "Dazu habe ich in den Dokumenten keine belastbare Antwort gefunden."
    turn = ChatTurn(question="Raumfahrt?", answer=text, abstained=True, done=True)
    html = render_conversation([turn], [], {})
    assert 'class="answer abstained"' in html and "Keine belegte Antwort gefunden" in html and text in html


def test_start_screen_offers_example_questions_as_buttons() -> None:
    html = render_conversation([], ["Was steht in „A & B“?"], {})
    assert 'data-question="Was steht in „A &amp; B“?"' in html and "<button" in html


def test_mark_ranges_layers_quotes_over_cited_passages_and_places_anchors() -> None:
    text = "abcdefghij"
    html = mark_ranges(text, offset=100, quotes=[(103, 105)], cited=[(102, 108)], anchors={102: "p1-102"})
    assert html == (
        'ab<span class="anchor" id="p1-102"></span><mark class="cited">c</mark>'
        '<mark class="quote">de</mark><mark class="cited">fgh</mark>ij'
    )
    assert mark_ranges("<b>", quotes=[(0, 3)]) == '<mark class="quote">&lt;b&gt;</mark>'


def test_source_links_allow_only_http_urls() -> None:
    assert "javascript:" not in source_links("javascript:alert(1)", "d1")
    assert 'href="https://ratsinfo.example/vo020?VOLFDNR=1"' in source_links(
        "https://ratsinfo.example/vo020?VOLFDNR=1", "d1"
    )


def test_stream_events_fold_into_the_final_answer(sample_services: Any) -> None:
    principal = Principal(name="t", groups=frozenset())
    question = "Wie breit soll der neue Radweg an der Weserpromenade werden?"
    stream = sample_services.answerer.stream(question, principal)
    turn = ChatTurn(question=question)
    seen_partial = False
    for event in stream:
        apply_event(turn, event)
        seen_partial = seen_partial or (event["event"] == "answer" and not turn.done)
    final: AskResponse = stream.result()
    assert seen_partial and turn.done
    assert turn.answer == final.answer and [c.n for c in turn.citations] == [c.n for c in final.citations]
    assert history_of([turn])[0].answer == final.answer


def test_reset_event_withdraws_what_was_shown() -> None:
    turn = ChatTurn(question="q")
    apply_event(turn, {"event": "answer", "text": "LLM-Satz [1]."})
    apply_event(turn, {"event": "reset", "notice": "Das LLM war nicht erreichbar."})
    assert turn.answer == "" and turn.notice == "Das LLM war nicht erreichbar."


def test_search_snippet_highlights_query_words_by_stem_and_escapes() -> None:
    text = "Vorher viel Text. " * 30 + "Die Radwege an der Promenade <b>sind</b> schmal."
    html = highlight_terms(text, "Radweg")
    assert '<mark class="term">Radwege</mark>' in html
    assert html.startswith("… ") and "&lt;b&gt;" in html


def test_results_group_passages_by_document_and_flag_documents_without_the_words() -> None:
    hits = [hit("a", "Radweg hier", 1), hit("b", "nur ähnlich", 1), hit("a", "mehr", 3)]
    grouped = group_hits(hits, "Radwege")
    assert [(g.best.doc_id, g.pages, g.has_terms) for g in grouped] == [
        ("a", [1, 3], True),
        ("b", [1], False),
    ]


def test_csv_export_lists_every_document_and_defuses_formulas() -> None:
    grouped = group_hits([hit("a", "x", title="=HYPERLINK(1)"), hit("b", "y", paper_type="Anfrage")], "x")
    rows = list(csv.DictReader(io.StringIO(results_csv(grouped)), delimiter=";"))
    assert [row["Dokument-ID"] for row in rows] == ["a", "b"]
    assert rows[0]["Titel"] == "'=HYPERLINK(1)" and rows[1]["Art"] == "Anfrage"


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("14.03.2025", False, date(2025, 3, 14)),
        ("2025-03-14", True, date(2025, 3, 14)),
        ("2025", False, date(2025, 1, 1)),
        ("2025", True, date(2025, 12, 31)),
        ("02.2024", True, date(2024, 2, 29)),
        ("", False, None),
    ],
)
def test_dates_are_read_as_germans_write_them(text: str, end: bool, expected: date | None) -> None:
    assert parse_date(text, end_of_period=end) == expected


@pytest.mark.parametrize("text", ["31.02.2025", "gestern", "2025/03/14"])
def test_unreadable_dates_are_refused_in_german(text: str) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        parse_date(text)
    assert "nicht erkannt" in refused.value.german


def test_filters_from_the_form() -> None:
    filters = build_filters(["Antrag", "Antrag", ""], "2025", "", "Stadtrat", "")
    assert filters.paper_types == ("Antrag",) and filters.date_from == date(2025, 1, 1)
    assert filters.body == "Stadtrat" and filters.date_to is None
    with pytest.raises(InvalidRequestError) as refused:
        build_filters([], "2026", "2025", "", "")
    assert "liegt nach" in refused.value.german


def test_example_questions_come_only_from_visible_documents() -> None:
    def doc(doc_id: str, title: str, access: str, day: int, paper_type: str = "Antrag") -> DocumentInfo:
        return DocumentInfo(
            doc_id=doc_id,
            source="x",
            root="x",
            content_hash=doc_id,
            media_type="text/plain",
            title=title,
            paper_type=paper_type,
            paper_family=paper_type,
            date=date(2025, 1, day),
            access=frozenset({access}),
        )

    documents = [
        doc("1", "Geheime Verhandlungslinie zum Haushalt", "fraktion-gruen", 20),
        doc("2", "Lückenschluss im Radwegenetz an der Weserpromenade", "public", 10),
        doc("3", "Niederschrift über die 22. Sitzung", "public", 15, "Niederschrift"),
    ]
    outsider = example_questions(documents, Principal(name="b", groups=frozenset({"fraktion-spd"})))
    member = example_questions(documents, Principal(name="a", groups=frozenset({"fraktion-gruen"})))
    assert outsider and not any("Verhandlungslinie" in q for q in outsider)
    assert not any("Sitzung" in q for q in outsider + member)
    assert "Verhandlungslinie" in member[0]  # the user's own group's document comes first


def test_banner_explains_the_missing_models() -> None:
    both = mode_banner("hashing-char345-v1", "extractive")
    assert "Ohne semantisches Sprachmodell" in both and "Ohne KI-Textmodell" in both
    assert mode_banner("intfloat/multilingual-e5-small", "llm") == ""
    assert "Ohne KI-Textmodell" not in mode_banner("hashing", "llm")


def test_llm_events_add_sources_as_sentences_use_them_and_list_removed_sentences() -> None:
    turn = ChatTurn(question="Wie breit?")
    apply_event(turn, {"event": "citations", "citations": [], "abstained": False, "notice": ""})
    first = citation(2, "Der Radweg wird 2,50 Meter breit.", 0, [(0, 33)])
    apply_event(turn, {"event": "citation", **first.model_dump(mode="json")})
    apply_event(turn, {"event": "answer", "text": "Er wird 2,50 Meter breit [2]. "})
    apply_event(turn, {"event": "removed", "text": "Er kostet eine Million.", "reason": "nicht belegt"})
    html = render_conversation([turn], [], {})
    assert [c.n for c in turn.citations] == [2] and '<a href="#cite-0-2"' in html
    assert "Antwort wird erstellt" not in html and 'class="typing"' in html  # still streaming
    assert "1 Satz/Sätze entfernt" in html and "Er kostet eine Million." in html


def test_type_filter_offers_families_with_the_stated_types_beneath() -> None:
    def doc(doc_id: str, paper_type: str, family: str) -> DocumentInfo:
        return DocumentInfo(
            doc_id=doc_id, source="x", root="x", content_hash=doc_id, media_type="html", title=doc_id,
            paper_type=paper_type, paper_family=family,
        )  # fmt: skip

    documents = [
        doc("1", "Antrag", "Antrag"),
        doc("2", "Antrag", "Antrag"),
        doc("3", "Interfraktioneller Antrag", "Antrag"),
        doc("4", "Auskunftsersuchen nach § 27 BezVG", "Anfrage"),
        doc("5", "Haushalt THH 4100", ""),
        doc("6", "", ""),
    ]

    choices = type_choices(collect_facets(documents))

    assert choices == [
        ("Antrag (3)", "Antrag"),
        ("\u2003– Interfraktioneller Antrag (1)", "Interfraktioneller Antrag"),
        ("Anfrage (1)", "Anfrage"),
        ("\u2003– Auskunftsersuchen nach § 27 BezVG (1)", "Auskunftsersuchen nach § 27 BezVG"),
        ("Haushalt THH 4100 (1)", "Haushalt THH 4100"),
    ]
