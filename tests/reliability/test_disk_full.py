"""A database that cannot be written: read-only, or out of space.

The CLI must print one clear line, exit 2 (DESIGN.md), and leave nothing half-written:
every stored item has its score and aggregate rows, and a later run completes the rest.
We run as root, where file permissions do not bite, so read-only is SQLite's
``mode=ro`` URI (PostgreSQL: ``default_transaction_read_only``), and "full" is
SQLite's ``max_page_count`` or a 1 MB tmpfs when this machine lets us mount one.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from ingest.cli import main
from storage import get_engine, migrate
from storage.db import dispose_engine
from tests.conftest import ingest, use_postgres
from tests.reliability.conftest import (
    assert_consistent,
    item_count,
    run_cli,
    write_feed,
)


def _read_only_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///file:{parsed.database}?mode=ro&uri=true"
    options = parsed.query.get("options", "")
    return parsed.update_query_dict(
        {"options": f"{options} -cdefault_transaction_read_only=on".strip()}
    ).render_as_string(hide_password=False)


def _assert_one_line_error(stderr: str, *words: str) -> None:
    assert "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("error: database"), stderr[-1500:]
    assert any(w in last.lower() for w in words), last


def test_read_only_database_exit_2_and_nothing_written(db_url: str, tmp_path: Path) -> None:
    first = write_feed(tmp_path / "first.xml", "ro1", 30)
    ingest(db_url, first)
    dispose_engine(db_url)
    second = write_feed(tmp_path / "second.xml", "ro2", 30)

    run = run_cli(str(second), "--db", _read_only_url(db_url), "--json")

    assert run.code == 2
    _assert_one_line_error(run.stderr, "readonly", "read-only")
    assert item_count(db_url) == 30
    with get_engine(db_url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM feeds")).scalar() == 1
    assert_consistent(db_url)


def test_missing_read_only_database_exit_2(tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "f.xml", "ro3", 3)
    url = f"sqlite:///file:{tmp_path / 'absent.db'}?mode=ro&uri=true"
    run = run_cli(str(feed), "--db", url, "--json")
    assert run.code == 2
    _assert_one_line_error(run.stderr, "unable to open")
    assert not (tmp_path / "absent.db").exists()


@contextlib.contextmanager
def _page_limit(url: str, extra_pages: int) -> Iterator[None]:
    """Cap the SQLite file at its current size plus ``extra_pages`` for every new connection."""
    engine = get_engine(url)
    with engine.connect() as conn:
        pages = conn.execute(text("PRAGMA page_count")).scalar()

    def cap(dbapi_conn, _record) -> None:  # noqa: ANN001
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + extra_pages}")

    engine.dispose()
    event.listen(engine, "connect", cap)
    try:
        yield
    finally:
        event.remove(engine, "connect", cap)
        engine.dispose()


@pytest.mark.skipif(use_postgres(), reason="SQLite page limit; PostgreSQL's disk is the server's")
def test_disk_full_midway_exit_2_then_rerun_completes(db_url: str, tmp_path: Path) -> None:
    feeds = [write_feed(tmp_path / f"full{i}.xml", f"full{i}", 600) for i in range(3)]
    out, err = io.StringIO(), io.StringIO()
    with _page_limit(db_url, extra_pages=150):
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([*map(str, feeds), "--db", db_url, "--json"])
    assert code == 2
    _assert_one_line_error(err.getvalue(), "full")
    stored = item_count(db_url)
    assert 0 < stored < 1800, "the limit should stop the run part way"
    assert_consistent(db_url)

    summary = ingest(db_url, *feeds)
    assert summary["new"] == 1800 - stored
    assert item_count(db_url) == 1800
    assert_consistent(db_url)


@pytest.fixture
def tiny_filesystem(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / f"tiny-{uuid.uuid4().hex[:6]}"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); page-limit test covers it")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.mark.skipif(use_postgres(), reason="a SQLite file on a tiny filesystem")
def test_full_filesystem_exit_2_and_consistent(tiny_filesystem: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tiny_filesystem / 'tension.db'}"
    migrate(url)
    dispose_engine(url)
    feeds = [str(write_feed(tmp_path / f"tiny{i}.xml", f"tiny{i}", 1500)) for i in range(2)]

    run = run_cli(*feeds, "--db", url, "--json")

    assert run.code == 2
    _assert_one_line_error(run.stderr, "full")
    assert 0 < item_count(url) < 3000
    assert_consistent(url)
    dispose_engine(url)
