"""The text a chunk is indexed under: its own words plus a short header of its document.

A passage often does not repeat what its document is about ("Die Kosten betragen 2,4 Mio. €"
under the Betreff "Sanierung des Freibads"). Prefixing the title, type (as stated, and its
family where that says more: "Auskunftsersuchen" is an Anfrage), reference, originator and section
makes such passages findable by the question's topic, in BM25 and in the dense index alike. The
stored and cited text stays the page's own.
"""

from __future__ import annotations

import hashlib

from ingest.metadata.paper_types import describe_paper_type
from ingest.records import DocumentInfo


def search_text(document: DocumentInfo, section: str, text: str) -> str:
    kind = describe_paper_type(document.paper_type, document.paper_family)
    header = " · ".join(
        part for part in (document.title, kind, document.reference, document.originator, section) if part
    )
    return f"{header}\n{text}" if header else text


def text_hash(text: str) -> str:
    """The key under which a text's vector is reused: equal texts embed to equal vectors."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def chunk_text_hash(document: DocumentInfo, section: str, text: str) -> str:
    """``text_hash`` of the text a chunk is embedded as (its header included)."""
    return text_hash(search_text(document, section, text))
