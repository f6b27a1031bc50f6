"""Shared fixtures: real stores in temporary folders, the sample corpus ingested once."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

from assistant.offline import disable_phone_home

if TYPE_CHECKING:
    from assistant.services import Services

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

disable_phone_home()

# Property-based tests (tests/test_properties_*.py) run a bounded, reproducible number of examples
# so that `make test` stays fast; HYPOTHESIS_PROFILE=thorough explores 25 times as many, freshly.
settings.register_profile(
    "ratsinfo",
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough", parent=settings.get_profile("ratsinfo"), max_examples=1000, derandomize=False
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ratsinfo"))


def shared_path(*parts: str) -> Path:
    """A folder of ../shared; skips the test with a clear message when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the real documents of ../shared are needed for this test")
    return path


# Mechanics tests (stores, CLI, API, reliability) run on the hashing embedder: the semantic default
# would convert and run multilingual-e5-small in every one of them. Quality tests ask for the real
# model (``semantic_settings``); tests of the unset default remove this variable.
TEST_EMBED_MODEL = "hashing"


@pytest.fixture(scope="session", autouse=True)
def _hashing_for_shared_fixtures() -> Iterator[None]:
    """Module- and session-scoped fixtures are built before the per-test environment below: they,
    too, get no developer's RATSINFO_* and the hashing embedder unless they ask for the real model."""
    saved = {key: value for key, value in os.environ.items() if key.startswith("RATSINFO_")}
    for key in saved:
        del os.environ[key]
    os.environ["RATSINFO_EMBED_MODEL"] = TEST_EMBED_MODEL
    yield
    os.environ.pop("RATSINFO_EMBED_MODEL", None)
    os.environ.update(saved)


@pytest.fixture(autouse=True)
def _no_ratsinfo_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests build their settings explicitly; a developer's RATSINFO_* must not leak in (also into
    the CLI subprocesses they start), and the embedder is hashing unless a test asks otherwise."""
    for key in list(os.environ):
        if key.startswith("RATSINFO_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("RATSINFO_EMBED_MODEL", TEST_EMBED_MODEL)


@pytest.fixture(scope="session")
def sample_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from eval.sample_corpus import materialize

    destination = tmp_path_factory.mktemp("sample-corpus")
    materialize(destination)
    return destination


@pytest.fixture(scope="session")
def e5_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder holding the built-in multilingual-e5-small, converted once per session."""
    from assistant.embedding.builtin_e5 import ensure_converted

    models = tmp_path_factory.mktemp("e5-models")
    ensure_converted(models)
    return models


@pytest.fixture
def make_services(tmp_path: Path) -> Iterator[Callable[..., Services]]:
    """Build services over a fresh persistent store in ``tmp_path`` (settings overridable by
    keyword); every store built is closed when the test ends."""
    from assistant.config import Settings
    from assistant.services import build_services

    built: list[Services] = []

    def make(**overrides: Any) -> Services:
        overrides.setdefault("data_dir", tmp_path / "data")
        overrides.setdefault("embed_model", TEST_EMBED_MODEL)
        services = build_services(Settings(**overrides))
        built.append(services)
        return services

    yield make
    for services in built:
        services.close()


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One models folder for the session: the built-in model is converted once, on first use."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def semantic_settings(models_dir: Path) -> dict[str, Any]:
    """Settings of the default semantic model (multilingual-e5-small) over the session's models."""
    from assistant.config import DEFAULT_EMBED_MODEL

    return {"embed_model": DEFAULT_EMBED_MODEL, "models_dir": models_dir}


@pytest.fixture(scope="session")
def sample_services(
    sample_corpus: Path, semantic_settings: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[object]:
    """The sample corpus ingested once into a persistent store (public and restricted parts), with
    the default semantic model: what `make run` serves."""
    from assistant.config import Settings
    from assistant.services import build_services

    settings = Settings(data_dir=tmp_path_factory.mktemp("sample-data"), **semantic_settings)
    services = build_services(settings)
    report = services.ingestor.ingest([str(sample_corpus / "public")])
    assert not report.failed, report.failed
    for group_folder in sorted((sample_corpus / "restricted").iterdir()):
        services.ingestor.ingest([str(group_folder)], access=frozenset({group_folder.name}))
    yield services
    services.close()


@pytest.fixture(scope="session")
def karlsruhe_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The whole Karlsruhe data crawled once (tests/karlsruhe_crawl.py); read-only for tests."""
    from tests.karlsruhe_crawl import crawl_karlsruhe

    shared_path("data", "oparl-karlsruhe")
    with crawl_karlsruhe(SHARED, tmp_path_factory.mktemp("karlsruhe-crawl")) as crawled:
        yield crawled
