"""Sentence-aligned windows: whole sentences of one section packed up to a word budget."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from ingest.chunking.sections import Sentence

# A merged tail may exceed the budget by this factor; splitting it off would leave a fragment
# too small to be retrieved on its own.
TAIL_MERGE_FACTOR = 1.3
_WORD = re.compile(r"\S+")


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


def pack_windows(text: str, sentences: Sequence[Sentence], max_words: int, min_words: int) -> list[list[int]]:
    """Pack whole sentences of one section into ``[start, end, words]`` windows."""
    merge_limit = int(max_words * TAIL_MERGE_FACTOR)
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
