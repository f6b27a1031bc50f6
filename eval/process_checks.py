"""Process questions in an evaluation: what the answer must state, checked on the answer's text.

A dataset line may carry ``expected`` (see eval/data/README.md)::

    "expected": {"kind": "ergebnis", "result": "einstimmig beschlossen", "outcome": "angenommen",
                 "dates": ["2025-11-25"], "body": "Gemeinderat"}
    "expected": {"kind": "ergebnis", "no_result": true}
    "expected": {"kind": "liste", "references": ["2025/0518", "2025/0517"]}

The answer (as a user reads it) is checked: the result in the council's words is stated
(``result``), every date as TT.MM.JJJJ (``dates``), the body (``body``); for a paper without a
result, no result word may appear outside the cited papers' titles and outside parentheses (a
role such as "Kenntnisnahme"): an *invented* result ("beschlossen", "abgelehnt", …); the
references the answer names and cites (the question's own left out) against ``references``
give precision and recall; and the answer must come from the process data with the expected
``kind``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.schemas import AskResponse
from eval.metrics import estimate, mean
from ingest.metadata.references import REF
from ingest.process.questions import KINDS

_FIELDS = frozenset({"kind", "result", "outcome", "dates", "body", "no_result", "references"})
# A result stated in words (what an answer about a paper without any must not contain).
RESULT_WORDS = re.compile(
    r"\b(?:beschlossen|angenommen|abgelehnt|zurückgezogen|vertagt|verwiesen|erledigt|zugestimmt|"
    r"kenntnis(?:nahme)?|gewählt|vorberaten|zurückgestellt|abgesetzt)\b",
    re.IGNORECASE,
)


# What `ratsinfo eval` prints of them (metrics.json holds all, with ``process_questions``).
PROCESS_METRICS = (
    "process_answered",
    "process_result_accuracy",
    "process_date_accuracy",
    "process_body_accuracy",
    "process_list_precision",
    "process_list_recall",
    "process_invented_results",
)


@dataclass(frozen=True, slots=True)
class ProcessExpectation:
    """What the answer to a process question must state."""

    kind: str
    result: str = ""
    outcome: str = ""
    dates: tuple[date, ...] = ()
    body: str = ""
    no_result: bool = False
    references: tuple[str, ...] | None = None  # None: not a list question


@dataclass(slots=True)
class ProcessCheck:
    """The checks of one answer; None where the expectation does not ask for it."""

    kind_ok: bool
    result_ok: bool | None = None
    dates_ok: bool | None = None
    body_ok: bool | None = None
    invented: bool | None = None  # a paper without a result was given one
    precision: float | None = None
    recall: float | None = None
    named: list[str] = field(default_factory=list)  # references the answer names

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind_ok": self.kind_ok,
            "result_ok": self.result_ok,
            "dates_ok": self.dates_ok,
            "body_ok": self.body_ok,
            "invented": self.invented,
            "precision": self.precision,
            "recall": self.recall,
            "named": self.named,
        }


def parse_expectation(data: object) -> ProcessExpectation:
    """Validate the ``expected`` object of a dataset line (ValueError names the problem)."""
    if not isinstance(data, dict):
        raise ValueError(f"must be an object, got {type(data).__name__}")
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        known = ", ".join(sorted(_FIELDS))
        raise ValueError(f"unknown key(s) {', '.join(map(repr, unknown))}; known: {known}")
    kind = data.get("kind")
    if kind not in KINDS:
        raise ValueError(f"'kind' must be one of {', '.join(KINDS)}, got {kind!r}")
    texts = {key: data.get(key, "") for key in ("result", "outcome", "body")}
    if not all(isinstance(value, str) for value in texts.values()):
        raise ValueError("'result', 'outcome' and 'body' must be strings")
    dates = data.get("dates", [])
    references = data.get("references")
    if not isinstance(dates, list) or not all(isinstance(d, str) for d in dates):
        raise ValueError("'dates' must be a list of ISO dates (YYYY-MM-DD)")
    if references is not None and (
        not isinstance(references, list) or not all(isinstance(r, str) and r.strip() for r in references)
    ):
        raise ValueError("'references' must be a list of reference numbers")
    no_result = data.get("no_result", False)
    if not isinstance(no_result, bool) or (no_result and texts["result"]):
        raise ValueError("'no_result' must be true or false, and true only without a 'result'")
    try:
        days = tuple(date.fromisoformat(d) for d in dates)
    except ValueError as error:
        raise ValueError(f"'dates': {error}") from None
    return ProcessExpectation(
        kind=kind,
        result=texts["result"].strip(),
        outcome=texts["outcome"].strip(),
        dates=days,
        body=texts["body"].strip(),
        no_result=no_result,
        references=tuple(r.strip() for r in references) if references is not None else None,
    )


def _without_titles_and_roles(answer: str, response: AskResponse | None) -> str:
    """The answer without the titles of the papers it cites and without what stands in
    parentheses (a consultation's role, "Kenntnisnahme", is no result; nor is a title's word)."""
    for title in {c.title for c in response.citations if c.title} if response is not None else ():
        answer = answer.replace(title, " ")
    return re.sub(r"\([^()]*\)", " ", answer)


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


def check_answer(expected: ProcessExpectation, question: str, response: AskResponse | None) -> ProcessCheck:
    """Check ``response`` to a process question against ``expected``."""
    answer = "" if response is None or response.abstained else response.answer
    plain = _plain(answer)
    check = ProcessCheck(kind_ok=response is not None and response.process == expected.kind)
    if expected.result:
        check.result_ok = _plain(expected.result) in plain
    if expected.dates:
        check.dates_ok = all(f"{day:%d.%m.%Y}" in answer for day in expected.dates)
    if expected.body:
        check.body_ok = _plain(expected.body) in plain
    if expected.no_result:
        check.invented = RESULT_WORDS.search(_without_titles_and_roles(answer, response)) is not None
    if expected.references is not None:
        asked = set(REF.findall(question))
        cited = {c.reference for c in response.citations} if response is not None else set()
        check.named = [ref for ref in dict.fromkeys(REF.findall(answer)) if ref in cited and ref not in asked]
        wanted = set(expected.references)
        hits = len(wanted & set(check.named))
        check.precision = hits / len(check.named) if check.named else float(not wanted)
        check.recall = hits / len(wanted) if wanted else 1.0
    return check


def process_metrics(checks: Sequence[ProcessCheck | None], resamples: int) -> dict[str, Any]:
    """The process metrics over the questions that have checks, with bootstrap intervals."""
    rows = [check for check in checks if check is not None]
    if not rows:
        return {}

    def share(values: Sequence[float | bool | None]) -> dict[str, float]:
        return estimate([float(value) for value in values if value is not None], mean, resamples=resamples)

    return {
        "process_answered": share([row.kind_ok for row in rows]),
        "process_result_accuracy": share([row.result_ok for row in rows]),
        "process_date_accuracy": share([row.dates_ok for row in rows]),
        "process_body_accuracy": share([row.body_ok for row in rows]),
        "process_list_precision": share([row.precision for row in rows]),
        "process_list_recall": share([row.recall for row in rows]),
        "process_invented_results": sum(1 for row in rows if row.invented),
        "process_questions": len(rows),
        "process_no_result_questions": sum(1 for row in rows if row.invented is not None),
    }
