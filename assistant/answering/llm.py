"""The client of the city's own LLM: any server speaking the OpenAI-compatible chat API.

vLLM, llama.cpp's ``llama-server``, Ollama, LM Studio and most municipal gateways serve
``/v1/chat/completions``; llama-index's ``OpenAILike`` talks to all of them. Every failure
(timeout, refused connection, HTTP error, a malformed reply) becomes one ``LLMUnavailableError``
with a German reason, because the caller's answer to all of them is the same: fall back to the
extractive answer and say why.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from assistant.config import Settings
from assistant.errors import ConfigurationError

# Factual answers: as little sampling randomness as the servers allow without special-casing.
_TEMPERATURE = 0.1
_THINK_OPEN, _THINK_CLOSE = "<think>", "</think>"


class LLMUnavailableError(Exception):
    """The LLM gave no usable reply; ``reason`` is German and shown to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def llm_configured(settings: Settings) -> bool:
    return bool(settings.llm_url.strip())


def _reason(error: Exception, timeout_s: float) -> str:
    import httpx
    import openai

    # Before the reply starts, the OpenAI client wraps httpx's errors; while it streams, it does not.
    if isinstance(error, openai.APITimeoutError | httpx.TimeoutException):
        return f"Das Sprachmodell hat nicht innerhalb von {timeout_s:g} s geantwortet"
    if isinstance(error, openai.APIConnectionError):
        return "Das Sprachmodell ist nicht erreichbar"
    if isinstance(error, httpx.TransportError):
        return "Die Verbindung zum Sprachmodell ist abgebrochen"
    if isinstance(error, openai.APIStatusError):
        return f"Das Sprachmodell hat mit einem Fehler geantwortet (HTTP {error.status_code})"
    return f"Das Sprachmodell hat unerwartet geantwortet ({type(error).__name__})"


class _ThinkFilter:
    """Drops ``<think>…</think>`` blocks that reasoning models write into the content."""

    def __init__(self) -> None:
        self._buffer = ""
        self._inside = False

    def feed(self, text: str) -> str:
        self._buffer += text
        out: list[str] = []
        while self._buffer:
            tag = _THINK_CLOSE if self._inside else _THINK_OPEN
            found = self._buffer.find(tag)
            if found >= 0:
                if not self._inside:
                    out.append(self._buffer[:found])
                self._buffer = self._buffer[found + len(tag) :]
                self._inside = not self._inside
                continue
            # Keep a tail that could be the start of a tag split across two pieces.
            keep = next((n for n in range(len(tag) - 1, 0, -1) if self._buffer.endswith(tag[:n])), 0)
            if not self._inside:
                out.append(self._buffer[: len(self._buffer) - keep])
            self._buffer = self._buffer[len(self._buffer) - keep :]
            break
        return "".join(out)

    def finish(self) -> str:
        rest, self._buffer = self._buffer, ""
        return "" if self._inside else rest


class ChatLLM:
    """Streams chat completions from ``RATSINFO_LLM_URL``."""

    def __init__(self, settings: Settings) -> None:
        if not llm_configured(settings):
            raise ConfigurationError(
                "no LLM configured: set RATSINFO_LLM_URL (and RATSINFO_LLM_MODEL)",
                german="Kein Sprachmodell eingerichtet: RATSINFO_LLM_URL (und RATSINFO_LLM_MODEL) setzen.",
            )
        if not settings.llm_model.strip():
            raise ConfigurationError(
                "RATSINFO_LLM_URL is set but RATSINFO_LLM_MODEL is empty: name the model the server "
                "serves (llama.cpp's server accepts any name)",
                german="RATSINFO_LLM_URL ist gesetzt, aber RATSINFO_LLM_MODEL ist leer: den Namen des "
                "Modells angeben, das der Server anbietet (llama.cpp nimmt jeden Namen).",
            )
        from llama_index.llms.openai_like import OpenAILike

        self.url = settings.llm_url.strip()
        self.model = settings.llm_model.strip()
        self.timeout_s = settings.llm_timeout_s
        self._llm = OpenAILike(
            model=self.model,
            api_base=self.url,
            # The OpenAI client insists on a key and would read OPENAI_API_KEY; local servers need none.
            api_key=settings.llm_api_key.get_secret_value() or "no-key",
            is_chat_model=True,
            is_function_calling_model=False,
            timeout=settings.llm_timeout_s,
            # A retry doubles the wait before the fallback; the user is better served at once.
            max_retries=0,
            max_tokens=settings.llm_max_tokens,
            temperature=_TEMPERATURE,
        )

    def stream(self, messages: Sequence[tuple[str, str]]) -> Iterator[str]:
        """Yield the reply's text as it arrives; raise ``LLMUnavailableError`` on any failure."""
        chat = _chat_messages(messages)
        thinking = _ThinkFilter()
        try:
            for response in self._llm.stream_chat(chat):
                piece = thinking.feed(response.delta or "")
                if piece:
                    yield piece
        except Exception as error:  # every failure means the same to the caller: fall back
            raise LLMUnavailableError(_reason(error, self.timeout_s)) from error
        rest = thinking.finish()
        if rest:
            yield rest

    def complete(self, messages: Sequence[tuple[str, str]]) -> str:
        """The whole reply at once (used for short requests such as condensing a question)."""
        return "".join(self.stream(messages))


def _chat_messages(messages: Sequence[tuple[str, str]]) -> list[Any]:
    from llama_index.core.llms import ChatMessage, MessageRole

    roles = {"system": MessageRole.SYSTEM, "user": MessageRole.USER, "assistant": MessageRole.ASSISTANT}
    return [ChatMessage(role=roles[role], content=content) for role, content in messages]
