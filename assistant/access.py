"""Who is asking, and which documents that principal may see."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PUBLIC = "public"
_GROUP_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def validate_group(name: str) -> str:
    """Group names become metadata keys in Chroma, so they are restricted to a safe alphabet."""
    if not _GROUP_NAME.match(name):
        raise ValueError(f"invalid group name {name!r}: use lower-case letters, digits, '-' and '_' (max 63)")
    return name


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
