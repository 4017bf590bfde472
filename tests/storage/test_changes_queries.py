"""The two queries behind the Overview's "What changed": per-actor signal totals and the
last active day, on the sample data ingested by the real CLI (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import date

from storage import queries as q
from storage.queries import QueryFilters

SEPT = QueryFilters(date_from=date(2023, 9, 18), date_to=date(2023, 9, 30))


def test_actor_signal_totals_agree_with_the_daily_signal_mix(sample_db_url: str) -> None:
    totals = q.actor_signal_totals(sample_db_url, SEPT)
    assert list(totals.columns) == ["actor", "signal", "count", "weight"]
    assert not totals.empty and q.ALL_ACTORS not in set(totals["actor"])
    assert not totals.duplicated(["actor", "signal"]).any()
    kos = q.signal_mix_by_day(sample_db_url, QueryFilters(actors=("KOS",), date_from=SEPT.date_from,
                                                          date_to=SEPT.date_to))
    by_day = kos.groupby("signal")["count"].sum().to_dict()
    mine = totals[totals["actor"] == "KOS"].set_index("signal")["count"].to_dict()
    assert mine == by_day


def test_actor_signal_totals_honour_actor_and_signal_filters(sample_db_url: str) -> None:
    only = q.actor_signal_totals(sample_db_url, QueryFilters(
        actors=("SRB",), signals=("armed_clash",), date_from=SEPT.date_from,
        date_to=SEPT.date_to))
    assert set(only["actor"]) <= {"SRB"} and set(only["signal"]) <= {"armed_clash"}


def test_latest_active_day_is_before_the_bound(sample_db_url: str) -> None:
    newest = q.latest_active_day(sample_db_url)
    assert isinstance(newest, date)
    earlier = q.latest_active_day(sample_db_url, before=date(2023, 9, 1))
    assert earlier is not None and earlier < date(2023, 9, 1)
    assert q.latest_active_day(sample_db_url, before=date(2000, 1, 1)) is None


def test_an_empty_database_has_no_active_day(db_url: str) -> None:
    assert q.latest_active_day(db_url) is None
    assert q.actor_signal_totals(db_url).empty
