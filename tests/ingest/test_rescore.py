"""`python -m ingest.rescore` on the sample database: same items, scores rewritten with the
current lexicon version, and daily aggregates rebuilt equal to the ones ingestion kept
incrementally. The stored scores and aggregates are spoiled first, so a re-score that
did nothing could not pass.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from scoring import load_lexicon
from storage import get_engine
from tests.conftest import ROOT

pytestmark = pytest.mark.timeout(180)

COUNTED = ("items", "scores", "item_signals", "item_actors", "evidence", "stories")
# round(numeric, n): PostgreSQL has no round() for double precision.
AGGREGATES = {
    "daily_actor": "day, actor, feed_id, round(CAST(score AS numeric), 6), items, stories",
    "daily_signal": "day, actor, signal, feed_id, count, round(CAST(weight AS numeric), 6)",
    "daily_pair": "day, source, target, feed_id, round(CAST(score AS numeric), 6), count",
}


def snapshot(url: str) -> dict[str, object]:
    with get_engine(url).connect() as conn:
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in COUNTED}
        scores = conn.execute(text(
            "SELECT item_id, lexicon_version, round(CAST(score AS numeric), 6), direction, "
            "signals, actors, negated FROM scores ORDER BY item_id"
        )).all()
        item_scores = conn.execute(
            text("SELECT id, round(CAST(score AS numeric), 6) FROM items ORDER BY id")
        ).all()
        aggregates = {
            table: conn.execute(text(f"SELECT {cols} FROM {table} ORDER BY {cols}")).all()
            for table, cols in AGGREGATES.items()
        }
    return {"counts": counts, "scores": scores, "item_scores": item_scores, **aggregates}


def test_rescore_keeps_items_and_rebuilds_what_ingestion_built(sample_db_url: str):
    before = snapshot(sample_db_url)
    version = load_lexicon().version
    assert before["counts"]["items"] >= 300
    assert len(before["daily_actor"]) > 0 and len(before["daily_signal"]) > 0
    assert {row[1] for row in before["scores"]} == {version}

    with get_engine(sample_db_url).begin() as conn:
        conn.execute(text("UPDATE scores SET lexicon_version = 'stale', score = score + 100"))
        conn.execute(text("UPDATE items SET score = score + 100"))
        conn.execute(text("DELETE FROM evidence WHERE id % 2 = 0"))
        conn.execute(text("DELETE FROM daily_actor WHERE actor = '*'"))
        conn.execute(text("UPDATE daily_signal SET count = count + 7"))
        conn.execute(text("DELETE FROM daily_pair"))
    assert snapshot(sample_db_url) != before

    environ = {k: v for k, v in os.environ.items() if not k.startswith("TENSION_")}
    result = subprocess.run(
        [sys.executable, "-m", "ingest.rescore", "--db", sample_db_url],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=150,
    )

    assert result.returncode == 0, result.stderr
    items = before["counts"]["items"]
    assert result.stdout.strip() == f"re-scored {items} items with lexicon {version}"
    after = snapshot(sample_db_url)
    assert after["counts"] == before["counts"]
    assert after["scores"] == before["scores"]
    assert after["item_scores"] == before["item_scores"]
    for table in AGGREGATES:
        assert after[table] == before[table], table


def test_rescore_of_an_unusable_database_exits_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = subprocess.run(
        [sys.executable, "-m", "ingest.rescore", "--db", f"sqlite:///{blocker}/t.db"],
        cwd=ROOT, capture_output=True, text=True, timeout=150,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: database")
