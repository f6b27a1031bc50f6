"""Who is asking, and which documents that principal may see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from assistant.errors import InvalidRequestError

# The labels are ingest's (records carry them); re-exported here beside the rule that reads them.
from ingest.access_labels import PUBLIC as PUBLIC
from ingest.access_labels import validate_group as validate_group


@dataclass(frozen=True, slots=True)
class Principal:
    """The identity a request acts as. ``unrestricted`` is the local operator on the CLI."""

    name: str
    groups: frozenset[str] = field(default_factory=frozenset)
    admin: bool = False
    unrestricted: bool = False

    def can_see(self, access: frozenset[str]) -> bool:
        return self.unrestricted or PUBLIC in access or bool(self.groups & access)


LOCAL_OPERATOR = Principal(name="local-operator", admin=True, unrestricted=True)


def checked_groups(names: Iterable[str]) -> frozenset[str]:
    """Group names as given on the command line or in a request; InvalidRequestError for a bad one."""
    try:
        return frozenset(validate_group(name) for name in names)
    except ValueError as error:
        raise InvalidRequestError(
            str(error),
            german="Ungültiger Gruppenname: erlaubt sind Kleinbuchstaben, Ziffern, „-“ und „_“ "
            "(höchstens 63 Zeichen).",
        ) from error
