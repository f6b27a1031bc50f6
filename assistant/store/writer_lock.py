"""One writer at a time per data dir: ingest, sync, reindex, repair, backup and restore.

An exclusive ``fcntl.flock`` on ``<data dir>/writer.lock``. The kernel drops the lock when the
holding process dies, even by SIGKILL, so a crashed ingest never leaves a stale lock behind. The
holder writes its pid, purpose and start time into the file so that the second writer's message
can name who is busy. Readers (the API) never take it: SQLite WAL and the BM25 generation switch
give them a consistent view while one writer works.

The lock is re-entrant within one thread (``ratsinfo ingest --oparl`` holds it and the ingest
pipeline asks again); another thread or process gets ``StoreBusyError`` at once, never a wait.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from pathlib import Path
from types import TracebackType

from assistant.errors import StoreBusyError

LOCK_NAME = "writer.lock"
BUSY_EXIT_CODE = 75  # EX_TEMPFAIL (sysexits.h): try again later
_PROBE_GRACE_S = 0.5


_held: dict[Path, tuple[int, int, int]] = {}  # lock path → (fd, owner thread id, depth)
_held_guard = threading.Lock()


def _try_exclusive(fd: int) -> bool:
    """Take the lock without waiting for a writer; a reader's probe (writer_active) holds it
    shared for microseconds, so a refusal is only believed after a short while."""
    deadline = time.monotonic() + _PROBE_GRACE_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return "ein anderer Prozess / another process"
    if not isinstance(info, dict):
        return "ein anderer Prozess / another process"
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(info.get("since", 0))))
    return f"{info.get('purpose', '?')} (PID {info.get('pid', '?')}, seit/since {since})"


class WriterLock:
    """``with WriterLock(data_dir, "ingest"):`` – raises StoreBusyError if another writer runs."""

    def __init__(self, data_dir: Path, purpose: str) -> None:
        self.path = data_dir / LOCK_NAME
        self.purpose = purpose
        self._acquired = False

    def acquire(self) -> bool:
        """Take the lock; True when this call took it first (not a re-entry of the same thread)."""
        thread = threading.get_ident()
        with _held_guard:
            held = _held.get(self.path)
            if held is not None:
                fd, owner, depth = held
                if owner != thread:
                    raise self._busy(_holder(self.path))
                _held[self.path] = (fd, owner, depth + 1)
                self._acquired = True
                return False
        # Outside the guard: the kernel decides (two threads of this process conflict as well,
        # each with its own descriptor), and readers asking held_here() are not kept waiting.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_exclusive(fd):
            os.close(fd)
            raise self._busy(_holder(self.path))
        record = json.dumps({"pid": os.getpid(), "purpose": self.purpose, "since": time.time()})
        os.ftruncate(fd, 0)
        os.pwrite(fd, record.encode(), 0)
        with _held_guard:
            _held[self.path] = (fd, thread, 1)
        self._acquired = True
        return True

    def release(self) -> None:
        if not self._acquired:
            return
        self._acquired = False
        with _held_guard:
            fd, owner, depth = _held[self.path]
            if depth > 1:
                _held[self.path] = (fd, owner, depth - 1)
                return
            del _held[self.path]
            # Unlock before close; the record stays (a stale record without a lock means nothing).
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _busy(self, holder: str) -> StoreBusyError:
        return StoreBusyError(
            f"the data dir {self.path.parent} is locked by another writer ({holder}); "
            f"'{self.purpose}' does not wait: run it again when that one has finished",
            german=f"Der Datenbestand in {self.path.parent} wird gerade von {holder} geschrieben; "
            f"„{self.purpose}“ wartet nicht, bitte später erneut starten.",
        )

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def held_here(data_dir: Path) -> bool:
    """Whether a thread of this process holds the writer lock of ``data_dir``."""
    with _held_guard:
        return data_dir / LOCK_NAME in _held


def writer_active(data_dir: Path) -> bool:
    """Whether some process holds the writer lock of ``data_dir`` right now (a probe, no wait).

    Takes the lock shared for an instant; a writer starting in that instant retries briefly.
    """
    path = data_dir / LOCK_NAME
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
