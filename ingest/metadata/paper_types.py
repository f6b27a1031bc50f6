"""The kinds of council papers: the type a source states, and the family it belongs to.

A source states a paper's type in its own words: ALLRIS "Beschlussempfehlung" or "Auskunftsersuchen
nach § 27 BezVG", OParl ``paperType`` "Änderungs-/Ergänzungsantrag" or "Haushalt THH 4100", a text
"Interfraktioneller Antrag". That stated type is kept as it is written (``stated_paper_type`` only
tidies spacing and capitals). For filters and facets it is also mapped to one of
``PAPER_FAMILIES`` where one fits (``normalize_paper_type``), "" where none does:

* Antrag: "Antrag", "A N T R A G", "Interfraktioneller Antrag", "Neufassung Antrag", Einwohner-
  and Bürgeranträge
* Änderungsantrag: "Änderungsantrag", "Ergänzungsantrag", "Änderungs-/Ergänzungsantrag"
* Dringlichkeitsantrag: a heading or an Antrag whose title line says "Dringlichkeitsantrag"
* Anfrage (also Einwohner-, Bürgeranfrage and Hamburg's "Auskunftsersuchen"), Große Anfrage,
  Kleine Anfrage
* Beschlussvorlage, Informationsvorlage, Mitteilungsvorlage ("Mitteilung" too),
  Beschlussempfehlung (a committee's recommendation to the plenary)
* Stellungnahme: also "Antwort der Verwaltung", "Beantwortung einer Anfrage"
* Petition: "Petition", "Eingabe"
* Niederschrift: also "Protokoll"; Tagesordnung; Einladung; Bericht

Budget categories such as OParl's "Haushalt THH 4100" or Karlsruhe's "Offenlage" describe a
procedure rather than a kind of document: their family is "", their stated type stays.
"""

from __future__ import annotations

import re

from ingest.metadata.lines import Fields, clean_line

PAPER_FAMILIES: tuple[str, ...] = (
    "Antrag",
    "Änderungsantrag",
    "Dringlichkeitsantrag",
    "Anfrage",
    "Große Anfrage",
    "Kleine Anfrage",
    "Beschlussvorlage",
    "Informationsvorlage",
    "Mitteilungsvorlage",
    "Beschlussempfehlung",
    "Stellungnahme",
    "Petition",
    "Niederschrift",
    "Tagesordnung",
    "Einladung",
    "Bericht",
)
_FAMILY_SPELLING = {family.casefold(): family for family in PAPER_FAMILIES}
_STATED_MAX_WORDS = 8  # a labelled "Art:" value longer than this is a sentence, not a type

# Ordered: the first pattern matching the start of the cleaned text wins. The match is what a
# heading states (the stated type); whatever follows it ("der Fraktion …") is not.
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
        (
            r"(?:neufassung\s+(?:des\s+)?)?(?:interfraktionelle[rs]?\s+|gemeinsamer\s+)?"
            r"(?:einwohner|bürger)?antrag\b",
            "Antrag",
        ),
        (r"(?:interfraktionelle\s+)?(?:einwohner|bürger)?anfrage\b|auskunftsersuchen\b", "Anfrage"),
        (r"(?:neufassung\s+(?:der\s+)?)?beschlussvorlage\b", "Beschlussvorlage"),
        (r"informationsvorlage\b", "Informationsvorlage"),
        (r"mitteilung(?:svorlage)?\b", "Mitteilungsvorlage"),
        (r"beschlussempfehlung\b", "Beschlussempfehlung"),
        (r"(?:stellungnahme|(?:schriftliche\s+)?antwort|beantwortung)\b", "Stellungnahme"),
        (r"(?:petition|eingabe)\b", "Petition"),
        (r"(?:niederschrift|protokoll)\b", "Niederschrift"),
        (r"tagesordnung\b", "Tagesordnung"),
        (r"einladung\b", "Einladung"),
        (r"bericht(?=(?:\s+(?:der|des)\b.*)?$)", "Bericht"),
    )
)


def _match(text: str) -> tuple[str, str]:
    """(the matched words, their family) at the start of a cleaned line; ("", "") if none."""
    for pattern, name in _TYPE_PATTERNS:
        match = pattern.match(text)
        if match:
            return match.group(), name
    return "", ""


def normalize_paper_type(raw: str) -> str:
    """The family of a written paper type ("A N T R A G", "Änderungs-/Ergänzungsantrag").

    Returns one of ``PAPER_FAMILIES``, or "" for anything not recognised, e.g. "Haushalt THH
    4100" or "Offenlage".
    """
    return _match(clean_line(raw))[1]


def stated_paper_type(raw: str) -> str:
    """A type as the source writes it, tidied: spacing, letter-spacing, and all capitals.

    "A N T R A G" and "ANTRAG" become "Antrag", "GROSSE ANFRAGE" becomes "Große Anfrage" (the
    family's spelling when only case and ß differ); everything else is kept as written.
    """
    # Markup is cleaned away, but a type that is nothing but "markup" ("**", "<A>") stays as written.
    text = clean_line(raw).replace("\t", " ") or " ".join(raw.split())
    family = _FAMILY_SPELLING.get(text.casefold())
    if family is not None:
        return family
    return text.title() if text.isupper() else text


def paper_type_and_family(raw: str) -> tuple[str, str]:
    """(stated type, family) of a type a source states; ("", "") when it states none."""
    stated = stated_paper_type(raw)
    return stated, normalize_paper_type(stated) if stated else ""


def describe_paper_type(paper_type: str, family: str) -> str:
    """The type as stated, with its family in brackets where the name does not already say it:
    "Auskunftsersuchen (Anfrage)", "Interfraktioneller Antrag", "Haushalt THH 4100"."""
    if family and family.casefold() not in paper_type.casefold():
        return f"{paper_type} ({family})" if paper_type else family
    return paper_type


def find_paper_type(header: list[str], fields: list[Fields]) -> tuple[str, str]:
    """(stated type, family): the labelled type ("Drucksache-Art:"), else the first type named in
    the top 15 header lines (as much of the line as names the type)."""
    for _, pairs in fields:
        for kind, value in pairs:
            if kind == "type" and value:
                stated, family = paper_type_and_family(value)
                if family or len(stated.split()) <= _STATED_MAX_WORDS:
                    return stated, family  # "Drucksache-Art: Antrag", "| Art | Beschlussvorlage |"
    lines = [line for line in header if line][:15]
    stated, family = next((found for line in lines if (found := _match(line))[1]), ("", ""))
    # An "Interfraktioneller Antrag" whose title line says "Dringlichkeitsantrag" is the latter.
    if family == "Antrag" and any(re.search(r"\bDringlichkeitsantrag\b", line) for line in lines):
        return "Dringlichkeitsantrag", "Dringlichkeitsantrag"
    return (stated_paper_type(stated), family) if stated else ("", "")
