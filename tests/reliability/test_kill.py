"""SIGKILL during a large ingest: the database stays whole and a rerun completes it.

Each batch of items is one transaction holding the items *with* their scores, stories
and daily aggregates, so a process killed at any instant leaves either all of a batch
or none of it. The kill points are random but seeded, so a failure can be replayed.
"""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import (
    assert_consistent,
    item_count,
    run_cli,
    start_cli,
    write_feed,
)

pytestmark = pytest.mark.slow

KILLS = 5
FILES = 4
ITEMS_PER_FILE = 1_500


def test_sigkill_at_random_points_then_rerun(db_url: str, tmp_path: Path) -> None:
    files = [
        str(write_feed(tmp_path / f"big{i}.xml", f"k{i}", ITEMS_PER_FILE)) for i in range(FILES)
    ]
    total = FILES * ITEMS_PER_FILE
    rng = random.Random(20240605)
    killed_with_partial_work = 0
    seen_counts = []
    for attempt in range(KILLS):
        proc = start_cli(*files, "--db", db_url, "--json")
        if attempt % 2 == 0:
            # Anywhere in the run, start-up and parsing included.
            time.sleep(rng.uniform(0.5, 6.0))
        else:
            # Somewhere among the writes: once this run has committed a batch.
            start = item_count(db_url)
            while proc.poll() is None and item_count(db_url) == start:
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 1.5))
        if proc.poll() is not None:
            break  # finished before the kill: the rerun below still checks the result
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        assert_consistent(db_url)
        stored = item_count(db_url)
        seen_counts.append(stored)
        if 0 < stored < total:
            killed_with_partial_work += 1

    before = item_count(db_url)
    rerun = run_cli(*files, "--db", db_url, "--json")
    assert rerun.code == 0, rerun.stderr[-2000:]
    print(f"\nkills survived: {len(seen_counts)}; items after each kill: {seen_counts}")
    assert killed_with_partial_work >= 1, "no kill landed in the middle of the ingest"
    assert item_count(db_url) == total
    assert rerun.summary["new"] == total - before
    assert_consistent(db_url)
