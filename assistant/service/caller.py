"""Who asks, and through which interface: the principal the access rule applies to, the user the
audit record names, and the words it uses for the outcome."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.access import Principal
from assistant.audit import INTERFACES


@dataclass(frozen=True, slots=True)
class Caller:
    """The principal of one operation, the interface it came through ("cli", "api", "ui", or
    "eval" for the evaluation), and the name on its audit record (default: the principal's)."""

    principal: Principal
    interface: str
    name: str = ""

    def __post_init__(self) -> None:
        if self.interface not in INTERFACES:
            raise ValueError(f"unknown interface {self.interface!r}; expected one of {INTERFACES}")

    @property
    def user(self) -> str:
        """The user the audit record names."""
        return self.name or self.principal.name

    def outcome(self, error: Exception | None) -> tuple[str, str]:
        """The record's status and detail: "ok", or "error" with the exception's type and message.

        The API words them as HTTP does (assistant/api/caller.py).
        """
        if error is None:
            return "ok", ""
        return "error", f"{type(error).__name__}: {error}"
