"""The errors ingest raises: the project's base error and the one for unreadable sources.

They sit here, at the bottom of the layers, so that readers and extractors need nothing from
``assistant/``; ``assistant.errors`` re-exports both and holds the rest of the hierarchy.
"""

from __future__ import annotations


class RatsinfoError(Exception):
    """Base class of all errors raised on purpose by ratsinfo-assistant."""


class ExtractionError(RatsinfoError):
    """A source file cannot be read or has no text (reported; the batch goes on)."""
