"""Several ``python -m ingest --watch`` workers on one database.

Workers lease due feeds (PostgreSQL: ``FOR UPDATE SKIP LOCKED``; SQLite: the single
write lock), so no feed is fetched by two workers at once or twice in one due period,
and the unique dedup key keeps every item stored once. The server keeps the time span
of every request; each response takes a while, so an overlap could not hide.
Runs on whichever database the suite runs on (``TENSION_TEST_DB``).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from ingest.config import FeedConfig
from storage import get_engine
from storage.db import write_transaction
from storage.repository import claim_due_feeds, sync_feeds
from tests.reliability.conftest import (
    ROOT,
    FeedServer,
    assert_consistent,
    cli_env,
    feed_bytes,
    feeds_toml,
    item_count,
    scalar,
    start_cli,
)

FEEDS = 20
ITEMS = 10
WORKERS = 3
INTERVAL = 10.0  # the shortest poll interval the CLI accepts
# Two polls per feed at the 10 s floor, with room for start-up on a busy 2-core machine.
RUN_SECONDS = 32


@pytest.mark.slow
def test_watch_workers_never_fetch_a_feed_twice_at_once(
    db_url: str, tmp_path: Path, feed_server: FeedServer
) -> None:
    paths = [f"/w{i}" for i in range(FEEDS)]
    urls = [feed_server.serve_bytes(p, feed_bytes(p.strip("/"), ITEMS), delay=0.3) for p in paths]
    config = feeds_toml(tmp_path / "feeds.toml", [(f"w{i}", u, True) for i, u in enumerate(urls)])

    workers = [
        start_cli("--watch", "--interval", str(INTERVAL), "--feeds", str(config), "--db", db_url)
        for _ in range(WORKERS)
    ]
    time.sleep(RUN_SECONDS)
    for w in workers:
        w.send_signal(signal.SIGTERM)
    for w in workers:
        _out, err = w.communicate(timeout=60)
        assert w.returncode == 0, err[-2000:]

    total_fetches = 0
    for path in paths:
        hits = sorted(feed_server.hits_for(path), key=lambda h: h.start)
        total_fetches += len(hits)
        assert len(hits) >= 2, f"{path} was polled {len(hits)} times in {RUN_SECONDS} s"
        for earlier, later in zip(hits, hits[1:], strict=False):
            assert later.start >= earlier.end, f"{path} fetched by two workers at once"
            # Next poll is due INTERVAL after the previous one started; allow for the
            # time between the worker's clock reading and the request reaching us.
            assert later.start - earlier.start >= INTERVAL * 0.5, f"{path} polled early"
    print(f"\n{WORKERS} workers, {FEEDS} feeds, {RUN_SECONDS} s: {total_fetches} fetches")
    assert item_count(db_url) == FEEDS * ITEMS
    assert scalar(db_url, "SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL") == 0
    assert_consistent(db_url)


def test_workers_starting_together_migrate_once(unmigrated_db_url: str) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "storage", "migrate", "--db", unmigrated_db_url],
            cwd=ROOT,
            env=cli_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-2000:]
    assert scalar(unmigrated_db_url, "SELECT count(*) FROM alembic_version") == 1
    assert item_count(unmigrated_db_url) == 0


def test_claims_in_flight_never_share_a_feed(db_url: str) -> None:
    """Worker A has claimed feeds but not committed yet; worker B must get the others.

    On PostgreSQL B runs while A's transaction is still open: without SKIP LOCKED it
    would see the same rows as due and then wait on A's row locks (here: fail after
    the lock timeout). On SQLite the write lock serialises the claims.
    """
    engine = get_engine(db_url)
    configs = [
        FeedConfig(f"c{i}", f"https://c{i}.example.org/feed", "en", ("SRB",)) for i in range(10)
    ]
    with write_transaction(engine) as conn:
        sync_feeds(conn, configs)
    now = datetime.now(UTC)
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as conn_a:
        tx_a = conn_a.begin()
        claimed_a = claim_due_feeds(conn_a, owner="A", now=now, limit=4)
        if not postgres:
            tx_a.commit()
        with write_transaction(engine) as conn_b:
            if postgres:
                conn_b.execute(text("SET LOCAL lock_timeout = '3s'"))
            claimed_b = claim_due_feeds(conn_b, owner="B", now=now)
        if postgres:
            tx_a.commit()
    ids_a = {f.id for f in claimed_a}
    ids_b = {f.id for f in claimed_b}
    assert len(ids_a) == 4
    assert ids_a.isdisjoint(ids_b)
    assert len(ids_b) == 6
