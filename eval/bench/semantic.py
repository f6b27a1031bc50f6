"""A local sentence-transformers model for the semantic runs: no download, a real encoder's cost.

No model can be downloaded on the benchmark machines, so the bench builds one: a BERT encoder
with the shape of all-MiniLM-L6-v2 (6 layers, 384 hidden, 12 heads, 256 tokens) and random
weights, a WordPiece vocabulary trained on the corpus, mean pooling. Its vectors mean nothing,
but it costs what such a model costs per text, which is what the encoder's share of ingest time
and the query latency need. With a real model folder, pass it as ``--embed-model`` instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

LAYERS = 6
HIDDEN = 384
HEADS = 12
INTERMEDIATE = 1536
MAX_TOKENS = 256
VOCABULARY = 8000


def _corpus_lines(corpus: Path, limit: int = 1500) -> Iterator[str]:
    for number, path in enumerate(sorted(corpus.glob("*.txt"))):
        if number >= limit:
            return
        yield path.read_text(encoding="utf-8", errors="replace")


def build_tiny_model(arguments: dict[str, Any]) -> dict[str, Any]:
    """Build (or reuse) the model under ``folder``; returns its path and shape."""
    folder = Path(arguments["folder"])
    shape = {"layers": LAYERS, "hidden": HIDDEN, "heads": HEADS, "max_tokens": MAX_TOKENS}
    if (folder / "modules.json").is_file():
        return {"path": str(folder), "cached": True, **shape}
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Pooling, Transformer
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertModel, BertTokenizerFast  # type: ignore[attr-defined]

    torch.manual_seed(0)
    bert_dir = folder.parent / f"{folder.name}-bert"
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer.train_from_iterator(
        _corpus_lines(Path(arguments["corpus"])),
        trainers.WordPieceTrainer(vocab_size=VOCABULARY, special_tokens=special),
    )
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    fast = BertTokenizerFast(tokenizer_object=tokenizer, model_max_length=MAX_TOKENS)
    fast.save_pretrained(str(bert_dir))
    config = BertConfig(
        vocab_size=len(fast),
        hidden_size=HIDDEN,
        num_hidden_layers=LAYERS,
        num_attention_heads=HEADS,
        intermediate_size=INTERMEDIATE,
        max_position_embeddings=512,
    )
    BertModel(config).save_pretrained(str(bert_dir))
    transformer = Transformer(str(bert_dir), max_seq_length=MAX_TOKENS)
    pooling = Pooling(transformer.get_word_embedding_dimension(), pooling_mode="mean")
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(folder))
    return {"path": str(folder), "cached": False, **shape}
