"""Measuring helpers: wall and CPU time, peak memory from /proc, percentiles, the machine.

Memory is read from ``/proc`` (no psutil): ``VmHWM`` is the peak resident set of this process,
``VmRSS`` the current one; writing ``5`` to ``/proc/self/clear_refs`` resets the peak so that one
process can measure several phases. CPU time is reported beside wall time because the benchmark
machine is shared: under load, wall time grows while CPU time stays a fair measure of the work.
"""

from __future__ import annotations

import os
import platform
import resource
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


def _status_kib(pid: int | str, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def rss_mb(pid: int | str = "self") -> float:
    """Current resident memory of a process in MB (0 if unknown)."""
    return _status_kib(pid, "VmRSS") / 1024


def peak_rss_mb(pid: int | str = "self") -> float:
    """Peak resident memory (high-water mark) of a process in MB."""
    return _status_kib(pid, "VmHWM") / 1024


def reset_peak_rss() -> bool:
    """Reset this process's high-water mark (Linux ≥ 4.0); False where the kernel refuses."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def children_peak_rss_mb() -> float:
    """Largest peak resident memory of any finished child process (worker pools), in MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


@dataclass(slots=True)
class Timing:
    """Wall and CPU seconds of a block, with the load average at its start and end."""

    wall_s: float = 0.0
    cpu_s: float = 0.0
    load_before: float = 0.0
    load_after: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, float]:
        return {
            "wall_s": round(self.wall_s, 3),
            "cpu_s": round(self.cpu_s, 3),
            "load_1min_before": round(self.load_before, 2),
            "load_1min_after": round(self.load_after, 2),
            **self.extra,
        }


@contextmanager
def timed() -> Iterator[Timing]:
    """``with timed() as timing:`` fills ``timing`` when the block ends."""
    timing = Timing(load_before=load_average()[0])
    wall, cpu = time.perf_counter(), cpu_seconds()
    try:
        yield timing
    finally:
        timing.wall_s = time.perf_counter() - wall
        timing.cpu_s = cpu_seconds() - cpu
        timing.load_after = load_average()[0]


def percentiles_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50, p95, mean and max of latencies given in seconds, as milliseconds."""
    if not seconds:
        return {"n": 0}
    values = np.asarray(seconds, dtype=np.float64) * 1000.0
    return {
        "n": len(values),
        "p50_ms": round(float(np.percentile(values, 50)), 2),
        "p95_ms": round(float(np.percentile(values, 95)), 2),
        "mean_ms": round(float(values.mean()), 2),
        "max_ms": round(float(values.max()), 2),
    }


def machine() -> dict[str, object]:
    """What the figures were measured on: CPU, cores, memory, kernel, Python."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = _meminfo_kib("MemTotal") / 1024 / 1024
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_gb, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average": [round(value, 2) for value in load_average()],
    }


def _meminfo_kib(key: str) -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def available_memory_gb() -> float:
    return _meminfo_kib("MemAvailable") / 1024 / 1024
