"""Section headings and list items of German council papers, found line by line.

``find_headings`` finds the heading lines (Beschlussvorschlag, Begründung, Sachverhalt, numbered
questions, "TOP 5", Markdown headings, ...) of a page, in order, after dropping look-alikes: a
numbered question listed without an answer, a subtitle right under a heading, or an unmarked
line that reads like the start of a hard-wrapped paragraph. Chunking opens a section at each
heading; the sentence splitter breaks around them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text.months import CAPITALISED_MONTH_NAMES

_MAX_LABEL_CHARS = 100

# Markup a heading line may carry before its text: "## ", "**", "<b>", "### **".
_MARKUP_PREFIX = r"[ \t]*(?:\#{1,6}[ \t]+)?(?:(?:\*\*|__|\*|<(?:b|strong|u|i|em)>)[ \t]*)*"
# "2. Begründung", "II. Sachverhalt", "A) Antrag"
_ENUM_PREFIX = r"(?:(?:\d{1,2}|[IVX]{1,4}|[A-H])[.)][ \t]+)?"
_KEYWORDS = (
    "Beschlussvorschlag",
    "Beschlussentwurf",
    "Beschlussantrag",
    "Beschluss",
    "Antragstext",
    "Antrag",
    "Anfrage",
    "Antwort",
    "Stellungnahme",
    "Sachverhalt / Begründung",
    "Begründung",
    "Sachverhalt",
    "Kurzfassung",
    "Zusammenfassung",
    "Erläuterungen",
    "Erläuterung",
    "Finanzielle Auswirkungen",
    "Anlagenverzeichnis",
    "Anlagen",
    "Anlage(n)",
    "Anlage",
    "Beratungsfolge",
    "Gegenstand",
    "Betreff",
    "Ergebnis",
    "Tagesordnung",
    "Protokoll",
)


def _keyword_pattern(keyword: str) -> str:
    return re.escape(keyword).replace(r"\ /\ ", r"[ \t]*/[ \t]*").replace(r"\ ", r"[ \t]+")


# Longest first, so that "Anlagen" is not read as "Anlage" + "n"; upper-case variants for
# "BEGRÜNDUNG:" in scanned forms.
_KEYWORD_ALTERNATION = "|".join(
    _keyword_pattern(k) for k in sorted({*_KEYWORDS, *(k.upper() for k in _KEYWORDS)}, key=len, reverse=True)
)
# "BEGRÜNDUNG", "Sachverhalt/Begründung" -> the spelling of _KEYWORDS
_CANONICAL_KEYWORDS = {re.sub(r"\s+", "", k).upper(): k for k in _KEYWORDS}
_KEYWORD_LINE = re.compile(
    rf"^(?P<prefix>{_MARKUP_PREFIX}){_ENUM_PREFIX}(?P<kw>{_KEYWORD_ALTERNATION})(?![^\W_]|-)(?P<rest>[^\n]*)",
    re.M,
)
# "Frage 1:", "Zu Frage 1", "Zu 1.", "Antwort zu Frage 2", "TOP 5", "Tagesordnungspunkt 3.1"
_REFERENCE_LINE = re.compile(
    rf"^(?P<prefix>{_MARKUP_PREFIX})(?P<label>(?:(?:[Zz]u|Antwort[ \t]+zu)[ \t]+(?:Frage[ \t]*)?"
    r"|Frage[ \t]*|TOP[ \t]*|Tagesordnungspunkt[ \t]*)\d{1,2}(?:\.\d{1,2})*(?!\d)(?:[.)](?!\d))?)"
    r"(?=[ \t\r:*<]|$)(?P<rest>[^\n]*)",
    re.M,
)
# "1. Wie viele Kitas ...?" or "2. Eigenvorsorge:", possibly hard-wrapped over a few lines; but
# "1. Juli 2025" is a date.
_QUESTION_LINE = re.compile(
    rf"^(?P<prefix>{_MARKUP_PREFIX})\d{{1,2}}[.)][ \t]+(?!(?:{CAPITALISED_MONTH_NAMES})\b)"
    r"(?P<rest>\S[^\n]*)",
    re.M,
)
_MARKDOWN_LINE = re.compile(r"^[ \t]*\#{1,6}[ \t]+(?P<rest>\S[^\n]*)", re.M)

# Up to six words; dots only inside a word ("14.2", "z.B"), so "Nr." or a sentence end is no qualifier.
_QUALIFIER = re.compile(r"[\w(][\w()/§&–\-]*(?:\.[\w()]+)*(?:[ \t]+[\w()/§&–\-]+(?:\.[\w()]+)*){0,5}")
# A title does not end in an article or preposition ("Anlagen zum Abschlussbericht des").
_DANGLING_TEXT = (
    "der die das des dem den ein eine einer eines einem einen und oder sowie zu zum zur von vom für "
    "mit im in an am auf aus bei nach über unter durch gegen ohne um als"
)
_DANGLING_WORDS = frozenset(_DANGLING_TEXT.split())
_MARKUP = re.compile(r"\*\*|__|</?[A-Za-z][^>]*>|^\s*\#+\s*|\*")
_SPACES = re.compile(r"\s+")
_NONSPACE = re.compile(r"\S")
# The start of a list item: a bullet, "1." (not "1. Juli"), "a)", "(b)". The sentence splitter
# breaks before one; a heading's wrapped question ends at one.
LIST_ITEM_START = re.compile(
    rf"[ \t]*(?:[-–•▪◦·‣○●■□☐☒✓➢*][ \t]|\(?\d{{1,2}}[.)][ \t](?!(?:{CAPITALISED_MONTH_NAMES})\b)"
    r"|\(?[a-z]\)[ \t]|\([a-z0-9]{1,3}\)[ \t])"
)


@dataclass(slots=True)
class Heading:
    """A heading line of a page: where it stands, its plain-text label and how it binds text."""

    start: int  # line start
    end: int  # end of the heading text (the line end, or the end of a wrapped question)
    label: str
    kind: str  # "keyword", "reference", "question" or "markdown"
    strong: bool  # weak headings need a paragraph break before them
    breaks_after: bool  # the heading line is a sentence of its own
    inline_body: bool  # "Betreff: Antrag der ..." carries body text on the heading line


def _clean_label(text: str) -> str:
    """Plain-text label: markup, colons and runs of whitespace removed, length capped."""
    label = _SPACES.sub(" ", _MARKUP.sub("", text)).strip(" :\t")
    if len(label) > _MAX_LABEL_CHARS:
        label = label[:_MAX_LABEL_CHARS].rsplit(" ", 1)[0]
    return label


def _is_marked(prefix: str, rest: str) -> bool:
    """Whether the line carries markdown/HTML emphasis, which makes it a heading by itself."""
    return "#" in prefix or "*" in prefix or "<" in prefix or "__" in prefix or rest.rstrip().endswith("**")


def _paragraph_break_before(text: str, start: int) -> bool:
    """True when the line at ``start`` opens a paragraph (blank line or finished sentence before)."""
    i = start
    newlines = 0
    while i > 0 and text[i - 1].isspace():
        i -= 1
        if text[i] == "\n":
            newlines += 1
    return i == 0 or newlines >= 2 or text[i - 1] in ".:!?;"


def _next_line_starts_lower(text: str, end: int) -> bool:
    m = _NONSPACE.search(text, end)
    return m is not None and m.group().islower()


def _keyword_heading(match: re.Match[str]) -> Heading | None:
    prefix, kw, rest = match["prefix"], match["kw"], match["rest"]
    marked = _is_marked(prefix, rest)
    clean = _SPACES.sub(" ", _MARKUP.sub("", rest)).strip()
    kw_label = _CANONICAL_KEYWORDS.get(_SPACES.sub("", kw).upper(), kw)
    start, end = match.start(), match.end()
    if not clean or clean == ":":
        return Heading(start, end, kw_label, "keyword", strong=True, breaks_after=True, inline_body=False)
    if clean.startswith(":"):
        return Heading(start, end, kw_label, "keyword", strong=True, breaks_after=marked, inline_body=True)
    qualifier, colon, after = clean.partition(":")
    qualifier = qualifier.strip()
    if not _QUALIFIER.fullmatch(qualifier) or qualifier.count("(") != qualifier.count(")"):
        return None
    label = _clean_label(f"{kw_label} {qualifier}")
    if colon:
        has_body = bool(after.strip())
        return Heading(
            start,
            end,
            label,
            "keyword",
            strong=True,
            breaks_after=marked or not has_body,
            inline_body=has_body,
        )
    # "Stellungnahme der Verwaltung": a short title line without a colon. Unmarked, it must look
    # like a title and not like the first line of a hard-wrapped paragraph.
    if not marked and (
        qualifier.rsplit(None, 1)[-1].lower() in _DANGLING_WORDS
        or rest.rstrip().endswith("-")
        or _next_line_starts_lower(match.string, end)
    ):
        return None
    return Heading(start, end, label, "keyword", strong=marked, breaks_after=True, inline_body=False)


def _reference_heading(match: re.Match[str]) -> Heading:
    prefix, label, rest = match["prefix"], match["label"], match["rest"]
    marked = _is_marked(prefix, rest)
    clean = _SPACES.sub(" ", _MARKUP.sub("", rest)).strip()
    start, end = match.start(), match.end()
    is_agenda = label.startswith(("TOP", "Tagesordnungspunkt"))
    if not clean or clean == ":":
        return Heading(
            start, end, _clean_label(label), "reference", strong=True, breaks_after=True, inline_body=False
        )
    if is_agenda:
        # "TOP 5: Bebauungsplan Nord" keeps its title; a protocol sentence after "TOP 6.1" does not.
        title = clean.lstrip(": ")
        if len(title.split()) > 10 or ". " in title or title.endswith("."):
            title = ""
        return Heading(
            start,
            end,
            _clean_label(f"{label} {title}"),
            "reference",
            strong=True,
            breaks_after=True,
            inline_body=False,
        )
    strong = marked or clean.startswith(":") or label.rstrip()[-1] in ".)"
    return Heading(
        start, end, _clean_label(label), "reference", strong=strong, breaks_after=marked, inline_body=True
    )


def _question_heading(text: str, match: re.Match[str]) -> Heading | None:
    """A numbered line ending in "?" (within 4 lines) or a short numbered line ending in ":"."""
    end = match.end()
    line = _MARKUP.sub("", match["rest"]).rstrip()
    if not line or line[0].islower():
        return None  # "3. ferner:" continues a list of resolutions
    if line.endswith(":") and len(line.split()) <= 10:
        return Heading(
            match.start(),
            end,
            _clean_label(text[match.start() : end]),
            "question",
            strong=True,
            breaks_after=True,
            inline_body=False,
        )
    words = len(line.split())
    for _ in range(4):
        if line.endswith("?"):
            label = _clean_label(text[match.start() : end])
            return Heading(
                match.start(), end, label, "question", strong=True, breaks_after=True, inline_body=False
            )
        if end >= len(text) or LIST_ITEM_START.match(text, end + 1):
            return None
        nxt = text.find("\n", end + 1)
        nxt = len(text) if nxt < 0 else nxt
        line = _MARKUP.sub("", text[end + 1 : nxt]).rstrip()
        words += len(line.split())
        if not line.strip() or words > 40:
            return None
        end = nxt
    return None


def _has_text_between(text: str, start: int, end: int) -> bool:
    return start < end and _NONSPACE.search(text, start, end) is not None


def find_headings(text: str) -> list[Heading]:
    """All section headings of a page, in order, after dropping look-alikes."""
    by_start: dict[int, Heading] = {}
    # Later finders do not override earlier ones: the more specific reading of a line wins.
    for m in _REFERENCE_LINE.finditer(text):
        by_start[m.start()] = _reference_heading(m)
    for m in _KEYWORD_LINE.finditer(text):
        if m.start() not in by_start and (h := _keyword_heading(m)) is not None:
            by_start[m.start()] = h
    for m in _QUESTION_LINE.finditer(text):
        if m.start() not in by_start and (h := _question_heading(text, m)) is not None:
            by_start[m.start()] = h
    for m in _MARKDOWN_LINE.finditer(text):
        if m.start() not in by_start:
            by_start[m.start()] = Heading(
                m.start(),
                m.end(),
                _clean_label(m["rest"]),
                "markdown",
                strong=True,
                breaks_after=True,
                inline_body=False,
            )
    candidates = [
        h
        for _, h in sorted(by_start.items())
        if h.label and (h.strong or _paragraph_break_before(text, h.start))
    ]
    # A wrapped question may have swallowed the next candidate's line.
    deduped: list[Heading] = []
    for h in candidates:
        if not deduped or h.start >= deduped[-1].end:
            deduped.append(h)
    return _drop_list_headings(text, deduped)


def _drop_list_headings(text: str, headings: list[Heading]) -> list[Heading]:
    """Drop numbered questions listed without answers, and subtitles right after a heading.

    "1. Wie ...?\\n2. Wann ...?" is the list of questions of an Anfrage, not a section per question;
    "Beschluss:\\nAntrag an den Gemeinderat" is one heading with a subtitle.
    """
    listed = [False] * len(headings)
    for i in range(len(headings) - 1):
        a, b = headings[i], headings[i + 1]
        if (
            a.kind == b.kind == "question"
            and not a.inline_body
            and not _has_text_between(text, a.end, b.start)
        ):
            listed[i] = listed[i + 1] = True
    kept: list[Heading] = []
    for h, is_listed in zip(headings, listed, strict=True):
        if is_listed:
            continue
        # "Betreff:\nAntrag der Fraktion X: Titel" is the field's value, not a new section.
        subordinate = not h.strong or (h.kind == "keyword" and h.inline_body)
        if (
            subordinate
            and kept
            and not kept[-1].inline_body
            and not _has_text_between(text, kept[-1].end, h.start)
        ):
            continue
        kept.append(h)
    return kept
