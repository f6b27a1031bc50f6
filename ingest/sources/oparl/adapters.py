"""Vendor quirk adapters: small repairs of what real OParl servers send.

Every quirk is one function below whose docstring names the vendor behaviour it repairs; each has
a test in tests/test_oparl_adapters.py. An ``Adapter`` bundles the repairs and HTTP behaviours a
vendor needs, and ``select_adapter`` picks it from the System object's vendor, product and name.

Object repairs only touch values that are invalid OParl anyway (a URL field holding "N/A", a
list field holding one object), so the generic adapter for unknown servers applies all of them.
What differs per vendor is HTTP behaviour: only SD.NET may have a 404 read as an empty list
(elsewhere a 404 on a list is an error that must stop the sync), and only ALLRIS gets extra
retries for its spurious HTTP 500s.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

JsonObject = dict[str, Any]
Repair = Callable[[JsonObject], None]

SCHEMA_PREFIX = "https://schema.oparl.org/"

# Fields that hold a list (of objects or URLs), per object type. Only these are wrapped: the same
# name is a single URL elsewhere (Consultation.agendaItem, Membership.organization, Body.paper).
LIST_FIELDS: dict[str, frozenset[str]] = {
    "Paper": frozenset(
        {
            "auxiliaryFile",
            "consultation",
            "keyword",
            "location",
            "originatorOrganization",
            "originatorPerson",
            "relatedPaper",
            "subordinatedPaper",
            "superordinatedPaper",
            "underDirectionOf",
        }
    ),
    "Meeting": frozenset({"agendaItem", "auxiliaryFile", "keyword", "organization", "participant"}),
    "Consultation": frozenset({"keyword", "organization"}),
    "AgendaItem": frozenset({"auxiliaryFile", "keyword"}),
    "File": frozenset({"derivativeFile", "keyword"}),
    "Person": frozenset({"email", "keyword", "membership", "phone", "status"}),
    "Organization": frozenset({"keyword", "membership", "post"}),
}
# Fields holding an embedded object (or its URL), with the type the object has.
EMBEDDED_TYPES = {
    "mainFile": "File",
    "auxiliaryFile": "File",
    "invitation": "File",
    "resultsProtocol": "File",
    "verbatimProtocol": "File",
    "derivativeFile": "File",
    "masterFile": "File",
    "consultation": "Consultation",
    "agendaItem": "AgendaItem",
    "membership": "Membership",
    "location": "Location",
}
_MIME_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "htm": "text/html",
    "html": "text/html",
    "txt": "text/plain",
    "rtf": "application/rtf",
    "odt": "application/vnd.oasis.opendocument.text",
}


# -- object repairs (each mutates one JSON object in place) -----------------------------------


def drop_not_available(obj: JsonObject) -> None:
    """ALLRIS writes the string "N/A" into URL fields (and System.name) instead of leaving them out."""
    for key in [key for key, value in obj.items() if isinstance(value, str) and value.strip() == "N/A"]:
        del obj[key]


def drop_empty_urls(obj: JsonObject) -> None:
    """ALLRIS sends ``downloadUrl: ""`` (and other empty URL fields) when there is no such URL."""
    for key in [key for key, value in obj.items() if key.endswith("Url") and value in ("", None)]:
        del obj[key]


def drop_zero_size(obj: JsonObject) -> None:
    """ALLRIS sends ``size: 0`` for files whose size it does not know; 0 is not a real size."""
    if obj.get("size") in (0, "0"):
        del obj["size"]


def fix_mime_type(obj: JsonObject) -> None:
    """ALLRIS sends ``mimeType: "pdf"`` (a bare extension) instead of ``application/pdf``."""
    value = obj.get("mimeType")
    if isinstance(value, str) and "/" not in value:
        mapped = _MIME_TYPES.get(value.strip().lstrip(".").lower())
        if mapped:
            obj["mimeType"] = mapped
        else:
            del obj["mimeType"]


def wrap_single_objects(obj: JsonObject) -> None:
    """ALLRIS sends a single object (or URL) where OParl requires a list, e.g. ``auxiliaryFile``."""
    for key in LIST_FIELDS.get(object_type(obj), frozenset()) & obj.keys():
        value = obj[key]
        if isinstance(value, dict | str):
            obj[key] = [value]


def drop_null_items(obj: JsonObject) -> None:
    """ALLRIS sends ``[null]`` for an empty list (and null for fields it does not know)."""
    for key in list(obj):
        value = obj[key]
        if value is None:
            del obj[key]
        elif isinstance(value, list) and any(item is None for item in value):
            obj[key] = [item for item in value if item is not None]


REPAIRS: tuple[Repair, ...] = (
    drop_not_available,
    drop_empty_urls,
    drop_zero_size,
    fix_mime_type,
    wrap_single_objects,
    drop_null_items,
)


def infer_type(obj: JsonObject, expected: str, version: str = "1.0") -> None:
    """Some OParl 1.0 servers (SD.NET) omit ``type``, always on deleted objects: take it from context."""
    if not obj.get("type") and expected:
        obj["type"] = f"{SCHEMA_PREFIX}{version}/{expected}"


def object_type(obj: JsonObject) -> str:
    """The short type name ("Paper", "File") of an object, whatever the schema version."""
    value = obj.get("type")
    return value.rstrip("/").rsplit("/", 1)[-1] if isinstance(value, str) else ""


def parse_json_lenient(text: str) -> Any:
    """ALLRIS sends JSON with unescaped control characters (tabs, line breaks) inside strings.

    Strict parsing first; ``strict=False`` accepts control characters in strings and nothing else
    that is invalid, so a truncated or garbled answer still fails (and is retried).
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return json.loads(text, strict=False)


# -- adapters ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Adapter:
    """The repairs and HTTP behaviours one vendor's OParl server needs."""

    name: str
    repairs: tuple[Repair, ...] = REPAIRS
    # SD.NET answers a list without entries (e.g. no papers modified since) with HTTP 404.
    empty_list_on_404: bool = False
    # ALLRIS answers some requests with a spurious HTTP 500 that succeeds when asked again.
    extra_retries_on_500: int = 0

    def repair(self, obj: JsonObject, expected_type: str = "", version: str = "1.0") -> JsonObject:
        """Repair ``obj`` and every object embedded in it, in place; returns ``obj``."""
        stack: list[tuple[JsonObject, str]] = [(obj, expected_type)]
        while stack:
            current, expected = stack.pop()
            infer_type(current, expected, version)
            for fix in self.repairs:
                fix(current)
            for key, inner_type in EMBEDDED_TYPES.items():
                value = current.get(key)
                items = value if isinstance(value, list) else [value]
                stack.extend((item, inner_type) for item in items if isinstance(item, dict))
        return obj

    def parse_json(self, text: str) -> Any:
        return parse_json_lenient(text)


GENERIC = Adapter("generic")
ALLRIS = Adapter("allris", extra_retries_on_500=3)
SDNET = Adapter("sd.net", empty_list_on_404=True)
SESSIONNET = Adapter("sessionnet")

# Substrings of System.vendor / product / name, checked in this order.
_VENDOR_MARKERS: tuple[tuple[tuple[str, ...], Adapter], ...] = (
    (("cc-egov", "allris"), ALLRIS),
    (("sitzungsdienst.net", "sternberg", "sd.net"), SDNET),
    (("somacos", "sessionnet"), SESSIONNET),
)


def select_adapter(system: JsonObject) -> Adapter:
    """The adapter for the server that published ``system`` (its vendor, product or name)."""
    described = " ".join(str(system.get(key, "")) for key in ("vendor", "product", "name", "website")).lower()
    for markers, adapter in _VENDOR_MARKERS:
        if any(marker in described for marker in markers):
            return adapter
    return GENERIC


def schema_version(obj: JsonObject) -> str:
    """ "1.0" or "1.1" from ``oparlVersion`` or ``type`` of a System object; "1.1" if unstated."""
    for key in ("oparlVersion", "type"):
        value = obj.get(key)
        if isinstance(value, str) and "/1.0" in value:
            return "1.0"
    return "1.1"
