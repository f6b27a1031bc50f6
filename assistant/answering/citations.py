"""Parse an LLM answer into sentences and their ``[n]`` markers, also while it is still streaming.

The model is told to end every sentence with markers such as ``[2]`` or ``[1][3]``. Models also
write ``[1, 3]``, ``[Quelle 2]`` or put the marker after the full stop ("… beschlossen. [1]"); all
of these are read. A marker after the full stop is moved before it first, so the sentence
splitter (``ingest.text.sentences.split_sentences``) keeps it with its sentence. LLM output is not
hard-wrapped like PDF text, so every line break ends a sentence as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text.sentences import split_sentences

_MARKER = re.compile(r"\[\s*(?:Quelle\s*)?(\d{1,3}(?:\s*[,;]\s*(?:Quelle\s*)?\d{1,3})*)\s*\]", re.IGNORECASE)
# A stop, markers, and maybe a second stop after them ("Satz. [1]." is "Satz [1].").
_MARKERS_AFTER_STOP = re.compile(
    r"([.!?])((?:\s*\[\s*(?:Quelle\s*)?\d{1,3}(?:\s*[,;]\s*(?:Quelle\s*)?\d{1,3})*\s*\])+)(?:[ \t]*[.!?])?",
    re.IGNORECASE,
)
_STOP_AFTER_MARKED_STOP = re.compile(r"(\])([.!?])[ \t]*[.!?]")
_LIST_MARKER = re.compile(r"^\s*(?:[-•*]|\d{1,2}[.)])\s+")
_SPACE = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?])")


@dataclass(frozen=True, slots=True)
class ParsedSentence:
    """A sentence of the answer: its text without markers and the numbers it cites, in order."""

    text: str
    markers: tuple[int, ...]
    raw: str  # as the model wrote it, markers included


def normalize_markers(text: str) -> str:
    """Move markers that follow a full stop in front of it: "Satz. [1]" → "Satz [1]."."""
    moved = _MARKERS_AFTER_STOP.sub(lambda m: " " + m.group(2).strip() + m.group(1), text)
    # Streamed text is normalised piece by piece: a stop arriving after "[1]." is the same stop.
    return _STOP_AFTER_MARKED_STOP.sub(r"\1\2", moved)


def markers_of(sentence: str) -> tuple[int, ...]:
    """The citation numbers of ``sentence`` in order of appearance, without repeats."""
    numbers: list[int] = []
    for match in _MARKER.finditer(sentence):
        numbers.extend(int(number) for number in re.findall(r"\d+", match.group(1)))
    return tuple(dict.fromkeys(numbers))


def strip_markers(sentence: str) -> str:
    """The sentence as a reader (and the judge) sees it: no markers, no list bullet, one line."""
    text = _MARKER.sub(" ", sentence)
    text = _LIST_MARKER.sub("", text)
    text = text.replace("**", "")
    text = _SPACE.sub(" ", text).strip()
    return _SPACE_BEFORE_PUNCT.sub(r"\1", text)


def _parse(raw: str) -> ParsedSentence | None:
    text = strip_markers(raw)
    # A fragment of markers only ("[2]") or punctuation carries no statement.
    if not re.search(r"\w", text):
        return None
    return ParsedSentence(text=text, markers=markers_of(raw), raw=raw.strip())


def parse_answer(answer: str) -> list[ParsedSentence]:
    """Split a complete answer into sentences with their markers."""
    splitter = SentenceStream()
    return splitter.feed(answer) + splitter.finish()


class SentenceStream:
    """Turns streamed text pieces into complete sentences as soon as they are complete.

    A sentence is complete when a line break follows it, or a next sentence has begun that does
    not start with ``[`` (that would be the marker of the sentence before, still arriving).
    """

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, piece: str) -> list[ParsedSentence]:
        """Add a piece of text; return the sentences it completes."""
        self._pending += piece
        *lines, last = self._pending.split("\n")
        ready: list[ParsedSentence] = []
        for line in lines:
            ready.extend(_sentences_of(normalize_markers(line), None))
        last = normalize_markers(last)
        spans = split_sentences(last)
        # Hold back the last sentence, and one whose marker ("[") may still be arriving.
        done = 0
        for index in range(len(spans) - 1):
            if last[spans[index + 1][0]] == "[":
                break
            done = index + 1
        ready.extend(_sentences_of(last, spans[:done]))
        self._pending = last[spans[done][0] :] if spans else last
        return ready

    def finish(self) -> list[ParsedSentence]:
        """The end of the text completes whatever is left."""
        rest, self._pending = self._pending, ""
        return _sentences_of(normalize_markers(rest), None)


def _sentences_of(line: str, spans: list[tuple[int, int]] | None) -> list[ParsedSentence]:
    parsed = (_parse(line[start:end]) for start, end in (split_sentences(line) if spans is None else spans))
    return [sentence for sentence in parsed if sentence is not None]
