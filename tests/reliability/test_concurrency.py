"""Ingest writing while eight dashboard readers query: nobody sees "database is locked",
no item is lost, none is stored twice.

Two ingest processes (four feed threads each) write generated feeds while eight reader
threads call the same ``storage.queries`` functions the pages call. What keeps this
working on SQLite: WAL (readers never block the writer), a 30 s busy timeout (SQLite's
own retry with backoff), and BEGIN IMMEDIATE for writers (no unretryable lock upgrade).
"""

from __future__ import annotations

import threading
import traceback
from pathlib import Path

import pytest

from storage import queries
from storage.queries import QueryFilters
from tests.reliability.conftest import (
    assert_consistent,
    item_count,
    start_cli,
    write_feed,
)

pytestmark = pytest.mark.slow

FEEDS_PER_WRITER = 12
ITEMS_PER_FEED = 200
READERS = 8


def _read_loop(url: str, stop: threading.Event, errors: list[BaseException], counts: list[int]):
    filters = QueryFilters(actors=("SRB",))
    calls = 0
    while not stop.is_set():
        try:
            queries.has_items(url)
            queries.news_count(url)
            queries.news_page(url, filters)
            queries.tension_by_actor_day(url)
            queries.actor_totals(url)
            queries.signal_mix_by_day(url, filters)
            queries.feed_health(url)
            queries.recent_fetches(url)
            calls += 8
        except Exception as exc:  # noqa: BLE001 - any failure a user would see
            errors.append(exc)
            return
    counts.append(calls)


def test_ingest_while_eight_readers_query(db_url: str, tmp_path: Path) -> None:
    writers_files = []
    for w in range(2):
        files = [
            write_feed(tmp_path / f"w{w}_f{f}.xml", f"w{w}f{f}", ITEMS_PER_FEED)
            for f in range(FEEDS_PER_WRITER)
        ]
        writers_files.append(files)
    expected = 2 * FEEDS_PER_WRITER * ITEMS_PER_FEED

    stop = threading.Event()
    errors: list[BaseException] = []
    calls: list[int] = []
    readers = [
        threading.Thread(target=_read_loop, args=(db_url, stop, errors, calls), daemon=True)
        for _ in range(READERS)
    ]
    for r in readers:
        r.start()
    procs = [start_cli(*map(str, files), "--db", db_url, "--json") for files in writers_files]
    outputs = [p.communicate(timeout=280) for p in procs]
    stop.set()
    for r in readers:
        r.join(timeout=60)

    for p, (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err[-2000:]
        assert "locked" not in err
    assert not errors, "a reader failed:\n" + "".join(traceback.format_exception(errors[0]))
    assert sum(calls) > 0
    stored = item_count(db_url)
    print(f"\nitems held under load: {stored} of {expected}; reader query calls: {sum(calls)}")
    assert stored == expected
    assert_consistent(db_url)
