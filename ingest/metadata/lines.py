"""Header lines of a council paper: markup cleaned away, labelled fields split off.

Every other part of the metadata parser reads the header through these: ``clean_line`` turns
Markdown, HTML and spaced-out letters into plain text (table cells become tab-separated), and
``label_fields`` splits a line at its labels ("Vorlage Nr.:", "Datum:", "Betreff:", ...).
"""

from __future__ import annotations

import re

# Reference, date, type, originator and subject are only looked for in this many leading characters.
HEADER_CHARS = 3000

_SPACED = re.compile(r"^(?:\w ){2,}\w$")
_TAG = re.compile(r"<[^>]*>")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_MD_TABLE_RULE = re.compile(r"^\s*\|[\s:|-]*\|\s*$")
_CELL_GAP = re.compile(r"\t+| {3,}")

# Labels ("Key:") split a header line into fields; the group name says what the value is.
_KEY = re.compile(
    r"(?:^|(?<=[\s(]))(?:"
    r"(?P<ref>Drucksachen?[- ]?(?:Nr\.?|Nummer)|Drucksache|Ds\.?[- ]?Nr\.?|Vorlagen?[- ]?(?:Nr\.?|Nummer)"
    r"|Vorlage|(?:Antrag|Anfrage)\s*Nr\.?"
    r"|(?:Niederschrift|Protokoll|Sitzungs|(?:Fraktions|Arbeits)?[Pp]apier|Mitteilung|Stellungnahme"
    r"|(?:Beschluss|Informations|Mitteilungs)vorlage)s?[- ]?(?:Nr\.?|Nummer))"
    r"|(?P<date>Datum(?: der Sitzung)?|Eingang|Eingangsdatum|Eingegangen(?: am)?"
    r"|Sitzungs(?:tag|datum)|Sitzung (?:vom|am))"
    r"|(?P<type>(?:Drucksachen?|Vorlagen|Dokument)?-?[Aa]rt)"
    r"|(?P<party>Verfasser(?:in)?|Antragsteller(?:in|innen)?|Einreicher(?:in)?|Absender|Fraktion(?:en)?"
    r"|(?:Interfraktionelle[rs]?\s+)?(?:Änderungs?-?/?\s?|Ergänzungs|Dringlichkeits)?(?:[Aa]ntr?ag|Anfrage|Resolution))"
    r"|(?P<admin>Verantwortlich|(?:Federführende?|Einbringende?)(?: Dienststelle)?|Dienststelle|Amt"
    r"|Dezernat|Fachbereich|Geschäftsbereich)"
    r"|(?P<subject>Betreff|Gegenstand|Thema|Titel)"
    r"|(?P<other>Az\.|Aktenzeichen|TOP|Bezug-?\s?Nummer\.?|PSP-Element/?\s?Sachkonto|Plandatum|Bearbeitung"
    r"|Termin|Status|Gremienweg|Beratungsfolge|Telefon|Beschluss|(?:Sitzungs)?[Oo]rt|(?:Sitzungs)?(?:[Bb]eginn|[Ee]nde)"
    r"|Vorsitz|Schriftführ(?:ung|er|erin)|Protokollführ(?:ung|er|erin)|Protokoll|Anwesend|Entschuldigt|Verteiler)"
    r")\s*(?::|(?=\t))",  # "Key:", or a key in the first cell of a table row
    re.IGNORECASE,
)
_FORM_KEYS = frozenset({"ref", "date", "admin", "other", "type"})  # may follow a value on the same line
Fields = tuple[str, list[tuple[str, str]]]  # text before the first label, (label kind, value) pairs

# The first heading of the body ends the header.
BODY_START = re.compile(
    r"^(?:Beschlussvorschlag|Beschlussentwurf|Beschlussempfehlung|Beschlusstext|Kurzfassung|Begründung"
    r"|Sachverhalt|Sachdarstellung|Antragstext|Problembeschreibung|Finanzielle Auswirkungen"
    r"|(?:Antrag|Anfrage|Beschluss)\s*:\s*$|Der (?:Gemeinderat|Stadtrat|Rat) möge)",
    re.IGNORECASE,
)
# A line ending mid-phrase (a comma, an article, a preposition) was wrapped onto the next one.
CONNECTOR_END = re.compile(
    r"(?:[-,(/–&]|\b(?:und|oder|sowie|der|die|das|des|den|dem|ein|eine|einer|eines|einem|von|vom|für|zur|zum"
    r"|zu|im|in|am|an|auf|aus|bei|mit|nach|über|unter|zwischen|gegen|durch|ohne|ab|bis))$"
)


def clean_line(line: str) -> str:
    """Strip markdown/HTML markup, collapse spaces, keep wide gaps as tabs (table cells)."""
    line = line.split("<input", 1)[0]  # form checkboxes: the rest of the line is a form, not data
    if _MD_TABLE_ROW.match(line):  # "| Vorlage Nr. | BV/2025/049 |": cells become tab-separated
        line = (
            ""
            if _MD_TABLE_RULE.match(line)
            else "\t".join(c.strip() for c in line.strip().strip("|").split("|"))
        )
    line = _MD_LINK.sub(r"\1", _TAG.sub(" ", line)).replace("\\*", "*").replace("**", "")
    line = line.strip().lstrip("#").strip().strip("*_").strip()
    if _SPACED.match(line):
        line = line.replace(" ", "")
    line = _CELL_GAP.sub("\t", line.replace("\u00a0", " "))
    return re.sub(r" {2,}", " ", line).strip(" \t")


def label_fields(line: str) -> Fields:
    """Split a line into the unlabelled text before the first label and (kind, value) pairs."""
    # A label opens a field at the line start or after a cell gap; form labels may also follow a
    # value ("Vorlage Nr.: 2025/1265 Verantwortlich: Dez. 3"), but "FDP - Dringlichkeitsantrag: ..."
    # in a title is no label.
    found = [
        m
        for m in _KEY.finditer(line)
        if m.start() == 0 or line[m.start() - 1] == "\t" or m.lastgroup in _FORM_KEYS
    ]
    if not found:
        return line, []
    pairs = []
    for m, nxt in zip(found, [*found[1:], None], strict=True):
        value = line[m.end() : nxt.start() if nxt else len(line)].strip(" \t")
        pairs.append((m.lastgroup or "other", value.split("\t")[0].strip()))
    return line[: found[0].start()].strip(" \t"), pairs


def next_nonempty(lines: list[str], i: int) -> str:
    """The first non-empty line of the three after line ``i`` ("" if none)."""
    return next((line for line in lines[i + 1 : i + 4] if line), "")


def join_wrapped(left: str, right: str) -> str:
    """Join two wrapped lines, undoing hyphenation ("einkom-" + "mensabhängig")."""
    if re.search(r"\w-$", left):
        if right[:1].islower() and not re.match(r"(?:und|oder|bzw)\b", right):
            return left[:-1] + right
        return left + right
    return f"{left} {right}"
