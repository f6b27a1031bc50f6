"""The parts every interface needs to act safely: users, the audit log, the rate limiter."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from assistant.audit import AuditLog
from assistant.auth.users import UserStore
from assistant.config import Settings
from assistant.errors import ConfigurationError
from assistant.ratelimit import RateLimiter


@dataclass(frozen=True, slots=True)
class Security:
    users: UserStore
    audit: AuditLog
    limiter: RateLimiter


def build_security(settings: Settings) -> Security:
    """Open (or create) the user database and the audit log under the data dir."""
    return Security(
        users=UserStore(settings.users_path),
        audit=AuditLog(settings.audit_path),
        limiter=RateLimiter(settings.rate_limit_per_minute),
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve to anything


def ensure_safe_bind(settings: Settings, users: UserStore) -> None:
    """Refuse to serve beyond this machine while nobody could log in (dangerous default)."""
    if not is_loopback(settings.host) and users.active_count() == 0:
        raise ConfigurationError(
            f"refusing to listen on {settings.host}: no user exists yet, so the service would be "
            "reachable from the network without anyone able to use it safely. Create one first with "
            "`ratsinfo users add NAME --group GROUP` (or `--admin`), or bind to 127.0.0.1.",
            german=f"Der Server lauscht nicht auf {settings.host}: es gibt noch keinen Benutzer, der Dienst "
            "wäre also aus dem Netz erreichbar, ohne dass ihn jemand sicher nutzen könnte. Zuerst einen "
            "anlegen mit „ratsinfo users add NAME --group GRUPPE“ (oder „--admin“), oder an 127.0.0.1 "
            "binden.",
        )
