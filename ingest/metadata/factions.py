"""Names of factions and other organisations that submit a paper, told apart from prose."""

from __future__ import annotations

import re

from ingest.metadata.paper_types import normalize_paper_type
from ingest.metadata.references import REF

_FACTION_WORD = re.compile(
    r"^(?:Fraktion(?:en)?|Ratsfraktion|Gemeinderatsfraktion(?:en)?|Gruppe|Einzelstadträt(?:in)?|Einzelstadtrat)\s"
    r"|[Ff]raktion(?:en)?\b"
)
_NAME_CONNECTORS = frozenset({"und", "von", "sowie", "u."})
_FACTION_PREFIX = re.compile(r"^(?:Geschäftsstelle der\s+|Absender:\s*)", re.IGNORECASE)
_FACTION_LIST = re.compile(r"^(?:(?:Gemeinderats)?Fraktionen(?:\s+von)?|Interfraktionell(?:er)?)\s+", re.I)
# "Antrag der Fraktion X zur ...": the "who" ends before a preposition, a colon or a bracket
BY = re.compile(
    r"\b(?:Antrag|Anfrage|(?:Änderungs|Ergänzungs|Dringlichkeits)antrag)\s+(?:(?:der|des|von)\s+)?"
    r"(?P<who>.+?)(?=\s+(?:zur|zum|zu|für|betreffend|betr\.|bzgl\.|über|vom|auf)\b|\s*[:)]|$)"
)
_ORG_WORD = re.compile(r"fraktion|gruppe|stadtr|ortschaftsr|partei|verwaltung|dezernat|amt\b", re.I)
_ADDRESS_TAIL = re.compile(r",\s*[^,]*\d.*$")


def by_organisation(text: str) -> list[str]:
    """The originator in "Antrag der Fraktion X zur ...", if it names an organisation."""
    m = BY.search(text)
    if m and _ORG_WORD.search(m.group("who")) and looks_like_names(m.group("who"), strict=False):
        return [m.group("who").strip()]
    return []


def is_faction_line(line: str) -> bool:
    """A line naming factions: "CDU-Fraktion", "Fraktion Bündnis 90/Die Grünen",
    "SPD Gemeinderatsfraktion, Hebelstraße 21"."""
    line = _ADDRESS_TAIL.sub("", _FACTION_PREFIX.sub("", line))
    return bool(_FACTION_WORD.search(line)) and not normalize_paper_type(line) and looks_like_names(line)


def looks_like_names(value: str, *, strict: bool = True) -> bool:
    """Names of factions or people, not prose: (nearly) every word capitalised, short."""
    words = [w for w in re.split(r"[\s/-]+", value) if w[:1].isalpha()]
    lower = [w for w in words if w[0].islower() and w not in _NAME_CONNECTORS]
    if len(value) > 100 or REF.match(value) or value.endswith(":"):
        return False
    return not lower if strict else len(lower) <= 1 and not value.startswith(("„", '"', "“"))


def split_factions(value: str) -> list[str]:
    """The factions of a line, split where it lists several ("Fraktionen SPD, Grüne und FDP")."""
    value = _ADDRESS_TAIL.sub("", _FACTION_PREFIX.sub("", value)).strip(" -")
    if _FACTION_LIST.match(value) or ("," in value and not re.search(r"fraktion", value, re.I)):
        return [part.strip() for part in re.split(r"\s*,\s*|(?<!-)\s+und\s+", _FACTION_LIST.sub("", value))]
    return [value]
