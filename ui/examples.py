"""Example questions for the start screen, made from the titles of documents the user may see."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from assistant.access import PUBLIC, Principal
from assistant.service import DocumentInfo, visible

MAX_TITLE_CHARS = 80
# Types whose titles name a subject; minutes ("Niederschrift über die 22. Sitzung") do not.
_TEMPLATES = {
    "Antrag": "Was beantragt {who} zu „{title}“?",
    "Änderungsantrag": "Was beantragt {who} zu „{title}“?",
    "Dringlichkeitsantrag": "Was beantragt {who} zu „{title}“?",
    "Anfrage": "Was antwortet die Verwaltung auf die Anfrage „{title}“?",
    "Beschlussvorlage": "Was schlägt die Verwaltung zu „{title}“ vor?",
    "Informationsvorlage": "Was berichtet die Verwaltung zu „{title}“?",
}
_DEFAULT = "Worum geht es in „{title}“?"


def short_title(title: str) -> str:
    """The head of a title (before a dash or colon), cut at a word within the length limit."""
    head = re.split(r"\s[–—-]\s|:\s|\s\(", title.strip(), maxsplit=1)[0].strip(' "')
    # The question puts the title in „…“; quotes inside it become the nested ‚…‘.
    head = head.replace("„", "‚").replace("“", "‘")
    if len(head) <= MAX_TITLE_CHARS:
        return head
    return head[:MAX_TITLE_CHARS].rsplit(" ", 1)[0] + " …"


def _question(document: DocumentInfo) -> str:
    template = _TEMPLATES.get(document.paper_family, _DEFAULT)
    who = document.originator.split(",")[0].strip() if document.originator else ""
    if "{who}" in template and (not who or len(who) > 40 or any(q in who for q in '„“"')):
        template = "Was wird in „{title}“ beantragt?"
    return template.format(who=who, title=short_title(document.title))


def example_questions(documents: Iterable[DocumentInfo], principal: Principal, limit: int = 4) -> list[str]:
    """Up to ``limit`` questions about the newest visible documents, one paper type at a time;
    the newest document of the user's own groups (not public) comes first."""
    candidates = [
        doc
        for doc in visible(principal, documents)
        if doc.paper_family != "Niederschrift"
        and len(doc.title.split()) >= 3
        and doc.title.strip() != doc.municipality.strip()
        and not doc.title.startswith("Stadt ")
    ]
    candidates.sort(key=lambda doc: (doc.date or date.min, doc.doc_id), reverse=True)
    own = [doc for doc in candidates if PUBLIC not in doc.access]
    chosen: list[DocumentInfo] = own[:1]
    types_used: set[str] = {doc.paper_family for doc in chosen}
    for doc in candidates:  # first pass: the newest of each type; second: fill up
        if len(chosen) >= limit:
            break
        if doc.paper_family not in types_used:
            chosen.append(doc)
            types_used.add(doc.paper_family)
    for doc in candidates:
        if len(chosen) >= limit:
            break
        if doc not in chosen:
            chosen.append(doc)
    return list(dict.fromkeys(_question(doc) for doc in chosen))
