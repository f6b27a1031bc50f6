"""Alerts as an Atom feed (RFC 4287): one entry per alert, as the feed's user may see it now.

Feed: ``id`` (a URN derived from the server's address and the user), ``title``, ``updated``,
``author``, a ``link`` to the web UI and a ``generator``. Entry: ``id`` (a URN per alert),
``title`` (reference and title), ``updated`` and ``published`` (when the alert was made), a
``link`` to the document view, the paper type as ``category``, a ``summary`` (the matched
passage or the followed paper's news) and a ``content`` of type text with reference, type,
date, bodies, reason and news. The secret of the feed's address appears nowhere in it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from xml.etree import ElementTree

from assistant.service.alert_models import AlertOut

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
_EMPTY_UPDATED = "1970-01-01T00:00:00+00:00"


def _urn(*parts: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)).urn


def _add(parent: ElementTree.Element, tag: str, text: str = "", **attributes: str) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text:
        element.text = text
    return element


def _content(item: AlertOut) -> str:
    lines = [
        f"Aktenzeichen: {item.reference or '–'}",
        f"Art: {item.paper_type or '–'}",
        f"Datum: {item.date:%d.%m.%Y}" if item.date else "Datum: –",
        f"Gremien: {'; '.join(item.bodies) or '–'}",
        f"Grund: {item.reason}",
        *(f"– {event}" for event in item.events),
    ]
    if item.kind == "search" and item.snippet:
        lines.append(f"„{item.snippet}“")
    return "\n".join(lines)


def feed_xml(base_url: str, user: str, items: Sequence[AlertOut]) -> bytes:
    """The Atom document of ``user``'s alerts ``items`` (newest first)."""
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "de"})
    _add(feed, "id", _urn(base_url, "feeds", user))
    _add(feed, "title", f"Ratsinfo: Neues für {user}")
    _add(feed, "subtitle", "Gespeicherte Suchen und verfolgte Vorgänge")
    _add(feed, "updated", max((item.created for item in items), default=_EMPTY_UPDATED))
    author = _add(feed, "author")
    _add(author, "name", "Ratsinfo-Assistent")
    _add(feed, "link", rel="alternate", type="text/html", href=f"{base_url}/ui/")
    _add(feed, "generator", "ratsinfo-assistant")
    for item in items:
        entry = _add(feed, "entry")
        _add(entry, "id", _urn(base_url, "alerts", str(item.id)))
        title = " · ".join(part for part in (item.reference, item.title) if part)
        _add(entry, "title", title or "Ohne Titel")
        _add(entry, "updated", item.created)
        _add(entry, "published", item.created)
        _add(entry, "link", rel="alternate", type="text/html", href=item.link)
        if item.paper_type:
            _add(entry, "category", term=item.paper_type)
        _add(entry, "summary", item.snippet or item.reason)
        _add(entry, "content", _content(item), type="text")
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
