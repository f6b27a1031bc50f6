"""The one German months table (ingest.text.months) that metadata, chunking and the judge share."""

from __future__ import annotations

import re

from ingest.text.months import CAPITALISED_MONTH_NAMES, MONTH_NAMES, MONTHS


def test_every_month_has_its_full_name_and_the_spellings_met_in_council_papers() -> None:
    full = ["januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september"]
    full += ["oktober", "november", "dezember"]
    assert [MONTHS[name] for name in full] == list(range(1, 13))
    # The union of the three tables that were here before: Austrian, ASCII and abbreviated forms.
    assert {MONTHS[name] for name in ("jänner", "jan")} == {1}
    assert {MONTHS[name] for name in ("maerz", "mär")} == {3}
    assert {MONTHS[name] for name in ("sep", "sept")} == {9}
    assert set(MONTHS.values()) == set(range(1, 13))


def test_the_alternations_match_whole_names_longest_first() -> None:
    names = re.compile(rf"(?:{MONTH_NAMES})", re.IGNORECASE)
    assert names.match("September").group(0) == "September"
    assert names.match("SEPT.").group(0) == "SEPT"
    capitalised = re.compile(rf"(?:{CAPITALISED_MONTH_NAMES})\b")
    assert capitalised.match("Jänner 2026") and capitalised.match("März") and capitalised.match("Maerz")
    assert not capitalised.match("juli")  # case-sensitive patterns see only the written form
