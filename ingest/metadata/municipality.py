"""The municipality a paper is about: the most often named "Stadt X", "Landeshauptstadt X", ..."""

from __future__ import annotations

import re
from collections import Counter

from ingest.metadata.lines import HEADER_CHARS

_MUNICIPALITY = re.compile(
    r"\b(?P<kind>Landeshauptstadt|Hansestadt|Universitätsstadt|Kreisstadt|Stadt|Gemeinde|Markt)\s+"
    r"(?P<name>[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ]?[a-zäöüß]+)*"
    r"(?:\s\([A-ZÄÖÜ][a-zäöü]{2,7}\)|\san der\s[A-ZÄÖÜ]\w+)?)"  # "Halle (Saale)", "Mülheim an der Ruhr"
)
_NOT_A_NAME = re.compile(
    r"^(?:Die|Der|Das|Den|Dem|Des|Ein|Eine|Im|Am|In|Und|Oder|Stadt|Euro|Natur|Mitte|Land|Rat|Bus|Geld"
    r"|Orte?|Räume|Gremien|Antrag|Anfrage|Mitglied|Haltestelle|Bilanz|Beteiligten|Infrastruktur|Einnahmen"
    r"|Ausgaben|You|Gmb|Karls|.*(?:ung|ungen|heit|keit|schaft|tion|tionen|ität|ismus|nis|teil|straße"
    r"|grad|jahr|satz|auftritt|aufgaben|verwaltung))$"
)


def find_municipality(text: str) -> str:
    """The most frequently named "Stadt X" / "Landeshauptstadt X" / ...; "" if none or a tie."""
    flat = re.sub(r"\s+", " ", re.sub(r"(\w)-[ \t]*\n\s*([a-zäöü])", r"\1\2", text))
    scores: Counter[str] = Counter()
    for m in _MUNICIPALITY.finditer(flat):
        name = m.group("name")
        if _NOT_A_NAME.match(name):
            continue
        strong = m.group("kind") in {"Landeshauptstadt", "Hansestadt"} or m.start() < HEADER_CHARS
        scores[name] += 2 if strong else 1
    ranked = scores.most_common(2)
    # One passing mention deep in the body ("die Stadt Zuschuss ...") is not enough; a tie is unclear.
    if not ranked or ranked[0][1] < 2 or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return ""
    return ranked[0][0]
