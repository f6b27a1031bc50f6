"""The access labels documents carry: ``public`` or the names of groups that may see them.

Labels are attached at ingest (``--group``, access manifests) and travel with the records;
who may see what (the principal) is decided above, in ``assistant.access``.
"""

from __future__ import annotations

import re

PUBLIC = "public"
_GROUP_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def validate_group(name: str) -> str:
    """Group names become metadata keys in Chroma, so they are restricted to a safe alphabet."""
    if not _GROUP_NAME.match(name):
        raise ValueError(f"invalid group name {name!r}: use lower-case letters, digits, '-' and '_' (max 63)")
    return name
