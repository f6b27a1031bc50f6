"""The errors ingest raises: the project's base error and the one for unreadable sources.

They sit here, at the bottom of the layers, so that readers and extractors need nothing from
``assistant/``; ``assistant.errors`` re-exports both and holds the rest of the hierarchy.

An error's ``str()`` is English (logs, the JSON of the API); ``german`` is the sentence a person
reads in the CLI and the web UI, given where the error is raised when it names particulars.
``assistant.messages`` renders every error in German, falling back on a sentence per class.
"""

from __future__ import annotations


class RatsinfoError(Exception):
    """Base class of all errors raised on purpose by ratsinfo-assistant."""

    def __init__(self, message: str = "", *, german: str = "") -> None:
        super().__init__(message)
        self.german = german


class ExtractionError(RatsinfoError):
    """A source file cannot be read or has no text (reported; the batch goes on)."""
