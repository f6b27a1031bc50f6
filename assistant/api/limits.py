"""Request bodies the API refuses with a 4xx and a message before they can cause a 500.

* Larger than ``max_bytes``: 413. The body is read here, at most ``max_bytes`` of it, and then
  replayed to the application, so a client that declares no length (chunked) or a false one is
  held to the limit as well. API bodies are small JSON documents; the default limit
  (``RATSINFO_MAX_REQUEST_KB``) leaves room for the longest valid question with its history.
* JSON bodies the application could not read: 422 with a message, like FastAPI's own answer to
  malformed JSON. Found by fuzzing: bytes that are not UTF-8 and nesting deeper than Python's
  recursion limit got an undocumented 400, and strings with a lone UTF-16 surrogate
  (``"\\ud800"``, which JSON allows and Python decodes, but nothing can encode as UTF-8 again)
  turned a validation error into a 500.

Pure ASGI (no BaseHTTPMiddleware), so that streaming responses pass through untouched.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await _refuse(send, 400, "Ungültige Content-Length / invalid Content-Length header.")
                return
            if int(declared) > self.max_bytes:
                await self._too_large(send)
                return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break  # the client went away: let the application see that
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._too_large(send)
                return
            if not message.get("more_body", False):
                break

        problem = _unreadable_json(b"".join(m.get("body", b"") for m in messages), scope)
        if problem:
            await _refuse(send, 422, problem)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        await _refuse(
            send,
            413,
            f"Anfrage zu groß: höchstens {self.max_bytes // 1024} kB / request body larger than "
            f"{self.max_bytes // 1024} kB (RATSINFO_MAX_REQUEST_KB).",
        )


def _unreadable_json(body: bytes, scope: Scope) -> str:
    """Why the application could not read this JSON body, or "" (also for malformed JSON:
    FastAPI answers that with a 422 naming the position)."""
    content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
    if not body or (content_type and b"json" not in content_type):  # FastAPI reads JSON then
        return ""
    try:
        parsed = json.loads(body)  # as FastAPI does: UTF-8, or UTF-16/32 with their marks
    except UnicodeDecodeError:
        return "Die Anfrage ist kein gültiges UTF-8 / the request body is not valid UTF-8 JSON."
    except RecursionError:
        return "Das JSON ist zu tief verschachtelt / the JSON is nested too deeply."
    except ValueError:
        return ""
    pending = [parsed]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return (
                    "Der Text enthält ungültige Unicode-Zeichen (einzelne UTF-16-Surrogate) / "
                    "the JSON holds a lone UTF-16 surrogate, which is not valid Unicode text."
                )
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return ""


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def install_body_limit(app: FastAPI, max_bytes: int) -> None:
    """Refuse oversized and unreadable bodies (inside the audit middleware: they are recorded)."""
    app.add_middleware(BodySizeLimit, max_bytes=max_bytes)
    _document_refusals(app)


def _document_refusals(app: FastAPI) -> None:
    """Make the OpenAPI document say what the API really answers when it refuses a request.

    FastAPI documents a 422 body as a list of validation errors; the project's own errors
    (assistant/errors.py, mapped in app.py) answer ``{"detail": "message"}`` with 422 too. Both
    shapes are documented, and 413 on every operation that takes a body.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        error = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError")
        if error and "detail" in error.get("properties", {}):
            listed = error["properties"]["detail"]
            error["properties"]["detail"] = {
                "anyOf": [listed, {"type": "string"}],
                "title": "Detail",
                "description": "Validation errors, or one message.",
            }
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "requestBody" in operation:
                    operation.setdefault("responses", {}).setdefault(
                        "413", {"description": "Request body larger than RATSINFO_MAX_REQUEST_KB."}
                    )
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
