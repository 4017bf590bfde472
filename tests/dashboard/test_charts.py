"""dashboard.charts: pure figure builders — the data drawn, colours, titles, escaped hovers."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard import charts
from dashboard.geo import CAPITALS, ENTITY_POINTS, region_shapes
from dashboard.labels import actor_color
from scoring.index import change_over, tension_index


def _daily() -> pd.DataFrame:
    days = pd.date_range("2024-01-01", periods=40, freq="D")
    rows = []
    for i, day in enumerate(days):
        rows.append({"day": day, "actor": "SRB", "score": 2.0 + (30.0 if i == 35 else 0.0)})
        rows.append({"day": day, "actor": "KOS", "score": 1.0})
    frame = pd.DataFrame(rows)
    frame["items"] = 1
    frame["stories"] = 1
    return frame


def test_tension_lines_draw_one_coloured_line_per_actor() -> None:
    index = tension_index(_daily())
    hovers = pd.DataFrame(
        {
            "day": [pd.Timestamp("2024-02-05")],
            "actor": ["SRB"],
            "title": ["<b>Troops</b> :red[x]"],
            "score": [9.0],
            "is_sample": [True],
        }
    )
    chart = charts.tension_lines(
        index, hovers, date_from=date(2024, 1, 1), date_to=date(2024, 2, 9)
    )
    lines = [t for t in chart.figure.data if t.mode == "lines"]
    assert sorted(t.line.color for t in lines) == sorted([actor_color("SRB"), actor_color("KOS")])
    assert "1 Jan 2024 – 9 Feb 2024" in chart.title
    assert len(chart.data) == len(index)
    assert set(chart.data.columns) >= {"day", "actor", "smoothed", "raw", "spike"}
    srb = next(t for t in lines if t.line.color == actor_color("SRB"))
    hover_cells = [c[3] for c in srb.customdata]
    assert any("&lt;b&gt;Troops&lt;/b&gt;" in c and "(sample)" in c for c in hover_cells)
    assert not any("<b>Troops" in c for c in hover_cells)
    spikes = [t for t in chart.figure.data if t.mode == "markers"]
    assert len(spikes) == int(index["spike"].sum() > 0)


def test_index_band_keeps_the_actor_rows_only() -> None:
    index = tension_index(_daily())
    chart = charts.index_band(index, "KOS")
    assert len(chart.data) == int((index["actor"] == "KOS").sum())
    assert list(chart.data.columns)[:3] == ["day", "raw", "smoothed"]
    assert "Baseline" in chart.title or "baseline" in chart.title


def test_signal_mix_and_breakdown() -> None:
    mix = pd.DataFrame(
        {
            "day": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02"]),
            "signal": ["armed_clash", "diplomacy", "armed_clash"],
            "count": [2, 1, 3],
            "weight": [1.0, 1.0, 1.0],
        }
    )
    stacked = charts.signal_mix(mix)
    assert len(stacked.figure.data) == 2
    assert stacked.figure.layout.barmode == "stack"
    assert list(stacked.data["count"]) == [2, 1, 3]
    bars = charts.signal_breakdown(mix, actor="SRB")
    assert dict(zip(bars.data["signal"], bars.data["count"], strict=True)) == {
        "armed_clash": 5,
        "diplomacy": 1,
    }


def test_pair_lines_draw_both_directions_with_baselines() -> None:
    from scoring.index import pair_index

    days = pd.date_range("2024-01-01", periods=40, freq="D")
    daily = pd.DataFrame(
        [(d, "SRB", "KOS", 2.0 + (30.0 if i == 35 else 0.0), 1, 1) for i, d in enumerate(days)]
        + [(d, "KOS", "SRB", 1.0, 1, 1) for d in days],
        columns=["day", "source", "target", "score", "items", "stories"],
    )
    chart = charts.pair_lines(pair_index(daily), "SRB", "KOS")
    names = [t.name for t in chart.figure.data]
    assert "Serbia → Kosovo" in names and "Kosovo → Serbia" in names
    assert "Serbia → Kosovo baseline" in names
    starts = [t for t in chart.figure.data if t.mode == "markers"]
    assert len(starts) == 1 and len(starts[0].x) == 1, "one marker where the spike starts"
    assert "↔" in chart.title


def test_map_draws_kosovo_as_its_own_unit() -> None:
    shapes = region_shapes()
    if not shapes:
        pytest.skip("Natural Earth outlines (geopandas 0.14 + pyshp) are not installed")
    codes = {s.code for s in shapes}
    assert {"SRB", "KOS", "BIH", "MNE", "MKD", "ALB"} <= codes
    now = change_over(tension_index(_daily()))
    chart = charts.tension_map(shapes, now, points=ENTITY_POINTS, as_of=date(2024, 2, 9))
    labels = [t.text[0] for t in chart.figure.data if t.mode == "text"]
    assert any(label.startswith("<b>KOS</b>") for label in labels)
    assert set(chart.data["actor"]) == codes | {"RS"}
    kos = chart.data.set_index("actor").loc["KOS"]
    assert kos["current"] == pytest.approx(float(now.set_index("actor").at["KOS", "current"]))
    fills = {t.fillcolor for t in chart.figure.data if t.fill == "toself"}
    assert len(fills) >= 2  # SRB (spiking) and the quiet units get different colours


def test_map_fallback_uses_capitals() -> None:
    now = change_over(tension_index(_daily()))
    chart = charts.tension_map((), now, points=CAPITALS)
    assert set(chart.data["actor"]) == {c[0] for c in CAPITALS}
    assert not any(t.fill == "toself" for t in chart.figure.data)


def test_fetch_runs_chart_data() -> None:
    runs = pd.DataFrame(
        {
            "at": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 11:00"]),
            "polls": [3, 2],
            "ok": [2, 1],
            "not_modified": [1, 0],
            "errors": [0, 1],
            "new": [12, 0],
            "duplicates": [1, 0],
        }
    )
    chart = charts.fetch_runs_chart(runs)
    assert chart.data.equals(runs)
    assert len(chart.figure.data) == 4


def test_period_label() -> None:
    assert charts.period_label(None, None) == "all dates"
    assert charts.period_label(date(2024, 3, 1), None) == "since 1 Mar 2024"


def test_long_signal_mix_is_weekly() -> None:
    days = pd.date_range("2024-01-01", periods=200, freq="D")
    mix = pd.DataFrame({"day": days, "signal": "diplomacy", "count": 1, "weight": 1.0})
    chart = charts.signal_mix(mix)
    assert "per week" in chart.title
    assert "week" in chart.data.columns
    assert chart.data["count"].sum() == 200
    assert chart.data["count"].max() == 7


def test_points_never_shows_negative_zero() -> None:
    assert charts.index_text(-0.0001) == "0.0"
    assert charts.index_text(-0.04, signed=True) == "+0.0"
    assert charts.index_text(2.26) == "2.3"


def _crisis() -> pd.DataFrame:
    """A quiet SRB series with a ten-day crisis: many spike days, one start."""
    days = pd.date_range("2024-01-01", periods=60, freq="D")
    scores = [1.0] * 60
    for i in range(40, 50):
        scores[i] = 40.0
    frame = pd.DataFrame({"day": days, "actor": "SRB", "score": scores})
    frame["items"] = 1
    frame["stories"] = 1
    return frame


def test_a_crisis_gets_one_spike_marker_at_its_start() -> None:
    index = tension_index(_crisis())
    assert index["spike"].sum() > 3, "the crisis spans several spike days"
    chart = charts.tension_lines(index, pd.DataFrame(columns=["day", "actor", "title", "score",
                                                                "is_sample"]))
    (markers,) = [t for t in chart.figure.data if t.mode == "markers"]
    first = index.loc[index["spike"], "day"].min()
    assert [pd.Timestamp(x) for x in markers.x] == [first]


def test_the_actor_chart_shades_each_spike_span() -> None:
    index = tension_index(_crisis())
    spans = charts.spike_spans(index)
    assert len(spans) == 1
    start, end = spans[0]
    assert start == index.loc[index["spike"], "day"].min()
    assert end == index.loc[index["spike"], "day"].max()
    chart = charts.index_band(index, "SRB")
    assert len(chart.figure.layout.shapes) == 1
    (markers,) = [t for t in chart.figure.data if t.name == "spike starts"]
    assert len(markers.x) == 1


def test_spike_spans_split_separate_runs() -> None:
    frame = pd.DataFrame({"day": pd.date_range("2024-01-01", periods=6, freq="D"),
                          "spike": [False, True, True, False, True, False]})
    spans = charts.spike_spans(frame)
    assert [(a.day, b.day) for a, b in spans] == [(2, 3), (5, 5)]


def test_clicked_point_reads_actor_and_day_and_ignores_junk() -> None:
    point = {"x": "2023-09-24", "y": 3.0, "customdata": [1.0, 2, 1, "t", "KOS"]}
    assert charts.clicked_point([point]) == ("KOS", date(2023, 9, 24))
    assert charts.clicked_point([{"x": "2023-09-24 00:00"}]) == (None, date(2023, 9, 24))
    for junk in (None, [], "x", [None], [{"x": "not a day"}], [{"x": None}], [{}]):
        assert charts.clicked_point(junk) is None


def test_the_map_scale_is_fixed_and_places_carry_their_ids() -> None:
    from dashboard.geo import place_points

    quiet = pd.DataFrame({"actor": ["SRB"], "current": [1.0], "change": [0.0], "spike": [False]})
    loud = quiet.assign(current=[15.0])
    places = place_points(pd.DataFrame({"place_id": ["zvecan", "nowhere_x"], "score": [9.0, 1.0],
                                        "items": [3, 1]}))
    assert list(places["place_id"]) == ["zvecan"], "an unknown id is left out"
    a = charts.tension_map((), quiet, points=CAPITALS, places=places)
    b = charts.tension_map((), loud, points=CAPITALS)
    bar = [t for t in a.figure.data if getattr(t.marker, "showscale", False)]
    assert bar[0].marker.cmax == charts.MAP_SCALE_MAX
    srb_a = next(t for t in a.figure.data if t.text and str(t.text[0]).startswith("SRB"))
    srb_b = next(t for t in b.figure.data if t.text and str(t.text[0]).startswith("SRB"))
    assert srb_a.marker.color != srb_b.marker.color, "1 and 15 points differ in colour"
    (named,) = [t for t in a.figure.data if t.name == "places named"]
    assert [c[0] for c in named.customdata] == ["zvecan"]
