"""Tension index: story dedup, calendar filling, smoothing, baseline, spikes, traceability."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.index import (
    change_over,
    daily_pair_scores,
    daily_scores,
    pair_index,
    tension_index,
)

START = pd.Timestamp("2024-03-01")


def series(values: list[float], actor: str = "SRB", start: pd.Timestamp = START) -> pd.DataFrame:
    """A daily frame with one row per day for one actor."""
    days = pd.date_range(start, periods=len(values), freq="D")
    return pd.DataFrame({"day": days, "actor": actor, "score": values})


def quiet_then_spike(spike_day: int = 45, n: int = 70) -> list[float]:
    """A noisy but quiet actor (a few stories a day) with one eruption."""
    rng = np.random.default_rng(11)
    values = list(rng.poisson(1.0, n) * 5.0)
    values[spike_day] = 80.0
    return values


# --- daily_scores ----------------------------------------------------------------------------


def test_syndicated_story_counts_once_per_actor_and_day() -> None:
    items = pd.DataFrame(
        {
            "item_id": [1, 2, 3, 4, 5, 6],
            "story_id": ["s", "s", "s", "s", None, "s"],
            "day": [date(2024, 5, 7)] * 5 + [date(2024, 5, 8)],
            "actor": ["KOS", "KOS", "KOS", "KOS", "KOS", "KOS"],
            "score": [5.0, 6.5, 6.5, 0.0, 2.0, 5.0],
        }
    )
    daily = daily_scores(items)
    first = daily.iloc[0]
    # 4 copies of story s count once, at the fullest copy's score; item 5 is its own story.
    assert first["score"] == 6.5 + 2.0
    assert (first["items"], first["stories"]) == (5, 2)
    assert first["item_ids"] == [1, 2, 3, 4, 5]
    # The same story on the next day is counted again on that day.
    assert daily.iloc[1]["score"] == 5.0
    assert list(daily.columns) == ["day", "actor", "score", "items", "stories", "item_ids"]


def test_daily_scores_keeps_actors_apart_and_takes_days_in_utc() -> None:
    items = pd.DataFrame(
        {
            "item_id": ["a", "a", "b"],
            "story_id": ["x", "x", "y"],
            # Local midnight-ish times: 00:30 at +02:00 is still the 7th in UTC.
            "day": [
                pd.Timestamp("2024-05-08T00:30:00+02:00"),
                pd.Timestamp("2024-05-08T00:30:00+02:00"),
                pd.Timestamp("2024-05-08T01:00:00", tz="UTC"),
            ],
            "actor": ["SRB", "KOS", "SRB"],
            "score": [4.0, 4.0, -3.0],
        }
    )
    daily = daily_scores(items)
    assert list(daily["actor"]) == ["KOS", "SRB", "SRB"]
    assert list(daily["day"].dt.day) == [7, 7, 8]
    assert list(daily["score"]) == [4.0, 4.0, -3.0]


def test_a_negative_copy_can_be_the_representative() -> None:
    items = pd.DataFrame(
        {
            "item_id": [1, 2],
            "story_id": ["s", "s"],
            "day": [START, START],
            "actor": ["EU", "EU"],
            "score": [1.0, -4.0],
        }
    )
    assert daily_scores(items)["score"].item() == -4.0


def test_daily_pair_scores_groups_by_direction() -> None:
    items = pd.DataFrame(
        {
            "item_id": [1, 2, 3],
            "story_id": [1, 2, 3],
            "day": [START] * 3,
            "source": ["SRB", "SRB", "KOS"],
            "target": ["KOS", "KOS", "SRB"],
            "score": [3.0, 4.0, 5.0],
        }
    )
    pairs = daily_pair_scores(items)
    assert pairs[["source", "target", "score"]].values.tolist() == [
        ["KOS", "SRB", 5.0],
        ["SRB", "KOS", 7.0],
    ]


# --- tension_index -------------------------------------------------------------------------


def test_a_clear_spike_is_flagged_there_and_not_in_quiet_periods() -> None:
    out = tension_index(series(quiet_then_spike(45)))
    flagged = list(out.index[out["spike"]])
    assert flagged and flagged[0] == 45
    # The decaying tail may stay above the band for a few days; nothing else.
    assert all(45 <= day <= 45 + 6 for day in flagged)
    assert out.loc[45, "z"] >= 3.5
    assert out.loc[45, "smoothed"] > out.loc[45, "band_high"]


def test_flat_zero_series_has_no_spikes() -> None:
    out = tension_index(series([0.0] * 60))
    assert not out["spike"].any()
    assert (out["smoothed"] == 0).all() and (out["z"] == 0).all()


def test_one_ordinary_story_on_a_quiet_actor_is_not_a_spike() -> None:
    values = [0.0] * 40
    values[30] = 6.0
    out = tension_index(series(values))
    assert not out["spike"].any()
    values[30] = 40.0  # several serious stories at once
    assert tension_index(series(values))["spike"].sum() >= 1


def test_baseline_is_the_median_of_the_previous_days_only() -> None:
    values = list(np.arange(1.0, 41.0))
    out = tension_index(series(values), baseline_days=10, min_baseline_days=10)
    assert out.loc[20, "baseline"] == pytest.approx(np.median(out.loc[10:19, "smoothed"]))
    # Warm-up: not enough history yet, so no baseline and a neutral z.
    assert out.loc[:9, "baseline"].isna().all()
    assert (out.loc[:9, "z"] == 0).all() and not out.loc[:9, "spike"].any()


@pytest.mark.parametrize("half_life", [1.0, 2.0, 3.0, 7.0])
def test_an_impulse_halves_after_one_half_life(half_life: float) -> None:
    values = [0.0] * 40
    values[10] = 100.0
    out = tension_index(series(values), half_life_days=half_life)
    after = out.loc[10 + int(half_life), "smoothed"]
    assert after == pytest.approx(out.loc[10, "smoothed"] / 2)
    assert out.loc[9, "smoothed"] == 0  # nothing leaks backwards


def test_a_steady_level_is_reproduced_in_the_same_units() -> None:
    out = tension_index(series([8.0] * 60))
    assert out["smoothed"].iloc[-1] == pytest.approx(8.0, rel=1e-3)
    assert not out["spike"].any()


def test_missing_days_are_filled_per_actor() -> None:
    daily = pd.concat([series([3.0], "SRB"), series([4.0], "KOS", START + pd.Timedelta(days=4))])
    daily["items"], daily["stories"], daily["item_ids"] = 1, 1, [["i1"], ["i2"]]
    out = tension_index(daily)
    assert len(out) == 2 * 5
    assert list(out["actor"]) == ["KOS"] * 5 + ["SRB"] * 5
    srb = out[out["actor"] == "SRB"]
    assert list(srb["raw"]) == [3.0, 0, 0, 0, 0]
    assert list(srb["items"]) == [1, 0, 0, 0, 0]
    assert list(srb["item_ids"]) == [["i1"], [], [], [], []]


def test_start_and_end_extend_the_calendar_and_earlier_data_warms_the_baseline() -> None:
    daily = series([5.0] * 30)
    out = tension_index(daily, start=START + pd.Timedelta(days=20), end="2024-04-10")
    assert out["day"].min() == START + pd.Timedelta(days=20)
    assert out["day"].max() == pd.Timestamp("2024-04-10")
    assert out["baseline"].notna().all()  # history before start was used
    assert (out.loc[out["day"] > START + pd.Timedelta(days=29), "raw"] == 0).all()


def test_every_nonzero_day_traces_back_to_input_items() -> None:
    rng = np.random.default_rng(5)
    n = 300
    items = pd.DataFrame(
        {
            "item_id": [f"it{i}" for i in range(n)],
            "story_id": [f"st{i // 3}" for i in range(n)],
            "day": START + pd.to_timedelta(rng.integers(0, 40, n), unit="D"),
            "actor": rng.choice(["SRB", "KOS", "NATO"], n),
            "score": rng.choice([0.0, 2.0, 5.0, -3.5, 9.0], n),
        }
    )
    out = tension_index(daily_scores(items))
    known = set(items["item_id"])
    for row in out.itertuples():
        if row.raw != 0:
            assert row.item_ids
        assert set(row.item_ids) <= known
        assert len(row.item_ids) == row.items
        mine = items[(items["actor"] == row.actor) & (items["day"] == row.day)]
        assert sorted(row.item_ids) == sorted(mine["item_id"])
    assert out["items"].sum() == n


def test_output_columns_and_order() -> None:
    out = tension_index(pd.concat([series([1.0, 2.0], "SRB"), series([1.0, 2.0], "BIH")]))
    assert list(out.columns) == [
        "day",
        "actor",
        "raw",
        "smoothed",
        "baseline",
        "band_low",
        "band_high",
        "z",
        "spike",
        "onset",
        "items",
        "stories",
    ]
    assert list(out["actor"]) == ["BIH", "BIH", "SRB", "SRB"]
    assert tension_index(series([])).empty


def test_pair_index_is_the_same_computation_per_direction() -> None:
    values = quiet_then_spike(45)
    as_actor = tension_index(series(values, "SRB>KOS"))
    pairs = series(values).drop(columns="actor").assign(source="SRB", target="KOS")
    as_pair = pair_index(pairs)
    assert list(as_pair.columns[:3]) == ["day", "source", "target"]
    numeric = ["raw", "smoothed", "baseline", "band_low", "band_high", "z", "spike"]
    pd.testing.assert_frame_equal(as_pair[numeric], as_actor[numeric])


@given(
    st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1, max_size=60),
    st.floats(min_value=0.25, max_value=30.0),
)
@settings(max_examples=150, deadline=None)
def test_finite_scores_never_give_nan_or_inf(values: list[float], half_life: float) -> None:
    daily = pd.concat([series(values, "SRB"), series(values[::-1], "SRB")])  # same days summed
    out = tension_index(daily, half_life_days=half_life)
    assert np.isfinite(out["smoothed"]).all()
    assert np.isfinite(out["z"]).all()
    assert np.isfinite(out["raw"]).all()


# --- change_over ---------------------------------------------------------------------------


def test_change_over_reports_the_latest_day_against_days_ago() -> None:
    values = [0.0] * 20 + [10.0] * 10
    idx = tension_index(pd.concat([series(values, "SRB"), series([0.0] * 30, "MNE")]))
    cards = change_over(idx, days=7).set_index("actor")
    srb = idx[idx["actor"] == "SRB"].set_index("day")["smoothed"]
    assert cards.loc["SRB", "current"] == pytest.approx(srb.iloc[-1])
    assert cards.loc["SRB", "previous"] == pytest.approx(srb.iloc[-8])
    assert cards.loc["SRB", "change"] == pytest.approx(srb.iloc[-1] - srb.iloc[-8])
    assert cards.loc["SRB", "pct_change"] == pytest.approx(
        100 * (srb.iloc[-1] - srb.iloc[-8]) / srb.iloc[-8]
    )
    assert math.isnan(cards.loc["MNE", "pct_change"])  # from zero: no percentage
    assert cards.loc["MNE", "change"] == 0
    assert cards["day"].nunique() == 1
    assert change_over(idx.iloc[0:0]).empty


# --- measurement behind the spike thresholds (run as a script; prints, asserts nothing) --------


def _episodes(flags: np.ndarray) -> list[int]:
    """First day of each run of consecutive spike days."""
    return [i for i in np.flatnonzero(flags) if i == 0 or not flags[i - 1]]


def _spike_rates(stories_per_day: float, extra: float, burst_days: int, z: float) -> tuple:
    """False episodes per actor-year on Poisson news, and share of injected bursts caught."""
    false_eps = caught = injected = 0
    seeds, n = 20, 365
    for seed in range(seeds):
        values = np.random.default_rng(seed).poisson(stories_per_day, n) * 5.0
        starts = list(range(60, n - burst_days, 60)) if extra else []
        for s in starts:
            values[s : s + burst_days] += extra
        flags = tension_index(series(list(values)), z_threshold=z)["spike"].to_numpy()
        near = {s + k for s in starts for k in range(burst_days + 7)}
        false_eps += sum(e not in near for e in _episodes(flags))
        caught += sum(flags[s : s + burst_days + 1].any() for s in starts)
        injected += len(starts)
    return false_eps / seeds, (caught / injected if injected else float("nan"))


def _print_spike_table() -> None:
    print(
        "| stories/day (score 5 each) | z | false episodes/actor-year | caught: +6 stories 1 day"
        " | +12 stories 1 day | +4 stories/day for 3 days |"
    )
    print("|---|---|---|---|---|---|")
    for rate in (0.2, 1.0, 4.0, 15.0):
        for z in (3.0, 3.5, 4.0):
            fa, _ = _spike_rates(rate, 0.0, 1, z)
            _, c6 = _spike_rates(rate, 30.0, 1, z)
            _, c12 = _spike_rates(rate, 60.0, 1, z)
            _, c3d = _spike_rates(rate, 20.0, 3, z)
            print(f"| {rate} | {z} | {fa:.2f} | {c6:.2f} | {c12:.2f} | {c3d:.2f} |")


if __name__ == "__main__":
    _print_spike_table()


def test_a_spike_has_one_onset_on_its_first_day() -> None:
    values = quiet_then_spike(45)
    out = tension_index(series(values, "SRB"))
    spiking = out[out["spike"]]
    assert len(spiking) > 1, "the crisis lasts several days"
    onsets = out[out["onset"]]
    assert list(onsets["day"]) == [spiking["day"].min()]
    assert (out["onset"] <= out["spike"]).all(), "an onset is always a spike day"
