"""The dependency rule of DESIGN.md / STYLE.md, enforced by parsing every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"alerts", "app", "dashboard", "ingest", "netguard", "pages", "scoring", "storage"}
THIRD_PARTY_IO = {"sqlalchemy", "sqlite3", "psycopg", "streamlit", "httpx", "requests", "urllib3"}

# module glob → forbidden import prefixes
RULES: list[tuple[str, tuple[str, ...]]] = [
    ("scoring/**/*.py", ("storage", "ingest", "dashboard", "pages", "app", *THIRD_PARTY_IO,
                         "socket", "urllib.request")),
    ("storage/**/*.py", ("ingest", "dashboard", "pages", "app", "streamlit", "alerts")),
    ("ingest/fetch.py", ("storage", "scoring", "dashboard", "pages", "streamlit")),
    ("ingest/parse.py", ("storage", "scoring", "dashboard", "pages", "streamlit", "httpx")),
    ("ingest/normalize.py", ("storage", "scoring", "dashboard", "pages", "streamlit", "httpx")),
    ("ingest/config.py", ("storage", "scoring", "dashboard", "pages", "streamlit", "httpx")),
    ("ingest/errors.py", ("storage", "scoring", "dashboard", "pages", "streamlit")),
    # Only the CLI's watch loop may call alerts (DESIGN.md); the steps know nothing of it.
    *[(f"ingest/{name}.py", ("alerts",)) for name in
      ("fetch", "parse", "normalize", "config", "errors", "pipeline", "worker", "rescore")],
    ("ingest/**/*.py", ("dashboard", "pages", "streamlit")),
    ("alerts/**/*.py", ("ingest", "dashboard", "pages", "app", "streamlit", "storage.models",
                        "storage.repository")),
    ("netguard.py", (*sorted(OURS - {"netguard"}), *sorted(THIRD_PARTY_IO))),
    ("dashboard/**/*.py", ("sqlalchemy", "sqlite3", "psycopg", "ingest", "storage.models",
                           "storage.repository", "storage.db", "pages", "alerts")),
    ("pages/**/*.py", ("sqlalchemy", "sqlite3", "psycopg", "ingest", "storage.models",
                       "storage.repository", "storage.db", "storage.migrate", "alerts",
                       "storage.alerts_store")),
    ("app.py", ("sqlalchemy", "sqlite3", "storage", "ingest")),
]

# storage may use scoring only for its value types.
ALLOWED = {"storage": ("scoring.types",)}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _matches(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _violations() -> list[str]:
    out = []
    for pattern, forbidden in RULES:
        for path in sorted(ROOT.glob(pattern)):
            if ".venv" in path.parts:
                continue
            rel = path.relative_to(ROOT)
            for lineno, name in _imports(path):
                if any(_matches(name, f) for f in forbidden):
                    out.append(f"{rel}:{lineno} imports {name}")
    # storage → scoring: types only
    for path in sorted(ROOT.glob("storage/**/*.py")):
        for lineno, name in _imports(path):
            if _matches(name, "scoring") and not any(_matches(name, a) for a in ALLOWED["storage"]):
                out.append(f"{path.relative_to(ROOT)}:{lineno} imports {name} (types only)")
    return out


def test_dependency_rule_holds() -> None:
    assert _violations() == []


def test_alerts_layering_is_enforced() -> None:
    forbidden = dict(RULES)
    assert "ingest" in forbidden["alerts/**/*.py"] and "pages" in forbidden["alerts/**/*.py"]
    assert "alerts" in forbidden["ingest/pipeline.py"]
    assert "alerts" not in forbidden["ingest/**/*.py"]  # the CLI's watch loop calls alerts


def test_rule_detects_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy\nfrom storage.models import Item\n")
    names = [n for _, n in _imports(bad)]
    assert any(_matches(n, "sqlalchemy") for n in names)
    assert any(_matches(n, "storage.models") for n in names)


@pytest.mark.parametrize("folder", ["pages"])
def test_pages_folder_holds_only_page_scripts(folder: str) -> None:
    for path in (ROOT / folder).glob("*.py"):
        assert path.name != "__init__.py", "pages/ is not a package: helpers live in dashboard/"


def test_no_unsafe_html_anywhere() -> None:
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("dashboard/*.py")]:
        if path.exists():
            assert "unsafe_allow_html=True" not in path.read_text().replace(" ", ""), path
