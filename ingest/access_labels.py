"""The access labels documents carry: ``public`` or the names of groups that may see them.

Labels are attached at ingest (``--group``, access manifests) and travel with the records;
who may see what (the principal) is decided above, in ``assistant.access``.
"""

from __future__ import annotations

import hashlib
import re

PUBLIC = "public"
BODY_LABEL_PREFIX = "body-"  # reserved: labels of bodies, never the name of a group
_GROUP_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def validate_group(name: str) -> str:
    """Group names become metadata keys in Chroma, so they are restricted to a safe alphabet."""
    if not _GROUP_NAME.match(name):
        raise ValueError(f"invalid group name {name!r}: use lower-case letters, digits, '-' and '_' (max 63)")
    if name.startswith(BODY_LABEL_PREFIX):
        raise ValueError(
            f"invalid group name {name!r}: names starting with {BODY_LABEL_PREFIX!r} are reserved"
        )
    return name


def body_label(organization: str) -> str:
    """The access label of a body (its OParl id, or its name as written; case and spacing of a
    name do not matter). A non-public meeting's documents carry the labels of its bodies; which
    groups may see a body is configured, and applied by the service layer when it asks."""
    key = " ".join(organization.split()).casefold()
    return BODY_LABEL_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:16]


def body_labels(organizations: tuple[str, ...] | list[str]) -> frozenset[str]:
    """The labels of several bodies (ids and names alike)."""
    return frozenset(body_label(organization) for organization in organizations if organization.strip())
