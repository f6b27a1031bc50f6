"""The one settings object. Built at the edge (CLI, app factory, tests) and passed down.

Nothing below this module reads ``os.environ``; every field can be set as ``RATSINFO_<NAME>``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RATSINFO_", extra="ignore")

    data_dir: Path = Field(
        Path("data"), description="Folder holding the Chroma store, the BM25 index and the catalog."
    )
    embed_model: str = Field(
        "hashing",
        description=(
            "'hashing' for the built-in offline embedder (no download), or a sentence-transformers "
            "model name or local directory (e.g. intfloat/multilingual-e5-small) for semantic quality."
        ),
    )
    embed_dim: int = Field(
        512, ge=64, le=8192, description="Dimension of the built-in hashing embedder."
    )
    device: str = Field("cpu", description="Torch device for sentence-transformers models (cpu, cuda).")
    embed_batch_size: int = Field(64, ge=1, description="Texts per batch for sentence-transformers.")
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
    abstain_threshold: float = Field(
        0.45,
        ge=0.0,
        le=1.0,
        description=(
            "Minimum share of the question's weighted key terms that the best passages must cover; "
            "below it the extractive answer abstains. Calibrated on eval/data/sample_qa.jsonl."
        ),
    )
    answer_max_sentences: int = Field(3, ge=1, le=10, description="Sentences in an extractive answer.")
    max_file_mb: float = Field(50.0, gt=0, description="Files larger than this are reported and skipped.")
    host: str = Field("127.0.0.1", description="Address the API binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port the API listens on.")

    @field_validator("data_dir")
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
