"""Shared fixtures: a real migrated database (SQLite file, or a PostgreSQL schema), seeded
through the real ingest path, and a clean environment per test.

Set TENSION_TEST_DB=postgresql and TENSION_TEST_PG_URL=postgresql+psycopg://... to run
every database test against PostgreSQL; each test then gets its own schema.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from storage import migrate

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLE_FILES = sorted((ROOT / "data" / "sample").glob("*.xml"))
# Set in CI (.ci/run): a missing ../shared is then an error, not a skip.
REQUIRE_SHARED_ENV = "TENSION_REQUIRE_SHARED"

_OUR_ENV = ("TENSION_DB_URL", "TENSION_FEEDS_FILE", "TENSION_READONLY", "TENSION_ALERTS_FILE")


def needs_shared(*parts: str) -> pytest.MarkDecorator:
    """Mark a test (or a module, as ``pytestmark``) that reads ``../shared/<parts>``.

    Where that material is missing (a clone without ../shared) the test is skipped with a
    reason naming the missing folder; with TENSION_REQUIRE_SHARED=1 it fails instead.
    Read the files inside the test or a fixture, never at import time.
    """
    return pytest.mark.shared(SHARED.joinpath(*parts))


def shared_missing(path: Path) -> None:
    """Skip (or, with TENSION_REQUIRE_SHARED=1, fail) because ``path`` in ../shared is absent."""
    where = SHARED if not SHARED.is_dir() else path
    reason = f"needs {path}: the folder {where} is missing (a clone without ../shared)"
    if os.environ.get(REQUIRE_SHARED_ENV, "").strip() == "1":
        pytest.fail(f"{reason}; {REQUIRE_SHARED_ENV}=1 makes that an error", pytrace=False)
    pytest.skip(reason)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "shared(path): reads material from ../shared; skipped when it is missing "
        "(failed with TENSION_REQUIRE_SHARED=1)",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("shared"):
        path = Path(mark.args[0])
        if not path.exists():
            shared_missing(path)


def use_postgres() -> bool:
    return os.environ.get("TENSION_TEST_DB") == "postgresql"


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's own database or feed file."""
    for name in _OUR_ENV:
        monkeypatch.delenv(name, raising=False)


def _pg_base_url() -> str:
    url = os.environ.get("TENSION_TEST_PG_URL")
    if not url:
        pytest.fail("TENSION_TEST_DB=postgresql needs TENSION_TEST_PG_URL")
    return url


def new_database_url(tmp_path: Path, *, migrated: bool = True) -> Iterator[str]:
    """A fresh database URL (migrated unless told otherwise); the caller's generator cleans up."""
    if not use_postgres():
        url = f"sqlite:///{tmp_path / 'tension.db'}"
        if migrated:
            migrate(url)
        yield url
        return
    base = _pg_base_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    try:
        if migrated:
            migrate(url)
        yield url
    finally:
        from storage.db import dispose_engine

        dispose_engine(url)
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A real, empty database migrated through the real migration path."""
    yield from new_database_url(tmp_path)


@pytest.fixture
def unmigrated_db_url(tmp_path: Path) -> Iterator[str]:
    """A database with no tables yet (SQLite: no file; PostgreSQL: an empty schema)."""
    yield from new_database_url(tmp_path, migrated=False)


def ingest(url: str, *sources: str | Path) -> dict:
    """Run the real ingest CLI in-process and return its JSON summary."""
    import contextlib
    import io
    import json

    from ingest.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([*map(str, sources), "--db", url, "--json"])
    assert code == 0, out.getvalue()
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.fixture(scope="session")
def _sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    url = f"sqlite:///{folder / 'tension.db'}"
    migrate(url)
    ingest(url, *SAMPLE_FILES)
    from storage.db import dispose_engine

    dispose_engine(url)
    return folder / "tension.db"


@pytest.fixture
def sample_db_url(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database holding the bundled sample data, ingested through the real CLI."""
    if use_postgres():
        gen = new_database_url(tmp_path)
        url = next(gen)
        ingest(url, *SAMPLE_FILES)
        yield url
        with __import__("contextlib").suppress(StopIteration):
            next(gen)
        return
    template = request.getfixturevalue("_sample_template")
    target = tmp_path / "tension.db"
    shutil.copyfile(template, target)
    yield f"sqlite:///{target}"
