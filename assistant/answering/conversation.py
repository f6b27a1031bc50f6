"""Follow-up questions become standalone questions before retrieval.

"Und wann wurde darüber entschieden?" retrieves nothing useful on its own. With an LLM, the model
rewrites it from the conversation. Without one (or when it fails), the key terms of the earlier
questions it refers to are carried into the query: the retrievers and the abstention check then
see "Radweg Weserpromenade" next to "wann entschieden".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.llm import ChatLLM, LLMUnavailableError
from assistant.answering.prompt import Turn, condense_messages
from assistant.retrieval import MAX_QUERY_CHARS
from ingest.text.words import analyze

MAX_HISTORY_TURNS = 10
MAX_TURN_CHARS = 4000
_WORD = re.compile(r"\w[\w-]*\w|\w")
# Words that point back into the conversation; a question with one of them is a follow-up.
# Articles ("das", "die") and "es"/"sie" are left out: standalone questions are full of them.
_ANAPHORA = frozenset(
    (  # noqa: SIM905 - a word list reads best as words
        "dazu darüber davon dafür dagegen damit daran dabei darin darauf daraus dort dorthin "
        "dies diese dieser dieses diesem diesen jene jener jenes er ihm ihn deren dessen derselbe "
        "dasselbe ebenfalls"
    ).split()
)
# A question opening with one of these continues the last one: "Und die Kosten?"
_CONTINUATIONS = frozenset({"und", "aber", "auch", "sowie", "außerdem", "sondern"})
# Content words only: a question with this few of them leans on the conversation.
_FEW_TERMS = 2


def is_follow_up(question: str) -> bool:
    """Does ``question`` lean on the conversation (a pointing word, or hardly any content)?"""
    words = [word.lower() for word in _WORD.findall(question)]
    if not words:
        return False
    return words[0] in _CONTINUATIONS or bool(set(words) & _ANAPHORA) or len(analyze(question)) <= _FEW_TERMS


def carry_key_terms(question: str, history: Sequence[Turn]) -> str:
    """``question`` plus the key words of the earlier questions it follows up on.

    Walks back from the last turn while the turns are themselves follow-ups, so a chain of
    "und dazu?" questions still reaches the question that named the subject.
    """
    if not history or not is_follow_up(question):
        return question
    present = set(analyze(question))
    carried: list[str] = []
    for turn in reversed(history):
        for word in _WORD.findall(turn.question):
            stems = analyze(word)
            if stems and not present.intersection(stems):
                present.update(stems)
                carried.append(word)
        if not is_follow_up(turn.question):
            break
    if not carried:
        return question
    return f"{question} ({' '.join(carried)})"[:MAX_QUERY_CHARS]


def _clean_rewrite(text: str) -> str:
    line = next((line.strip() for line in text.strip().splitlines() if line.strip()), "")
    line = re.sub(r"^(?:eigenständige\s+frage|frage)\s*:\s*", "", line, flags=re.IGNORECASE)
    return line.strip(" \"'„“«»")


def condense_question(question: str, history: Sequence[Turn], llm: ChatLLM | None) -> str:
    """The standalone form of ``question``; the question itself when there is no history."""
    history = list(history)[-MAX_HISTORY_TURNS:]
    if not history:
        return question
    if llm is not None:
        try:
            rewritten = _clean_rewrite(llm.complete(condense_messages(question, history)))
        except LLMUnavailableError:
            rewritten = ""
        # An empty or runaway rewrite is worse than the carried key terms.
        if rewritten and len(rewritten) <= min(MAX_QUERY_CHARS, 4 * len(question) + 400):
            return rewritten
    return carry_key_terms(question, history)
