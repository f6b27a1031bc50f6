"""The one place that renders the project's errors as the German sentences people read.

What the CLI prints and the web UI shows is German; logs and ``str(error)`` stay English. An error
raised with particulars carries its German sentence (``RatsinfoError(..., german=...)``); for
one without, the sentence of its class is used, found by walking the class hierarchy as the
exit codes (assistant/cli/common.py) and HTTP statuses (assistant/api/errors.py) are. A failed
document of an ingest report (``Failure``) is rendered the same way.
"""

from __future__ import annotations

from assistant.errors import (
    AuthenticationError,
    ConfigurationError,
    EmptyStoreError,
    ExtractionError,
    InvalidRequestError,
    NotFoundError,
    NothingReadError,
    PermissionDeniedError,
    RateLimitExceeded,
    RatsinfoError,
    StoreBusyError,
    StoreMismatchError,
)
from ingest.records import Failure

HOW_TO_INGEST = (
    "Dokumente einlesen mit „ratsinfo ingest ORDNER“ (PDF, DOCX, HTML, TXT/Markdown) "
    "oder aus einem Ratsinformationssystem mit „ratsinfo ingest --oparl URL“."
)

GERMAN: dict[type[RatsinfoError], str] = {
    RateLimitExceeded: "Zu viele Anfragen. Bitte versuchen Sie es gleich noch einmal.",
    AuthenticationError: "Anmeldung fehlgeschlagen. Bitte melden Sie sich erneut an.",
    PermissionDeniedError: "Dafür fehlen Ihnen die Rechte.",
    NotFoundError: "Nicht gefunden.",
    ConfigurationError: "Der Assistent ist nicht vollständig eingerichtet.",
    StoreMismatchError: "Der Datenbestand passt nicht zu den Einstellungen dieses Programms.",
    StoreBusyError: "Ein anderer Vorgang schreibt gerade in den Datenordner. Bitte später erneut versuchen.",
    InvalidRequestError: "Die Eingabe wurde nicht angenommen.",
    ExtractionError: "Die Datei lässt sich nicht lesen.",
    EmptyStoreError: f"Es sind noch keine Dokumente eingelesen. {HOW_TO_INGEST}",
    NothingReadError: "Keine der angegebenen Quellen ließ sich lesen; nichts wurde eingelesen.",
    RatsinfoError: "Der Vorgang ist fehlgeschlagen.",
}


def user_message(error: RatsinfoError) -> str:
    """The German sentence for ``error``: its own, else that of its class or nearest base class."""
    if error.german:
        return error.german
    for kind in type(error).__mro__:
        if kind in GERMAN:
            return GERMAN[kind]
    return GERMAN[RatsinfoError]


def failure_message(failure: Failure) -> str:
    """Why a source was not (completely) read, in German; the English reason where none was given
    (a server's answer such as "HTTP 404" stays as it came)."""
    return failure.message or f"nicht lesbar ({failure.error})"
