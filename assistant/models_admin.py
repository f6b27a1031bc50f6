"""Models for on-premise installs: which configured models work offline, and fetching them.

``check_models`` loads each configured model exactly as the services would (offline) and asks a
configured LLM server for its model list; nothing else is contacted. ``download_model`` is the
one place that downloads on purpose: on a connected machine it fetches a sentence-transformers
model and saves it to a folder that an air-gapped server's ``RATSINFO_EMBED_MODEL`` or
``RATSINFO_RERANK_MODEL`` can point at.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from assistant.config import Settings
from assistant.embedding.precision import same_vector_space
from assistant.errors import ConfigurationError, InvalidRequestError

Status = Literal["ok", "warnung", "fehler", "aus"]
ModelKind = Literal["embedding", "reranker"]
MANIFEST = "ratsinfo-model.json"
_PROBE_TIMEOUT_S = 5.0
# The switches the download must turn off again; `disable_phone_home` sets them everywhere else.
_ONLINE_ENVIRONMENT = {"HF_HUB_OFFLINE": "0", "TRANSFORMERS_OFFLINE": "0"}


@dataclass(frozen=True, slots=True)
class ModelCheck:
    role: str  # embedder, store, reranker, llm
    configured: str
    status: Status
    detail: str  # German, for the operator

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def _check_embedder(settings: Settings) -> tuple[ModelCheck, tuple[str, int] | None]:
    from assistant.embedding import build_embedder
    from assistant.store.embedder_choice import resolve_embedder

    try:
        settings = resolve_embedder(settings)
        embedder = build_embedder(settings)
    except (ConfigurationError, OSError, ValueError) as error:
        return ModelCheck("embedder", settings.embed_model, "fehler", str(error)), None
    detail = f"lädt offline: {embedder.name}, {embedder.dimension} Dimensionen"
    return ModelCheck("embedder", settings.embed_model, "ok", detail), (embedder.name, embedder.dimension)


def _check_store(settings: Settings, loaded: tuple[str, int] | None) -> ModelCheck:
    """Does the store's build record match the configured embedder (else: `ratsinfo reindex`)?"""
    if not settings.catalog_path.exists():
        return ModelCheck("store", str(settings.data_dir), "aus", "noch kein Bestand (ratsinfo ingest)")
    from assistant.store.catalog import Catalog

    catalog = Catalog(settings.catalog_path)
    try:
        raw = catalog.get_meta("build")
    finally:
        catalog.close()
    if raw is None:
        return ModelCheck("store", str(settings.data_dir), "aus", "noch kein Bestand (ratsinfo ingest)")
    record = json.loads(raw)
    built = f"{record.get('embedder')} ({record.get('dimension')} Dimensionen)"
    if loaded is None:
        return ModelCheck("store", str(settings.data_dir), "warnung", f"gebaut mit {built}")
    if record.get("dimension") != loaded[1] or not same_vector_space(str(record.get("embedder")), loaded[0]):
        return ModelCheck(
            "store",
            str(settings.data_dir),
            "fehler",
            f"gebaut mit {built}, konfiguriert ist {loaded[0]}: `ratsinfo reindex` bettet neu ein",
        )
    return ModelCheck("store", str(settings.data_dir), "ok", f"gebaut mit {built}")


def _check_reranker(settings: Settings) -> ModelCheck:
    if not settings.rerank_model.strip():
        return ModelCheck("reranker", "", "aus", "kein Reranker konfiguriert (RATSINFO_RERANK_MODEL)")
    from assistant.reranking import CrossEncoderReranker

    try:
        reranker = CrossEncoderReranker(settings.rerank_model.strip(), device=settings.device)
    except (ConfigurationError, OSError, ValueError) as error:
        return ModelCheck("reranker", settings.rerank_model, "fehler", str(error))
    return ModelCheck("reranker", settings.rerank_model, "ok", f"lädt offline: {reranker.name}")


def _check_llm(settings: Settings) -> ModelCheck:
    url = settings.llm_url.strip()
    if not url:
        return ModelCheck("llm", "", "aus", "kein LLM konfiguriert (RATSINFO_LLM_URL); Antworten sind Zitate")
    if not settings.llm_model.strip():
        return ModelCheck("llm", url, "fehler", "RATSINFO_LLM_MODEL ist leer")
    import httpx

    key = settings.llm_api_key.get_secret_value()
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        reply = httpx.get(
            url.rstrip("/") + "/models",
            headers=headers,
            timeout=min(_PROBE_TIMEOUT_S, settings.llm_timeout_s),
            follow_redirects=False,
        )
    except httpx.HTTPError as error:
        return ModelCheck("llm", url, "fehler", f"nicht erreichbar: {type(error).__name__}: {error}")
    if reply.status_code != 200:
        return ModelCheck("llm", url, "fehler", f"GET /models antwortet mit HTTP {reply.status_code}")
    try:
        offered = [str(item.get("id")) for item in reply.json().get("data", [])]
    except (ValueError, AttributeError):
        offered = []
    model = settings.llm_model.strip()
    if offered and model not in offered:
        # llama.cpp's server lists its file name but answers to any model name: a warning, not an error.
        return ModelCheck(
            "llm",
            url,
            "warnung",
            f"erreichbar; {model!r} nicht gelistet (angeboten: {', '.join(offered[:5])})",
        )
    return ModelCheck("llm", url, "ok", f"erreichbar, Modell {model!r}")


def check_models(settings: Settings) -> list[ModelCheck]:
    """Load every configured model offline and probe the LLM server; one line per part."""
    from assistant.store.recorded_precision import keep_recorded_precision

    settings = keep_recorded_precision(settings)  # as the services do
    embedder, loaded = _check_embedder(settings)
    return [embedder, _check_store(settings, loaded), _check_reranker(settings), _check_llm(settings)]


@dataclass(frozen=True, slots=True)
class DownloadReport:
    name: str
    kind: str
    folder: str
    files: int
    megabytes: float
    dimension: int | None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def allow_hub_downloads() -> None:
    """Undo the offline switches for this process; only `ratsinfo models download` calls this,
    before sentence-transformers is imported (the hub library reads them at import)."""
    os.environ.update(_ONLINE_ENVIRONMENT)


def download_model(
    name: str, folder: Path, kind: ModelKind = "embedding", device: str = "cpu"
) -> DownloadReport:
    """Fetch ``name`` (hub name, or a local folder) and save it to ``folder``, ready for offline use."""
    if folder.exists() and any(folder.iterdir()):
        raise InvalidRequestError(
            f"{folder} is not empty; choose a new folder for the model",
            german=f"{folder} ist nicht leer; bitte einen neuen Ordner für das Modell wählen.",
        )
    if kind not in ("embedding", "reranker"):
        raise InvalidRequestError(
            f"unknown model kind {kind!r}; use embedding or reranker",
            german=f"Unbekannte Modellart {kind!r}; möglich sind embedding und reranker.",
        )
    try:
        if not Path(name).exists():
            # One quick request first: the download itself retries with backoff for over a minute
            # when the hub is unreachable, and says less clearly why.
            from huggingface_hub import HfApi

            HfApi().model_info(name, timeout=_PROBE_TIMEOUT_S * 3)
        if kind == "embedding":
            from sentence_transformers import SentenceTransformer

            embedding_model = SentenceTransformer(name, device=device)
            dimension = embedding_model.get_embedding_dimension()
            embedding_model.save(str(folder))
        elif kind == "reranker":
            from sentence_transformers import CrossEncoder

            CrossEncoder(name, device=device).save(str(folder))
            dimension = None
    except Exception as error:  # hub unreachable, unknown name, gated model: all end the same way
        raise ConfigurationError(
            f"cannot fetch model {name!r}: {type(error).__name__}: {str(error)[:400]}. "
            "`ratsinfo models download` must run on a machine that can reach the Hugging Face hub "
            "(huggingface.co, or a mirror named by HF_ENDPOINT); copy the folder it writes to the "
            "server and point RATSINFO_EMBED_MODEL or RATSINFO_RERANK_MODEL at it.",
            german=f"Das Modell {name!r} lässt sich nicht laden ({type(error).__name__}). "
            "„ratsinfo models download“ muss auf einem Rechner laufen, der den Hugging-Face-Hub erreicht "
            "(huggingface.co oder einen Spiegel in HF_ENDPOINT); den geschriebenen Ordner auf den Server "
            "kopieren und RATSINFO_EMBED_MODEL oder RATSINFO_RERANK_MODEL darauf zeigen lassen.",
        ) from error
    manifest = {"name": name, "kind": kind, "dimension": dimension}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    files = [path for path in folder.rglob("*") if path.is_file()]
    return DownloadReport(
        name=name,
        kind=kind,
        folder=str(folder),
        files=len(files),
        megabytes=round(sum(path.stat().st_size for path in files) / 1e6, 2),
        dimension=int(dimension) if dimension is not None else None,
    )
