"""Preparing documents (extract, parse, chunk), in worker processes where that pays off."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

from ingest.prepare import PreparedDocument, prepare_safely
from ingest.records import Failure, RawDocument

Job = tuple[RawDocument, str, frozenset[str], int]  # raw document, root, access, max words per chunk

_PARALLEL_FROM = 64  # below this many documents a process pool costs more than it saves
# ... and below this many bytes: starting the pool takes a second or two, while a few hundred
# small or empty texts are prepared inline in well under one.
_PARALLEL_BYTES = 2_000_000


def prepare_all(jobs: list[Job]) -> Iterator[PreparedDocument | Failure]:
    """Each job prepared, in order; a document that fails is a Failure, never an exception."""
    workers = min(os.cpu_count() or 1, 8)
    small = sum(len(raw.data) for raw, *_ in jobs) < _PARALLEL_BYTES
    if len(jobs) < _PARALLEL_FROM or small or workers == 1:
        yield from map(prepare_safely, jobs)
        return
    # forkserver: forking a process that has loaded torch or Chroma's threads is unsafe. The
    # server imports the (light) preparation module once and forks workers that have it;
    # "__main__" stays preloaded, as by default, or each worker would import it again.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", "ingest.prepare"])
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_yield_to_the_encoder
    ) as pool:
        yield from pool.map(prepare_safely, jobs, chunksize=16)


def _yield_to_the_encoder() -> None:
    """Workers run at a lower priority than the process that embeds and writes.

    All jobs are submitted at once, so the workers prepare ahead while the main process embeds
    the batch before; with a semantic model the encoder is the critical path and uses every core
    (one thread per physical core). A nice'd worker takes the cycles the encoder leaves (while it
    writes to Chroma, say) instead of slowing it down; alone on the machine it runs at full speed.
    """
    os.nice(5)
