"""The dashboard's actions, on a real database with the real ingest CLI as the child:
"Poll every feed now" is single-flight and rate-limited and logs into the data folder;
``TENSION_READONLY=1`` offers no action on any page."""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.sample import POLL_LOCK, POLL_LOG
from tests.pages.test_pages import (
    PAGES,
    app,
    navigation_pages,  # noqa: F401 - fixture
    visit,
)

ACTION_KEYS = ("sources_poll", "_load_sample", "_png_make", "_svg_make")


@pytest.fixture
def silent_feed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A feed file whose one feed is a local socket that never answers: a poll of it runs
    until its 20 s timeout, long enough to click again."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(
        "[settings]\ntimeout = 20\nconnect_timeout = 5\n\n"
        f'[[feed]]\nname = "Silent"\nurl = "http://127.0.0.1:{port}/feed"\nlang = "en"\n'
        'countries = ["SRB"]\nallow_private = true\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("TENSION_FEEDS_FILE", str(feeds))
    yield feeds
    server.close()


def _poll_pid(folder: Path) -> int:
    return int((folder / POLL_LOCK).read_text().split()[1])


def _lock_free(folder: Path) -> bool:
    fd = os.open(folder / POLL_LOCK, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_poll_now_is_single_flight_rate_limited_and_logs_in_the_data_folder(
    sample_db_url: str, silent_feed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not sample_db_url.startswith("sqlite:///"):
        pytest.skip("the data folder of a SQLite database is its file's folder")
    folder = Path(sample_db_url.removeprefix("sqlite:///")).parent
    at = visit(app(sample_db_url, monkeypatch), "pages/sources.py")
    at.button(key="sources_poll").click().run()
    assert [s.value for s in at.success] == [
        "A poll of every enabled feed has started; new items appear here when stored."
    ]
    pid = _poll_pid(folder)
    try:
        # A second click, from another session too, while that poll runs: it says so.
        for session in (at, visit(app(sample_db_url, monkeypatch), "pages/sources.py")):
            session.button(key="sources_poll").click().run()
            assert not session.success
            assert any("A poll is already running" in i.value for i in session.info)
        assert _poll_pid(folder) == pid, "no second poll was started"
    finally:
        os.killpg(pid, signal.SIGTERM)  # the poll we started runs in its own session
    deadline = time.monotonic() + 30
    while not _lock_free(folder):
        assert time.monotonic() < deadline, "the killed poll released its lock"
        time.sleep(0.1)
    # Finished, but it started less than a minute ago: the next click waits.
    at.button(key="sources_poll").click().run()
    assert any("the next one can start in" in i.value for i in at.info)
    assert _poll_pid(folder) == pid
    log = folder / POLL_LOG
    assert log.exists() and log.stat().st_mode & 0o077 == 0
    assert not Path("/tmp/tension-poll-now.log").exists() or (  # noqa: S108
        Path("/tmp/tension-poll-now.log").stat().st_mtime < time.time() - 60  # noqa: S108
    )


def _actions(at) -> list[str]:  # noqa: ANN001 - an AppTest
    return [b.key or b.label for b in at.button if any(k in (b.key or "") for k in ACTION_KEYS)]


@pytest.mark.parametrize("page", PAGES)
def test_read_only_offers_no_action_on_an_empty_database(
    page: str, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same page without the setting does offer actions, so the check below can fail.
    assert _actions(visit(app(db_url, monkeypatch), page))
    monkeypatch.setenv("TENSION_READONLY", "1")
    at = visit(app(db_url, monkeypatch), page)
    assert _actions(at) == []
    assert any("read-only" in i.value for i in at.info)


@pytest.mark.parametrize("page", PAGES)
def test_read_only_offers_no_action_on_data(
    page: str, sample_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    dates = {"range": "custom", "from": "2025-01-01", "to": "2025-12-31"}
    monkeypatch.setenv("TENSION_READONLY", "1")
    at = visit(app(sample_db_url, monkeypatch, **dates), page)
    assert at.get("plotly_chart") or at.dataframe, "the page shows its data"
    assert _actions(at) == []
    if page != "pages/news.py":  # News has no action; every other page draws one here
        monkeypatch.setenv("TENSION_READONLY", "0")
        assert _actions(visit(app(sample_db_url, monkeypatch, **dates), page))
