"""``chunk_document``: a document's pages cut along their sections into sentence-aligned windows."""

from __future__ import annotations

from collections.abc import Sequence

from ingest.chunking.sections import page_sections, section_bodies
from ingest.chunking.windows import pack_windows
from ingest.records import Chunk, Page
from ingest.text.headings import find_headings
from ingest.text.sentences import sentence_spans

CHUNKER_VERSION = "sections-v1"


def chunk_document(
    doc_id: str, pages: Sequence[Page], max_words: int = 180, min_words: int = 25
) -> list[Chunk]:
    """Cut a document into chunks along its sections, then into sentence-aligned windows.

    Each chunk lies on one page, is the exact slice ``page.text[start:end]`` and records the
    heading of its section ("" before the first heading; sections continue across pages).
    Windows hold whole sentences up to ``max_words`` whitespace-separated words. A window under
    ``min_words`` (a section's tail, or one before a sentence that does not fit) is merged with
    its neighbour in the same section if the result stays within 1.3 × ``max_words``. A sentence
    longer than ``max_words`` is cut at word boundaries, preferably at line ends. A heading with
    no body of its own (followed directly by another heading) opens the next section's chunk.
    Raises ``ValueError`` for a budget below 1 word or ``min_words`` outside 0..``max_words``.
    """
    if max_words < 1:
        raise ValueError(f"max_words must be at least 1, got {max_words}")
    if not 0 <= min_words <= max_words:
        raise ValueError(f"min_words must be between 0 and max_words ({max_words}), got {min_words}")
    chunks: list[Chunk] = []
    label = ""  # sections continue across pages
    for page in pages:
        text = page.text
        headings = find_headings(text)
        sections = page_sections(text, headings, sentence_spans(text, headings), label)
        label = sections[-1].label
        for section_label, sentences in section_bodies(sections):
            for start, end, _ in pack_windows(text, sentences, max_words, min_words):
                chunks.append(
                    Chunk(doc_id, len(chunks), page.number, section_label, start, end, text[start:end])
                )
    return chunks
