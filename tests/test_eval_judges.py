"""Entailment judges: the lexical default on the labelled pairs and on German number and date
formats, a CrossEncoder built here from scratch, and an LLM judge against a scripted server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from assistant.answering.judging import LexicalJudge
from assistant.answering.judging.facts import extract_facts
from eval.judges import build_judge
from eval.judges.llm import LLMJudge, chat_completions_url, parse_verdict
from eval.judges.validation import load_pairs, validate_judge

PASSAGE = (
    "Die SPD-Fraktion beantragt am 01.07.2025, für den Radweg an der Weserpromenade 1.500 € bereitzustellen. "
    "Der Bau- und Verkehrsausschuss hat den Antrag einstimmig befürwortet. "
    "Eine Förderung durch das Land gibt es nicht."
)


@pytest.fixture(scope="module")
def lexical_validation() -> dict[str, Any]:
    return validate_judge(LexicalJudge(), load_pairs())


def test_the_labelled_pairs_hold_enough_hard_negatives() -> None:
    pairs = load_pairs()
    kinds = {pair.kind for pair in pairs if not pair.supported}
    assert len(pairs) >= 150
    assert {
        "changed_number",
        "changed_date",
        "negation",
        "other_fraktion",
        "swapped_body",
        "partial",
    } <= kinds


def test_lexical_judge_accuracy_and_kappa_on_the_labelled_pairs(lexical_validation: dict[str, Any]) -> None:
    # Floors: always answering "unsupported" scores 0.58 with kappa 0. Measured: 0.97 / kappa 0.93 on
    # all 247 pairs, 0.89 / 0.78 on the 47 written after the rules were fixed. The floors leave room
    # for a handful of changed verdicts; breaking number or date matching flips dozens of pairs.
    assert lexical_validation["accuracy"] >= 0.93
    assert lexical_validation["kappa"] >= 0.85
    assert lexical_validation["by_split"]["heldout"]["accuracy"] >= 0.85


@pytest.mark.parametrize(
    "kind", ["changed_number", "changed_date", "negation", "other_fraktion", "swapped_body"]
)
def test_lexical_judge_catches_the_hard_negatives(lexical_validation: dict[str, Any], kind: str) -> None:
    assert lexical_validation["by_kind"][kind]["accuracy"] >= 0.9


@pytest.mark.parametrize(
    "sentence",
    [
        "Die SPD-Fraktion beantragt 1500 Euro für den Radweg an der Weserpromenade.",
        "Die SPD-Fraktion beantragt am 1. Juli 2025 Mittel für den Radweg an der Weserpromenade.",
        "Der Bau- und Verkehrsausschuss hat den Antrag einstimmig befürwortet.",
        "Eine Förderung durch das Land gibt es nicht.",
    ],
)
def test_lexical_judge_accepts_other_spellings_of_the_same_facts(sentence: str) -> None:
    verdict = LexicalJudge().judge(sentence, [PASSAGE])
    assert verdict.supported, verdict.reason


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Die SPD-Fraktion beantragt 1.800 € für den Radweg an der Weserpromenade.", "Zahl 1800"),
        ("Die SPD-Fraktion beantragt am 01.08.2025 Mittel für den Radweg.", "Datum 2025-08-01"),
        ("Die CDU-Fraktion beantragt Mittel für den Radweg an der Weserpromenade.", "Fraktion/Partei cdu"),
        ("Der Umweltausschuss hat den Antrag einstimmig befürwortet.", "Gremium umweltausschuss"),
        ("Eine Förderung durch das Land gibt es.", "Verneinung"),
        ("Der Bau- und Verkehrsausschuss hat den Antrag mehrheitlich befürwortet.", "mehrheitlich"),
    ],
)
def test_lexical_judge_rejects_changed_facts_and_says_which(sentence: str, reason: str) -> None:
    verdict = LexicalJudge().judge(sentence, [PASSAGE])
    assert not verdict.supported
    assert reason in verdict.reason


def test_facts_are_normalised_across_german_spellings() -> None:
    assert extract_facts("1.500 €").numbers == extract_facts("1500 Euro").numbers == {"1500"}
    assert extract_facts("1,5 Mio. €").numbers == extract_facts("1.500.000 Euro").numbers
    assert extract_facts("am 01.07.2025").dates == extract_facts("am 1. Juli 2025").dates == {"2025-07-01"}
    assert extract_facts("Fraktion Bündnis 90/Die Grünen").parties == extract_facts("die Grünen").parties
    assert extract_facts("Fraktion Bündnis 90/Die Grünen").numbers == set()  # 90 is part of a name
    assert extract_facts("Vorlage 2025/0146 und A0078/25").references == {"2025/0146", "A0078/25"}
    assert extract_facts("des Stadtrates").bodies == {"stadtrat"}


def test_a_verbatim_quote_is_supported_even_in_slide_text_without_full_stops() -> None:
    slide = "Geplante Änderung \uf0a7keine Bedienung an Samstagen \uf0a7Entfall der Haltestelle Am Zinken"
    assert LexicalJudge().judge(slide, [f"Buslinie 71.\n{slide}"]).supported
    assert not LexicalJudge().judge("Eine Förderung durch das Land gibt es.", [PASSAGE]).supported


def test_build_judge_refuses_unknown_specs() -> None:
    assert build_judge("lexical").name == "lexical"
    for spec, message in (("nli", "unknown judge"), ("cross-encoder:", "needs a model"), ("llm:", "URL")):
        with pytest.raises(ValueError, match=message):
            build_judge(spec)


# -- CrossEncoder: a tiny NLI-shaped model built in the test proves loading and inference --------


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer BERT with hidden size 32 and a WordPiece vocabulary trained right here (no download)."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-nli")
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(
        vocab_size=300, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    )
    tokenizer.train_from_iterator([PASSAGE] * 3, trainer)
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
        sep_token="[SEP]", mask_token="[MASK]",
    )  # fmt: skip
    labels = {0: "contradiction", 1: "entailment", 2: "neutral"}
    shape: dict[str, Any] = {
        "vocab_size": fast.vocab_size, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
        "intermediate_size": 64, "max_position_embeddings": 256, "num_labels": 3, "id2label": labels,
        "label2id": {v: k for k, v in labels.items()},
    }  # fmt: skip
    config = BertConfig(**shape)
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    with torch.no_grad():  # bias the head towards "entailment" so the verdict is known in advance
        model.classifier.bias.copy_(torch.tensor([0.0, 6.0, 0.0]))
    model.save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


def test_cross_encoder_judge_loads_a_local_model_offline_and_reads_the_entailment_column(
    tiny_cross_encoder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    judge = build_judge(f"cross-encoder:{tiny_cross_encoder}")
    long_passage = " ".join([PASSAGE] * 3)  # long enough for sentence windows besides the whole
    verdict = judge.judge("Der Ausschuss hat befürwortet.", [long_passage])
    assert judge.name == f"cross-encoder:{tiny_cross_encoder}"
    assert verdict.supported and verdict.score > 0.9 and "Entailment" in verdict.reason
    assert not judge.judge("Der Ausschuss hat befürwortet.", []).supported
    result = validate_judge(judge, load_pairs()[:6])
    assert result["pairs"] == 6 and result["judge"] == judge.name


# -- LLM judge: a scripted OpenAI-compatible server is the test double (no LLM runs here) --------


class _ScriptedChat(BaseHTTPRequestHandler):
    """Answers like a chat model: "supported" iff every word of the claim occurs in the passages."""

    requests: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
        )
        user = body["messages"][-1]["content"]
        passages, _, claim = user.partition("\n\nAussage:\n")
        words = [w.strip(".,").lower() for w in claim.split()]
        supported = all(w in passages.lower() for w in words)
        content = json.dumps({"supported": supported, "reason": "alle Wörter" if supported else "Wort fehlt"})
        if "Freitext" in claim:
            content = "Ja, das steht so in der Passage."
        reply = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def chat_server() -> Iterator[str]:
    _ScriptedChat.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ScriptedChat)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_llm_judge_posts_a_chat_completion_and_reads_the_json_verdict(chat_server: str) -> None:
    judge = LLMJudge(chat_server, model="judge-model", api_key="geheim")
    try:
        supported = judge.judge("Der Antrag wurde befürwortet.", ["Der Antrag wurde einstimmig befürwortet."])
        rejected = judge.judge("Der Antrag wurde abgelehnt.", ["Der Antrag wurde einstimmig befürwortet."])
        lenient = judge.judge("Freitext", ["Freitext steht hier."])
    finally:
        judge.close()
    assert supported.supported and supported.reason == "alle Wörter"
    assert not rejected.supported and rejected.reason == "Wort fehlt"
    assert lenient.supported  # "Ja, …" without JSON
    request = _ScriptedChat.requests[0]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer geheim"
    assert request["body"]["model"] == "judge-model" and request["body"]["temperature"] == 0
    assert "Der Antrag wurde einstimmig befürwortet." in request["body"]["messages"][-1]["content"]


def test_llm_verdict_parsing_and_url_forms() -> None:
    assert parse_verdict('Hier: {"supported": false, "reason": "Zahl falsch"}').reason == "Zahl falsch"
    assert not parse_verdict("Nein.").supported
    assert not parse_verdict("Vielleicht").supported
    assert chat_completions_url("http://h:8/v1/") == "http://h:8/v1/chat/completions"
    assert chat_completions_url("http://h:8/v1/chat/completions") == "http://h:8/v1/chat/completions"
