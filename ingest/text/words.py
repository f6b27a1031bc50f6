"""German word analysis shared by BM25, the answerers and the judge: lower-case, stop words, stems.

BM25 indexes and queries :func:`search_terms`: these stems plus the identifiers that stemming would
cut apart (ingest/text/identifiers.py). The answerers and the judge compare sentences by
:func:`analyze` alone.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_GERMAN

from ingest.text.identifiers import identifiers

# Bumped whenever search_terms() changes: a BM25 index built with another version is rebuilt.
SEARCH_TERMS_VERSION = 2
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


def search_terms(text: str) -> list[str]:
    """What BM25 indexes and queries: the stems of :func:`analyze`, then the identifiers of
    ``text`` kept whole ("2025/0190", "top 5", "2025-11-25")."""
    return analyze(text) + identifiers(text)
