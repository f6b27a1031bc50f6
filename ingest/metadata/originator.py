"""Who submitted the paper: factions (political papers) or Dezernat/Dienststelle (the administration's)."""

from __future__ import annotations

import re

from ingest.metadata.dates import DATE
from ingest.metadata.factions import by_organisation, is_faction_line, looks_like_names, split_factions
from ingest.metadata.lines import Fields, label_fields, next_nonempty
from ingest.metadata.titles import admin_span


def find_originator(header: list[str], fields: list[Fields], paper_family: str) -> str:
    """Political originators (factions) or administrative ones (Dezernat, Dienststelle).

    Labelled or stand-alone faction lines beat "Antrag der Fraktion X" in a title; for the
    administration's papers (Beschlussvorlage, Stellungnahme, ...) the Dezernat/Dienststelle wins.
    """
    party: list[str] = []
    by: list[str] = []
    admin: list[str] = []
    nonempty = [i for i, line in enumerate(header) if line]
    top = nonempty[19] if len(nonempty) > 19 else len(header)  # unlabelled lines: not signatures below
    for i, (prefix, pairs) in enumerate(fields):
        if prefix and i < top and is_faction_line(prefix):
            party.extend(split_factions(prefix))
        elif prefix and i < top:
            by.extend(by_organisation(prefix))
        for kind, value in pairs:
            if kind == "party" and value and looks_like_names(value, strict=False):
                party.extend(split_factions(value))
            elif kind == "party" and not value and re.match(r"Fraktion", header[i], re.IGNORECASE):
                party.extend(_list_after(header, i))
            elif kind == "date" and (tail := DATE.sub("", value, count=1).strip(" ,;")):
                party.extend(
                    split_factions(tail) if is_faction_line(tail) else []
                )  # "01.08.2025, FDP-Fraktion"
            elif kind == "admin":
                admin.extend(_admin_value(value, header, i))
            elif kind == "subject":
                by.extend(by_organisation(value or next_nonempty(header, i)))
    administrative = paper_family in {
        "Beschlussvorlage",
        "Informationsvorlage",
        "Mitteilungsvorlage",
        "Stellungnahme",
    }
    groups = (admin, party, by) if administrative else (party, by, admin)
    chosen = next((group for group in groups if group), [])
    return "; ".join(dict.fromkeys(value for value in chosen if value))


def _list_after(header: list[str], i: int) -> list[str]:
    """Values listed on the lines below a heading such as "Fraktionen:"."""
    values = []
    for line in header[i + 1 : i + 12]:
        if not line:
            continue
        if label_fields(line)[1] or not is_faction_line(line):
            break
        values.extend(split_factions(line))
    return values


def _admin_value(value: str, header: list[str], i: int) -> list[str]:
    value, _ = admin_span(value, header, i)
    if re.fullmatch(r"Dez\.?", value):  # template placeholder without a number
        return []
    return [value] if value else []
