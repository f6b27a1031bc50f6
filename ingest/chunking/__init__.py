"""Structure-aware chunking: document sections first, then sentence-aligned windows.

A page is cut in three steps, all pure functions over its text:

1. ``ingest.text.headings.find_headings`` finds the heading lines of council papers
   (Beschlussvorschlag, Begründung, Sachverhalt, numbered questions, ...). Each heading opens a
   section that runs until the next one, across page boundaries (``sections``).
2. ``ingest.text.sentences`` cuts the text into German sentences without breaking at
   abbreviations, ordinals, dates or amounts, and treats hard-wrapped PDF lines as one sentence.
3. ``chunk_document`` packs whole sentences of one section into windows of at most ``max_words``
   words (``windows``). Only a sentence longer than the budget is cut, at word boundaries.

Every chunk is an exact slice of one page's text: citations point at the passage as extracted.
"""

from __future__ import annotations

from ingest.chunking.chunker import CHUNKER_VERSION, chunk_document

__all__ = ["CHUNKER_VERSION", "chunk_document"]
