"""The one place that wires the parts together; CLI, API, UI and evaluation all start here."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answering.answerer import Answerer
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.generative import GenerativeAnswerer
from assistant.answering.grounding import default_judge
from assistant.answering.llm import ChatLLM, llm_configured
from assistant.audit import AuditLog
from assistant.auth.users import UserStore
from assistant.config import Settings
from assistant.embedding import Embedder, build_embedder
from assistant.embedding.query_cache import QueryCachingEmbedder
from assistant.indexing import Ingestor
from assistant.offline import disable_phone_home
from assistant.reranking import build_reranker
from assistant.retrieval import HybridRetriever
from assistant.service import AssistantService, AuditRecorder
from assistant.service.alerts_service import AlertsService
from assistant.service.body_access import BodyAccess
from assistant.service.process_answers import ProcessAnswers
from assistant.service.process_service import ProcessService
from assistant.store.embedder_choice import resolve_embedder
from assistant.store.recorded_precision import keep_recorded_precision
from assistant.store.store import Store


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    embedder: Embedder
    store: Store
    retriever: HybridRetriever
    answerer: Answerer
    ingestor: Ingestor
    service: AssistantService  # what the CLI, the API and the UI call
    process: ProcessService  # the council process: history, meetings, paper lists, related papers
    alerts: AlertsService  # saved searches, followed papers, alerts after each run and their delivery

    def close(self) -> None:
        self.store.close()


def build_services(settings: Settings) -> Services:
    disable_phone_home()
    # An unset RATSINFO_EMBED_MODEL: the store's own model (the default for a new store).
    settings = resolve_embedder(settings)
    # RATSINFO_EMBED_PRECISION=auto on a store built in another variant: the store's variant.
    settings = keep_recorded_precision(settings)
    # The retriever and the answerer both need the question's vector: computed once.
    embedder = QueryCachingEmbedder(build_embedder(settings))
    store = Store(settings, embedder)
    retriever = HybridRetriever(store, embedder, settings, reranker=build_reranker(settings))
    extractive = ExtractiveAnswerer(embedder, store, settings)
    llm = ChatLLM(settings) if llm_configured(settings) else None
    generative = GenerativeAnswerer(extractive, llm, default_judge()) if llm is not None else None
    answerer = Answerer(retriever, extractive, generative, llm, settings)
    # The data dir's audit log, opened when the first record is written.
    recorder = AuditRecorder(lambda: AuditLog(settings.audit_path))
    bodies = BodyAccess(settings.body_groups)
    process = ProcessService(store, retriever, recorder, bodies)
    process_answers = ProcessAnswers(process, retriever, answerer)
    return Services(
        settings=settings,
        embedder=embedder,
        store=store,
        retriever=retriever,
        answerer=answerer,
        ingestor=Ingestor(store, embedder, settings),
        service=AssistantService(
            store,
            retriever,
            answerer,
            embedder,
            recorder,
            bodies,
            outcome_documents=process.outcome_documents,
            process_answers=process_answers,
        ),
        process=process,
        alerts=AlertsService(
            settings, store, retriever, process, recorder, UserStore(settings.users_path), bodies
        ),
    )
