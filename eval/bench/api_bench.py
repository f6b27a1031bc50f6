"""API throughput and latency under 1, 8 and 32 concurrent clients against a real uvicorn.

The server is ``ratsinfo serve`` in its own process on 127.0.0.1 (rate limit off, extractive
answers); a bench user is created with the auth module and its bearer token is used. Clients are
asyncio tasks sharing one ``httpx.AsyncClient`` in this process, each sending its share of a
bounded number of requests back to back; every non-200 answer or transport error counts.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from eval.bench.measure import percentiles_ms, rss_mb
from eval.bench.process import REPO_ROOT, TreeMemorySampler


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _bench_token(data_dir: Path) -> str:
    from assistant.auth.users import UserStore
    from assistant.config import Settings

    users = UserStore(Settings(data_dir=data_dir).users_path)
    _, token = users.add(f"bench-{os.getpid()}-{int(time.time())}")
    return token


def _start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    executable = shutil.which("ratsinfo", path=str(Path(sys.executable).parent))
    command = [executable] if executable else [sys.executable, "-m", "assistant.cli"]
    env = {
        **os.environ,
        "RATSINFO_DATA_DIR": str(data_dir),
        "RATSINFO_RATE_LIMIT_PER_MINUTE": "0",
        "RATSINFO_ANSWER_MODE": "extractive",
        "RATSINFO_LLM_URL": "",
        "ANONYMIZED_TELEMETRY": "False",
    }
    return subprocess.Popen(
        [*command, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ratsinfo serve exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("ratsinfo serve did not become ready")


async def _load(
    url: str, token: str, route: str, questions: list[str], clients: int, requests: int
) -> dict[str, Any]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    counter = iter(range(requests))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=120) as client:

        async def worker() -> None:
            for number in counter:
                question = questions[number % len(questions)]
                body = {"query": question} if route == "search" else {"question": question}
                started = time.perf_counter()
                try:
                    response = await client.post(f"/api/v1/{route}", json=body)
                    if response.status_code == 200:
                        latencies.append(time.perf_counter() - started)
                    else:
                        errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1
                except httpx.HTTPError as error:
                    errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "requests": requests,
        "ok": len(latencies),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "seconds": round(elapsed, 2),
        "throughput_rps": round(len(latencies) / elapsed, 1),
        **percentiles_ms(latencies),
    }


def api_clients(arguments: dict[str, Any]) -> dict[str, Any]:
    """Serve ``data_dir`` and measure /search and /ask under each client count."""
    data_dir = Path(arguments["data_dir"])
    questions = list(arguments["questions"])
    requests = int(arguments.get("requests", 200))
    token = _bench_token(data_dir)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = _start_server(data_dir, port)
    results: dict[str, Any] = {"requests_per_level": requests}
    try:
        _wait_ready(url, server)
        # Warm up: BM25 and the document table are loaded by the first requests.
        asyncio.run(_load(url, token, "search", questions, 2, 6))
        with TreeMemorySampler(server.pid) as sampler:
            for route in ("search", "ask"):
                results[route] = [
                    asyncio.run(_load(url, token, route, questions, clients, requests))
                    for clients in arguments.get("clients", [1, 8, 32])
                ]
        results["server_peak_rss_mb"] = round(sampler.peak_mb, 1)
        results["server_rss_mb"] = round(rss_mb(server.pid), 1)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return results
