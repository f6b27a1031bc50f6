"""Access manifests give the files of a mixed folder their own permissions at ingest."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.services import Services
from ingest.errors import ExtractionError
from ingest.sources.access_manifest import parse_manifest

TEXT = "Stadt Lindenau an der Weser\nVorlage\nBetreff: {title}\n\nDer Rat berät über {title}.\n"


def _folder(root: Path, manifest: object, name: str = ".ratsinfo-access.json") -> Path:
    for relative in (
        "oeffentlich/haushalt.txt",
        "vertraulich/grundstueck.txt",
        "vertraulich/personal.txt",
        "vertraulich/alt/vergleich.txt",
        "fraktion/strategie.txt",
    ):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TEXT.format(title=path.stem), encoding="utf-8")
    (root / name).write_text(json.dumps(manifest), encoding="utf-8")
    return root


@pytest.fixture
def services(make_services: Callable[..., Services]) -> Services:
    return make_services()


def _access(services: Services) -> dict[str, set[str]]:
    return {Path(d.source).name: set(d.access) for d in services.store.documents().values()}


def test_first_matching_rule_wins_and_unmatched_files_get_the_command_line_group(
    services: Services, tmp_path: Path
) -> None:
    folder = _folder(
        tmp_path / "export",
        {
            "vertraulich/personal.txt": ["gremium-personal"],
            "vertraulich/*": ["gremium-hauptausschuss"],
            "oeffentlich/*.txt": ["public"],
        },
    )
    report = services.ingestor.ingest([str(folder)], access=frozenset({"fraktion-gruen"}))
    assert report.added == 5 and not report.failed
    assert _access(services) == {
        "haushalt.txt": {"public"},
        "grundstueck.txt": {"gremium-hauptausschuss"},
        "personal.txt": {"gremium-personal"},
        "vergleich.txt": {"gremium-hauptausschuss"},  # "*" matches across sub-folders
        "strategie.txt": {"fraktion-gruen"},  # no rule: --group
    }


def test_a_manifest_in_a_subfolder_overrides_the_one_above(services: Services, tmp_path: Path) -> None:
    folder = _folder(tmp_path / "export", {"*": ["public"]}, name="ratsinfo-access.json")
    (folder / "vertraulich" / "ratsinfo-access.json").write_text(json.dumps({"*": ["gremium-x"]}))
    report = services.ingestor.ingest([str(folder)])
    assert not report.failed, "ratsinfo-access.json itself is no document"
    access = _access(services)
    assert access["haushalt.txt"] == access["strategie.txt"] == {"public"}
    assert access["grundstueck.txt"] == access["vergleich.txt"] == {"gremium-x"}


def test_changing_the_manifest_changes_access_without_reembedding(services: Services, tmp_path: Path) -> None:
    folder = _folder(tmp_path / "export", {"vertraulich/*": ["gremium-a"], "*": ["public"]})
    services.ingestor.ingest([str(folder)])
    (folder / ".ratsinfo-access.json").write_text(json.dumps({"*": ["gremium-b"]}))
    report = services.ingestor.ingest([str(folder)])
    assert (report.unchanged, report.chunks) == (5, 0)
    assert set(map(frozenset, _access(services).values())) == {frozenset({"gremium-b"})}


@pytest.mark.parametrize(
    "manifest",
    ["{not json", json.dumps(["public"]), json.dumps({"*": []}), json.dumps({"*": ["Böse Gruppe"]})],
)
def test_an_invalid_manifest_fails_its_files_instead_of_guessing(
    services: Services, tmp_path: Path, manifest: str
) -> None:
    folder = _folder(tmp_path / "export", {})
    (folder / ".ratsinfo-access.json").write_text(manifest)
    report = services.ingestor.ingest([str(folder)])
    assert report.added == 0 and len(report.failed) == 5
    assert all("access manifest" in failure.error for failure in report.failed)
    assert services.store.documents() == {}


def test_parse_manifest_keeps_rule_order_and_accepts_a_single_group() -> None:
    rules = parse_manifest('{"b/*": "gruppe-b", "*": ["public", "gruppe-a"]}', "m.json")
    assert rules == (("b/*", frozenset({"gruppe-b"})), ("*", frozenset({"public", "gruppe-a"})))
    with pytest.raises(ExtractionError, match=r"m\.json"):
        parse_manifest('{"*": 3}', "m.json")
