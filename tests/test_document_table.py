"""The column view of the documents decides visibility and filters exactly as the plain rules do."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from assistant.access import PUBLIC, Principal
from assistant.models import SearchFilters
from assistant.store.document_table import DocumentTable
from ingest.records import ConsultationStep, DocumentInfo

GROUPS = (PUBLIC, "gremium-a", "gremium-b", "fraktion-x")
TYPES = (  # (as stated, family)
    ("Antrag", "Antrag"),
    ("Interfraktioneller Antrag", "Antrag"),
    ("Auskunftsersuchen", "Anfrage"),
    ("Beschlussvorlage", "Beschlussvorlage"),
    ("Niederschrift", "Niederschrift"),
    ("Haushalt THH 4100", ""),
    ("", ""),
)
ORIGINATORS = ("SPD-Fraktion", "Fraktion DIE GRÜNEN", "Dezernat 5", "Oberbürgermeister", "")
BODIES = ("Gemeinderat", "Hauptausschuss", "Ortschaftsrat Durlach", "Planungsausschuss")


def _documents(rng: random.Random, count: int) -> dict[str, DocumentInfo]:
    documents = {}
    for number in range(count):
        doc_id = f"doc-{number:04d}"
        steps = tuple(
            ConsultationStep(body=rng.choice(BODIES), date=None, public=True, role="")
            for _ in range(rng.randint(0, 3))
        )
        documents[doc_id] = DocumentInfo(
            doc_id=doc_id,
            source=f"{doc_id}.txt",
            root="/corpus",
            content_hash=doc_id,
            media_type="txt",
            title=doc_id,
            reference=rng.choice(("A/1", "A/2", "B/7", "")),
            date=rng.choice((None, date(2020, 1, 1) + timedelta(days=rng.randint(0, 2000)))),
            paper_type=(kind := rng.choice(TYPES))[0],
            paper_family=kind[1],
            originator=rng.choice(ORIGINATORS),
            consultations=steps,
            access=frozenset(rng.sample(GROUPS, rng.randint(1, 2))),
            chunk_count=rng.randint(1, 9),
        )
    return documents


def _filters(rng: random.Random) -> SearchFilters:
    start = date(2020, 1, 1) + timedelta(days=rng.randint(0, 2000))
    return SearchFilters(
        paper_types=tuple(
            rng.sample(
                (
                    "antrag",
                    "ANFRAGE",
                    "Niederschrift",
                    "Unbekannt",
                    "interfraktioneller antrag",
                    "Haushalt THH 4100",
                    "",
                ),
                rng.randint(0, 2),
            )
        ),
        date_from=rng.choice((None, start)),
        date_to=rng.choice((None, start + timedelta(days=rng.randint(0, 900)))),
        body=rng.choice(("", "ausschuss", "RAT", "durlach", "nirgends")),
        originator=rng.choice(("", "fraktion", "grünen", "DEZERNAT", "niemand")),
        reference=rng.choice(("", "A/1", "B/7", "C/9")),
    )


@pytest.mark.parametrize("seed", range(5))
def test_mask_agrees_with_can_see_and_matches_for_random_documents_and_filters(seed: int) -> None:
    rng = random.Random(seed)
    documents = _documents(rng, 300)
    table = DocumentTable(documents)
    principals = [
        Principal(name="anonymous"),
        Principal(name="committee", groups=frozenset({"gremium-a"})),
        Principal(name="two", groups=frozenset({"gremium-b", "fraktion-x"})),
        Principal(name="operator", unrestricted=True),
    ]
    for _ in range(40):
        filters = _filters(rng)
        for principal in principals:
            expected = [
                doc_id
                for doc_id in table.doc_ids
                if principal.can_see(documents[doc_id].access) and filters.matches(documents[doc_id])
            ]
            mask = table.mask(principal, filters)
            assert [table.doc_ids[row] for row in mask.nonzero()[0]] == expected, (principal, filters)
            assert table.visible_chunks(mask) == sum(documents[d].chunk_count for d in expected)


def test_empty_store_gives_empty_masks() -> None:
    table = DocumentTable({})
    assert len(table.mask(Principal(name="x"), SearchFilters(body="rat", originator="spd"))) == 0
    assert table.total_chunks == 0
