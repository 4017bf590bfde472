"""The feed-less daily rollups, the hover query's index walk and top_stories' upper bound.

The rollups (``daily_actor_all``, ``daily_signal_all``) must equal the per-feed
tables summed over feeds after ingest, after ``rebuild_aggregates``, and after
migration 0003 backfills an existing database; the charts must answer the same
whichever table they read. ``top_titles_by_day`` walks leads best first and
looks their actors up in chunks; it is checked against the plain join.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from storage import get_engine, migrate
from storage import queries as q
from storage.db import dispose_engine, write_transaction
from storage.queries import QueryFilters
from storage.repository import rebuild_aggregates
from tests.conftest import use_postgres

_ACTOR_SUMS = (
    "SELECT day, actor, round(CAST(sum(score) AS numeric), 6), sum(items), sum(stories)"
    " FROM daily_actor GROUP BY day, actor"
)
_ACTOR_ALL = (
    "SELECT day, actor, round(CAST(score AS numeric), 6), items, stories FROM daily_actor_all"
)
_SIGNAL_SUMS = (
    "SELECT day, actor, signal, sum(count), round(CAST(sum(weight) AS numeric), 6)"
    " FROM daily_signal GROUP BY day, actor, signal"
)
_SIGNAL_ALL = (
    "SELECT day, actor, signal, count, round(CAST(weight AS numeric), 6) FROM daily_signal_all"
)


def _rows(url: str, sql: str) -> list[tuple]:
    with get_engine(url).connect() as conn:
        return sorted(tuple(r) for r in conn.execute(text(sql)))


def _assert_rollups_match(url: str) -> None:
    actor_all = _rows(url, _ACTOR_ALL)
    assert actor_all and actor_all == _rows(url, _ACTOR_SUMS)
    signal_all = _rows(url, _SIGNAL_ALL)
    assert signal_all and signal_all == _rows(url, _SIGNAL_SUMS)


def test_ingest_and_rebuild_keep_the_rollups_equal_to_the_feed_sums(sample_db_url: str) -> None:
    _assert_rollups_match(sample_db_url)
    before = _rows(sample_db_url, _ACTOR_ALL), _rows(sample_db_url, _SIGNAL_ALL)
    with write_transaction(get_engine(sample_db_url)) as conn:
        conn.execute(text("UPDATE daily_actor_all SET items = items + 5"))
        conn.execute(text("DELETE FROM daily_signal_all WHERE actor = '*'"))
        rebuild_aggregates(conn)
    _assert_rollups_match(sample_db_url)
    assert (_rows(sample_db_url, _ACTOR_ALL), _rows(sample_db_url, _SIGNAL_ALL)) == before


def test_charts_answer_the_same_with_every_feed_chosen(sample_db_url: str) -> None:
    every_feed = tuple(int(f) for f in q.feed_options(sample_db_url)["feed_id"])
    for base in (QueryFilters(), QueryFilters(actors=("KOS", "SRB", q.ALL_ACTORS))):
        by_feed = replace(base, feed_ids=every_feed)
        pd.testing.assert_frame_equal(
            q.tension_by_actor_day(sample_db_url, base),
            q.tension_by_actor_day(sample_db_url, by_feed),
        )
        pd.testing.assert_frame_equal(
            q.signal_mix_by_day(sample_db_url, base),
            q.signal_mix_by_day(sample_db_url, by_feed),
        )
    assert not q.signal_mix_by_day(sample_db_url).empty


@pytest.mark.skipif(use_postgres(), reason="one backfill check is enough; SQLite file copy")
def test_migration_0003_backfills_the_rollups(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    cfg = Config(str(Path(__file__).resolve().parents[2] / "alembic.ini"))
    migrations = Path(__file__).resolve().parents[2] / "storage" / "migrations"
    cfg.set_main_option("script_location", str(migrations))
    cfg.attributes["db_url"] = url
    engine = get_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
        conn.execute(
            text(
                "INSERT INTO daily_actor (day, actor, feed_id, score, items, stories) VALUES"
                " ('2025-01-02', 'KOS', 1, 2.5, 3, 2), ('2025-01-02', 'KOS', 2, 1.0, 1, 1),"
                " ('2025-01-02', '*', 1, 2.5, 4, 2)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO daily_signal (day, actor, signal, feed_id, count, weight) VALUES"
                " ('2025-01-02', 'KOS', 'accusation', 1, 2, 4.0),"
                " ('2025-01-02', 'KOS', 'accusation', 2, 1, 3.0)"
            )
        )
    migrate(url)
    try:
        assert _rows(url, _ACTOR_ALL) == [
            ("2025-01-02", "*", 2.5, 4, 2),
            ("2025-01-02", "KOS", 3.5, 4, 3),
        ]
        assert _rows(url, _SIGNAL_ALL) == [("2025-01-02", "KOS", "accusation", 3, 7.0)]
    finally:
        dispose_engine(url)


def _reference_titles(url: str, filters: QueryFilters, per_day: int, scan: int) -> pd.DataFrame:
    """The hover rows by the plain method: every (lead, actor) pair of the range, sorted."""
    rows = _rows(
        url,
        "SELECT i.published_at, a.actor, i.id, i.score, i.is_sample FROM items i"
        " JOIN item_actors a ON a.item_id = i.id WHERE i.is_story_lead AND i.score > 0",
    )
    frame = pd.DataFrame(rows, columns=["day", "actor", "item_id", "score", "is_sample"])
    frame["day"] = pd.to_datetime(frame["day"]).dt.normalize().astype("datetime64[ns]")
    if filters.date_from is not None:
        frame = frame[frame["day"] >= pd.Timestamp(filters.date_from)]
    if filters.date_to is not None:
        frame = frame[frame["day"] <= pd.Timestamp(filters.date_to)]
    if filters.actors:
        frame = frame[frame["actor"].isin(filters.actors)]
    frame = frame.sort_values(["score", "item_id", "actor"], ascending=[False, True, True])
    frame = frame.head(scan).astype({"score": float, "is_sample": bool})
    frame = frame.groupby(["day", "actor"], sort=True).head(per_day)
    return frame.reset_index(drop=True)[["day", "actor", "item_id", "score"]]


@pytest.mark.parametrize(
    ("actors", "scan"), [((), 3000), (("KOS", "SRB"), 3000), ((), 40), (("BIH",), 7)]
)
def test_top_titles_by_day_match_the_plain_join(
    sample_db_url: str, actors: tuple[str, ...], scan: int
) -> None:
    filters = QueryFilters(actors=actors)
    got = q.top_titles_by_day(sample_db_url, filters, per_day=2, scan=scan)
    want = _reference_titles(sample_db_url, filters, 2, scan)
    assert len(want) > 0
    assert list(got.columns) == ["day", "actor", "title", "score", "is_sample", "date_estimated"]
    assert list(zip(got["day"], got["actor"], got["score"], strict=True)) == list(
        zip(want["day"], want["actor"], want["score"], strict=True)
    )
    assert got["title"].str.len().gt(0).all()


def test_top_stories_until_leaves_out_later_stories(sample_db_url: str) -> None:
    newest = q.latest_published(sample_db_url)
    assert newest is not None
    since = newest - timedelta(days=60)
    open_ended = q.top_stories(sample_db_url, since, limit=500)
    assert len(open_ended) > 2
    cut = sorted(open_ended["published_at"])[len(open_ended) // 2].to_pydatetime()
    bounded = q.top_stories(sample_db_url, since, limit=500, until=cut)
    assert len(bounded) > 0 and (bounded["published_at"] < cut).all()
    expected = open_ended[open_ended["published_at"] < cut]
    assert sorted(bounded["item_id"]) == sorted(expected["item_id"])
    assert q.top_stories(sample_db_url, since, until=since).empty


def test_latest_day_reads_the_rollup(sample_db_url: str) -> None:
    latest = q.latest_day(sample_db_url)
    assert isinstance(latest, date)
    newest = q.latest_published(sample_db_url)
    assert isinstance(newest, datetime) and latest == newest.date()
