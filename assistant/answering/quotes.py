"""The sentences of a passage that may be quoted, as a reader should see them.

A quote is one sentence of the chunk, cleaned for reading: one line, hyphenation across lines
undone, list markers, markdown, check boxes and labels ("Betreff:", "Gegenstand:", "Antwort:",
"Zu Frage 2:") removed. A list item that continues a lead-in ("Der Stadtrat beauftragt die
Verwaltung, / 1. für den Abschnitt … aufzunehmen;") is quoted with its lead-in, so it reads as a
sentence. Sentences that cannot answer anything are dropped with their reason: too short,
questions (an Anfrage asks, it does not answer), and the lead-in of a list on its own. A block of
"Feld: Wert" lines (a header, a form) is split into one quote per field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text.sentences import split_sentences

MIN_QUOTE_CHARS = 25
MIN_FIELD_CHARS = 12  # "Datum: 14.03.2025"
_WHITESPACE = re.compile(r"\s+")
# "Technolo-\ngie" → "Technologie", but "Bau- und Planungsausschuss" stays.
_HYPHENATED = re.compile(r"(\w)-[ \t]*\n[ \t]*(?!(?:und|oder|bzw|sowie|bis)\b)([a-zäöüß])")
_LEADING_MARKUP = re.compile(
    r"^(?:#{1,6}\s*|>\s*|[-•*–·▪]\s+|\(?\d{1,2}[.)]\s+|\(?[a-z][.)]\s+|[☒☐✓✔□■]\s*)+"
)
_LABEL = re.compile(
    r"^(?:\*\*|__)?(?:betreff|gegenstand|antwort|begründung|beschlussvorschlag|beschluss|sachverhalt"
    r"|anmerkung|hinweis|kurzfassung|stellungnahme|ergebnis|tenor|fazit|zusammenfassung|anlass"
    r"|(?:zu\s+)?frage\s+\d+[a-z]?|zu\s+(?:ziffer\s+)?\d+[a-z]?)\s*:?(?:\*\*|__)?\s*:\s*",
    re.IGNORECASE,
)
_FIELD_LINE = re.compile(r"^[ \t]*[A-ZÄÖÜ][\wäöüß. /-]{1,30}:[ \t]*\S", re.MULTILINE)
_WORDS = re.compile(r"[^\W\d_]{2,}")
_MARKDOWN = re.compile(r"\*\*|__|`|[☒☐✓✔□■]")


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotable sentence of a passage: where it stands in the chunk and how it reads."""

    spans: tuple[tuple[int, int], ...]  # offsets in the chunk text (a lead-in, then the sentence)
    text: str  # cleaned, ready for the answer

    @property
    def start(self) -> int:
        return self.spans[-1][0]


@dataclass(frozen=True, slots=True)
class Unquotable:
    """A sentence that was not considered, and why (for the answer's trace)."""

    text: str
    reason: str


def clean(sentence: str) -> str:
    """Readable quote: one line, no list marker, label or markdown, hyphenation undone."""
    text = _HYPHENATED.sub(r"\1\2", sentence)
    text = _WHITESPACE.sub(" ", text).strip()
    for _ in range(3):  # "- **Antwort:** 1. Die …": markers and labels in any order
        stripped = _LABEL.sub("", _LEADING_MARKUP.sub("", text))
        if stripped == text:
            break
        text = stripped
    text = _MARKDOWN.sub("", text)
    text = _WHITESPACE.sub(" ", text).strip()
    if text[-1:] in ",;":
        text = text[:-1].rstrip() + "."
    return text if text[-1:] in ".!?:" or not text else text + "."


def _says_something(text: str) -> bool:
    """Words, not a row of figures ("2026 2027 2028 6.000 € 6.000 €"): two words and at least 40 %
    letters ("Ja: 26 Nein: 16 Enthaltungen: 3." passes)."""
    letters = sum(ch.isalpha() for ch in text)
    visible = sum(not ch.isspace() for ch in text)
    return len(_WORDS.findall(text)) >= 2 and letters >= 0.4 * visible


def _starts_lower(cleaned: str) -> bool:
    return cleaned[:1].islower()


def _field_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The lines of a block of "Feld: Wert" lines, as spans ("Gesamtkosten: 7.100.000 Euro")."""
    spans = []
    offset = start
    for line in text[start:end].split("\n"):
        if line.strip():
            left = offset + len(line) - len(line.lstrip())
            spans.append((left, offset + len(line.rstrip())))
        offset += len(line) + 1
    return spans


def quotes_of(text: str) -> tuple[list[Quote], list[Unquotable]]:
    """The quotable sentences of ``text`` (a chunk) in order, and the others with their reason."""
    quotes: list[Quote] = []
    dropped: list[Unquotable] = []
    lead_in: tuple[int, int] | None = None  # the sentence that opens a list ("…, " / "…:")
    for start, end in split_sentences(text):
        raw = text[start:end]
        stripped = raw.strip()
        if len(_FIELD_LINE.findall(raw)) >= 2:
            # A header or form block: each field is a quote of its own ("Einreicher: Fraktion …").
            for left, right in _field_lines(text, start, end):
                line = clean(text[left:right])
                if len(line) >= MIN_FIELD_CHARS:
                    quotes.append(Quote(((left, right),), line))
            lead_in = None
            continue
        cleaned = clean(raw) if stripped else ""
        if stripped.endswith("?"):
            dropped.append(Unquotable(cleaned, "Frage"))
            continue
        if stripped.endswith((":", ",")):
            lead_in = (start, end)  # opens a list: quoted with its items, not alone
            if len(cleaned) > 1:
                dropped.append(Unquotable(cleaned, "Einleitung einer Aufzählung"))
            continue
        if len(cleaned) < MIN_QUOTE_CHARS:
            if cleaned:
                dropped.append(Unquotable(cleaned, "zu kurz"))
            continue
        if not _says_something(cleaned):
            dropped.append(Unquotable(cleaned, "Tabellenzeile ohne Aussage"))
            continue
        spans: tuple[tuple[int, int], ...] = ((start, end),)
        if _starts_lower(cleaned) and lead_in is not None:
            intro = clean(text[lead_in[0] : lead_in[1]]).rstrip(".:")
            cleaned = clean(f"{intro}{'' if intro.endswith(',') else ','} {cleaned}")
            spans = (lead_in, (start, end))
        elif not _starts_lower(cleaned):
            lead_in = None
        quotes.append(Quote(spans, cleaned))
    return quotes, dropped
