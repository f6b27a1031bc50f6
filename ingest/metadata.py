"""Read council metadata from the text of a German council document.

``parse_metadata`` is a pure function over the document's full text. Every field comes from
the text itself, preferably from a labelled line ("Vorlage Nr.:", "Datum:", "Betreff:", ...);
a field that cannot be found stays empty rather than guessed. Reference, date, type,
originator and subject are only looked for in the header: the lines before the first body
heading ("Beschlussvorschlag", "Kurzfassung", "Begründung", ...) within the first
``HEADER_CHARS`` characters, so that numbers and dates of the body never leak in.

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
from collections import Counter
from dataclasses import replace
from datetime import date

from ingest.records import ConsultationStep, CouncilMetadata

HEADER_CHARS = 3000

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
_Fields = tuple[str, list[tuple[str, str]]]  # text before the first label, (label kind, value) pairs

_REF = re.compile(r"(?<![\w/.-])(?=[A-Z0-9/-]*\d\d)[A-Z0-9]{1,8}(?:[-/][A-Z0-9]{1,6}){1,5}(?![\w/-])")
_REF_LINE = re.compile(
    r"^(?:Antrag|Anfrage|Vorlage|Drucksache)(?:\s*Nr\.?|\s+zum\s+Thema)?(?:\s+(?P<ref>[A-Z0-9/-]+))?$",
    re.IGNORECASE,
)

_MONTHS = {
    "januar": 1, "jan": 1, "februar": 2, "feb": 2, "märz": 3, "maerz": 3, "april": 4, "apr": 4,
    "mai": 5, "juni": 6, "juli": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "okt": 10, "november": 11, "nov": 11, "dezember": 12, "dez": 12,
}  # fmt: skip
_DATE = re.compile(
    r"(?<![\d.])(?:(?P<from>\d{1,2})\./\s?)?(?P<d>\d{1,2})\.\s?(?:(?P<m>\d{1,2})\.\s?(?P<y>\d{4}|\d{2})"
    r"|(?P<mn>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?\s+(?P<yn>\d{4}))(?![\d])",
    re.IGNORECASE,
)

_BODY_START = re.compile(
    r"^(?:Beschlussvorschlag|Beschlussentwurf|Beschlussempfehlung|Beschlusstext|Kurzfassung|Begründung"
    r"|Sachverhalt|Sachdarstellung|Antragstext|Problembeschreibung|Finanzielle Auswirkungen"
    r"|(?:Antrag|Anfrage|Beschluss)\s*:\s*$|Der (?:Gemeinderat|Stadtrat|Rat) möge)",
    re.IGNORECASE,
)
_CONSULT_CANDIDATE = re.compile(
    r"^[#*<>/b\s]*(?:Beratungsfolge|Gremien|Gremium).*$", re.IGNORECASE | re.MULTILINE
)
_CONSULT_HEADING = re.compile(r"^(?:Beratungsfolge|Gremien(?:weg)?|Gremium)\b[^.]{0,60}$", re.IGNORECASE)
_TABLE_NOISE = re.compile(r"\b(?:Termin|Status|Zuständigkeit|Plandatum|Gremium|Datum)\b|^TOP\b")

_PUB = r"(?:(?i:nicht[\s-]*öffentlich|öffentlich)|NÖ|nö|Ö|ö|N)"
_ROLE = (
    r"(?:\d\.\s*)?(?:zur\s+|zum\s+)?(?:Entscheidung|Vorberatung|Kenntnisnahme|Kenntnis|Behandlung"
    r"|Beschlussfassung|Beschluss|Beratung|Anhörung|Information|Lesung|beratend|beschließend|Empfehlung"
    r"|Stellungnahme|Bestätigung)\b[^\t]*"
)
_DATES = r"(?:\d{1,2}\./)?\d{1,2}\.\d{1,2}\.\d{4}(?:\s+\d{1,2}\.\d{1,2}\.\d{4})*"
_ROW_BODY_FIRST = re.compile(
    rf"^(?P<body>[^\t]*?)\s*(?P<date>{_DATES})?\s*(?:(?<=\s)(?P<top>\d{{1,3}}(?:[.+]\d{{1,2}})*[a-z]?)\s+)?"
    rf"(?:(?:^|(?<=\s))(?P<pub>{_PUB})(?=\s|$))?\s*(?P<role>{_ROLE})?$"
)
_ROW_DATE_FIRST = re.compile(
    rf"^(?P<date>{_DATES})\s+(?!{_PUB}(?:\s|$))(?P<body>[A-ZÄÖÜ][^\t]*?)(?:\s+(?P<pub>{_PUB}))?(?:\s+(?P<role>{_ROLE}))?\s*$"
)
_PUB_ONLY = re.compile(rf"^{_PUB}$")
_ROLE_ONLY = re.compile(rf"^{_ROLE}$")
_DAY_FRAGMENTS = re.compile(r"(?:\s+\d{1,2}\./?)+$")
_TRAILING_DATE = re.compile(r"\s\d{1,2}\.\d{1,2}\.\d{4}$")
_BODY_LIKE = re.compile(r"^[\"„“A-Za-zÄÖÜäöü](?:[^|]*?[A-Za-zÄÖÜäöüß]){2}[^|]*$")
_QUALIFIER = re.compile(r"^\((?:federführend|beratend|mitberatend|vorberatend)\)$", re.IGNORECASE)

_FACTION_WORD = re.compile(
    r"^(?:Fraktion(?:en)?|Ratsfraktion|Gemeinderatsfraktion(?:en)?|Gruppe|Einzelstadträt(?:in)?|Einzelstadtrat)\s"
    r"|[Ff]raktion(?:en)?\b"
)
_NAME_CONNECTORS = frozenset({"und", "von", "sowie", "u."})
_FACTION_PREFIX = re.compile(r"^(?:Geschäftsstelle der\s+|Absender:\s*)", re.IGNORECASE)
_FACTION_LIST = re.compile(r"^(?:(?:Gemeinderats)?Fraktionen(?:\s+von)?|Interfraktionell(?:er)?)\s+", re.I)
_BY = re.compile(
    r"\b(?:Antrag|Anfrage|(?:Änderungs|Ergänzungs|Dringlichkeits)antrag)\s+(?:(?:der|des|von)\s+)?"
    r"(?P<who>.+?)(?=\s+(?:zur|zum|zu|für|betreffend|betr\.|bzgl\.|über|vom|auf)\b|\s*[:)]|$)"
)
_ORG_WORD = re.compile(r"fraktion|gruppe|stadtr|ortschaftsr|partei|verwaltung|dezernat|amt\b", re.I)
_ADDRESS_TAIL = re.compile(r",\s*[^,]*\d.*$")

_CONNECTOR_END = re.compile(
    r"(?:[-,(/–&]|\b(?:und|oder|sowie|der|die|das|des|den|dem|ein|eine|einer|eines|einem|von|vom|für|zur|zum"
    r"|zu|im|in|am|an|auf|aus|bei|mit|nach|über|unter|zwischen|gegen|durch|ohne|ab|bis))$"
)
_DATE_ONLY = re.compile(r"^(?:\w+,\s*)?" + _DATE.pattern[len("(?<![\\d.])") :] + r"(?:,.*Uhr)?$")
_ADDRESSEE = re.compile(
    r"^(?:An\s+)?(?:Herrn?|Frau|den|die)\s+(?:Ober)?[Bb]ürgermeister|^(?:An\s+)?(?:Herrn|Frau)\s"
)
_BOILERPLATE = re.compile(
    r"^(?:Gedruckt auf.*|Recyclingpapier|Herrn?\s+Oberbürgermeister(?:in)?|Frau\s+Oberbürgermeisterin"
    r"|\d{5}\s+\S+|Seite \d+.*|-- \d+ of \d+ --|[-–] \d+ [-–]|Dez\.\s*\d+)$",
    re.IGNORECASE,
)

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


def normalize_paper_type(raw: str) -> str:
    """Map a written paper type ("A N T R A G", "Änderungs-/Ergänzungsantrag") to ``PAPER_TYPES``.

    Returns "" for anything not recognised, e.g. "Haushalt THH 4100" or "Offenlage".
    """
    text = _clean(raw)
    for pattern, name in _TYPE_PATTERNS:
        if pattern.match(text):
            return name
    return ""


def parse_metadata(text: str, title_hint: str = "") -> CouncilMetadata:
    """Find reference, date, type, originator, subject, consultations and municipality in ``text``.

    ``text`` is the full document text (pages joined with blank lines); ``title_hint`` (e.g. a
    PDF title) is only used as the subject when the text offers none.
    """
    lines = [_clean(line) for line in text[:HEADER_CHARS].splitlines()]
    header = lines[: next((i for i, line in enumerate(lines) if _BODY_START.match(line)), len(lines))]
    table_at = next((i for i, line in enumerate(header) if _CONSULT_HEADING.match(line)), len(header))
    fields = [_fields(line) for line in header]
    paper_type = _paper_type(header, fields)
    reference, ref_line = _reference(header, fields)
    subject = _subject(header, fields, ref_line, table_at) or _usable_hint(title_hint)
    originator = _originator(header, fields, paper_type)
    if paper_type == "Niederschrift":
        # Minutes name their meeting in the title; factions named in the header are speakers.
        subject = _minutes_title(header) or subject
        originator = ""
    return CouncilMetadata(
        reference=reference,
        date=_date(header, fields, table_at),
        paper_type=paper_type,
        originator=originator,
        subject=subject,
        consultations=_consultations(text),
        municipality=_municipality(text),
    )


def _minutes_title(header: list[str]) -> str:
    """'Niederschrift über die 18. Sitzung des Stadtrates', possibly across two lines."""
    for i, line in enumerate(header):
        if re.match(r"(?:Niederschrift|Protokoll)\b(?!\s*(?:Nr|Nummer))", line, re.IGNORECASE):
            following = _next_nonempty(header, i)
            if re.match(r"(?:über|der|des|zur)\b", following):
                return f"{line} {following}"
            return line if len(line.split()) > 1 else ""
    return ""


def _clean(line: str) -> str:
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


def _fields(line: str) -> _Fields:
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


def _paper_type(header: list[str], fields: list[_Fields]) -> str:
    labelled = (normalize_paper_type(value) for _, pairs in fields for kind, value in pairs if kind == "type")
    if found := next((t for t in labelled if t), ""):
        return found  # "Drucksache-Art: Antrag", "| Art | Beschlussvorlage |"
    lines = [line for line in header if line][:15]
    found = next((t for line in lines if (t := normalize_paper_type(line))), "")
    # An "Interfraktioneller Antrag" whose title line says "Dringlichkeitsantrag" is the latter.
    if found == "Antrag" and any(re.search(r"\bDringlichkeitsantrag\b", line) for line in lines):
        return "Dringlichkeitsantrag"
    return found


def _reference(header: list[str], fields: list[_Fields]) -> tuple[str, int]:
    """The first number next to a reference label, and the index of its line (-1: none)."""
    for i, (_, pairs) in enumerate(fields):
        for kind, value in pairs:
            if kind != "ref":
                continue
            ref = _ref_at_start(value) if value else _ref_alone(_next_nonempty(header, i))
            if ref:
                return ref, i
        if not pairs and (m := _REF_LINE.match(header[i])):
            # "ANTRAG DHH/2025/5203", or "ANTRAG" with the number alone on the next line
            ref = _ref_alone(m.group("ref") or _next_nonempty(header, i))
            if ref:
                return ref, i
    return "", -1


def _ref_at_start(value: str) -> str:
    m = _REF.match(value)
    return m.group(0) if m and not _DATE.match(value) else ""


def _ref_alone(value: str) -> str:
    m = _REF.fullmatch(value.strip())
    return m.group(0) if m else ""


def _next_nonempty(lines: list[str], i: int) -> str:
    return next((line for line in lines[i + 1 : i + 4] if line), "")


def _parse_date(m: re.Match[str] | None, *, four_digit_year: bool = False) -> date | None:
    if m is None:
        return None
    if m.group("mn"):
        year, month = int(m.group("yn")), _MONTHS[m.group("mn").lower()]
    else:
        year, month = int(m.group("y")), int(m.group("m"))
        if len(m.group("y")) == 2:
            if four_digit_year:
                return None
            year += 2000
    if not 1900 <= year <= 2100:  # typos such as "11.02.2205"
        return None
    try:
        return date(year, month, int(m.group("from") or m.group("d")))
    except ValueError:  # "00.00.0000" placeholders
        return None


def _date(header: list[str], fields: list[_Fields], table_at: int) -> date | None:
    """A labelled date (Datum:, Eingang:), else a date standing at the start of a header line."""
    for _, pairs in fields:
        for kind, value in pairs:
            if kind == "date" and (found := _parse_date(_DATE.match(value))):
                return found
    for line in header[:table_at]:
        if _DATE_ONLY.match(line) and (found := _parse_date(_DATE.match(line), four_digit_year=True)):
            return found
    return None


def _originator(header: list[str], fields: list[_Fields], paper_type: str) -> str:
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
        if prefix and i < top and _is_faction_line(prefix):
            party.extend(_split_factions(prefix))
        elif prefix and i < top:
            by.extend(_by(prefix))
        for kind, value in pairs:
            if kind == "party" and value and _looks_like_names(value, strict=False):
                party.extend(_split_factions(value))
            elif kind == "party" and not value and re.match(r"Fraktion", header[i], re.IGNORECASE):
                party.extend(_list_after(header, i))
            elif kind == "date" and (tail := _DATE.sub("", value, count=1).strip(" ,;")):
                party.extend(
                    _split_factions(tail) if _is_faction_line(tail) else []
                )  # "01.08.2025, FDP-Fraktion"
            elif kind == "admin":
                admin.extend(_admin_value(value, header, i))
            elif kind == "subject":
                by.extend(_by(value or _next_nonempty(header, i)))
    administrative = paper_type in {
        "Beschlussvorlage",
        "Informationsvorlage",
        "Mitteilungsvorlage",
        "Stellungnahme",
    }
    groups = (admin, party, by) if administrative else (party, by, admin)
    chosen = next((group for group in groups if group), [])
    return "; ".join(dict.fromkeys(value for value in chosen if value))


def _by(text: str) -> list[str]:
    """The originator in "Antrag der Fraktion X zur ...", if it names an organisation."""
    m = _BY.search(text)
    if m and _ORG_WORD.search(m.group("who")) and _looks_like_names(m.group("who"), strict=False):
        return [m.group("who").strip()]
    return []


def _is_faction_line(line: str) -> bool:
    """ "CDU-Fraktion", "Fraktion Bündnis 90/Die Grünen", "SPD Gemeinderatsfraktion, Hebelstraße 21"."""
    line = _ADDRESS_TAIL.sub("", _FACTION_PREFIX.sub("", line))
    return bool(_FACTION_WORD.search(line)) and not normalize_paper_type(line) and _looks_like_names(line)


def _looks_like_names(value: str, *, strict: bool = True) -> bool:
    """Names of factions or people, not prose: (nearly) every word capitalised, short."""
    words = [w for w in re.split(r"[\s/-]+", value) if w[:1].isalpha()]
    lower = [w for w in words if w[0].islower() and w not in _NAME_CONNECTORS]
    if len(value) > 100 or _REF.match(value) or value.endswith(":"):
        return False
    return not lower if strict else len(lower) <= 1 and not value.startswith(("„", '"', "“"))


def _split_factions(value: str) -> list[str]:
    value = _ADDRESS_TAIL.sub("", _FACTION_PREFIX.sub("", value)).strip(" -")
    if _FACTION_LIST.match(value) or ("," in value and not re.search(r"fraktion", value, re.I)):
        return [part.strip() for part in re.split(r"\s*,\s*|(?<!-)\s+und\s+", _FACTION_LIST.sub("", value))]
    return [value]


def _list_after(header: list[str], i: int) -> list[str]:
    """Values listed on the lines below a heading such as "Fraktionen:"."""
    values = []
    for line in header[i + 1 : i + 12]:
        if not line:
            continue
        if _fields(line)[1] or not _is_faction_line(line):
            break
        values.extend(_split_factions(line))
    return values


def _admin_value(value: str, header: list[str], i: int) -> list[str]:
    value, _ = _admin_span(value, header, i)
    if re.fullmatch(r"Dez\.?", value):  # template placeholder without a number
        return []
    return [value] if value else []


def _admin_span(value: str, header: list[str], i: int) -> tuple[str, int]:
    """A Dezernat/Dienststelle value with its wrapped tail, and the number of lines it took.

    Narrow form boxes wrap values ("Amt für" / "Hochbau und" / "Gebäudewirtschaft"), or put
    them below the label. A short line only counts as the value's tail while a title line
    still follows it.
    """
    j = i + 1
    while j < len(header) and j <= i + 3:
        nxt, after = header[j], _next_nonempty(header, j)
        if not nxt or _fields(nxt)[1] or len(nxt) > 30 or _is_title_stop(nxt):
            break
        if value and not _CONNECTOR_END.search(value) and (not after or _is_title_stop(after)):
            break
        value, j = (_join(value, nxt) if value else nxt), j + 1
    return value, j - i - 1


def _subject(header: list[str], fields: list[_Fields], ref_line: int, table_at: int) -> str:
    for i, (_, pairs) in enumerate(fields):
        for kind, value in pairs:
            if kind != "subject":
                continue
            if value:
                return _continue(value, header, i + 1)
            j = next((k for k in range(i + 1, min(i + 4, len(header))) if header[k]), None)
            if j is not None and not fields[j][1]:
                return _continue(header[j], header, j + 1)
    return _title_line(header, fields, ref_line + 1, table_at)


def _title_line(header: list[str], fields: list[_Fields], start: int, stop: int) -> str:
    """The first substantive line after the reference (or the top), joined with its wrapped tail."""
    i = start
    while i < stop:
        line, pairs = header[i], fields[i][1]
        if pairs:
            i += 1 + max((_admin_span(v, header, i)[1] for k, v in pairs if k == "admin"), default=0)
        elif _ADDRESSEE.match(line):  # a letter's address block ends with the postcode line
            i = next((k for k in range(i, min(i + 5, stop)) if re.match(r"\d{5}\s", header[k])), i) + 1
        elif not _is_title_stop(line):
            return _continue(line, header, i + 1, stop)
        else:
            i += 1
    return ""


def _is_title_stop(line: str) -> bool:
    """Lines that cannot start or continue a title."""
    if not line or not (line[0].isalnum() or line[0] in "\"'„“(«"):
        return True
    if _BOILERPLATE.match(line) or _DATE_ONLY.match(line) or _CONSULT_HEADING.match(line):
        return True
    if not re.search(r"[a-zäöüß]", line) and len(line.split()) <= 5:  # "DOPPELHAUSHALT 2026/2027"
        return True
    if normalize_paper_type(line) and len(line.split()) <= 4:  # "Stellungnahme zum Antrag"
        return True
    return bool(_is_faction_line(line) or _fields(line)[1])


def _continue(first: str, lines: list[str], i: int, stop: int | None = None) -> str:
    """Join a title with the lines it wrapped onto (at most two more): after a line that ends
    mid-phrase or runs long enough to have been wrapped."""
    stop = len(lines) if stop is None else stop
    title, last = first, first
    for line in lines[i : min(i + 2, stop)]:
        wrapped = _CONNECTOR_END.search(last) or len(last) >= 70
        if not line or not wrapped or _is_title_stop(line) or _BY.match(line.lstrip("(")):
            break
        title, last = _join(title, line), line
    return title.strip(" \t")


def _join(left: str, right: str) -> str:
    """Join two wrapped lines, undoing hyphenation ("einkom-" + "mensabhängig")."""
    if re.search(r"\w-$", left):
        if right[:1].islower() and not re.match(r"(?:und|oder|bzw)\b", right):
            return left[:-1] + right
        return left + right
    return f"{left} {right}"


def _consultations(text: str) -> tuple[ConsultationStep, ...]:
    """Rows of the Beratungsfolge / Gremien table.

    A line that fits no row pattern only becomes (part of) a body when a row without a body
    follows it directly: a body wrapped across lines, or a row split after its date.
    """
    heading = next(
        (m for m in _CONSULT_CANDIDATE.finditer(text) if _CONSULT_HEADING.match(_clean(m.group(0)))), None
    )
    if heading is None:
        return ()
    steps: list[ConsultationStep] = []
    pending: list[str] = []
    for line in map(_clean, text[heading.end() :].splitlines()[1:60]):
        if not line or (_TABLE_NOISE.search(line) and not _DATE.search(line)):
            continue
        if _BODY_START.match(line) or (_fields(line)[1] and not _parse_row(line)):
            break
        if steps and not pending and (extended := _extend(steps[-1], line)):
            steps[-1] = extended
        elif (row := _parse_row(line)) is not None:
            if step := _complete(row, pending):
                steps.append(step)
            pending = []
        elif len(line) > 80 or (line.endswith((".", "?")) and len(line) > 40):
            break  # prose: the table is over
        else:
            pending.append(line)
            if len(pending) > 4:
                break
    return tuple(steps)


def _extend(last: ConsultationStep, line: str) -> ConsultationStep | None:
    """The previous row with a detail that its line left out, or None if ``line`` is no such detail."""
    if _QUALIFIER.match(line):  # "(federführend)"
        return replace(last, role=f"{last.role} {line}".strip())
    if _PUB_ONLY.match(line) and last.public is None:
        return replace(last, public=_public(line))
    if _ROLE_ONLY.match(line) and not last.role:
        return replace(last, role=line)
    if last.body.count("(") > last.body.count(")") and len(line) < 60 and _parse_row(line) is None:
        return replace(last, body=_join(last.body, line))
    return None


def _complete(row: ConsultationStep, pending: list[str]) -> ConsultationStep | None:
    """Take a wrapped body (and a date left on its line) from the lines above the row."""
    body, when = row.body, row.date
    top_only = bool(re.fullmatch(r"[\d.+]*", body))
    if pending and (top_only or _CONNECTOR_END.search(pending[-1]) or body[:1].islower()):
        body = _join_all(pending if top_only else [*pending, body])
        if when is None and (m := _TRAILING_DATE.search(body)):
            body, when = body[: m.start()].strip(), _parse_date(_DATE.match(m.group(0).strip()))
    body = _DAY_FRAGMENTS.sub("", body)  # "Gemeinderat 16./17." above "18.12.2025 ..."
    if (
        not _BODY_LIKE.match(body)
        or _PUB_ONLY.match(body)
        or ":" in body
        or body.endswith(".")
        or len(body) > 150
    ):
        return None
    return replace(row, body=body, date=when)


def _join_all(parts: list[str]) -> str:
    joined = parts[0]
    for part in parts[1:]:
        joined = _join(joined, part)
    return joined


def _parse_row(line: str) -> ConsultationStep | None:
    date_first = _ROW_DATE_FIRST.match(line)
    m = date_first or _ROW_BODY_FIRST.match(line)
    if m is None:
        return None
    body = m.group("body").strip(" \t-")
    # A row needs a status, or a date with a role, or a date and a short body ("08.05.2025 Stadtrat").
    if not (m.group("pub") or (m.group("date") and (m.group("role") or (date_first and len(body) <= 60)))):
        return None
    return ConsultationStep(
        body=body,
        date=_parse_date(_DATE.match(m.group("date") or "")),
        public=_public(m.group("pub")) if m.group("pub") else None,
        role=(m.group("role") or "").strip(),
    )


def _public(value: str) -> bool:
    return not re.match(r"nicht|n", value, re.IGNORECASE)


def _municipality(text: str) -> str:
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


def _usable_hint(hint: str) -> str:
    hint = _clean(hint)
    return "" if re.search(r"\.(?:pdf|docx?|odt)\b|Microsoft|^Untitled", hint, re.IGNORECASE) else hint
