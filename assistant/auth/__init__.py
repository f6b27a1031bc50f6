"""Users, tokens and the checks that turn a request's credentials into a Principal."""

from __future__ import annotations

from assistant.auth.security import Security, build_security
from assistant.auth.users import User, UserStore

__all__ = ["Security", "User", "UserStore", "build_security"]
