"""The default judge: offline, no model. German stems must be covered, hard facts must match exactly.

A sentence is supported by passages when

1. every date, number, amount, reference number, party and council body it names appears in the
   passages (normalised: "1.500 €" = "1500 Euro", "01.07.2025" = "1. Juli 2025");
2. every decision or direction word it uses (angenommen, abgelehnt, erhöht, gesenkt, …) appears
   in the passages, because swapping one of these flips the meaning but moves the coverage little;
3. its negation agrees with the passage sentence that says the same thing (most shared stems);
4. at least ``threshold`` of its remaining content stems appear in the passages. German compounds
   count: "Deichsanierung" is covered by "Sanierung des Deichs" and the other way round.

It judges wording, not meaning: paraphrases with other words fail, and a sentence that recombines
the passage's own words into a false statement can pass. Its accuracy and kappa on the labelled
pairs in eval/data/judge_pairs.jsonl are in every report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.judging.base import Verdict, join_passages
from assistant.answering.judging.facts import extract_facts, is_negated, missing_facts
from ingest.text.sentences import split_sentences
from ingest.text.words import STOPWORDS, analyze

DEFAULT_THRESHOLD = 0.8
_WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"^\d+$")
# Words whose swap for their opposite changes what was decided; required verbatim (by stem).
_DIRECTION_WORDS = (
    "angenommen abgelehnt zugestimmt beschlossen vertagt zurückgezogen verwiesen erhöht erhöhen "
    "gesenkt senken gekürzt kürzen gestrichen streichen einstimmig mehrheitlich verschoben "
    "gestiegen gesunken steigen sinken verdoppelt halbiert verlängert verkürzt befürwortet "
    "empfohlen mehr weniger mindestens höchstens maximal nichtöffentlich öffentlich erstmals "
    "vorberatung entscheidung kenntnisnahme abgeschafft abschaffen eingeführt einführen wegfallen "
    "entfallen aufgelöst auflösen freigegeben gesperrt vollständig teilweise hälfte kostenlos "
    "überschuss fehlbetrag defizit annehmen anzunehmen ablehnen abzulehnen zustimmen zuzustimmen"
)
# Words that carry no claim of their own in council prose (on top of the analyser's stop words).
_FILLER = frozenset(
    [
        "ab",
        "betragen",
        "beträgt",
        "betrug",
        "betrugen",
        "gilt",
        "gelten",
        "galt",
        "pro",
        "je",
        "soll",
        "sollen",
        "statt",
        "fand",
        "lag",
        "liegt",
        "liegen",
        "steht",
        "stehen",
        "derzeit",
        "künftig",
        "bereits",
        "rund",
        "etwa",
        "insgesamt",
        "jeweils",
        "laut",
        "nach",
        "zudem",
        "dabei",
        "dafür",
        "hierfür",
        "verfügung",
    ]
)
# Separable prefixes: "umzustellen" and "eingerichtet" are compared as "umstellen", "einrichtet".
_SEPARABLE = re.compile(
    r"^(an|auf|aus|ein|mit|vor|zurück|weiter|ab|bei|fest|her|hin|nach|um|durch|wieder|zusammen|frei"
    r"|dar|fort|los|hinzu|heran|herab)(?:zu|ge)(\w{3,})$"
)
_FUGEN = ("", "s", "es", "n", "en", "e", "er")
_NON_ALNUM = re.compile(r"[^0-9a-zäöüß]+")
_MIN_QUOTE_CHARS = 20
_LIST_NUMBER_CHARS = 3
_MIN_COMPOUND_PART = 4
_MIN_SUBSTRING = 5
_MIN_PREFIX = 4
_PREFIX_SHARE = 0.75


def _stem_or_word(word: str) -> str:
    stems = analyze(word)
    return stems[0] if stems else word.lower()


def _forms(word: str) -> set[str]:
    """The stems a word is compared by: its own, and without a ``zu``/``ge`` infix or participle ``ge``."""
    lowered = word.lower()
    forms = {_stem_or_word(lowered), lowered}
    separable = _SEPARABLE.match(lowered)
    if separable:
        forms.add(_stem_or_word(separable.group(1) + separable.group(2)))
    if word.islower() and lowered.startswith("ge") and len(lowered) > 6:
        forms.add(_stem_or_word(lowered[2:]))
    return forms


_DIRECTION_STEMS = frozenset(_stem_or_word(word) for word in _DIRECTION_WORDS.split())
# Council verbs and the nouns papers use for the same act ("beantragt" = "auf Antrag").
_SYNONYMS: dict[str, set[str]] = {
    _stem_or_word(verb): {_stem_or_word(noun)}
    for verb, noun in (
        ("beantragt", "antrag"), ("beantragen", "antrag"), ("fragt", "anfrage"), ("erfragt", "anfrage"),
        ("beschließt", "beschluss"), ("beschlossen", "beschluss"), ("berät", "beratung"),
        ("beraten", "beratung"), ("jährlich", "jahr"), ("monatlich", "monat"),
    )
}  # fmt: skip


class LexicalJudge:
    """Lexical and numeric support, German-aware; see the module docstring for the rules."""

    name = "lexical"

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold

    def judge(self, sentence: str, passages: Sequence[str]) -> Verdict:
        premise_text = join_passages(passages)
        if not premise_text:
            return Verdict(False, 0.0, "keine Passage")
        if _quoted(sentence, passages):
            return Verdict(True, 1.0, "wörtlich in der Passage")
        claim = extract_facts(sentence)
        premise = extract_facts(premise_text)
        problems = missing_facts(claim, premise)

        premise_words = _WORD.findall(premise_text)
        premise_stems = set(analyze(premise.rest)) | {word.lower() for word in premise_words}
        for word in premise_words:
            premise_stems |= _forms(word)
        joined = "|" + "|".join(sorted(premise_stems)) + "|"
        long_stems = [stem for stem in premise_stems if len(stem) >= _MIN_PREFIX]

        terms: dict[str, set[str]] = {}  # stem → the forms it may be found by
        for word in _WORD.findall(claim.rest):
            stem = _stem_or_word(word)
            if stem in _DIRECTION_STEMS and not any(
                _inflected(f, premise_stems, long_stems) for f in _forms(word)
            ):
                problems.append(f"Wort „{word}“ fehlt")
            if word.lower() in STOPWORDS or word.lower() in _FILLER or _DIGITS.match(word):
                continue
            terms.setdefault(stem, set()).update(_forms(word) | _SYNONYMS.get(stem, set()))
        covered = [
            stem
            for stem, forms in terms.items()
            if any(_covered(f, premise_stems, joined, long_stems) for f in forms)
        ]
        coverage = len(covered) / len(terms) if terms else 1.0

        if _negation_mismatch(claim.negated, set(terms), passages):
            problems.append("Verneinung weicht ab")
        if coverage < self.threshold:
            uncovered = [stem for stem in terms if stem not in covered]
            problems.append(
                f"Abdeckung {coverage:.2f} < {self.threshold:.2f} (fehlt: {', '.join(uncovered[:6])})"
            )
        if problems:
            return Verdict(
                False,
                round(coverage * 0.5 if coverage >= self.threshold else coverage, 4),
                "; ".join(problems),
            )
        return Verdict(True, round(coverage, 4), f"Abdeckung {coverage:.2f}, Zahlen und Namen stimmen")


def _squash(text: str) -> str:
    return _NON_ALNUM.sub("", text.lower())


def _quoted(sentence: str, passages: Sequence[str]) -> bool:
    """The sentence is one passage sentence (or two adjacent ones) word for word.

    Quoting is entailment, also where the rules below would stumble (slide text without full
    stops). Only a leading list number ("1.", "a)") may be missing; a quote that drops words
    could drop a "nicht".
    """
    claim = _squash(sentence)
    if len(claim) < _MIN_QUOTE_CHARS:
        return False
    for passage in passages:
        if claim not in _squash(passage):
            continue
        spans = split_sentences(passage)
        for first in range(len(spans)):
            for last in (first, first + 1):
                if last >= len(spans):
                    continue
                window = _squash(passage[spans[first][0] : spans[last][1]])
                if window.endswith(claim) and len(window) - len(claim) <= _LIST_NUMBER_CHARS:
                    return True
    return False


def _covered(term: str, stems: set[str], joined: str, long_stems: list[str]) -> bool:
    """Exact stem, part of a premise compound, a compound of premise stems, or an inflected form."""
    if term in stems:
        return True
    if len(term) >= _MIN_SUBSTRING and term in joined:
        return True
    if len(term) >= 3 and f"{term}|" in joined:
        return True  # the head of a premise compound: "Ende" in "Jahresende"
    for cut in range(_MIN_COMPOUND_PART, len(term) - _MIN_COMPOUND_PART + 1):
        left, right = term[:cut], term[cut:]
        if f"|{left}" not in joined:
            continue
        # Fugenlaute: "Verkehrs|ausschuss", "Straßen|beleuchtung"
        for fuge in _FUGEN:
            rest = right[len(fuge) :]
            if right.startswith(fuge) and len(rest) >= _MIN_COMPOUND_PART and f"|{rest}" in joined:
                return True
    return _inflected(term, stems, long_stems) or (
        len(term) >= _MIN_SUBSTRING
        and any(abs(len(stem) - len(term)) <= 1 and _one_edit(term, stem) for stem in long_stems)
    )


def _inflected(term: str, stems: set[str], long_stems: list[str]) -> bool:
    """Same stem, or a long shared word start the stemmer left apart ("beantragt"/"beantragen")."""
    return term in stems or (
        len(term) >= _MIN_PREFIX
        and any(
            _shared_prefix(term, stem) >= max(_MIN_PREFIX, _PREFIX_SHARE * min(len(term), len(stem)))
            for stem in long_stems
        )
    )


def _one_edit(left: str, right: str) -> bool:
    """Levenshtein distance at most 1: vowel change of strong verbs ("anheb"/"anhob")."""
    if left == right:
        return True
    if len(left) == len(right):
        return sum(1 for a, b in zip(left, right, strict=True) if a != b) == 1
    shorter, longer = sorted((left, right), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def _shared_prefix(left: str, right: str) -> int:
    length = 0
    for a, b in zip(left, right, strict=False):
        if a != b:
            break
        length += 1
    return length


def _negation_mismatch(negated: bool, terms: set[str], passages: Sequence[str]) -> bool:
    """Compare the claim's negation with the passage sentences that share most of its words.

    Shared words are weighted by length: "Betreuungsgarantie" says more about which sentence is
    meant than "Stadt" does.
    """
    best = 0
    aligned: list[bool] = []
    for passage in passages:
        for start, end in split_sentences(passage):
            text = passage[start:end]
            overlap = sum(len(term) for term in terms & set(analyze(text)))
            if overlap == 0 or overlap < best:
                continue
            negation = is_negated(text)
            if overlap > best:
                best, aligned = overlap, [negation]
            else:
                aligned.append(negation)
    if not aligned:
        return False
    # A negated claim needs a negated counterpart; a plain claim fails only if every counterpart is negated.
    return not any(aligned) if negated else all(aligned)
