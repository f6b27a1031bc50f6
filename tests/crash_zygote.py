"""A pre-imported parent that forks `ratsinfo` CLI runs, so that tests can kill many of them.

Importing the CLI's dependencies (llama-index, Chroma) takes seconds; a kill test needs dozens
of CLI processes. This process imports them once, then forks one child per request: each child
is a fresh process in a session of its own that runs ``assistant.cli.app`` exactly as
``python -m assistant.cli`` would, so SIGKILL to its process group stops it and every worker it
started, at whatever point it has reached. The parent holds no threads of Chroma or torch when it
forks (it never opens a store).

Protocol, one JSON object per line on stdin and stdout:
``{"cli": [...args], "env": {...}, "log": path}`` → ``{"pid": n}`` (output goes to ``log``);
``{"call": "inspect", "cli": [...args], "env": {...}, "log": path}`` → ``{"pid": n}``: the
child first inspects the store, then runs the CLI, then inspects again and writes both
inspections as JSON to ``log + ".json"``; ``{"wait": pid}`` → ``{"status": code or -signal}``.
Tests talk to it through ``Zygote``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any


def _digest(rows: list[Any]) -> str:
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def inspect_store(digests: bool = True) -> dict[str, Any]:
    """Counts (and content digests) of catalog, Chroma and BM25 in ``RATSINFO_DATA_DIR``."""
    from assistant.config import Settings
    from assistant.embedding import build_embedder
    from assistant.store.bm25_index import Bm25Index
    from assistant.store.store import Store

    settings = Settings()
    store = Store(settings, build_embedder(settings))
    try:
        check = store.check()
        counts: dict[str, Any] = {
            "consistent": check.consistent,
            "missing_vectors": len(check.missing_vectors),
            "orphan_vectors": len(check.orphan_vectors),
            "bm25_current": check.bm25_current,
            "pending_documents": check.pending_documents,
            "chunks": check.catalog_chunks,
            "vectors": check.vector_chunks,
        }
        if not digests:
            return counts
        documents = [
            [d.doc_id, d.content_hash, d.title, d.chunk_count, d.page_count, sorted(d.access)]
            for d in store.catalog.documents()
        ]
        chunks = [
            (c.chunk_id, c.doc_id, c.index, c.page, c.section, c.start, c.end, c.text)
            for c in store.catalog.iter_chunks()
        ]
        collection = store.vectors._collection  # the raw Chroma collection: vectors and metadata
        vectors: list[tuple[str, str, list[float]]] = []
        total = collection.count()
        for offset in range(0, total, 1000):
            got = collection.get(include=["embeddings", "metadatas"], limit=1000, offset=offset)
            embeddings: Any = got["embeddings"]
            metadatas: Any = got["metadatas"]
            for chunk_id, embedding, metadata in zip(got["ids"], embeddings, metadatas, strict=True):
                rounded = [round(float(value), 5) for value in embedding]
                vectors.append((chunk_id, json.dumps(dict(metadata), sort_keys=True), rounded))
        vectors.sort()
        bm25 = Bm25Index.load(settings.bm25_dir)
        return {
            **counts,
            "documents": len(documents),
            "chunks": len(chunks),
            "vectors": len(vectors),
            "catalog_digest": _digest([documents, sorted(chunks)]),
            "vector_digest": _digest(vectors),
            "bm25_chunks": sorted(bm25.chunk_ids) == sorted(c[0] for c in chunks) if bm25 else False,
        }
    finally:
        store.close()


def _child(request: dict[str, Any]) -> None:
    os.setsid()
    os.environ.update(request.get("env", {}))
    log = str(request["log"])
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    code = 1
    try:
        from assistant.cli import app

        inspect = request.get("call") == "inspect"
        before = inspect_store(digests=False) if inspect else None
        try:
            app(args=request["cli"], prog_name="ratsinfo")
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        if inspect:
            result = {"before": before, "after": inspect_store(), "cli_exit": code}
            with open(log + ".json", "w", encoding="utf-8") as handle:
                json.dump(result, handle)
    except BaseException as error:  # reported through the log; the parent sees exit code 1
        print(f"crash_zygote child failed: {type(error).__name__}: {error}", file=sys.stderr)
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class Zygote:
    """Client of tests/crash_zygote.py: forks pre-imported CLI processes on request."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.crash_zygote"],
            cwd=Path(__file__).resolve().parents[1],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = self._read()
        assert "ready" in ready, ready

    def _read(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the crash zygote died")
        return dict(json.loads(line))

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        return self._read()

    def start(self, cli: list[str], env: dict[str, str], log: Path, call: str = "") -> int:
        request: dict[str, Any] = {"cli": cli, "env": env, "log": str(log)}
        if call:
            request["call"] = call
        return int(self._ask(request)["pid"])

    def wait(self, pid: int) -> int:
        return int(self._ask({"wait": pid})["status"])

    @staticmethod
    def kill(pid: int) -> None:
        """SIGKILL the child's process group (it and any worker it started), as a crash would."""
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:  # not yet its own group leader, or already gone
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=30)


def main() -> None:
    import assistant.cli
    import assistant.indexing
    import assistant.services  # noqa: F401

    out = sys.stdout
    out.write(json.dumps({"ready": os.getpid()}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        if "wait" in request:
            _, status = os.waitpid(int(request["wait"]), 0)
            answer = {"status": os.waitstatus_to_exitcode(status)}
        else:
            pid = os.fork()
            if pid == 0:
                _child(request)
            answer = {"pid": pid}
        out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
