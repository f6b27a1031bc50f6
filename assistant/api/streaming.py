"""The media type of streamed answers; the events themselves are in assistant/answering/events.py.

/api/v1/ask/stream sends newline-delimited JSON: a ``citations`` event first, then ``answer``
pieces whose texts joined give the answer, then ``done`` with the full response. The request is
audited before the first byte leaves (the service writes its record: assistant/service/).
"""

from __future__ import annotations

NDJSON = "application/x-ndjson"
