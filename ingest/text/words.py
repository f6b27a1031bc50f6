"""German word analysis shared by BM25, the answerers and the judge: lower-case, stop words, stems."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_GERMAN

_WORD = re.compile(r"\w\w+")
# Council boilerplate that carries no meaning for a question, on top of the general list.
_COUNCIL_STOPWORDS = {"bitte", "wurde", "wurden", "worden", "sowie", "gibt", "welche", "welcher", "welches"}
STOPWORDS: frozenset[str] = frozenset(STOPWORDS_GERMAN) | _COUNCIL_STOPWORDS

_stemmer = Stemmer.Stemmer("german")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def analyze(text: str) -> list[str]:
    """Stemmed content words of ``text`` in order (numbers kept: references and amounts matter)."""
    return [_stem(word) for word in _WORD.findall(text.lower()) if word not in STOPWORDS]
