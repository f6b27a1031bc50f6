"""The sections of a page: its sentences grouped under the heading that precedes them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ingest.text.headings import Heading

# (start, end, number of whitespace-separated words) of one sentence in the page text
Sentence = tuple[int, int, int]


@dataclass(slots=True)
class Section:
    """The sentences of one page under one heading label ("" before the first heading)."""

    label: str
    sentences: list[Sentence] = field(default_factory=list)
    heading_only: bool = False  # nothing but the heading line itself, so far


def page_sections(
    text: str, headings: Sequence[Heading], sentences: Sequence[tuple[int, int]], label: str
) -> list[Section]:
    """Group a page's sentences by heading; the first section continues the previous page's ``label``."""
    sections = [Section(label)]
    h = 0
    for s, e in sentences:
        while h < len(headings) and headings[h].start <= s:
            sections.append(Section(headings[h].label, heading_only=not headings[h].inline_body))
            h += 1
        heading = headings[h - 1] if h else None
        if heading is not None and e > heading.end:
            sections[-1].heading_only = False
        sections[-1].sentences.append((s, e, len(text[s:e].split())))
    return sections


def section_bodies(sections: Sequence[Section]) -> Iterator[tuple[str, list[Sentence]]]:
    """Each section's label and the sentences to pack into its windows.

    A heading directly followed by another one ("Gegenstand:\\nBeschlussvorschlag:") has no body
    of its own: its line opens the next section's first chunk.
    """
    carried: list[Sentence] = []
    for i, section in enumerate(sections):
        section_sentences = carried + section.sentences
        carried = []
        if section.heading_only and i + 1 < len(sections) and section_sentences:
            carried = section_sentences
            continue
        yield section.label, section_sentences
