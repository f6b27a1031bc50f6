"""ALCE citation recall and precision (Gao et al., 2023), per answer sentence, with a pluggable judge.

For each sentence of an answer with citations C:

* recall: 1 if the judge finds the sentence supported by the union of C, else 0 (no citation: 0);
* precision: a citation c in C is *irrelevant* when c alone does not support the sentence but
  C without c still does; a citation counts as precise when the sentence is supported and c is
  not irrelevant. Unsupported sentences make all their citations imprecise.

An answer's recall is the mean over its sentences, its precision the share of precise citations
among all its citations (ALCE's ``compute_autoais``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from assistant.answering.judging.base import Judge, Verdict
from ingest.text.sentences import split_sentences

# "[1]", "[1, 3]"; not after a letter or digit: a quoted footnote "Koblenz 3[3]" is text.
_MARKERS = re.compile(r"(?<![\w\[])\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_WORDLIKE = re.compile(r"\w")
_MARKER_GROUP = re.compile(r"(?:\s*(?<![\w\[])\[\d+(?:\s*[,;]\s*\d+)*\])+")


@dataclass(frozen=True, slots=True)
class CitedSentence:
    text: str  # without markers
    citations: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SentenceGrounding:
    text: str
    citations: tuple[int, ...]
    verdict: Verdict  # of the sentence against the union of its citations
    precise: tuple[bool, ...]  # per citation, ALCE precision

    @property
    def supported(self) -> bool:
        return self.verdict.supported


@dataclass(frozen=True, slots=True)
class AnswerGrounding:
    sentences: list[SentenceGrounding] = field(default_factory=list)

    @property
    def citation_recall(self) -> float:
        if not self.sentences:
            return 0.0
        return sum(1 for s in self.sentences if s.supported) / len(self.sentences)

    @property
    def citation_count(self) -> int:
        return sum(len(s.citations) for s in self.sentences)

    @property
    def citation_precision(self) -> float:
        total = self.citation_count
        if total == 0:
            return 0.0
        return sum(sum(s.precise) for s in self.sentences) / total


def strip_markers(text: str) -> str:
    """The answer text without its [n] markers."""
    text = re.sub(r"\s+", " ", _MARKERS.sub("", text))
    return re.sub(r"\s+([.,;:!?])", r"\1", text).strip()


def split_cited_sentences(answer: str) -> list[CitedSentence]:
    """Sentences of an answer with the citation numbers attached to each.

    A group of markers ends a unit: "Satz eins. [1] Satz zwei. [2]" is two units, whatever the
    sentence splitter makes of an abbreviation before a marker ("… ca. [1]"). Within a unit the
    markers belong to its last sentence; sentences before it are uncited, as ALCE counts them.
    """
    sentences: list[CitedSentence] = []
    position = 0
    units: list[tuple[str, list[int]]] = []
    for group in _MARKER_GROUP.finditer(answer):
        units.append((answer[position : group.start()], _numbers(group.group(0))))
        position = group.end()
    units.append((answer[position:], []))
    for text, numbers in units:
        pieces = [strip_markers(text[start:end]) for start, end in split_sentences(text)]
        pieces = [piece for piece in pieces if _WORDLIKE.search(piece)]  # not a stray "." after markers
        if not pieces:
            if numbers and sentences:  # markers right after markers: the same sentence
                last = sentences[-1]
                sentences[-1] = CitedSentence(last.text, tuple(dict.fromkeys((*last.citations, *numbers))))
            continue
        sentences.extend(CitedSentence(piece, ()) for piece in pieces[:-1])
        sentences.append(CitedSentence(pieces[-1], tuple(dict.fromkeys(numbers))))
    return sentences


def _numbers(text: str) -> list[int]:
    return [int(n) for group in _MARKERS.findall(text) for n in re.split(r"\s*[,;]\s*", group)]


def ground_answer(answer: str, passages: Mapping[int, str], judge: Judge) -> AnswerGrounding:
    """Judge every sentence of ``answer`` against the passages its markers name (number → text)."""
    results = []
    for sentence in split_cited_sentences(answer):
        results.append(ground_sentence(sentence, passages, judge))
    return AnswerGrounding(results)


def ground_sentence(sentence: CitedSentence, passages: Mapping[int, str], judge: Judge) -> SentenceGrounding:
    """ALCE recall and precision of one sentence; a marker without a passage cites nothing."""
    cited = [passages.get(number, "") for number in sentence.citations]
    if not sentence.citations:
        return SentenceGrounding(sentence.text, (), Verdict(False, 0.0, "keine Quelle angegeben"), ())
    joint = judge.judge(sentence.text, cited)
    if not joint.supported:
        return SentenceGrounding(sentence.text, sentence.citations, joint, (False,) * len(cited))
    if len(cited) == 1:
        return SentenceGrounding(sentence.text, sentence.citations, joint, (True,))
    precise = []
    for index, passage in enumerate(cited):
        if judge.judge(sentence.text, [passage]).supported:
            precise.append(True)
            continue
        rest = cited[:index] + cited[index + 1 :]
        # Irrelevant when the others suffice without it.
        precise.append(not judge.judge(sentence.text, rest).supported)
    return SentenceGrounding(sentence.text, sentence.citations, joint, tuple(precise))


def claim_recall(claims: Sequence[str], answer: str, judge: Judge) -> list[Verdict]:
    """Answer correctness: each reference claim judged against the answer text (markers removed)."""
    text = strip_markers(answer)
    return [judge.judge(claim, [text]) for claim in claims]
