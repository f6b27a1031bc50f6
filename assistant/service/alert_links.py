"""Links that work without signing in: the unsubscribe link of alert e-mails and feed addresses.

An unsubscribe link names its user and carries an HMAC-SHA256 of that name under a key kept in
the alerts database (made on first use): it cannot be forged for another user, and it stops
working for everyone if the key is replaced. A feed address carries a random secret of its own
(32 bytes, separate from the API token), stored only as its SHA-256, so a feed reader can
subscribe without the token; revoking the feed stops the address at once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

UNSUBSCRIBE_PATH = "/alerts/unsubscribe/"
FEED_PATH = "/feeds/"


def _mac(key: bytes, user: str) -> str:
    return hmac.new(key, f"unsubscribe:{user}".encode(), hashlib.sha256).hexdigest()[:40]


def unsubscribe_token(key: bytes, user: str) -> str:
    name = base64.urlsafe_b64encode(user.encode()).decode().rstrip("=")
    return f"{name}.{_mac(key, user)}"


def user_of_token(key: bytes, token: str) -> str | None:
    """The user an unsubscribe token was made for; None when it is not genuine."""
    name, _, mac = token.partition(".")
    try:
        user = base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return user if user and hmac.compare_digest(mac, _mac(key, user)) else None


def new_feed_secret() -> tuple[str, str]:
    """A feed secret and the hash that is stored of it."""
    secret = secrets.token_urlsafe(32)
    return secret, feed_secret_hash(secret)


def feed_secret_hash(secret: str) -> str:
    return hashlib.sha256(f"feed:{secret}".encode()).hexdigest()
