"""Every setting and every CLI command is documented in the README."""

from __future__ import annotations

from assistant.cli import app
from assistant.config import Settings
from tests.conftest import REPO


def test_every_setting_is_in_the_readme_configuration_table() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`RATSINFO_{name.upper()}`" not in readme]
    assert not missing, f"undocumented settings: {missing}"


def test_every_setting_has_a_description() -> None:
    assert all(field.description for field in Settings.model_fields.values())


def test_every_cli_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = [command.name or command.callback.__name__ for command in app.registered_commands]  # type: ignore[union-attr]
    commands += [group.name for group in app.registered_groups if group.name]
    missing = [name for name in commands if f"ratsinfo {name}" not in readme]
    assert not missing, f"undocumented commands: {missing}"
