"""The house rules a command can check: the import contracts and the size of modules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

MAX_MODULE_LINES = 400
PACKAGES = ("ingest", "assistant", "ui", "eval")


def test_import_contracts_are_kept() -> None:
    """Layers ui|eval > assistant > ingest, the UI only on the service layer, no cycles."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "3 kept, 0 broken" in result.stdout


def test_no_module_is_longer_than_the_limit() -> None:
    too_long = {
        str(path.relative_to(REPO)): lines
        for package in PACKAGES
        for path in (REPO / package).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"split these along their own seams: {too_long}"
