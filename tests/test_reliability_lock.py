"""One writer at a time per data dir; readers keep working and see a consistent, current store."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.access import LOCAL_OPERATOR
from assistant.cli import app
from assistant.cli.common import EXIT_CODES
from assistant.config import Settings
from assistant.errors import EmptyStoreError, StoreBusyError
from assistant.services import Services, build_services
from assistant.store.search_text import search_text
from assistant.store.writer_lock import BUSY_EXIT_CODE, WriterLock, writer_active
from tests.conftest import REPO, shared_path
from tests.crash_zygote import Zygote

_HOLD = (
    "import sys; from pathlib import Path; from assistant.store.writer_lock import WriterLock; "
    "WriterLock(Path(sys.argv[1]), 'ingest').acquire(); print('held', flush=True); sys.stdin.read()"
)


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process that holds the writer lock of ``tmp_path / 'data'`` until killed."""
    (tmp_path / "data").mkdir()
    process = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(tmp_path / "data")],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    yield process
    process.kill()
    process.wait(timeout=10)


def _cli(data_dir: Path, *args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"RATSINFO_DATA_DIR": str(data_dir)})


def test_a_second_writer_is_refused_with_a_message_naming_the_first(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    data_dir = tmp_path / "data"
    (tmp_path / "in.txt").write_text("Antrag: Bänke im Stadtpark aufstellen.\n", encoding="utf-8")
    assert writer_active(data_dir)

    for command in (["ingest", str(tmp_path / "in.txt")], ["check", "--repair"], ["reindex"]):
        result = _cli(data_dir, *command)
        assert result.exit_code == BUSY_EXIT_CODE, (command, result.output)
        assert f"ingest (PID {holder.pid}" in result.stderr
        assert "bitte später erneut" in result.stderr  # German for people ...
        assert "locked by another writer" not in result.stderr  # ... in one language
    # Readers are not writers.
    assert _cli(data_dir, "stats").exit_code == 0
    # (search reads: it answers, here that nothing has been ingested yet, rather than "busy")
    assert _cli(data_dir, "search", "Bänke").exit_code == EXIT_CODES[EmptyStoreError]


def test_the_lock_dies_with_its_holder_even_by_sigkill(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    data_dir = tmp_path / "data"
    (tmp_path / "in.txt").write_text("Antrag: Bänke im Stadtpark aufstellen.\n", encoding="utf-8")
    assert _cli(data_dir, "ingest", str(tmp_path / "in.txt")).exit_code == BUSY_EXIT_CODE

    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)

    assert not writer_active(data_dir)
    result = _cli(data_dir, "ingest", str(tmp_path / "in.txt"), "--json")
    assert result.exit_code == 0, result.output
    assert '"added": 1' in result.stdout


def test_the_lock_is_reentrant_in_its_thread_and_exclusive_for_other_threads(tmp_path: Path) -> None:
    seen: list[str] = []

    def other_thread() -> None:
        try:
            with WriterLock(tmp_path, "sync"):
                seen.append("entered")
        except StoreBusyError as error:
            seen.append(str(error))

    with WriterLock(tmp_path, "ingest"), WriterLock(tmp_path, "ingest"):  # re-entry in this thread
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        assert writer_active(tmp_path)
    assert len(seen) == 1 and "ingest (PID" in seen[0] and "locked by another writer" in seen[0]
    assert not writer_active(tmp_path)
    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert seen[-1] == "entered"


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Services]:
    services = build_services(Settings(data_dir=tmp_path / "data"))
    yield services
    services.close()


@pytest.mark.slow
def test_readers_keep_working_during_another_process_ingest_and_then_see_its_documents(
    tmp_path: Path, reader: Services
) -> None:
    texts = sorted(shared_path("data", "oparl-karlsruhe", "file-contents").glob("*.txt"))[:260]
    first, second = tmp_path / "vorher", tmp_path / "nachts"
    for folder, part in ((first, texts[:20]), (second, texts[20:])):
        folder.mkdir()
        for path in part:
            shutil.copy(path, folder / path.name)
    reader.ingestor.ingest([str(first)])
    reader.retriever.search("Haushalt", LOCAL_OPERATOR)  # the reader's Chroma index is loaded now

    zygote = Zygote()
    try:
        env = {"RATSINFO_DATA_DIR": str(reader.settings.data_dir), "RATSINFO_INGEST_BATCH_CHUNKS": "200"}
        pid = zygote.start(["ingest", str(second)], env, tmp_path / "writer.log")
        queries, counts, problems = 0, [], []
        deadline = time.monotonic() + 120
        while not (tmp_path / "writer.log").exists() or _running(pid):
            assert time.monotonic() < deadline, "the writer did not finish"
            passages = reader.retriever.search("Sanierung der Schule", LOCAL_OPERATOR, k=8)
            documents = reader.store.documents()
            counts.append(len(documents))
            for passage in passages:
                stored = reader.store.catalog.chunks([passage.chunk.chunk_id]).get(passage.chunk.chunk_id)
                if passage.document.doc_id not in documents or stored is None:
                    problems.append(passage.chunk.chunk_id)
            queries += 1
        assert zygote.wait(pid) == 0, (tmp_path / "writer.log").read_text()
    finally:
        zygote.close()

    assert queries > 5 and not problems
    assert counts == sorted(counts), "a reader saw documents disappear while the writer only added"
    # Once the writer is done, the reader's dense index has the new vectors too (Chroma reopened).
    time.sleep(2.1)
    documents = reader.store.documents()
    new_chunks = [c for c in reader.store.catalog.iter_chunks() if documents[c.doc_id].root == str(second)]
    found = 0
    for chunk in random.Random(7).sample(new_chunks, 20):
        text = search_text(documents[chunk.doc_id], chunk.section, chunk.text)
        vector = reader.embedder.embed_passages([text])
        hits = reader.store.vectors.query(vector[0], 3, None)
        found += any(hit.chunk_id == chunk.chunk_id for hit in hits)
    assert found == 20
    assert reader.store.check().consistent


def _running(pid: int) -> bool:
    """Whether the zygote's child still runs (it is not our child, so no waitpid: its /proc entry)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"
