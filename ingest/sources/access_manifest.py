"""Access manifests: who may see which files of a mixed folder.

A folder may hold ``.ratsinfo-access.json`` (or ``ratsinfo-access.json``) mapping glob
patterns, relative to that folder, to groups::

    {"vertraulich/*.pdf": ["gremium-hauptausschuss"], "*": ["public"]}

The first matching pattern in the file wins; patterns follow ``fnmatch``, so ``*`` also
matches across sub-folders. For a file, the manifest of its own folder is asked first, then
those of the folders above it up to the ingested root; a file no rule matches gets the access
given on the command line (``--group``, else public). A manifest that cannot be read or names
an invalid group makes the files under it fail (reported, never ingested with a guess).
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from pathlib import Path

from ingest.access_labels import validate_group
from ingest.errors import ExtractionError

MANIFEST_NAMES = (".ratsinfo-access.json", "ratsinfo-access.json")

_Rules = tuple[tuple[str, frozenset[str]], ...]


def parse_manifest(text: str, source: str) -> _Rules:
    """(pattern, groups) rules in file order; ExtractionError naming ``source`` if invalid."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ExtractionError(
            f"access manifest {source} is not valid JSON: {error}",
            german=f"Die Zugriffsdatei {source} ist kein gültiges JSON.",
        ) from error
    if not isinstance(data, dict):
        raise ExtractionError(
            f"access manifest {source} must map patterns to lists of groups",
            german=f"Die Zugriffsdatei {source} muss Muster auf Listen von Gruppen abbilden.",
        )
    rules = []
    for pattern, groups in data.items():
        if isinstance(groups, str):
            groups = [groups]
        if not isinstance(groups, list) or not groups or not all(isinstance(g, str) for g in groups):
            raise ExtractionError(
                f"access manifest {source}: {pattern!r} needs a non-empty list of groups",
                german=f"Zugriffsdatei {source}: {pattern!r} braucht eine nicht leere Liste von Gruppen.",
            )
        try:
            rules.append((pattern, frozenset(validate_group(g) for g in groups)))
        except ValueError as error:
            raise ExtractionError(
                f"access manifest {source}: {error}",
                german=f"Zugriffsdatei {source}: ungültiger Gruppenname bei {pattern!r}.",
            ) from error
    return tuple(rules)


class AccessManifests:
    """Reads each folder's manifest once per ingest run and answers per file."""

    def __init__(self) -> None:
        self._rules: dict[Path, _Rules | ExtractionError] = {}

    def _rules_of(self, folder: Path) -> _Rules:
        if folder not in self._rules:
            found: _Rules | ExtractionError = ()
            for name in MANIFEST_NAMES:
                path = folder / name
                if path.is_file():
                    try:
                        found = parse_manifest(path.read_text(encoding="utf-8"), str(path))
                    except OSError as error:
                        found = ExtractionError(
                            f"cannot read access manifest {path}: {error}",
                            german=f"Die Zugriffsdatei {path} lässt sich nicht lesen.",
                        )
                    except ExtractionError as error:
                        found = error
                    break
            self._rules[folder] = found
        rules = self._rules[folder]
        if isinstance(rules, ExtractionError):
            raise rules
        return rules

    def access_for(self, path: Path, root: Path) -> frozenset[str] | None:
        """The groups a manifest gives ``path`` (absolute, under ``root``), or None if no rule matches."""
        folder = path.parent
        while True:
            relative = path.relative_to(folder).as_posix()
            for pattern, groups in self._rules_of(folder):
                if fnmatchcase(relative, pattern):
                    return groups
            if folder == root or folder == folder.parent or root not in folder.parents:
                return None
            folder = folder.parent
