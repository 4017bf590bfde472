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


def test_pair_by_day_holds_both_directions_and_agrees_with_the_matrix(sample_db_url: str) -> None:
    daily = q.pair_by_day(sample_db_url, "SRB", "KOS")
    assert list(daily.columns) == ["day", "source", "target", "score", "count"]
    assert set(zip(daily["source"], daily["target"], strict=True)) <= {("SRB", "KOS"),
                                                                      ("KOS", "SRB")}
    matrix = q.pair_matrix(sample_db_url, QueryFilters(actors=("SRB", "KOS")))
    srb_kos = matrix[(matrix["source"] == "SRB") & (matrix["target"] == "KOS")]
    assert daily.loc[daily["source"] == "SRB", "score"].sum() == \
        float(srb_kos["score"].sum())


def test_active_pairs_rank_and_carry_a_series_per_day(sample_db_url: str) -> None:
    pairs = q.active_pairs(sample_db_url, SEPT, limit=5)
    assert 0 < len(pairs) <= 5
    weights = pairs["score"].abs().tolist()
    assert weights == sorted(weights, reverse=True)
    days = (SEPT.date_to - SEPT.date_from).days + 1
    assert all(len(s) == days for s in pairs["series"])
    first = pairs.iloc[0]
    assert abs(sum(first["series"]) - first["score"]) < 1e-6
    assert all(d == sum(1 for v in s if v != 0) for d, s in zip(pairs["days"], pairs["series"],
                                                                  strict=True))


def test_items_behind_a_pair_name_both(sample_db_url: str) -> None:
    daily = q.pair_by_day(sample_db_url, "SRB", "KOS")
    day = daily.sort_values("count", ascending=False).iloc[0]["day"].date()
    items = q.items_behind(sample_db_url, "SRB", day, also="KOS")
    assert len(items) > 0
    assert all({"SRB", "KOS"} <= set(a.split(", ")) for a in items["actors"])
    alone = q.items_behind(sample_db_url, "SRB", day)
    assert len(alone) >= len(items)


def test_place_totals_count_the_items_naming_each_place(sample_db_url: str) -> None:
    totals = q.place_totals(sample_db_url, SEPT)
    assert list(totals.columns) == ["place_id", "score", "items"] and not totals.empty
    assert not totals["place_id"].duplicated().any()
    top = totals.sort_values("items", ascending=False).iloc[0]
    items = q.items_at_place(sample_db_url, str(top["place_id"]), SEPT)
    assert len(items) == int(top["items"])
    leads = items[items["is_story_lead"]]
    assert abs(float(leads["score"].sum()) - float(top["score"])) < 1e-6
    named = q.places_for_items(sample_db_url, items["item_id"])
    assert set(named.loc[named["place_id"] == top["place_id"], "item_id"]) == set(items["item_id"])


def test_place_totals_follow_the_actor_filter(sample_db_url: str) -> None:
    every = q.place_totals(sample_db_url, SEPT)
    only = q.place_totals(sample_db_url, QueryFilters(actors=("BIH",), date_from=SEPT.date_from,
                                                      date_to=SEPT.date_to))
    assert int(only["items"].sum()) < int(every["items"].sum())
