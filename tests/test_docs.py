"""The README documents every command-line flag and environment variable (A1/A2 habit)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from alerts.cli import _parser as alerts_parser
from alerts.rules import Settings
from ingest.cli import _parser as ingest_parser
from scoring import SIGNAL_CODES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _flags(parser: argparse.ArgumentParser) -> list[str]:
    return sorted(
        opt
        for action in parser._actions
        for opt in action.option_strings
        if opt.startswith("--") and opt != "--help"
    )


@pytest.mark.parametrize("flag", _flags(ingest_parser()))
def test_every_ingest_flag_is_in_the_readme(flag: str) -> None:
    assert flag in README


def _subcommand_flags(parser: argparse.ArgumentParser) -> list[str]:
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted({flag for sub in subs.choices.values() for flag in _flags(sub)})


@pytest.mark.parametrize("flag", _subcommand_flags(alerts_parser()))
def test_every_alerts_flag_is_in_the_readme(flag: str) -> None:
    assert flag in README


@pytest.mark.parametrize("command", ["run", "list", "test RULE", "enable", "disable"])
def test_every_alerts_command_is_in_the_readme(command: str) -> None:
    assert f"python -m alerts {command}" in README


@pytest.mark.parametrize("key", sorted(Settings.__dataclass_fields__))
def test_alerts_settings_are_in_the_readme_or_the_shipped_rules(key: str) -> None:
    shipped = (ROOT / "alerts.toml").read_text(encoding="utf-8")
    assert key in README or key in shipped or key == "dashboard_url"


@pytest.mark.parametrize("name", ["TENSION_DB_URL", "TENSION_FEEDS_FILE", "TENSION_TEST_PG_URL",
                                  "TENSION_ALERTS_FILE"])
def test_every_environment_variable_is_in_the_readme(name: str) -> None:
    assert name in README


@pytest.mark.parametrize("command", ["make run", "make test", "make bench", "python -m ingest",
                                     "python -m scoring score", "python -m storage migrate"])
def test_commands_are_in_the_readme(command: str) -> None:
    assert command in README


def test_every_signal_code_is_documented_beside_the_lexicon() -> None:
    text = (ROOT / "scoring" / "data" / "README.md").read_text(encoding="utf-8")
    missing = [code for code in SIGNAL_CODES if code not in text]
    assert missing == []
