"""Entry point of a benchmark child process: ``python -m eval.bench.phases NAME JSON``.

Prints the phase's result as one JSON line (the last line of standard output).
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from typing import Any

# phase name → "module:function"; imported lazily so a phase loads only what it measures.
PHASES: dict[str, str] = {
    "ingest-ours": "eval.bench.ingest_bench:ingest_ours",
    "ingest-naive": "eval.bench.ingest_bench:ingest_naive",
    "build-store": "eval.bench.synthetic:build_store",
    "search-ours": "eval.bench.search_bench:search_ours",
    "search-naive": "eval.bench.search_bench:search_naive",
    "store-memory": "eval.bench.search_bench:store_memory",
    "bm25-rebuild": "eval.bench.search_bench:bm25_rebuild",
    "api-clients": "eval.bench.api_bench:api_clients",
    "tiny-model": "eval.bench.semantic:build_tiny_model",
    "precision-quality": "eval.bench.quality:precision_quality",
    "semantic-ours": "eval.bench.semantic_ingest:semantic_ours",
    "semantic-naive": "eval.bench.semantic_ingest:semantic_naive",
    "gemm-peak": "eval.bench.semantic_ingest:gemm_peak",
    "embed-scaling": "eval.bench.semantic_ingest:embed_scaling",
}


def _function(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    module_name, function_name = PHASES[name].split(":")
    function: Callable[[dict[str, Any]], dict[str, Any]] = getattr(
        importlib.import_module(module_name), function_name
    )
    return function


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in PHASES:
        print(f"usage: python -m eval.bench.phases {{{','.join(PHASES)}}} JSON", file=sys.stderr)
        return 2
    result = _function(argv[0])(json.loads(argv[1]))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":  # the guard matters: the ingest's forkserver workers import this module
    sys.exit(main(sys.argv[1:]))
