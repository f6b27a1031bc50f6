"""The baseline: the naive llama-index way, with our embedder so that only the pipeline differs.

Ingest is the tutorial recipe: ``SimpleDirectoryReader`` → ``SentenceSplitter`` (defaults) →
``VectorStoreIndex`` over a ``ChromaVectorStore``, default batch sizes (10 texts per embedding
call, 2048 nodes per insert). Retrieval is llama-index's documented hybrid recipe: the index's
vector retriever plus ``BM25Retriever`` fused by ``QueryFusionRetriever`` (reciprocal rank, one
query, so no LLM is asked to rewrite it); filters are passed the llama-index way (Chroma
``where`` for the vectors, a metadata filter function over the BM25 corpus).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.bridge.pydantic import PrivateAttr

from assistant.embedding import Embedder


class LlamaEmbedding(BaseEmbedding):
    """One of our embedders as a llama-index embedding model (the same vectors on both sides)."""

    _embedder: Any = PrivateAttr()

    def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
        super().__init__(model_name=embedder.name, **kwargs)
        self._embedder = embedder

    def _get_query_embedding(self, query: str) -> list[float]:
        return [float(value) for value in self._embedder.embed_query(query)]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [[float(value) for value in row] for row in self._embedder.embed_passages(texts)]


def _chroma_collection(chroma_dir: Path, name: str) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(
        path=str(chroma_dir), settings=ChromaSettings(anonymized_telemetry=False)
    )
    # embedding_function=None: vectors always come from llama-index; Chroma's default would download.
    return client.get_or_create_collection(name, embedding_function=None)


def naive_ingest(corpus: Path, chroma_dir: Path, embedder: Embedder) -> dict[str, int]:
    """Ingest the ``.txt`` files of ``corpus`` the tutorial way; returns documents and nodes."""
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.vector_stores.chroma import ChromaVectorStore

    documents = SimpleDirectoryReader(input_dir=str(corpus), required_exts=[".txt"]).load_data()
    collection = _chroma_collection(chroma_dir, "naive")
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    VectorStoreIndex.from_documents(
        documents,
        storage_context=storage,
        embed_model=LlamaEmbedding(embedder),
        transformations=[SentenceSplitter()],
    )
    return {"documents": len(documents), "pages": len(documents), "chunks": int(collection.count())}


class NaiveHybrid:
    """llama-index's default hybrid retrieval over an existing Chroma collection and chunk texts."""

    def __init__(
        self,
        collection: Any,
        nodes: Sequence[Any],
        embedder: Embedder,
        k: int,
    ) -> None:
        from llama_index.core import VectorStoreIndex
        from llama_index.retrievers.bm25 import BM25Retriever
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self._k = k
        self._embed_model = LlamaEmbedding(embedder)
        self._index = VectorStoreIndex.from_vector_store(
            ChromaVectorStore(chroma_collection=collection), embed_model=self._embed_model
        )
        self._bm25 = BM25Retriever.from_defaults(nodes=list(nodes), similarity_top_k=k)
        self._bm25.bm25.corpus = self._bm25.corpus  # lets per-query filtered retrievers share it

    def retriever(self, filters: Any | None = None) -> Any:
        """Vector + BM25 fused by reciprocal rank; a filtered BM25 masks its corpus per query."""
        from llama_index.core.llms import MockLLM
        from llama_index.core.retrievers import QueryFusionRetriever
        from llama_index.retrievers.bm25 import BM25Retriever

        vector = self._index.as_retriever(similarity_top_k=self._k, filters=filters)
        bm25 = (
            self._bm25
            if filters is None
            else BM25Retriever(existing_bm25=self._bm25.bm25, similarity_top_k=self._k, filters=filters)
        )
        return QueryFusionRetriever(
            [vector, bm25],
            similarity_top_k=self._k,
            num_queries=1,
            mode="reciprocal_rerank",  # type: ignore[arg-type]
            use_async=True,
            llm=MockLLM(),
        )

    def query_engine(self, filters: Any | None = None) -> Any:
        """The retriever under llama-index's default query engine, with a mock LLM (no generation cost)."""
        from llama_index.core.llms import MockLLM
        from llama_index.core.query_engine import RetrieverQueryEngine

        return RetrieverQueryEngine.from_args(self.retriever(filters), llm=MockLLM())
