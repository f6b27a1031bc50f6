"""Who asks each question: the dataset's ``user`` field turned into a Principal.

A name is looked up, in this order, in an explicit users file (``--users``), in the user store of
the data dir (``ratsinfo users add NAME --group G``, when the auth module is installed), and in
``users.json`` next to the dataset. A question without a user is asked by an anonymous user
without groups, who sees public documents only; evaluations never run as the unrestricted
local operator, because then nothing could leak.

A users file maps names to groups: ``{"anna": ["fraktion-gruen"], "bernd": []}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from assistant.access import Principal, validate_group
from assistant.errors import InvalidRequestError

ANONYMOUS = Principal(name="anonymous")


def load_users_file(path: Path) -> dict[str, frozenset[str]]:
    """Read a ``{"name": ["group", …]}`` file, with errors naming the user and the problem."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InvalidRequestError(
            f"cannot read the users file {path}: {error}",
            german=f"Die Benutzerdatei {path} lässt sich nicht lesen.",
        ) from error
    if not isinstance(data, dict):
        raise InvalidRequestError(
            f"{path}: expected an object mapping user names to lists of groups",
            german=f"{path}: erwartet wird ein Objekt, das Benutzernamen auf Listen von Gruppen abbildet.",
        )
    users: dict[str, frozenset[str]] = {}
    for name, groups in data.items():
        if not isinstance(groups, list) or not all(isinstance(group, str) for group in groups):
            raise InvalidRequestError(
                f"{path}: user {name!r}: groups must be a list of strings",
                german=f"{path}: Benutzer {name!r}: die Gruppen müssen eine Liste von Texten sein.",
            )
        try:
            users[name] = frozenset(validate_group(group) for group in groups)
        except ValueError as error:
            raise InvalidRequestError(
                f"{path}: user {name!r}: {error}",
                german=f"{path}: Benutzer {name!r}: ungültiger Gruppenname.",
            ) from error
    return users


class UserDirectory:
    """Resolves dataset user names to principals; see the module docstring for the order."""

    def __init__(
        self,
        explicit: Mapping[str, frozenset[str]] | None = None,
        users_db: Path | None = None,
        fallback: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        self._explicit = dict(explicit or {})
        self._users_db = users_db
        self._fallback = dict(fallback or {})
        self._cache: dict[str, Principal] = {}

    @classmethod
    def for_dataset(cls, dataset: Path, users_file: Path | None, users_db: Path | None) -> UserDirectory:
        """The directory for a dataset: ``users_file``, the store, then ``users.json`` beside it."""
        sibling = dataset.parent / "users.json"
        return cls(
            explicit=load_users_file(users_file) if users_file else None,
            users_db=users_db,
            fallback=load_users_file(sibling) if sibling.is_file() else None,
        )

    def principal(self, name: str) -> Principal:
        if not name:
            return ANONYMOUS
        if name not in self._cache:
            self._cache[name] = self._resolve(name)
        return self._cache[name]

    def _resolve(self, name: str) -> Principal:
        if name in self._explicit:
            return Principal(name=name, groups=self._explicit[name])
        stored = self._from_store(name)
        if stored is not None:
            return stored
        if name in self._fallback:
            return Principal(name=name, groups=self._fallback[name])
        raise InvalidRequestError(
            f"unknown user {name!r} in the dataset: add the user (ratsinfo users add {name} --group G) "
            'or pass --users users.json ({"' + name + '": ["group", …]})',
            german=f"Unbekannter Benutzer {name!r} im Datensatz: anlegen (ratsinfo users add {name} "
            '--group G) oder --users users.json angeben ({"' + name + '": ["gruppe", …]}).',
        )

    def _from_store(self, name: str) -> Principal | None:
        if self._users_db is None or not self._users_db.is_file():
            return None
        try:
            from assistant.auth.users import UserStore
        except ImportError:  # the auth module is optional for the evaluation
            return None
        user = UserStore(self._users_db).get(name)
        if user is None:
            return None
        # A revoked user keeps their groups here: the question is what they could have seen.
        return Principal(name=user.name, groups=user.groups)
