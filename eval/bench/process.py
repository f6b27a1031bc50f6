"""Each measurement runs in a fresh Python process: clean imports, its own peak memory.

The parent starts ``python -m eval.bench.phases NAME JSON`` and samples the resident memory
of the child's whole process tree (the ingest's worker pool included) from ``/proc`` while it
runs; the child prints its result as the last line of its standard output, as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from eval.bench.measure import rss_mb

REPO_ROOT = Path(__file__).resolve().parents[2]


class PhaseError(RuntimeError):
    """A benchmark phase failed; the message carries the end of its output."""


def _children_of() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name may hold spaces and parentheses: the ppid follows the last ')'.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _tree(pid: int) -> list[int]:
    children = _children_of()
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(children.get(current, []))
    return found


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    return sum(rss_mb(member) for member in _tree(pid))


def _cpu_seconds_of(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime + stime


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class TreeMemorySampler:
    """Samples a process tree every ``interval`` seconds: peak resident memory and CPU seconds.

    CPU time is summed over every process ever seen in the tree (the last sample of each), so
    the forkserver's worker processes count too, which ``getrusage`` would miss.
    """

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self._pid = pid
        self._interval = interval
        self.peak_mb = 0.0
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def cpu_s(self) -> float:
        return sum(self._cpu.values())

    def _run(self) -> None:
        while not self._stop.is_set():
            members = _tree(self._pid)
            self.peak_mb = max(self.peak_mb, sum(rss_mb(member) for member in members))
            for member in members:
                seconds = _cpu_seconds_of(member)
                if seconds is not None:
                    self._cpu[member] = max(seconds, self._cpu.get(member, 0.0))
            self._stop.wait(self._interval)

    def __enter__(self) -> TreeMemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def run_phase(
    name: str, arguments: dict[str, Any], env: dict[str, str] | None = None, timeout_s: float = 7200
) -> dict[str, Any]:
    """Run one phase in a child process; its JSON result plus the tree's peak memory and wall time."""
    command = [sys.executable, "-m", "eval.bench.phases", name, json.dumps(arguments)]
    child_env = {
        **os.environ,
        # Offline, as the product runs: no telemetry, no model hub.
        "ANONYMIZED_TELEMETRY": "False",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        **(env or {}),
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with TreeMemorySampler(process.pid) as sampler:
        try:
            stdout, stderr = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
            raise PhaseError(f"phase {name} ran past {timeout_s:.0f} s") from None
    if process.returncode != 0:
        raise PhaseError(f"phase {name} failed ({process.returncode}):\n{stderr[-3000:]}")
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        raise PhaseError(f"phase {name} printed no result:\n{stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    result["process_wall_s"] = round(time.perf_counter() - started, 2)
    result["process_tree_peak_rss_mb"] = round(sampler.peak_mb, 1)
    result["process_tree_cpu_s"] = round(sampler.cpu_s, 2)
    return result
