"""Tiny BERT models built on the spot: the real sentence-transformers loading paths, no download.

The tokenizer is trained here on a few German council words, the weights are random (seeded).
They rank nothing sensibly, but they are real ``SentenceTransformer`` / ``CrossEncoder`` folders,
loaded with ``HF_HUB_OFFLINE=1`` exactly as an installed model would be.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_WORDS = (
    "Antrag Anfrage Beschluss Stadtrat Ausschuss Fraktion Radweg Weserpromenade Kosten Euro Schule "
    "Sanierung Haushalt Kita Jugendzentrum Deich Bebauungsplan Verwaltung Stellungnahme Niederschrift "
    "der die das und mit von für zu im am ist wird werden soll Breite Meter Millionen"
)


def _tokenizer(folder: Path) -> None:
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer.train_from_iterator(
        [_WORDS] * 20, trainers.WordPieceTrainer(vocab_size=300, special_tokens=special)
    )
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        model_max_length=128,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    ).save_pretrained(str(folder))


def _config(vocab_size: int, num_labels: int = 2) -> Any:
    from transformers import BertConfig

    config = BertConfig(
        vocab_size=vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    config.num_labels = num_labels  # a CrossEncoder with one label scores relevance
    return config


def build_embedding_model(folder: Path, seed: int = 0) -> Path:
    """A mean-pooled tiny BERT SentenceTransformer (32 dimensions) saved to ``folder``."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from transformers import AutoTokenizer, BertModel

    torch.manual_seed(seed)
    bert_dir = folder.parent / f"{folder.name}-bert"
    _tokenizer(bert_dir)
    vocab = len(AutoTokenizer.from_pretrained(str(bert_dir)))
    BertModel(_config(vocab)).save_pretrained(str(bert_dir))
    transformer = Transformer(str(bert_dir), max_seq_length=128)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(folder))
    return folder


def build_cross_encoder(folder: Path, seed: int = 0) -> Path:
    """A tiny BERT sequence classifier with one label, loadable as a CrossEncoder."""
    import torch
    from transformers import AutoTokenizer, BertForSequenceClassification

    torch.manual_seed(seed)
    _tokenizer(folder)
    vocab = len(AutoTokenizer.from_pretrained(str(folder)))
    BertForSequenceClassification(_config(vocab, num_labels=1)).save_pretrained(str(folder))
    return folder
