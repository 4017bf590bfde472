"""Each package says what it exports: a docstring and a sorted ``__all__`` that resolves (A4)."""

from __future__ import annotations

import importlib

import pytest


def _isort_key(name: str) -> tuple[int, str]:
    """CONSTANTS, then Classes, then functions (ruff's RUF022 order); plain sort also passes."""
    if name.isupper():
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


PACKAGES = ["alerts", "dashboard", "ingest", "netguard", "scoring", "storage",
            "storage.alerts_store", "storage.queries"]


@pytest.mark.parametrize("name", PACKAGES)
def test_package_has_docstring_and_sorted_all(name: str) -> None:
    module = importlib.import_module(name)
    assert (module.__doc__ or "").strip(), f"{name} needs a docstring saying what it owns"
    exported = list(module.__all__)
    assert exported in (sorted(exported), sorted(exported, key=_isort_key))
    assert len(exported) == len(set(exported))


@pytest.mark.parametrize("name", PACKAGES)
def test_every_exported_name_exists(name: str) -> None:
    module = importlib.import_module(name)
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert missing == []
