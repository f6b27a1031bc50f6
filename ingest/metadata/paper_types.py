"""The kinds of council papers, and the written forms that normalise to each.

Paper types are normalised to one of ``PAPER_TYPES``:

* Antrag: "Antrag", "A N T R A G", "Interfraktioneller Antrag", "Antrag der Fraktion ..."
* Änderungsantrag: "Änderungsantrag", "Ergänzungsantrag", "Änderungs-/Ergänzungsantrag"
* Dringlichkeitsantrag: a heading or an Antrag whose title line says "Dringlichkeitsantrag"
* Anfrage, Große Anfrage, Kleine Anfrage
* Beschlussvorlage, Informationsvorlage, Mitteilungsvorlage ("Mitteilung" too)
* Stellungnahme: also "Antwort der Verwaltung", "Stellungnahme zum Antrag"
* Niederschrift: also "Protokoll"; Tagesordnung; Einladung; Bericht

Budget categories such as OParl's "Haushalt THH 4100" or Karlsruhe's "Offenlage" describe a
procedure rather than the kind of document and normalise to "".
"""

from __future__ import annotations

import re

from ingest.metadata.lines import Fields, clean_line

PAPER_TYPES: tuple[str, ...] = (
    "Antrag",
    "Änderungsantrag",
    "Dringlichkeitsantrag",
    "Anfrage",
    "Große Anfrage",
    "Kleine Anfrage",
    "Beschlussvorlage",
    "Informationsvorlage",
    "Mitteilungsvorlage",
    "Stellungnahme",
    "Niederschrift",
    "Tagesordnung",
    "Einladung",
    "Bericht",
)

# Ordered: the first pattern matching the start of the cleaned text wins.
_TYPE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), name)
    for pattern, name in (
        (r"(?:interfraktionelle[rs]?\s+)?dringlichkeitsantrag", "Dringlichkeitsantrag"),
        (
            r"(?:interfraktionelle[rs]?\s+)?(?:ab)?(?:änderungs|ergänzungs)[-\s/]*(?:ergänzungs)?antrag",
            "Änderungsantrag",
        ),
        (r"große\s+anfrage", "Große Anfrage"),
        (r"kleine\s+anfrage", "Kleine Anfrage"),
        (r"(?:interfraktionelle[rs]?\s+|gemeinsamer\s+)?antrag\b", "Antrag"),
        (r"(?:interfraktionelle\s+)?anfrage\b", "Anfrage"),
        (r"beschlussvorlage\b", "Beschlussvorlage"),
        (r"informationsvorlage\b", "Informationsvorlage"),
        (r"mitteilung(?:svorlage)?\b", "Mitteilungsvorlage"),
        (r"(?:stellungnahme|antwort)\b", "Stellungnahme"),
        (r"(?:niederschrift|protokoll)\b", "Niederschrift"),
        (r"tagesordnung\b", "Tagesordnung"),
        (r"einladung\b", "Einladung"),
        (r"bericht(?:\s+(?:der|des)\b.*)?$", "Bericht"),
    )
)


def normalize_paper_type(raw: str) -> str:
    """Map a written paper type ("A N T R A G", "Änderungs-/Ergänzungsantrag") to ``PAPER_TYPES``.

    Returns "" for anything not recognised, e.g. "Haushalt THH 4100" or "Offenlage".
    """
    text = clean_line(raw)
    for pattern, name in _TYPE_PATTERNS:
        if pattern.match(text):
            return name
    return ""


def find_paper_type(header: list[str], fields: list[Fields]) -> str:
    """The labelled type ("Drucksache-Art:"), else the first type named in the top 15 header lines."""
    labelled = (normalize_paper_type(value) for _, pairs in fields for kind, value in pairs if kind == "type")
    if found := next((t for t in labelled if t), ""):
        return found  # "Drucksache-Art: Antrag", "| Art | Beschlussvorlage |"
    lines = [line for line in header if line][:15]
    found = next((t for line in lines if (t := normalize_paper_type(line))), "")
    # An "Interfraktioneller Antrag" whose title line says "Dringlichkeitsantrag" is the latter.
    if found == "Antrag" and any(re.search(r"\bDringlichkeitsantrag\b", line) for line in lines):
        return "Dringlichkeitsantrag"
    return found
