"""Moved to ``ingest.text.words``; this re-export keeps eval/judges/lexical.py and
ui/render_search.py working until their imports are switched (issue 12), then it goes."""

from __future__ import annotations

from ingest.text.words import STOPWORDS, analyze

__all__ = ["STOPWORDS", "analyze"]
