"""Big inputs ingest with bounded memory: one feed of 20,000 items, and 200 feeds at once.

The ingest CLI runs as a child process; its own peak RSS comes from ``os.wait4``. The
bounds are generous (a regression that holds every item of a run, or every feed's body,
at once blows far past them) and the figures are printed for the closing note.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.conftest import assert_consistent, item_count, run_cli, write_feed

pytestmark = pytest.mark.slow

# The interpreter with SQLAlchemy, feedparser, pandas-free ingest and the lexicon loaded
# sits near 100 MB; a 20,000-item document (6.5 MB of XML) parsed by feedparser adds a
# few times its size. Keeping every ItemRow, score and ORM object of the run would not fit.
BIG_FEED_LIMIT_MB = 600
MANY_FEEDS_LIMIT_MB = 500


def test_feed_of_20000_items_with_bounded_memory(db_url: str, tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "big.xml", "big", 20_000)
    run = run_cli(str(feed), "--db", db_url, "--json", timeout=280)
    assert run.code == 0, run.stderr[-2000:]
    size_mb = feed.stat().st_size / 1e6
    print(f"\n20,000-item feed ({size_mb:.1f} MB): peak RSS {run.peak_rss_mb:.0f} MB")
    assert run.summary["new"] == 20_000
    assert item_count(db_url) == 20_000
    assert run.peak_rss_mb < BIG_FEED_LIMIT_MB
    assert_consistent(db_url)


def test_200_feeds_in_one_run_with_bounded_memory(db_url: str, tmp_path: Path) -> None:
    files = [str(write_feed(tmp_path / f"f{i}.xml", f"m{i}", 40)) for i in range(200)]
    run = run_cli(*files, "--db", db_url, "--json", timeout=280)
    assert run.code == 0, run.stderr[-2000:]
    print(f"\n200 feeds x 40 items: peak RSS {run.peak_rss_mb:.0f} MB")
    assert len(run.summary["feeds"]) == 200
    assert run.summary["errors"] == 0
    assert item_count(db_url) == 8_000
    assert run.peak_rss_mb < MANY_FEEDS_LIMIT_MB
    assert_consistent(db_url)
