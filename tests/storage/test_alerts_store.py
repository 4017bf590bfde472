"""storage.alerts_store on the sample data (read through the real ingest path) and on the
firing log: each query answers its question; firings and deliveries are never doubled."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import text

from storage import alerts_store, get_engine

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
SRB_KOS = (("SRB", "KOS"), ("KOS", "SRB"))


def test_pair_by_day_sums_the_directions_asked_for(sample_db_url) -> None:
    both = alerts_store.pair_by_day(sample_db_url, SRB_KOS, date(2024, 11, 29), date(2024, 11, 30))
    assert both.to_dict("list") == {
        "day": [pd.Timestamp("2024-11-29"), pd.Timestamp("2024-11-30")],
        "score": [9.0, 27.0],
        "count": [1, 7],
    }
    one = alerts_store.pair_by_day(sample_db_url, (("SRB", "KOS"),), date(2024, 11, 29),
                                   date(2024, 11, 30))  # fmt: skip
    assert one["score"].tolist() == [3.0]
    assert alerts_store.pair_by_day(sample_db_url, (), date(2024, 1, 1), date(2024, 12, 31)).empty


def test_signal_by_day_and_signals_by_day(sample_db_url) -> None:
    clashes = alerts_store.signal_by_day(sample_db_url, "armed_clash", "KOS", date(2022, 1, 1),
                                         date(2023, 2, 1))  # fmt: skip
    assert clashes["count"].tolist() == [1, 2] and clashes["weight"].tolist() == [9.0, 18.0]
    every = alerts_store.signals_by_day(sample_db_url, "KOS", date(2022, 7, 31), date(2022, 7, 31))
    assert "armed_clash" in set(every["signal"]) and (every["count"] > 0).all()


def _scalar(db: str, sql: str) -> object:
    with get_engine(db).connect() as conn:
        return conn.execute(text(sql)).scalar()


def _widest_story(db: str) -> tuple[int, int]:
    """(story id, distinct outlets) of the story carried by the most feeds, by plain SQL."""
    with get_engine(db).connect() as conn:
        return tuple(conn.execute(text(
            "SELECT story_id, COUNT(DISTINCT feed_id) AS n FROM items WHERE story_id IS NOT NULL"
            " GROUP BY story_id ORDER BY n DESC, story_id LIMIT 1"
        )).one())  # fmt: skip


def test_place_by_day_counts_story_leads_naming_the_place(sample_db_url) -> None:
    day = date(2023, 9, 24)
    banjska = alerts_store.place_by_day(sample_db_url, "banjska", None, day, day)
    expected = _scalar(sample_db_url, (
        "SELECT COUNT(*) FROM items i JOIN item_places p ON p.item_id = i.id "
        "WHERE p.place_id = 'banjska' AND i.is_story_lead AND i.published_at >= '2023-09-24' "
        "AND i.published_at < '2023-09-25'"))  # fmt: skip
    assert expected >= 5 and banjska["count"].tolist() == [expected]
    assert alerts_store.place_by_day(sample_db_url, "banjska", "diplomacy", day, day).empty


def test_items_for_subject_and_their_top_stories(sample_db_url) -> None:
    ids = alerts_store.items_for_subject(sample_db_url, date(2025, 10, 16), date(2025, 10, 22),
                                         pairs=SRB_KOS)  # fmt: skip
    assert len(ids) == 1
    both = alerts_store.items_for_subject(sample_db_url, date(2025, 10, 22), date(2025, 10, 22),
                                          actors=("SRB", "KOS"))  # fmt: skip
    assert both == ids
    (title,) = alerts_store.stories_of_items(sample_db_url, ids)["title"]
    assert title == "London hosts Berlin Process summit"
    story_id, outlets = _widest_story(sample_db_url)
    copies = alerts_store.story_item_ids(sample_db_url, story_id)
    stories = alerts_store.stories_of_items(sample_db_url, copies, limit=3)
    assert len(copies) >= outlets >= 2
    assert len(stories) == 1 and stories.loc[0, "item_id"] in copies  # many copies, one row
    assert stories.loc[0, "outlets"] == len(copies)
    assert alerts_store.stories_of_items(sample_db_url, []).empty


def test_corroborated_stories_count_distinct_outlets(sample_db_url) -> None:
    story_id, outlets = _widest_story(sample_db_url)
    everything = (date(2022, 1, 1), date(2025, 12, 31))
    found = alerts_store.corroborated_stories(sample_db_url, *everything, outlets)
    assert story_id in found["story_id"].tolist() and set(found["outlets"]) == {outlets}
    assert alerts_store.corroborated_stories(sample_db_url, *everything, outlets + 1).empty
    assert len(alerts_store.story_item_ids(sample_db_url, story_id)) >= outlets


def _firing(key: str, rule: str = "r", status: str = "delivering") -> dict:
    return {
        "key": key, "rule": rule, "kind": "rise", "severity": "warning", "subject": "SRB",
        "window_start": date(2025, 10, 16), "window_end": date(2025, 10, 22), "value": 3.0,
        "baseline": 0.0, "change_pct": None, "threshold": 50.0, "why": "because",
        "item_ids": [348], "fired_at": NOW, "status": status, "message_key": key,
    }  # fmt: skip


def test_a_firing_is_recorded_once_with_its_deliveries(db_url) -> None:
    deliveries = [{"message_key": "k1", "rule": "r", "channel": c, "not_before": NOW}
                  for c in ("mail", "hook")]  # fmt: skip
    assert alerts_store.record_firing(db_url, _firing("k1"), deliveries) is True
    assert alerts_store.record_firing(db_url, _firing("k1"), deliveries) is False
    log = alerts_store.alert_firings(db_url)
    assert log["key"].tolist() == ["k1"] and log.loc[0, "item_ids"] == [348]
    assert sorted(alerts_store.alert_deliveries(db_url)["channel"]) == ["hook", "mail"]
    assert alerts_store.firings_for_message(db_url, "k1")["key"].tolist() == ["k1"]
    assert alerts_store.digest_firings(db_url, "r", NOW - timedelta(hours=1))["key"].tolist() == [
        "k1"
    ]
    assert alerts_store.last_live_firing_at(db_url, "r") == NOW.replace(tzinfo=None)
    alerts_store.record_firing(db_url, {**_firing("k2", status="suppressed"),
                                        "fired_at": NOW + timedelta(hours=1)}, [])  # fmt: skip
    assert alerts_store.last_live_firing_at(db_url, "r") == NOW.replace(tzinfo=None)


def test_a_delivery_is_claimed_by_one_worker_and_logged_per_attempt(db_url) -> None:
    alerts_store.record_firing(
        db_url, _firing("k1"), [{"message_key": "k1", "rule": "r", "channel": "mail",
                                 "not_before": NOW}]
    )  # fmt: skip
    assert alerts_store.due_deliveries(db_url, NOW - timedelta(seconds=1)).empty
    (due,) = alerts_store.due_deliveries(db_url, NOW).itertuples()
    lease = timedelta(minutes=10)
    assert alerts_store.claim_delivery(db_url, due.delivery_id, "a", NOW, lease) is True
    assert alerts_store.claim_delivery(db_url, due.delivery_id, "b", NOW, lease) is False
    assert alerts_store.due_deliveries(db_url, NOW).empty  # leased
    alerts_store.finish_delivery(db_url, due.delivery_id, "a", started_at=NOW, ok=False,
                                 error="HTTP 500", duration_ms=5,
                                 retry_at=NOW + timedelta(minutes=1))  # fmt: skip
    assert alerts_store.due_deliveries(db_url, NOW).empty
    assert len(alerts_store.due_deliveries(db_url, NOW + timedelta(minutes=1))) == 1
    assert alerts_store.claim_delivery(db_url, due.delivery_id, "b", NOW, lease) is True
    alerts_store.finish_delivery(db_url, due.delivery_id, "b", started_at=NOW, ok=True,
                                 error=None, duration_ms=7)  # fmt: skip
    row = alerts_store.alert_deliveries(db_url).iloc[0]
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 2, None)
    assert alerts_store.due_deliveries(db_url, NOW + timedelta(days=1)).empty
    # An expired lease (a worker that died mid-send) frees the delivery again.
    test_id = alerts_store.record_test_delivery(db_url, "test|r|1", "r", "mail", NOW)
    assert alerts_store.claim_delivery(db_url, test_id, "dead", NOW, lease)
    assert alerts_store.claim_delivery(db_url, test_id, "c", NOW + lease + timedelta(seconds=1),
                                       lease)  # fmt: skip


def test_rule_switches(db_url) -> None:
    assert alerts_store.rule_switches(db_url) == {}
    alerts_store.set_rule_enabled(db_url, "r", False, NOW)
    alerts_store.set_rule_enabled(db_url, "r", True, NOW)
    alerts_store.set_rule_enabled(db_url, "s", False, NOW)
    assert alerts_store.rule_switches(db_url) == {"r": True, "s": False}
