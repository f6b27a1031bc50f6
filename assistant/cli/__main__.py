"""`python -m assistant.cli`: the same command as `ratsinfo`."""

from __future__ import annotations

from assistant.cli import app

app()
