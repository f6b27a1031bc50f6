"""Structure-aware chunking: document sections first, then sentence-aligned windows.

A page is cut in three steps, all pure functions over its text:

1. ``_find_headings`` finds the heading lines of council papers (Beschlussvorschlag, Begründung,
   Sachverhalt, numbered questions, ...). Each heading opens a section that runs until the next
   one, across page boundaries.
2. ``_sentence_spans`` cuts the text into German sentences without breaking at abbreviations,
   ordinals, dates or amounts, and treats hard-wrapped PDF lines as one sentence.
3. ``chunk_document`` packs whole sentences of one section into windows of at most ``max_words``
   words. Only a sentence longer than the budget is cut, at word boundaries.

Every chunk is an exact slice of one page's text: citations point at the passage as extracted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ingest.records import Chunk, Page

CHUNKER_VERSION = "sections-v1"

# A merged tail may exceed the budget by this factor; splitting it off would leave a fragment
# too small to be retrieved on its own.
_TAIL_MERGE_FACTOR = 1.3
_MAX_LABEL_CHARS = 100

_MONTHS = (
    "Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
    "|Jan|Feb|Mär|Apr|Jun|Jul|Aug|Sep|Sept|Okt|Nov|Dez"
)

# Lower-cased, without the dot. Single letters ("S.", "z. B.") are handled by a rule of their own.
_ABBREVIATION_WORDS = """
    abb abs abschn abzgl allg anl anm art az bd betr bez bspw bsp buchst bzgl bzw ca co dez di dipl do
    dr ehem einschl evtl fa ff fr gem geb gez ggf ggfs ggü gr hr hrn hrsg hs inkl insb insbes ing jh
    jhd kap lfd lit lt max mi min mind mio mo mrd mwst nr nrn od pkt pos prof rd sa sog st std stellv
    str stv tab tel teilw tsd tlw urspr ust vgl vors vs zit ziff zw zzgl zzt gbl bgbl
    jan feb mär apr jun jul aug sep sept okt nov
"""
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())

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
# "1. Wie viele Kitas ...?" or "2. Eigenvorsorge:", possibly hard-wrapped over a few lines.
_QUESTION_LINE = re.compile(
    rf"^(?P<prefix>{_MARKUP_PREFIX})\d{{1,2}}[.)][ \t]+(?!(?:{_MONTHS})\b)(?P<rest>\S[^\n]*)", re.M
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
_WORD = re.compile(r"\S+")
_DOTTED_ABBREVIATION = re.compile(r"(?:[A-Za-zÄÖÜäöü]{1,3}\.)+[A-Za-zÄÖÜäöü]{1,3}")
_ROMAN = re.compile(r"[IVX]{2,4}")
_DAY_MONTH = re.compile(r"\d{1,2}\.\d{1,2}")
_ITEM_START = re.compile(
    rf"[ \t]*(?:[-–•▪◦·‣○●■□☐☒✓➢*][ \t]|\(?\d{{1,2}}[.)][ \t](?!(?:{_MONTHS})\b)"
    r"|\(?[a-z]\)[ \t]|\([a-z0-9]{1,3}\)[ \t])"
)
_NUMBERED_ITEM = re.compile(r"[ \t]*\(?\d{1,2}[.)][ \t]")
# One scan finds every candidate sentence boundary; the Python loop then judges each. The
# leading look-ahead lets the regex engine skip to candidate characters (2x faster).
_BREAK = re.compile(
    r"(?=[\n\f.!?…])(?:"
    r"(?P<blank>\n[ \t\r\v\xa0]*\n|\f)"
    rf"|(?P<item>\n(?={_ITEM_START.pattern}))"
    r"|(?P<punct>[.!?…]+[\"'“”»«‘’)\]]*)(?=\s))"
)
_OPENERS = "([{„“\"'‚»«"


@dataclass(slots=True)
class _Heading:
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


def _keyword_heading(match: re.Match[str]) -> _Heading | None:
    prefix, kw, rest = match["prefix"], match["kw"], match["rest"]
    marked = _is_marked(prefix, rest)
    clean = _SPACES.sub(" ", _MARKUP.sub("", rest)).strip()
    kw_label = _CANONICAL_KEYWORDS.get(_SPACES.sub("", kw).upper(), kw)
    start, end = match.start(), match.end()
    if not clean or clean == ":":
        return _Heading(start, end, kw_label, "keyword", strong=True, breaks_after=True, inline_body=False)
    if clean.startswith(":"):
        return _Heading(start, end, kw_label, "keyword", strong=True, breaks_after=marked, inline_body=True)
    qualifier, colon, after = clean.partition(":")
    qualifier = qualifier.strip()
    if not _QUALIFIER.fullmatch(qualifier) or qualifier.count("(") != qualifier.count(")"):
        return None
    label = _clean_label(f"{kw_label} {qualifier}")
    if colon:
        has_body = bool(after.strip())
        return _Heading(
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
    return _Heading(start, end, label, "keyword", strong=marked, breaks_after=True, inline_body=False)


def _reference_heading(match: re.Match[str]) -> _Heading:
    prefix, label, rest = match["prefix"], match["label"], match["rest"]
    marked = _is_marked(prefix, rest)
    clean = _SPACES.sub(" ", _MARKUP.sub("", rest)).strip()
    start, end = match.start(), match.end()
    is_agenda = label.startswith(("TOP", "Tagesordnungspunkt"))
    if not clean or clean == ":":
        return _Heading(
            start, end, _clean_label(label), "reference", strong=True, breaks_after=True, inline_body=False
        )
    if is_agenda:
        # "TOP 5: Bebauungsplan Nord" keeps its title; a protocol sentence after "TOP 6.1" does not.
        title = clean.lstrip(": ")
        if len(title.split()) > 10 or ". " in title or title.endswith("."):
            title = ""
        return _Heading(
            start,
            end,
            _clean_label(f"{label} {title}"),
            "reference",
            strong=True,
            breaks_after=True,
            inline_body=False,
        )
    strong = marked or clean.startswith(":") or label.rstrip()[-1] in ".)"
    return _Heading(
        start, end, _clean_label(label), "reference", strong=strong, breaks_after=marked, inline_body=True
    )


def _question_heading(text: str, match: re.Match[str]) -> _Heading | None:
    """A numbered line ending in "?" (within 4 lines) or a short numbered line ending in ":"."""
    end = match.end()
    line = _MARKUP.sub("", match["rest"]).rstrip()
    if not line or line[0].islower():
        return None  # "3. ferner:" continues a list of resolutions
    if line.endswith(":") and len(line.split()) <= 10:
        return _Heading(
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
            return _Heading(
                match.start(), end, label, "question", strong=True, breaks_after=True, inline_body=False
            )
        if end >= len(text) or _ITEM_START.match(text, end + 1):
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


def _find_headings(text: str) -> list[_Heading]:
    """All section headings of a page, in order, after dropping look-alikes."""
    by_start: dict[int, _Heading] = {}
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
            by_start[m.start()] = _Heading(
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
    deduped: list[_Heading] = []
    for h in candidates:
        if not deduped or h.start >= deduped[-1].end:
            deduped.append(h)
    return _drop_list_headings(text, deduped)


def _drop_list_headings(text: str, headings: list[_Heading]) -> list[_Heading]:
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
    kept: list[_Heading] = []
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


def _token_before(text: str, pos: int) -> str:
    i = pos
    lo = max(0, pos - 40)
    while i > lo and not text[i - 1].isspace():
        i -= 1
    return text[i:pos].lstrip(_OPENERS)


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    """Judge a ".", "?" or "!" followed by whitespace: a sentence end or an abbreviation/number?"""
    n = len(text)
    k = match.end()
    while k < n and text[k].isspace():
        k += 1
    if k < n and text[k].islower():
        return False  # German sentences start upper-case; "z. B. die", "ca. zwei"
    punct = match["punct"]
    if punct != ".":
        return True
    token = _token_before(text, match.start())
    if not token:
        return True
    if token.isdigit():
        return len(token) > 3  # "1. Juli", "im 2. Quartal", but "seit 1928."
    if _ROMAN.fullmatch(token):
        return False  # "II. Sachverhalt", "Kapitel III. Abschnitt"
    if len(token) == 1:
        return not token.isalpha()  # "S. 4", "z. B.", "A. Müller"
    lowered = token.lower()
    if lowered in _ABBREVIATIONS or lowered.endswith("str"):  # "Kaiserstr. 12"
        return False
    return not (_DOTTED_ABBREVIATION.fullmatch(token) or _DAY_MONTH.fullmatch(token))


def _numbered_item_continues_list(text: str, newline: int) -> bool:
    """A numbered line after a hard wrap ("im\\n2. Quartal") is only an item inside a list."""
    i = newline
    while i > 0 and text[i - 1] in " \t\r":
        i -= 1
    if i > 0 and text[i - 1] in '.:;,!?)“"':
        return True
    line_start = text.rfind("\n", 0, i) + 1
    return _ITEM_START.match(text, line_start) is not None


def _sentence_spans(text: str, headings: Sequence[_Heading]) -> list[tuple[int, int]]:
    cuts: list[int] = []
    for h in headings:
        cuts.append(h.start)
        if h.breaks_after:
            cuts.append(h.end)
    for m in _BREAK.finditer(text):
        kind = m.lastgroup
        if kind == "punct":
            if _ends_sentence(text, m):
                cuts.append(m.end())
        elif kind == "item":
            pos = m.start()
            if not _NUMBERED_ITEM.match(text, pos + 1) or _numbered_item_continues_list(text, pos):
                cuts.append(pos)
        else:
            cuts.append(m.start())
    cuts.append(len(text))
    spans: list[tuple[int, int]] = []
    prev = 0
    for cut in sorted(cuts):
        if cut <= prev:
            continue
        segment = text[prev:cut]
        stripped = segment.strip()
        if stripped:
            s = prev + (len(segment) - len(segment.lstrip()))
            spans.append((s, s + len(stripped)))
        prev = cut
    return spans


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the German sentences in ``text``, in order.

    Does not break at abbreviations ("z. B.", "bzw.", "Nr."), ordinals ("1. Juli"), dates or
    amounts. A blank line always ends a sentence; a single newline only before a list item or
    around a heading, since PDF text is hard-wrapped. Spans are trimmed of whitespace and together
    cover every non-whitespace character of ``text``.
    """
    return _sentence_spans(text, _find_headings(text))


def _split_long_sentence(text: str, start: int, end: int, max_words: int) -> Iterator[tuple[int, int, int]]:
    """Cut an over-long sentence into pieces of at most ``max_words`` words, preferring line ends."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]
    i = 0
    while i < len(words):
        j = min(i + max_words, len(words))
        if j < len(words):
            for k in range(j, i + max_words // 2, -1):
                if "\n" in text[words[k - 1][1] : words[k][0]]:
                    j = k
                    break
        yield words[i][0], words[j - 1][1], j - i
        i = j


def _windows(
    text: str, sentences: Sequence[tuple[int, int, int]], max_words: int, min_words: int
) -> list[list[int]]:
    """Pack whole sentences of one section into ``[start, end, words]`` windows."""
    merge_limit = int(max_words * _TAIL_MERGE_FACTOR)
    windows: list[list[int]] = []
    current: list[int] | None = None
    for s, e, w in sentences:
        if w > max_words:
            if current is not None and current[2] < min_words:
                # Too small to stand alone ("Ergebnis" above a long table): lead into the pieces.
                s, w, current = current[0], current[2] + w, None
            pieces = list(_split_long_sentence(text, s, e, max_words))
            if current is not None:
                windows.append(current)
            windows.extend([ps, pe, pw] for ps, pe, pw in pieces[:-1])
            current = list(pieces[-1])
        elif current is not None and (
            current[2] + w <= max_words or (current[2] < min_words and current[2] + w <= merge_limit)
        ):
            current[1] = e
            current[2] += w
        else:
            if current is not None:
                windows.append(current)
            current = [s, e, w]
    if current is not None:
        windows.append(current)
    if len(windows) >= 2 and windows[-1][2] < min_words:
        prev, tail = windows[-2], windows[-1]
        if prev[2] + tail[2] <= merge_limit:
            prev[1], prev[2] = tail[1], prev[2] + tail[2]
            windows.pop()
    return windows


def chunk_document(
    doc_id: str, pages: Sequence[Page], max_words: int = 180, min_words: int = 25
) -> list[Chunk]:
    """Cut a document into chunks along its sections, then into sentence-aligned windows.

    Each chunk lies on one page, is the exact slice ``page.text[start:end]`` and records the
    heading of its section ("" before the first heading; sections continue across pages).
    Windows hold whole sentences up to ``max_words`` whitespace-separated words. A window under
    ``min_words`` (a section's tail, or one before a sentence that does not fit) is merged with
    its neighbour in the same section if the result stays within 1.3 × ``max_words``. A sentence
    longer than ``max_words`` is cut at word boundaries, preferably at line ends. A heading with
    no body of its own (followed directly by another heading) opens the next section's chunk.
    Raises ``ValueError`` for a budget below 1 word or ``min_words`` outside 0..``max_words``.
    """
    if max_words < 1:
        raise ValueError(f"max_words must be at least 1, got {max_words}")
    if not 0 <= min_words <= max_words:
        raise ValueError(f"min_words must be between 0 and max_words ({max_words}), got {min_words}")
    chunks: list[Chunk] = []
    label = ""
    for page in pages:
        text = page.text
        headings = _find_headings(text)
        sentences = _sentence_spans(text, headings)
        # Sections of this page: (label, sentences); the first continues the previous page's.
        sections: list[tuple[str, list[tuple[int, int, int]]]] = [(label, [])]
        heading_only: list[bool] = [False]
        h = 0
        for s, e in sentences:
            while h < len(headings) and headings[h].start <= s:
                label = headings[h].label
                sections.append((label, []))
                heading_only.append(not headings[h].inline_body)
                h += 1
            heading = headings[h - 1] if h else None
            if heading is not None and e > heading.end:
                heading_only[-1] = False
            sections[-1][1].append((s, e, len(text[s:e].split())))
        # A heading directly followed by another one ("Gegenstand:\nBeschlussvorschlag:") has no
        # body of its own: its line opens the next section's first chunk.
        carried: list[tuple[int, int, int]] = []
        for i, (section_label, section_sentences) in enumerate(sections):
            section_sentences = carried + section_sentences
            carried = []
            if heading_only[i] and i + 1 < len(sections) and section_sentences:
                carried = section_sentences
                continue
            for start, end, _ in _windows(text, section_sentences, max_words, min_words):
                chunks.append(
                    Chunk(doc_id, len(chunks), page.number, section_label, start, end, text[start:end])
                )
    return chunks
