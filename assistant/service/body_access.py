"""Who sees the non-public part of the council process: the configured body → groups mapping.

A public (or not stated) agenda item, consultation or meeting is seen by everyone who sees its
paper. A non-public one is seen only by members of the groups its bodies map to
(``RATSINFO_BODY_GROUPS``, by body name or OParl id), and by the local operator; a body without
an entry is seen by nobody else. The documents of a non-public meeting carry the access labels
of their bodies (``ingest.access_labels.body_label``); ``principal()`` grants a principal the
labels of the bodies its groups map to, so that retrieval, document views and counts apply the
same rule without knowing about bodies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from assistant.access import Principal
from ingest.access_labels import body_label


def _key(organization: str) -> str:
    return " ".join(organization.split()).casefold()


class BodyAccess:
    """The mapping from bodies (names or ids) to the groups that may see their non-public items."""

    def __init__(self, mapping: Mapping[str, Sequence[str]] | None = None) -> None:
        self._groups: dict[str, frozenset[str]] = {}
        for body, groups in (mapping or {}).items():
            key = _key(body)
            self._groups[key] = self._groups.get(key, frozenset()) | frozenset(groups)

    def groups_of(self, organizations: Iterable[str]) -> frozenset[str]:
        """The groups mapped to any of ``organizations`` (ids or names)."""
        found: frozenset[str] = frozenset()
        for organization in organizations:
            found |= self._groups.get(_key(organization), frozenset())
        return found

    def may_see(self, principal: Principal, public: bool | None, organizations: Iterable[str]) -> bool:
        """Whether ``principal`` may see an item with this ``public`` flag held by these bodies."""
        if public is not False or principal.unrestricted:
            return True
        return bool(self.groups_of(organizations) & principal.groups)

    def principal(self, principal: Principal) -> Principal:
        """``principal`` with the access labels of the bodies its groups map to."""
        if principal.unrestricted or not principal.groups:
            return principal
        labels = {body_label(body) for body, groups in self._groups.items() if groups & principal.groups}
        return replace(principal, groups=principal.groups | labels) if labels else principal
