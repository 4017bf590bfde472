"""Each condition on the sample data: what fires, on which day, with which key and words."""

from __future__ import annotations

from datetime import date

import pandas as pd

from alerts.evaluate import evaluate_rule
from alerts.rules import Rule
from scoring.index import tension_index
from storage import alerts_store, queries

END = date(2025, 12, 16)  # the sample data's newest day
ALL_TIME = 1500


def _rule(**kw) -> Rule:
    return Rule(**{"name": "r", "channels": ("f",), "lookback_days": ALL_TIME, **kw})


def test_rise_fires_on_the_first_day_of_each_rise(sample_db_url) -> None:
    rule = _rule(kind="rise", pairs=(("SRB", "KOS"), ("KOS", "SRB")), pair_label="SRB↔KOS",
                 rise_pct=50)  # fmt: skip
    firings = evaluate_rule(sample_db_url, rule, END)
    days = [f.window_end for f in firings]
    assert days == sorted(days) and len(days) == len(set(days))
    last = firings[-1]
    assert last.key == "r|rise|SRB↔KOS|2025-10-22" and last.window_start == date(2025, 10, 16)
    assert (last.value, last.baseline, last.change_pct) == (3.0, 0.0, None)
    assert "from nothing" in last.why and last.item_ids
    # The same data gives the same keys: a second evaluation records nothing new.
    assert [f.key for f in evaluate_rule(sample_db_url, rule, END)] == [f.key for f in firings]
    # A rise that began before the look-back is not reported again.
    assert evaluate_rule(sample_db_url, _rule(**{**rule.__dict__, "lookback_days": 3}),
                         date(2025, 10, 26)) == []  # fmt: skip


def test_rise_needs_the_percentage(sample_db_url) -> None:
    low = evaluate_rule(sample_db_url, _rule(kind="rise", actor="SRB", rise_pct=25), END)
    high = evaluate_rule(sample_db_url, _rule(kind="rise", actor="SRB", rise_pct=400), END)
    assert len(high) < len(low)
    for f in high:
        assert f.change_pct is None or f.change_pct >= 400


def test_spike_uses_the_index_own_rule(sample_db_url) -> None:
    firings = evaluate_rule(sample_db_url, _rule(kind="spike", actor="SRB"), END)
    assert firings
    daily = queries.tension_by_actor_day(sample_db_url, queries.QueryFilters(actors=("SRB",)))
    index = tension_index(daily, end=END)
    spike_days = set(index.loc[index["spike"], "day"].dt.date)
    assert {f.window_end for f in firings} <= spike_days
    assert all("robust deviations" in f.why for f in firings)


def test_level_fires_when_the_index_crosses_it(sample_db_url) -> None:
    firings = evaluate_rule(sample_db_url, _rule(kind="level", actor="SRB", level=5.0), END)
    assert firings and all(f.value >= 5.0 and f.threshold == 5.0 for f in firings)
    assert evaluate_rule(sample_db_url, _rule(kind="level", actor="SRB", level=1e6), END) == []


def test_corroborated_story_fires_once_per_story(sample_db_url) -> None:
    wide = alerts_store.corroborated_stories(sample_db_url, date(2022, 1, 1), END, 2)
    assert not wide.empty  # the sample carries syndicated stories
    most = int(wide["outlets"].max())
    # A rule on any story (no actor): every widest story fires once, keyed by its id.
    firings = evaluate_rule(sample_db_url, _rule(kind="corroborated", min_outlets=most), END)
    top = wide[wide["outlets"] == most]
    assert [f.key for f in firings] == [f"r|corroborated||story {s}" for s in top["story_id"]]
    f = firings[0]
    assert f.value == float(most) and len(f.item_ids) >= most
    assert f"carried by {most} outlets" in f.why


def test_first_seen_signal_for_an_actor(sample_db_url) -> None:
    ever = evaluate_rule(sample_db_url, _rule(kind="first_seen", actor="KOS", baseline_weeks=0),
                         END)  # fmt: skip
    signals = [f.subject.split(" / ")[1] for f in ever]
    assert len(signals) == len(set(signals))  # each signal at most once when "ever"
    clash = [f for f in ever if f.subject == "KOS / armed_clash"]
    assert clash[0].window_end == date(2022, 7, 31) and clash[0].item_ids
    weeks = evaluate_rule(sample_db_url, _rule(kind="first_seen", actor="KOS",
                                               signal="armed_clash", baseline_weeks=4), END)
    assert len(weeks) >= len(clash) and all("armed_clash" in f.key for f in weeks)


def test_a_place_rule_counts_its_stories(sample_db_url) -> None:
    firings = evaluate_rule(sample_db_url, _rule(kind="rise", place="banjska"), END)
    assert date(2023, 9, 24) in {f.window_end for f in firings}
    assert pd.notna(firings[0].value)
