"""A scripted OpenAI-compatible chat server on 127.0.0.1: the test double of the city's LLM.

It stands in for the city's LLM (vLLM, llama.cpp, Ollama) where a test needs to decide what the
model says: a real small model (test_llm_real.py) writes what it writes, so the deterministic
cases (a given fault, a given citation) are scripted here. It speaks their wire protocol
(``POST /v1/chat/completions`` with and without ``stream: true`` as server-sent events,
``GET /v1/models``), and the answerer talks to it through its real client (llama-index's
``OpenAILike`` over HTTP). What it replies is decided per request by a script the test sets;
``sources`` reads the fenced sources back out of the prompt, so a script can answer from
whatever the retriever really put there.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

MODEL = "test-double-llm"
_SOURCE = re.compile(r"<<<QUELLE \[(\d+)\]\n(.*?)\n>>>", re.DOTALL)


@dataclass
class Reply:
    """What the double answers: text (in pieces of ``piece_chars``), or an HTTP error."""

    content: str = ""
    status: int = 200
    delay_s: float = 0.0  # before the first byte
    piece_chars: int = 9
    stall_after: int | None = None  # streaming: stop sending after this many characters ...
    stall_s: float = 0.0  # ... for this long


@dataclass
class LLMDouble:
    script: Callable[[dict[str, Any]], Reply] = field(default=lambda request: Reply("Hallo."))
    requests: list[dict[str, Any]] = field(default_factory=list)
    sent_at: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time, piece)

    def reset(self, script: Callable[[dict[str, Any]], Reply]) -> None:
        self.script = script
        self.requests.clear()
        self.sent_at.clear()


def sources(request: dict[str, Any]) -> dict[int, str]:
    """The numbered sources of an answer prompt, as the model sees them."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    return {int(number): text for number, text in _SOURCE.findall(user)}


def system_prompt(request: dict[str, Any]) -> str:
    return str(next(m["content"] for m in request["messages"] if m["role"] == "system"))


def is_condense_request(request: dict[str, Any]) -> bool:
    return "Letzte Frage:" in str(request["messages"][-1]["content"])


def source_with(request: dict[str, Any], needle: str) -> int:
    """The number of the first source containing ``needle`` (the test fails if none does)."""
    found = [number for number, text in sources(request).items() if needle in text]
    assert found, f"no source contains {needle!r}: {list(sources(request))}"
    return found[0]


def _chunk(content: str | None, finish: str | None) -> str:
    payload = {
        "id": "chatcmpl-double",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "delta": {"role": "assistant", "content": content} if content is not None else {},
                "finish_reason": finish,
            }
        ],
    }
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def build_app(double: LLMDouble) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": MODEL, "object": "model"}]}

    @app.post("/v1/chat/completions", response_model=None)
    async def chat(request: Request) -> JSONResponse | StreamingResponse:
        body = await request.json()
        double.requests.append(body)
        reply = double.script(body)
        if reply.delay_s:
            await asyncio.sleep(reply.delay_s)
        if reply.status != 200:
            return JSONResponse({"error": {"message": "scripted failure"}}, status_code=reply.status)
        if not body.get("stream"):
            return JSONResponse(
                {
                    "id": "chatcmpl-double",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": MODEL,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply.content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
            )

        async def events() -> AsyncIterator[str]:
            sent = 0
            for start in range(0, len(reply.content), reply.piece_chars):
                if reply.stall_after is not None and sent >= reply.stall_after:
                    await asyncio.sleep(reply.stall_s)
                    reply.stall_after = None
                piece = reply.content[start : start + reply.piece_chars]
                double.sent_at.append((time.monotonic(), piece))
                yield _chunk(piece, None)
                sent += len(piece)
                await asyncio.sleep(0.002)
            yield _chunk(None, "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app
