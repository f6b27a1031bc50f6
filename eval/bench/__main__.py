"""``python -m eval.bench`` (``make bench``): the benchmark suite, results under ``benchmarks/``.

    python -m eval.bench            # full run: 10k, 100k and 1M chunks (the 1M store takes long
                                    # to build once; it is cached under the bench folder)
    python -m eval.bench --quick    # 600 files and 10k chunks only, a few minutes
    python -m eval.bench --redo search api   # measure these sections again, reuse the rest
    python -m eval.bench --only semantic-ingest --limit 400   # the semantic ingest on a subset
    python -m eval.bench --only semantic-quality   # recall of fp32, bf16 and int8 on both QA sets

Everything heavy lives outside the repository in the bench folder (``--bench-dir``, default
``$RATSINFO_BENCH_DIR`` or ``/tmp/ratsinfo-bench``): ingested stores, synthetic stores, the
locally built model and each finished section's results, so an interrupted run resumes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from eval.bench.runner import SECTIONS, BenchConfig, BenchRunner, header

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "data" / "oparl-karlsruhe" / "file-contents"
DEFAULT_SEEDS = REPO_ROOT.parent / "shared" / "seeds"
# Sections that take an hour or more on two cores: not part of --quick.
_SLOW = ("semantic-ingest", "semantic-api", "semantic-quality", "semantic")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="600 files, 10k chunks, fewer requests")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of real texts")
    parser.add_argument(
        "--bench-dir",
        type=Path,
        default=Path(os.environ.get("RATSINFO_BENCH_DIR", "/tmp/ratsinfo-bench")),
        help="where stores, models and partial results are kept (outside the repository)",
    )
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "benchmarks", help="results.json and figures")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument(
        "--redo", nargs="+", choices=SECTIONS, default=[], help="measure again, ignoring the cache"
    )
    parser.add_argument("--sizes", nargs="+", type=int, help="store sizes in chunks")
    parser.add_argument("--requests", type=int, help="API requests per client level")
    parser.add_argument(
        "--embed-model",
        default="",
        help="a sentence-transformers folder for the semantic section (default: one built here)",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=0,
        help="semantic-ingest: only the first N Karlsruhe texts (plus the seeds); 0: all of them",
    )
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="extra folder for semantic-ingest")
    parser.add_argument(
        "--device",
        default=os.environ.get("RATSINFO_DEVICE", "cpu"),
        help="torch device of the semantic model (default RATSINFO_DEVICE or cpu)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if not arguments.corpus.is_dir():
        print(f"corpus not found: {arguments.corpus} (pass --corpus)", file=sys.stderr)
        return 2
    quick = bool(arguments.quick)
    config = BenchConfig(
        corpus=arguments.corpus.resolve(),
        bench_dir=arguments.bench_dir.resolve(),
        quick=quick,
        sizes=arguments.sizes or ((10_000,) if quick else (10_000, 100_000, 1_000_000)),
        api_requests=arguments.requests or (60 if quick else 300),
        questions=20 if quick else 40,
        redo=set(arguments.redo),
        only=set(arguments.only or (s for s in SECTIONS if not (quick and s in _SLOW))),
        embed_model=arguments.embed_model,
        device=arguments.device,
        limit=arguments.limit,
        seeds=arguments.seeds.resolve() if arguments.seeds.is_dir() else None,
        log=lambda line: print(line, flush=True),
    )
    started = time.perf_counter()
    runner = BenchRunner(config)
    results = {**header(config), **runner.run()}
    results["seconds"] = round(time.perf_counter() - started, 1)

    from eval.bench import plots
    from eval.bench.report import targets, update_readme

    results["targets"] = targets(results)
    out = arguments.out
    out.mkdir(parents=True, exist_ok=True)
    name = "results-quick.json" if quick else "results.json"
    (out / name).write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    suffix = "-quick" if quick else ""
    if "ingest" in results:
        plots.ingest_figure(results["ingest"], out / f"ingest{suffix}.png")
    search = {key.split(":")[1]: value for key, value in results.items() if key.startswith("search:")}
    if search:
        plots.latency_figure(search, out / f"latency{suffix}.png")
    semantic = {
        key.split(":", 1)[1]: value for key, value in results.items() if key.startswith("semantic-ingest:")
    }
    if semantic:  # the whole corpus when measured, else the largest subset
        largest = semantic.get("all") or max(semantic.values(), key=lambda run: run["ours"]["chunks"])
        plots.semantic_ingest_figure(largest, out / f"semantic-ingest{suffix}.png")
    if "api" in results:
        plots.api_figure(results["api"], out / f"api{suffix}.png")
    if not quick:
        update_readme(out / "README.md", results)
    for row in results["targets"]:
        met = {True: "met", False: "MISSED", None: "not measured"}[row["met"]]
        print(f"{row['target']}: {row['measured']} (goal {row['goal']}) {met}")
    print(f"results: {out / name} ({results['seconds']} s)")
    return 0


if __name__ == "__main__":  # the guard matters: phases start worker processes
    sys.exit(main())
