"""Run the real `ratsinfo` CLI in a subprocess with ``--json`` and return its parsed output."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


def ratsinfo_json(env: dict[str, str], *args: str, timeout: float = 300) -> dict[str, Any]:
    """``ratsinfo ARGS --json`` under ``env``; asserts exit code 0 (the error output on failure)."""
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed
