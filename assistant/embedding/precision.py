"""Which number format the built-in model computes in, chosen from what the machine can do fast.

Measured on multilingual-e5-small (README "Semantic ingest speed", benchmarks/precision-quality.json):
on a CPU with AMX (Intel Sapphire Rapids and later) bfloat16 weights take 1.8-2.5x less CPU than
float32 through oneDNN's AMX kernels and give the same vectors (cosine to float32 >= 0.9999,
retrieval unchanged); without AMX bfloat16 is slower than float32. int8 (dynamic quantisation of
the linear layers, per output channel) takes 1.4x less CPU than float32 and moves vectors a little
(cosine 0.98 on average); its dense-retrieval recall@10 stays within 1 point of float32's on both
QA sets (real_qa: equal; sample_qa: one question of 105 lower), so ``auto`` picks it on x86 CPUs
with VNNI and without AMX (``INT8_AUTO``). Elsewhere a CPU computes in float32, a GPU in float16.
``auto_precision`` applies this; an explicit choice is taken as it is.

The embedder's name (the store's build record) names the variant: ``<model>`` for float32,
``<model>+bf16``, ``<model>+fp16``, ``<model>+int8``. Vectors of float32, bfloat16 and float16 are
interchangeable (the differences are far below what changes a ranking: see benchmarks/README.md),
so a store built with one accepts the others (``same_vector_space``), e.g. built on a GPU server
and extended on a CPU, and lists every variant that wrote to it; int8 vectors are not, and a store
of them accepts only int8. So ``auto`` keeps the kind of vectors a store was built with where this
machine's choice would differ (``precision_for_store``): a store moves between machines as it is.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from assistant.errors import ConfigurationError

Precision = Literal["fp32", "bf16", "fp16", "int8"]
PRECISIONS: tuple[str, ...] = ("auto", "fp32", "bf16", "fp16", "int8")
# Variants whose vectors agree with float32 closely enough to share a store (see module docstring).
INTERCHANGEABLE: frozenset[str] = frozenset({"fp32", "bf16", "fp16"})
# x86 flags of the int8 dot-product instructions that torch's int8 kernels (fbgemm) use.
VNNI_FLAGS: frozenset[str] = frozenset({"avx512_vnni", "avx_vnni"})
# Whether ``auto`` picks int8 on CPUs with VNNI and without AMX: only while int8's recall@10 stays
# within 1 point of float32 on both QA sets (benchmarks/precision-quality.json).
INT8_AUTO = True


def variant_name(model: str, precision: str) -> str:
    """The embedder name of ``model`` computed in ``precision`` (float32: the model's own name)."""
    return model if precision == "fp32" else f"{model}+{precision}"


def same_vector_space(recorded: str, current: str) -> bool:
    """True if vectors of embedder ``current`` may be stored beside (and queried against) ``recorded``'s."""
    if recorded == current:
        return True
    base_recorded, _, variant_recorded = recorded.partition("+")
    base_current, _, variant_current = current.partition("+")
    return (
        base_recorded == base_current
        and {variant_recorded or "fp32", variant_current or "fp32"} <= INTERCHANGEABLE
    )


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The instruction-set flags of the first CPU (Linux); empty where they cannot be read."""
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("flags"):
                return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def auto_precision(device: str, flags: Iterable[str]) -> Precision:
    """What ``auto`` runs in on ``device`` with the CPU's ``flags`` (the table in the module docstring)."""
    if device.startswith("cuda"):
        return "fp16"
    present = set(flags)
    if "amx_bf16" in present:
        return "bf16"
    if INT8_AUTO and present & VNNI_FLAGS:
        return "int8"
    return "fp32"


def choose_precision(requested: str, device: str, flags: Iterable[str]) -> Precision:
    """The precision to run in: ``requested`` checked against ``device``, or chosen for ``auto``."""
    on_gpu = device.startswith("cuda")
    if requested == "auto":
        return auto_precision(device, flags)
    if requested not in PRECISIONS:
        raise ConfigurationError(
            f"unknown embedding precision {requested!r}: use one of {', '.join(PRECISIONS)}",
            german=f"Unbekannte Rechengenauigkeit {requested!r}: erlaubt sind {', '.join(PRECISIONS)}.",
        )
    if requested == "fp16" and not on_gpu:
        raise ConfigurationError(
            "float16 needs a GPU (RATSINFO_DEVICE=cuda); on a CPU use bf16, int8 or fp32",
            german="float16 braucht eine GPU (RATSINFO_DEVICE=cuda); auf der CPU bf16, int8 oder fp32.",
        )
    if requested == "int8" and on_gpu:
        raise ConfigurationError(
            "int8 is the CPU variant; on a GPU use fp16 or fp32",
            german="int8 ist die CPU-Variante; auf der GPU fp16 oder fp32.",
        )
    return requested  # type: ignore[return-value]  # checked against PRECISIONS above


def precision_of(embedder_name: str) -> str:
    """The precision of a built-in variant by its name (``variant_name`` backwards)."""
    return embedder_name.partition("+")[2] or "fp32"


def precision_for_store(device: str, flags: Iterable[str], recorded: str) -> Precision:
    """What ``auto`` runs in for a store whose build record names the embedder ``recorded``.

    This machine's ``auto_precision``, except where its vectors would be refused by the store (an
    int8 store moved to a machine whose ``auto`` is bf16, or the reverse): then the store's variant
    if this device can run it (float32 for a float store: bf16 is slow without AMX); else the store
    refuses the configured one with a message naming the fix.
    """
    chosen = auto_precision(device, flags)
    stored = precision_of(recorded)
    if stored == chosen or {stored, chosen} <= INTERCHANGEABLE or stored not in PRECISIONS[1:]:
        return chosen  # vectors the store takes, or a name that is no built-in variant
    if stored in INTERCHANGEABLE:  # a float store where auto is int8: float32, fast on any CPU
        return "fp32"
    try:
        return choose_precision(stored, device, flags)
    except ConfigurationError:  # an int8 store on a GPU
        return chosen


def setting_to_restore(recorded: str, current: str) -> str:
    """The setting to set back when a store built by ``recorded`` refuses ``current``'s vectors."""
    if recorded != current and recorded.partition("+")[0] == current.partition("+")[0]:  # another format
        return f"RATSINFO_EMBED_PRECISION={precision_of(recorded)} (or auto)"
    return "RATSINFO_EMBED_MODEL"


def passive_thread_waits() -> None:
    """Let torch's OpenMP threads sleep, not spin, while they wait for each other.

    With spinning threads (OpenMP's default) an encoder on two cores that shares them with other
    work ran at a third of its speed: whenever one thread is descheduled the other burns its time
    slice waiting at the next barrier. Measured with other processes keeping the load at 8 on two
    cores: 1,440 tokens/s spinning, 3,720 sleeping (and 1,750 with one thread). OpenMP reads the
    setting when torch is first imported, so this runs before that; a value set by the operator
    (``OMP_WAIT_POLICY``) is kept.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def physical_cores() -> int:
    """Cores this process may run on, counting each physical core once (hyper-threads share one).

    Matrix kernels keep a core's arithmetic units busy; a second thread on its sibling only
    contends for them.
    """
    allowed = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set(range(os.cpu_count() or 1))
    cores: set[tuple[str, str]] = set()
    for cpu in allowed:
        topology = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology")
        try:
            package = (topology / "physical_package_id").read_text().strip()
            core = (topology / "core_id").read_text().strip()
        except OSError:
            return max(1, len(allowed))
        cores.add((package, core))
    return max(1, len(cores))
