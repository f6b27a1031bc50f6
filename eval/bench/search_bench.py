"""Search and ask latency on a store, ours and llama-index's default retrievers, side by side.

Scenarios (the same questions in each):

- ``plain``: a signed-in user who sees public documents, no filters (what the API does);
- ``filtered``: the same user with a paper type and a date range (Chroma ``where`` + BM25 mask);
- ``substring``: an originator substring filter, which Chroma cannot express as metadata, so
  the matching documents are listed (ours only: llama-index has no such filter).

The naive side gets the ``plain`` and ``filtered`` scenarios with the same metadata filters.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from eval.bench.measure import peak_rss_mb, percentiles_ms, reset_peak_rss, rss_mb

_WARMUP = 3


def load_questions(limit: int) -> list[str]:
    """The real Karlsruhe questions of the evaluation set (they match the benchmark corpus)."""
    path = Path(__file__).resolve().parents[1] / "data" / "real_qa.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()][:limit]


def _latencies(call: Callable[[str], object], questions: Sequence[str]) -> list[float]:
    for question in questions[:_WARMUP]:
        call(question)
    seconds = []
    for question in questions:
        started = time.perf_counter()
        call(question)
        seconds.append(time.perf_counter() - started)
    return seconds


def filter_values(documents: Sequence[Any]) -> dict[str, Any]:
    """The commonest dated paper family with the middle half of its dates, and an originator word.

    Chosen from the store itself so that the filters select a real part of it at every size.
    """
    types = Counter(d.paper_family for d in documents if d.paper_family and d.date is not None)
    paper_type = types.most_common(1)[0][0] if types else ""
    dates = sorted(d.date for d in documents if d.date is not None and d.paper_family == paper_type)
    words = Counter(word for document in documents for word in document.originator.split() if len(word) >= 4)
    return {
        "paper_types": [paper_type] if paper_type else [],
        "date_from": dates[len(dates) // 4].isoformat() if dates else None,
        "date_to": dates[(3 * len(dates)) // 4].isoformat() if dates else None,
        "originator": words.most_common(1)[0][0] if words else "",
    }


def _search_filters(values: dict[str, Any], substring: bool) -> Any:
    from datetime import date

    from assistant.models import SearchFilters

    if substring:
        return SearchFilters(originator=values["originator"])
    return SearchFilters(
        paper_types=tuple(values["paper_types"]),
        date_from=date.fromisoformat(values["date_from"]) if values["date_from"] else None,
        date_to=date.fromisoformat(values["date_to"]) if values["date_to"] else None,
    )


def search_ours(arguments: dict[str, Any]) -> dict[str, Any]:
    """Latencies of our retriever (search) and extractive answerer (ask) on ``data_dir``."""
    from assistant.access import Principal
    from assistant.config import Settings
    from assistant.services import build_services

    questions = list(arguments["questions"])
    settings = Settings(data_dir=Path(arguments["data_dir"]), answer_mode="extractive")
    reset_peak_rss()
    started = time.perf_counter()
    services = build_services(settings)
    services.store.bm25()
    documents = list(services.store.documents().values())
    open_s = time.perf_counter() - started
    values = filter_values(documents)
    user = Principal(name="bench-user")
    results: dict[str, Any] = {"open_s": round(open_s, 2), "filters": values}
    for scenario in ("plain", "filtered", "substring"):
        filters = None if scenario == "plain" else _search_filters(values, scenario == "substring")

        def search_one(question: str, filters: Any = filters) -> object:
            return services.retriever.search(question, user, filters)

        def ask_one(question: str, filters: Any = filters) -> object:
            return services.answerer.ask(question, user, filters)

        search, ask = _latencies(search_one, questions), _latencies(ask_one, questions)
        hits = services.retriever.search(questions[0], user, filters)
        results[scenario] = {
            "search": percentiles_ms(search),
            "ask": percentiles_ms(ask),
            "hits_first_question": len(hits),
        }
    results["rss_mb"] = round(rss_mb(), 1)
    results["peak_rss_mb"] = round(peak_rss_mb(), 1)
    results["data_dir_mb"] = round(_folder_mb(Path(arguments["data_dir"])), 1)
    services.close()
    return results


def _folder_mb(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6


def _naive_filters(values: dict[str, Any]) -> Any:
    from datetime import date

    from llama_index.core.vector_stores.types import (
        FilterCondition,
        FilterOperator,
        MetadataFilter,
        MetadataFilters,
    )

    def number(text: str) -> int:
        day = date.fromisoformat(text)
        return day.year * 10000 + day.month * 100 + day.day

    return MetadataFilters(
        filters=[
            MetadataFilter(key="paper_family", value=values["paper_types"], operator=FilterOperator.IN),
            MetadataFilter(key="date", value=number(values["date_from"]), operator=FilterOperator.GTE),
            MetadataFilter(key="date", value=number(values["date_to"]), operator=FilterOperator.LTE),
        ],
        condition=FilterCondition.AND,
    )


def search_naive(arguments: dict[str, Any]) -> dict[str, Any]:
    """llama-index's hybrid retriever and query engine over the same Chroma collection and chunks."""
    from llama_index.core.schema import TextNode

    from assistant.config import Settings
    from assistant.embedding import build_embedder
    from assistant.store.catalog import Catalog
    from assistant.store.vectors import VectorStore
    from eval.bench.naive import NaiveHybrid

    questions = list(arguments["questions"])
    settings = Settings(data_dir=Path(arguments["data_dir"]))
    reset_peak_rss()
    started = time.perf_counter()
    catalog = Catalog(settings.catalog_path)
    documents = {document.doc_id: document for document in catalog.documents()}
    nodes = []
    for chunk in catalog.iter_chunks():
        document = documents[chunk.doc_id]
        day = document.date
        nodes.append(
            TextNode(
                id_=chunk.chunk_id,
                text=chunk.text,
                metadata={
                    "doc_id": chunk.doc_id,
                    "paper_type": document.paper_type,
                    "paper_family": document.paper_family,
                    "date": day.year * 10000 + day.month * 100 + day.day if day else 0,
                },
            )
        )
    collection = VectorStore(settings)._collection
    naive = NaiveHybrid(collection, nodes, build_embedder(settings), k=settings.top_k)
    del nodes
    open_s = time.perf_counter() - started
    values = filter_values(list(documents.values()))
    results: dict[str, Any] = {"open_s": round(open_s, 2)}
    for scenario in ("plain", "filtered"):
        # Unfiltered: one retriever for all questions. Filtered: llama-index fixes a BM25
        # retriever's filters when it is made, so a request with its own filters makes one.
        filters = None if scenario == "plain" else _naive_filters(values)
        retriever, engine = naive.retriever(filters), naive.query_engine(filters)

        def search_one(question: str, filters: Any = filters, retriever: Any = retriever) -> object:
            return (retriever if filters is None else naive.retriever(filters)).retrieve(question)

        def ask_one(question: str, filters: Any = filters, engine: Any = engine) -> object:
            return (engine if filters is None else naive.query_engine(filters)).query(question)

        search, ask = _latencies(search_one, questions), _latencies(ask_one, questions)
        results[scenario] = {"search": percentiles_ms(search), "ask": percentiles_ms(ask)}
    results["rss_mb"] = round(rss_mb(), 1)
    results["peak_rss_mb"] = round(peak_rss_mb(), 1)
    catalog.close()
    return results


def bm25_rebuild(arguments: dict[str, Any]) -> dict[str, Any]:
    """What every committed change costs an API process: rebuilding BM25 from the catalog."""
    from assistant.config import Settings
    from assistant.store.bm25_index import Bm25Index
    from assistant.store.catalog import Catalog

    settings = Settings(data_dir=Path(arguments["data_dir"]))
    catalog = Catalog(settings.catalog_path)
    documents = {document.doc_id: document for document in catalog.documents()}
    reset_peak_rss()
    started = time.perf_counter()
    index = Bm25Index.build(catalog.iter_chunks(), documents, catalog.generation)
    build_s = time.perf_counter() - started
    scratch = Path(arguments["scratch_dir"])
    shutil.rmtree(scratch, ignore_errors=True)  # a newer generation left there would win
    started = time.perf_counter()
    index.save(scratch)
    save_s = time.perf_counter() - started
    started = time.perf_counter()
    loaded = Bm25Index.load(scratch, index.generation)
    load_s = time.perf_counter() - started
    assert loaded is not None and len(loaded.chunk_ids) == len(index.chunk_ids)
    shutil.rmtree(scratch, ignore_errors=True)
    catalog.close()
    return {
        "chunks": len(index.chunk_ids),
        "build_s": round(build_s, 2),
        "save_s": round(save_s, 2),
        "load_s": round(load_s, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def store_memory(arguments: dict[str, Any]) -> dict[str, Any]:
    """Resident memory of an API process that has opened the store and answered a few questions."""
    from assistant.access import Principal
    from assistant.config import Settings
    from assistant.services import build_services

    settings = Settings(data_dir=Path(arguments["data_dir"]), answer_mode="extractive")
    services = build_services(settings)
    services.store.bm25()
    user = Principal(name="bench-user")
    for question in list(arguments["questions"])[:10]:
        services.answerer.ask(question, user)
    result = {"rss_mb": round(rss_mb(), 1), "peak_rss_mb": round(peak_rss_mb(), 1)}
    services.close()
    return result
