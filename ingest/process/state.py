"""Where a paper stands, computed from its consultations alone: never a result the data lacks.

* a consultation still to come (dated today or later, without a result): "offen: nächste
  Beratung am 02.12.2025 im Bauausschuss", with the last result so far if there is one;
* else the last result: final ("beschlossen am 25.11.2025 im Gemeinderat", "abgelehnt …",
  "zurückgezogen …", "zur Kenntnis genommen …", "erledigt …") or not ("verwiesen am … im …;
  keine weitere Beratung bekannt"); a wording that fits no outcome is quoted as it stands;
* else consultations without a result: "beraten am … im …, kein Ergebnis bekannt", or planned
  without a date;
* no consultation at all: "noch nicht beraten".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from ingest.process.results import (
    ADOPTED,
    ADOPTED_CHANGED,
    ADOPTED_PARTLY,
    DISCUSSED,
    FINAL_OUTCOMES,
    NO_VOTE,
    UNKNOWN,
)

DECIDED = "entschieden"
OPEN = "offen"
UNCLEAR = "unklar"  # a result is recorded, but its wording fits no outcome
NO_RESULT = "ohne Ergebnis"
NOT_CONSULTED = "noch nicht beraten"

_VERBS = {
    ADOPTED: "beschlossen",
    ADOPTED_CHANGED: "geändert beschlossen",
    ADOPTED_PARTLY: "teilweise beschlossen",
    DISCUSSED: "vorberaten",
    NO_VOTE: "ohne Abstimmung beraten",
}
# Bodies whose name starts with a feminine noun take "in der" ("in der Bezirksversammlung").
_FEMININE = re.compile(r"^\S*(?:ung|ion|schaft|heit|keit|runde|konferenz|kammer|vertretung)\b", re.IGNORECASE)


class StepFacts(Protocol):
    """What the state needs of a consultation (``assistant.store.process_views.StepView`` has it)."""

    @property
    def day(self) -> date | None: ...

    @property
    def bodies(self) -> tuple[str, ...]: ...

    @property
    def result(self) -> str: ...

    @property
    def outcome(self) -> str: ...

    @property
    def meeting_cancelled(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class PaperState:
    kind: str  # DECIDED, OPEN, UNCLEAR, NO_RESULT or NOT_CONSULTED
    text: str  # German, e.g. "beschlossen am 25.11.2025 im Gemeinderat"
    outcome: str = ""  # of the last result ("" when there is none)
    day: date | None = None  # of the step the text names
    body: str = ""


def in_body(body: str) -> str:
    """ "im Gemeinderat", "in der Bezirksversammlung", "" when the body is unknown."""
    if not body:
        return ""
    return f"in der {body}" if _FEMININE.match(body) else f"im {body}"


def _at(step: StepFacts) -> str:
    parts = [f"am {step.day:%d.%m.%Y}" if step.day else "", in_body("; ".join(step.bodies))]
    return " ".join(part for part in parts if part)


def _result_text(step: StepFacts) -> str:
    if step.outcome == UNKNOWN:
        return f"Ergebnis {_at(step)}: „{step.result}“".replace("  ", " ")
    return f"{_VERBS.get(step.outcome, step.outcome)} {_at(step)}".strip()


def _state(kind: str, text: str, step: StepFacts | None, outcome: str = "") -> PaperState:
    if step is None:
        return PaperState(kind, text, outcome)
    return PaperState(kind, text, outcome, step.day, "; ".join(step.bodies))


def paper_state(steps: Sequence[StepFacts], today: date) -> PaperState:
    """The state of a paper whose consultations are ``steps`` (any order), as of ``today``."""
    if not steps:
        return PaperState(NOT_CONSULTED, "noch nicht beraten")
    dated = sorted((s for s in steps if s.day), key=lambda s: s.day or date.min)
    with_result = [s for s in dated if s.outcome] or [s for s in steps if s.outcome]
    last = with_result[-1] if with_result else None
    coming = [s for s in dated if s.day and s.day >= today and not s.outcome and not s.meeting_cancelled]
    if coming:
        text = f"offen: nächste Beratung {_at(coming[0])}"
        if last is not None:
            text += f"; zuletzt {_result_text(last)}"
        return _state(OPEN, text, coming[0], last.outcome if last else "")
    if last is not None:
        if last.outcome == UNKNOWN:
            return _state(UNCLEAR, _result_text(last), last, last.outcome)
        if last.outcome in FINAL_OUTCOMES:
            return _state(DECIDED, _result_text(last), last, last.outcome)
        return _state(OPEN, f"{_result_text(last)}; keine weitere Beratung bekannt", last, last.outcome)
    past = [s for s in dated if not s.meeting_cancelled]
    if past:
        return _state(NO_RESULT, f"beraten {_at(past[-1])}, kein Ergebnis bekannt", past[-1])
    planned = next((s for s in steps if not s.day), steps[0])
    body = in_body("; ".join(planned.bodies))
    return _state(OPEN, f"offen: Beratung {body} vorgesehen, noch ohne Termin".replace("  ", " "), planned)
