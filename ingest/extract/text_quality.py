"""Is this text? The one rule every reader and extractor applies before anything is indexed.

Two questions, asked at two points:

* ``binary_reason(data)``: bytes that claim to be text (``.txt``, ``.md``, ``.html``, an OParl
  ``File.text``) but hold NUL bytes (outside UTF-16/UTF-32, whose NULs follow a pattern) are
  binary data, whatever their name says.
* ``garbage_reason(text)``: decoded or extracted text that is mostly replacement characters
  (undecodable bytes), control characters, private-use glyphs (a PDF font without a usable
  Unicode map), unassigned code points, or words whose letters come from several scripts at once
  (a wrong glyph map: "Grünfläche" turned into "ГrüηfläЧe") is not text a person could read.

Both return a ``NotText`` verdict with the reason in English (for logs and the JSON report) and
German (for people), or None when the input passes. The thresholds are shares of the
non-blank characters (of the words, for mixed scripts), chosen far from what real German council
documents show. Over the 4,354 Karlsruhe texts, the seeds, the 41 Hamburg ALLRIS pages and the
sample corpus, a real text holds at most 5.1 % suspicious characters (a report whose charts
came out as control characters; next 3.6 %, Symbol-font bullets in a schedule; almost all hold
none), and no real text mixes scripts within words (at most 0.1 % of words). Umlauts, €,
typographic quotes, tables and hyphenation are ordinary text. Rejected are 12 Karlsruhe texts
that are nothing but the bullets of slides (U+F0B7, U+F0A7) and page markers: no words at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

# A text is rejected when suspicious characters make up this share of its non-blank characters;
# STRICT when its charset was a guess (no byte-order mark, not UTF-8, nothing detected): random
# bytes read as Windows-1252 hold about 12 % control characters.
MAX_SUSPICIOUS_SHARE = 0.25
MAX_SUSPICIOUS_SHARE_STRICT = 0.05
# ... or when this share of its words mixes letters of several scripts (with enough words to judge).
MAX_MIXED_SCRIPT_WORDS = 0.2
MIN_WORDS_FOR_SCRIPT_TEST = 8
# UTF-16/32 without a byte-order mark: NUL bytes sit at fixed positions of each code unit.
_MIN_PATTERNED_NULS = 0.3

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Tab, line feed, vertical tab, form feed and carriage return are layout, not garbage.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_WORDS = re.compile(r"[^\W\d_]{3,}")  # a word a reader (and BM25) could use

_SCRIPTS = {
    **{
        name: name
        for name in (
            *("LATIN", "GREEK", "CYRILLIC", "ARMENIAN", "HEBREW", "ARABIC", "SYRIAC", "THAANA"),
            *("DEVANAGARI", "BENGALI", "GURMUKHI", "GUJARATI", "ORIYA", "TAMIL", "TELUGU", "KANNADA"),
            *("MALAYALAM", "SINHALA", "THAI", "LAO", "TIBETAN", "MYANMAR", "GEORGIAN", "ETHIOPIC"),
            *("CHEROKEE", "RUNIC", "OGHAM", "KHMER", "MONGOLIAN", "YI", "COPTIC"),
        )
    },
    **dict.fromkeys(("CJK", "HIRAGANA", "KATAKANA", "BOPOMOFO", "HANGUL"), "CJK"),
}

# kind → (English, German)
_KINDS = {
    "replacement": ("replacement characters (undecodable bytes)", "Ersatzzeichen (nicht lesbare Bytes)"),
    "control": ("control characters", "Steuerzeichen"),
    "private": (
        "private-use glyphs (a font without a usable Unicode map)",
        "Zeichen des privaten Unicode-Bereichs (eine Schrift ohne brauchbare Zeichenzuordnung)",
    ),
    "unassigned": ("unassigned code points", "nicht belegte Unicode-Zeichen"),
}


@dataclass(frozen=True, slots=True)
class NotText:
    """Why bytes or a text are not readable text, in English (logs, JSON) and German (people)."""

    english: str
    german: str


@dataclass(frozen=True, slots=True)
class TextProfile:
    """Counts of what a text is made of, the evidence behind ``garbage_reason``."""

    characters: int  # non-blank
    suspicious: Counter[str]  # kind (see _KINDS) → count
    words: int
    mixed_script_words: int

    @property
    def suspicious_share(self) -> float:
        return sum(self.suspicious.values()) / self.characters if self.characters else 0.0

    @property
    def mixed_script_share(self) -> float:
        return self.mixed_script_words / self.words if self.words else 0.0


def _kind(character: str) -> str | None:
    """The suspicious kind of a non-ASCII character, or None for an ordinary one."""
    if character == "\ufffd":
        return "replacement"
    if character == "\ufffe":  # PDFium's mark of a hyphen at a line end, resolved by the PDF extractor
        return None
    category = unicodedata.category(character)
    if category == "Cc":
        return "control"
    if category == "Co":
        return "private"
    if category in ("Cn", "Cs"):  # unassigned, or a lone surrogate half
        return "unassigned"
    return None


def _script(letter: str) -> str:
    """The script of a letter from its Unicode name ("LATIN SMALL LETTER A" → "LATIN"), or "".

    Letters outside the scripts of ``_SCRIPTS`` (ordinal indicators, mathematical letters) are
    neutral; Japanese mixes kana and kanji within words, so they count as one script.
    """
    if letter.isascii():
        return "LATIN"
    first = unicodedata.name(letter, "").split(" ", 1)[0]
    return _SCRIPTS.get(first, "")


def profile(text: str) -> TextProfile:
    """Count the suspicious characters and mixed-script words of ``text``."""
    characters = sum(map(len, text.split()))
    suspicious: Counter[str] = Counter()
    suspicious["control"] = len(_CONTROLS.findall(text))
    # Only non-ASCII characters need a Unicode lookup: German text has about 2 % of them.
    for character in _NON_ASCII.findall(text):
        kind = _kind(character)
        if kind is not None and kind != "control":
            suspicious[kind] += 1
    words = _WORDS.findall(text)
    mixed = sum(len({_script(letter) for letter in word} - {""}) > 1 for word in words if not word.isascii())
    return TextProfile(characters, +suspicious, len(words), mixed)


def garbage_reason(text: str, strict: bool = False) -> NotText | None:
    """Why ``text`` is not readable text, or None when it is.

    ``strict``: the text was decoded with a guessed charset, so fewer suspicious characters
    suffice to reject it. Text with no words at all but suspicious characters (a slide whose
    bullets are all that has a text layer) is rejected too: nothing in it could be found.
    """
    found = profile(text)
    if not found.characters:
        return None
    limit = MAX_SUSPICIOUS_SHARE_STRICT if strict else MAX_SUSPICIOUS_SHARE
    if found.suspicious:
        kind, count = found.suspicious.most_common(1)[0]
        english, german = _KINDS[kind]
        share = f"{found.suspicious_share:.0%}"
        if found.suspicious_share > limit:
            return NotText(f"{share} of its characters are {english}", f"{share} der Zeichen sind {german}")
        if not found.words:
            return NotText(
                f"no words, only symbols and {count} {english}",
                f"keine Wörter, nur Symbole und {count} {german}",
            )
    if found.words >= MIN_WORDS_FOR_SCRIPT_TEST and found.mixed_script_share > MAX_MIXED_SCRIPT_WORDS:
        share = f"{found.mixed_script_share:.0%}"
        return NotText(
            f"{share} of its words mix letters of different scripts (a wrong glyph map)",
            f"{share} der Wörter mischen Buchstaben verschiedener Schriften (falsche Zeichenzuordnung)",
        )
    return None


def _patterned_nuls(data: bytes) -> bool:
    """Whether the NUL bytes of ``data`` sit where UTF-16 or UTF-32 puts them for Latin text."""
    for width in (2, 4):
        for offset in range(width):
            lane = data[offset::width]
            others = len(data) - len(lane)
            if (
                lane
                and lane.count(0) / len(lane) < 0.05
                and others
                and ((data.count(0) - lane.count(0)) / others >= _MIN_PATTERNED_NULS)
            ):
                return True
    return False


def binary_reason(data: bytes) -> NotText | None:
    """Why ``data`` cannot be a text file, or None when it may be one.

    NUL bytes never occur in text files, except as the high bytes of UTF-16 or UTF-32 code units.
    """
    nuls = data.count(0)
    if nuls and not _patterned_nuls(data):
        return NotText(f"binary data ({nuls} NUL bytes)", f"Binärdaten ({nuls} NUL-Bytes)")
    return None
