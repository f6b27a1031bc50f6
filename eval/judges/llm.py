"""An LLM as judge through any OpenAI-compatible chat completions endpoint (vLLM, llama.cpp, Ollama …).

The model is asked for a JSON object ``{"supported": true|false, "reason": "…"}`` at temperature 0.
Answers that are not valid JSON are read leniently ("ja"/"true" at the start); an answer that
says neither is counted as unsupported, and the reason says so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import httpx

from assistant.answering.judging.base import Verdict, join_passages

SYSTEM_PROMPT = (
    "Du prüfst Aussagen über Ratsdokumente. Eine Aussage ist nur dann gestützt, wenn alles, was sie "
    "behauptet, aus den Passagen folgt: gleiche Zahlen, Daten, Beträge, Gremien und Fraktionen, gleiche "
    "Verneinung. Antworte ausschließlich mit JSON: "
    '{"supported": true oder false, "reason": "ein kurzer Satz"}.'
)
_LEADING = re.compile(r"^\W*(ja|yes|true|gestützt)\b", re.IGNORECASE)
_NEGATIVE = re.compile(r"^\W*(nein|no|false|nicht gestützt)\b", re.IGNORECASE)
_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


def chat_completions_url(url: str) -> str:
    """``http://host:8000/v1`` → ``http://host:8000/v1/chat/completions``; a full URL stays."""
    url = url.rstrip("/")
    return url if url.endswith("/chat/completions") else f"{url}/chat/completions"


class LLMJudge:
    """Entailment by a chat model; ``url`` is the API base (…/v1) or the full completions URL."""

    def __init__(
        self,
        url: str,
        model: str = "default",
        api_key: str = "",
        timeout: float = 60.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.name = f"llm:{model}@{url}"
        self.model = model
        self._url = chat_completions_url(url)
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = client or httpx.Client(timeout=timeout, headers=headers)

    def close(self) -> None:
        self._client.close()

    def judge(self, sentence: str, passages: Sequence[str]) -> Verdict:
        premise = join_passages(passages)
        if not premise:
            return Verdict(False, 0.0, "keine Passage")
        payload = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": f"Passagen:\n{premise}\n\nAussage:\n{sentence}"},
            ],
        }
        response = self._client.post(self._url, json=payload)
        response.raise_for_status()
        try:
            content = str(response.json()["choices"][0]["message"]["content"])
        except (KeyError, IndexError, TypeError, ValueError) as error:
            raise RuntimeError(f"unexpected answer from {self._url}: {response.text[:200]}") from error
        return parse_verdict(content)


def parse_verdict(content: str) -> Verdict:
    """Read the model's answer: JSON first, then a leading yes/no."""
    match = _JSON_OBJECT.search(content)
    if match:
        try:
            data = json.loads(match.group(0))
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("supported"), bool):
            supported = data["supported"]
            return Verdict(supported, 1.0 if supported else 0.0, str(data.get("reason", "")))
    if _NEGATIVE.match(content):
        return Verdict(False, 0.0, content.strip()[:200])
    if _LEADING.match(content):
        return Verdict(True, 1.0, content.strip()[:200])
    return Verdict(False, 0.0, f"unlesbare Antwort: {content.strip()[:120]}")
