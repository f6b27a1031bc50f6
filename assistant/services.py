"""The one place that wires the parts together; CLI, API, UI and evaluation all start here."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answering.extractive import ExtractiveAnswerer
from assistant.config import Settings
from assistant.embedding import Embedder, build_embedder
from assistant.offline import disable_phone_home
from assistant.retrieval import HybridRetriever
from assistant.store.store import Store
from ingest.pipeline import Ingestor


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    embedder: Embedder
    store: Store
    retriever: HybridRetriever
    answerer: ExtractiveAnswerer
    ingestor: Ingestor

    def close(self) -> None:
        self.store.close()


def build_services(settings: Settings) -> Services:
    disable_phone_home()
    embedder = build_embedder(settings)
    store = Store(settings, embedder)
    retriever = HybridRetriever(store, embedder, settings)
    return Services(
        settings=settings,
        embedder=embedder,
        store=store,
        retriever=retriever,
        answerer=ExtractiveAnswerer(retriever, embedder, store, settings),
        ingestor=Ingestor(store, embedder, settings),
    )
