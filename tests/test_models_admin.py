"""`ratsinfo models check|download` and the CrossEncoder reranker, with models built in the test.

The tiny BERT models (tests/tiny_models.py) are real sentence-transformers folders loaded with
HF_HUB_OFFLINE=1; the hub itself is never contacted (the failing download is pointed at a closed
port on 127.0.0.1).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from assistant.access import Principal
from assistant.cli import app
from assistant.config import Settings
from assistant.embedding import build_embedder
from assistant.errors import InvalidRequestError
from assistant.models_admin import MANIFEST, download_model
from assistant.retrieval import HybridRetriever
from assistant.services import build_services
from assistant.store.search_text import search_text
from tests.conftest import REPO
from tests.llm_double import MODEL, LLMDouble, build_app
from tests.servers import free_port, serve_in_thread
from tests.tiny_models import build_cross_encoder, build_embedding_model

CITIZEN = Principal(name="buerger")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tiny-models")
    return build_embedding_model(folder / "tiny-embedder"), build_cross_encoder(folder / "tiny-reranker")


def test_download_saves_a_model_folder_that_loads_offline(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    from sentence_transformers import CrossEncoder, SentenceTransformer

    embedder_src, reranker_src = tiny
    report = download_model(str(embedder_src), tmp_path / "emb", "embedding")
    assert report.dimension == 32 and report.files >= 5
    assert json.loads((tmp_path / "emb" / MANIFEST).read_text())["kind"] == "embedding"
    saved = build_embedder(Settings(data_dir=tmp_path / "data", embed_model=str(tmp_path / "emb")))
    texts = ["Antrag zum Radweg an der Weserpromenade", "Haushalt der Schule"]
    original = SentenceTransformer(str(embedder_src)).encode(texts, normalize_embeddings=True)
    assert np.allclose(saved.embed_passages(texts), original, atol=1e-5)

    download_model(str(reranker_src), tmp_path / "ce", "reranker")
    pairs = [("Radweg", "Antrag zum Radweg"), ("Radweg", "Kita Neubau")]
    assert np.allclose(
        CrossEncoder(str(tmp_path / "ce")).predict(pairs), CrossEncoder(str(reranker_src)).predict(pairs)
    )


def test_download_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x")
    with pytest.raises(InvalidRequestError, match="not empty"):
        download_model("intfloat/multilingual-e5-small", tmp_path)


def test_download_without_the_hub_fails_with_a_clear_message(tmp_path: Path) -> None:
    """No network here: the hub address is a closed port on 127.0.0.1, so the failure is real and fast."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HF_", "TRANSFORMERS_"))}
    env.update(HF_ENDPOINT=f"http://127.0.0.1:{free_port()}", HF_HOME=str(tmp_path / "hf-home"))
    target = tmp_path / "e5-small"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant.cli",
            "models",
            "download",
            "intfloat/multilingual-e5-small",
            "--to",
            str(target),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "Das Modell 'intfloat/multilingual-e5-small' lässt sich nicht laden" in result.stderr
    assert "Hugging-Face-Hub" in result.stderr and "RATSINFO_EMBED_MODEL" in result.stderr
    assert not target.exists()


@pytest.fixture(scope="module")
def llm_url() -> Iterator[str]:
    with serve_in_thread(build_app(LLMDouble())) as url:
        yield url + "/v1"


def test_models_check_loads_each_configured_model(
    tiny: tuple[Path, Path], tmp_path: Path, llm_url: str
) -> None:
    embedder_src, reranker_src = tiny
    env = {
        "RATSINFO_DATA_DIR": str(tmp_path / "data"),
        "RATSINFO_EMBED_MODEL": str(embedder_src),
        "RATSINFO_RERANK_MODEL": str(reranker_src),
        "RATSINFO_LLM_URL": llm_url,
        "RATSINFO_LLM_MODEL": MODEL,
    }
    result = CliRunner().invoke(app, ["models", "check", "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    status = {model["role"]: model["status"] for model in report["models"]}
    assert report["ok"] and status == {"embedder": "ok", "store": "aus", "reranker": "ok", "llm": "ok"}

    broken = {
        **env,
        "RATSINFO_RERANK_MODEL": str(tmp_path / "no-such-model"),
        "RATSINFO_LLM_URL": f"http://127.0.0.1:{free_port()}/v1",
    }
    result = CliRunner().invoke(app, ["models", "check", "--json"], env=broken)
    assert result.exit_code == 1
    models = {model["role"]: model for model in json.loads(result.stdout)["models"]}
    assert (
        models["reranker"]["status"] == "fehler" and "RATSINFO_RERANK_MODEL" in models["reranker"]["detail"]
    )
    assert models["llm"]["status"] == "fehler" and "nicht erreichbar" in models["llm"]["detail"]
    assert models["embedder"]["status"] == "ok"


def test_the_reranker_orders_the_fused_candidates_before_top_k(
    tiny: tuple[Path, Path], sample_corpus: Path, tmp_path: Path
) -> None:
    from sentence_transformers import CrossEncoder

    _, reranker_src = tiny
    settings = Settings(
        data_dir=tmp_path / "data", rerank_model=str(reranker_src), top_k=5, rerank_candidates=20
    )
    services = build_services(settings)
    try:
        services.ingestor.ingest([str(sample_corpus / "public")])
        for group in sorted((sample_corpus / "restricted").iterdir()):
            services.ingestor.ingest([str(group)], access=frozenset({group.name}))
        query = "Haushalt 2026 Grundsteuer"
        reranked = services.retriever.search(query, CITIZEN, k=5)
        plain = HybridRetriever(services.store, services.embedder, settings).search(query, CITIZEN, k=20)

        scores = CrossEncoder(str(reranker_src)).predict(
            [(query, search_text(p.document, p.chunk.section, p.chunk.text)) for p in plain]
        )
        expected = [
            plain[i].chunk.chunk_id for i in sorted(range(len(plain)), key=lambda i: (-scores[i], i))
        ][:5]
        assert [p.chunk.chunk_id for p in reranked] == expected
        assert {p.chunk.chunk_id for p in reranked} != {p.chunk.chunk_id for p in plain[:5]}
        assert all(CITIZEN.can_see(p.document.access) for p in reranked)
    finally:
        services.close()
