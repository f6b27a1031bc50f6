"""The built-in multilingual-e5-small run by our own loop: token-budget batches sorted by length.

The converted folder (``builtin_e5``) is a sentence-transformers folder; this class reads the same
files (``tokenizer.json``, the BertModel weights) and does what sentence-transformers would do
(prefix, truncate at 512 tokens, mean pooling, L2 normalisation), with three differences that make
ingest several times faster on a CPU:

* texts are sorted by their token count and cut into batches of about ``batch_tokens`` tokens, so
  a batch holds texts of nearly one length (little padding; attention grows with the square of it)
  and short texts go in large batches;
* the weights can be bfloat16 (AMX), int8 or float16 (``precision``); pooling and normalisation are
  always float32, so the vectors keep float32's resolution;
* the torch threads are set to the physical cores (``physical_cores``) unless told otherwise.

Vectors equal sentence-transformers' for the same precision (tests/test_embedding_speed.py).
"""

from __future__ import annotations

import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embedding.precision import Precision, physical_cores, variant_name

MAX_TOKENS = 512
_PAD_ID = 1  # XLM-R's <pad>, the id the converted config records


class BuiltinE5Embedder:
    """multilingual-e5-small from a converted folder, in the precision given."""

    def __init__(
        self,
        folder: Path,
        *,
        name: str,
        precision: Precision = "fp32",
        device: str = "cpu",
        batch_tokens: int = 8192,
        threads: int = 0,
        prefixes: tuple[str, str] = ("query: ", "passage: "),
    ) -> None:
        """``name``: the model's name (see ``variant_name``); ``threads`` 0: the physical cores."""
        import torch
        from tokenizers import Tokenizer
        from transformers import BertModel

        self._torch = torch
        self._base_name = name
        self.precision: Precision = precision
        self._device = device
        self._batch_tokens = max(batch_tokens, MAX_TOKENS)
        self._query_prefix, self._passage_prefix = prefixes
        if device == "cpu":
            torch.set_num_threads(threads or physical_cores())
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        model: Any = BertModel.from_pretrained(str(folder), add_pooling_layer=False).eval()
        if precision == "int8":
            model = _quantised(model)
        elif precision == "bf16":
            model = model.to(torch.bfloat16)
        elif precision == "fp16":
            model = model.to(torch.float16)
        self._model = model.to(device)
        self._dimension = int(model.config.hidden_size)
        # One forward pass at a time: torch already uses every core for each; two would contend.
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The model and its precision (``precision.variant_name``): what the store records."""
        return variant_name(self._base_name, self.precision)

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._passage_prefix + text for text in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([self._query_prefix + text])[0]

    def token_counts(self, texts: list[str]) -> list[int]:
        """Tokens each passage is embedded with (prefix, ``<s>``/``</s>``; cut at 512)."""
        encoded = self._tokenizer.encode_batch([self._passage_prefix + text for text in texts])
        return [len(item.ids) for item in encoded]

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        if not texts:
            return out
        encoded = self._tokenizer.encode_batch(texts)
        lengths = np.fromiter((len(item.ids) for item in encoded), dtype=np.int64, count=len(encoded))
        order = np.argsort(lengths, kind="stable")
        with self._lock, self._torch.inference_mode():
            for rows in _batches(lengths[order], self._batch_tokens):
                indices = order[rows]
                out[indices] = self._forward([encoded[index].ids for index in indices])
        return out

    def _forward(self, token_ids: list[list[int]]) -> np.ndarray:
        torch = self._torch
        longest = max(len(ids) for ids in token_ids)
        ids = np.full((len(token_ids), longest), _PAD_ID, dtype=np.int64)
        mask = np.zeros((len(token_ids), longest), dtype=np.int64)
        for row, values in enumerate(token_ids):
            ids[row, : len(values)] = values
            mask[row, : len(values)] = 1
        input_ids = torch.from_numpy(ids).to(self._device)
        attention = torch.from_numpy(mask).to(self._device)
        hidden = self._model(input_ids=input_ids, attention_mask=attention).last_hidden_state.float()
        weights = attention.unsqueeze(-1).float()
        pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
        return torch.nn.functional.normalize(pooled, dim=-1).cpu().numpy()


def _batches(sorted_lengths: np.ndarray, batch_tokens: int) -> list[slice]:
    """Consecutive rows whose padded size (rows x longest) stays within ``batch_tokens``."""
    batches: list[slice] = []
    start = 0
    for end in range(1, len(sorted_lengths) + 1):
        # Lengths ascend, so the batch's longest is its last row.
        if (end - start) * int(sorted_lengths[end - 1]) > batch_tokens and end - 1 > start:
            batches.append(slice(start, end - 1))
            start = end - 1
    batches.append(slice(start, len(sorted_lengths)))
    return batches


def _quantised(model: Any) -> Any:
    """The linear layers as int8 with one scale per output channel, activations quantised per call.

    torch 2.13 marks this eager-mode API deprecated (in favour of torchao, not a dependency here);
    it works as before, so its warnings are silenced where it is called.
    """
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*deprecated.*", category=UserWarning)
        return quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)
