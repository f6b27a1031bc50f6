"""The access rule over documents: the one place that decides which documents a principal sees.

Search applies the same rule inside the retriever and the store (a Chroma filter on the
document's groups, checked again on the catalog record); everything else that lists, counts or
opens documents asks here.
"""

from __future__ import annotations

from collections.abc import Iterable

from assistant.access import Principal
from ingest.records import DocumentInfo


def may_see(principal: Principal, document: DocumentInfo) -> bool:
    """Whether ``principal`` may see ``document``: public, one of their groups, or unrestricted."""
    return principal.can_see(document.access)


def visible(principal: Principal, documents: Iterable[DocumentInfo]) -> list[DocumentInfo]:
    """The documents among ``documents`` that ``principal`` may see, in their order."""
    return [document for document in documents if may_see(principal, document)]
