"""dashboard.filters: URL parameters validated on read (typed, clamped, capped, generated
inputs included) and written back as plain strings."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.filters import (
    DEFAULT_PRESET,
    EARLIEST,
    MAX_SCORE,
    MAX_TEXT,
    MAX_VALUES,
    PRESETS,
    UrlState,
    date_bounds,
    date_window,
    parse_page_params,
    parse_params,
    to_params,
)
from dashboard.labels import ACTOR_CODES, SIGNAL_CODES
from storage.queries import DIRECTIONS


def test_round_trip_of_a_full_state() -> None:
    state = UrlState(
        actors=("SRB", "KOS"),
        preset="custom",
        date_from=date(2023, 5, 1),
        date_to=date(2023, 6, 30),
        signals=("armed_clash",),
        feed_ids=(2, 5),
        languages=("sq",),
    )
    params = to_params(state)
    assert all(isinstance(v, str) for v in params.values())
    assert params["actors"] == "SRB,KOS" and params["from"] == "2023-05-01"
    assert parse_params(params, feed_ids={2, 5, 7}, languages={"sq", "en"}) == state


def test_defaults_leave_the_url_clean() -> None:
    assert to_params(UrlState()) == {}
    assert parse_params({}) == UrlState()


@pytest.mark.parametrize(
    "params",
    [
        {"actors": "XXX,<script>,srb"},
        {"range": "999d"},
        {"range": "custom", "from": "not-a-date", "to": "2024-01-01"},
        {"sources": "1,abc,-3,99"},
        {"langs": "xx"},
        {"signals": "__import__('os')"},
        {"actors": ["KOS", "KOS,SRB"]},
    ],
)
def test_invalid_values_are_dropped(params: dict) -> None:
    state = parse_params(params, feed_ids={1}, languages={"en"})
    assert set(state.actors) <= {"SRB", "KOS"}
    assert state.preset in {"7d", "30d", "90d", "1y", "custom"}
    assert set(state.feed_ids) <= {1}
    assert set(state.languages) <= {"en"}
    assert state.signals == ()


def test_specific_invalid_cases() -> None:
    assert parse_params({"actors": "XXX,srb"}).actors == ("SRB",)
    assert parse_params({"range": "999d"}).preset == DEFAULT_PRESET
    assert parse_params({"range": "custom", "from": "x", "to": "2024-01-01"}).preset == "30d"
    swapped = parse_params({"range": "custom", "from": "2024-02-01", "to": "2024-01-01"})
    assert (swapped.date_from, swapped.date_to) == (date(2024, 1, 1), date(2024, 2, 1))


def test_date_windows() -> None:
    anchor = date(2025, 12, 31)
    assert date_window("7d", anchor) == (date(2025, 12, 25), anchor)
    assert date_window("1y", anchor) == (date(2025, 1, 1), anchor)
    custom = (date(2024, 1, 1), date(2024, 3, 1))
    assert date_window("custom", anchor, custom) == custom


# ---------------------------------------------------------------- generated links

_ANY_DATE = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat)
_VALUE = st.one_of(
    _ANY_DATE,
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["custom", "7d", "SRB,kos,XXX", "armed_clash", "1,2,3", "nan", "1e999"]),
    st.lists(st.text(max_size=8), max_size=120).map(",".join),
)
_NAMES = st.sampled_from(["actors", "range", "from", "to", "signals", "sources", "langs"])
_PARAMS = st.dictionaries(_NAMES, st.one_of(_VALUE, st.lists(_VALUE, max_size=5)), max_size=7)
_BOUNDS = (date(2022, 1, 5), date(2026, 1, 1))


@settings(max_examples=300, deadline=None)
@given(params=_PARAMS, custom=st.tuples(_ANY_DATE, _ANY_DATE))
def test_generated_params_parse_into_bounded_typed_values(
    params: dict, custom: tuple[str, str]
) -> None:
    if custom[0] < custom[1]:
        params = {**params, "range": "custom", "from": custom[0], "to": custom[1]}
    state = parse_params(params, feed_ids={1, 2}, languages={"en", "sq"}, bounds=_BOUNDS)
    assert state.preset in PRESETS
    assert set(state.actors) <= set(ACTOR_CODES) and len(state.actors) <= MAX_VALUES
    assert set(state.signals) <= set(SIGNAL_CODES)
    assert set(state.feed_ids) <= {1, 2} and set(state.languages) <= {"en", "sq"}
    if state.preset == "custom":
        assert _BOUNDS[0] <= state.date_from <= state.date_to <= _BOUNDS[1]
    else:
        assert state.date_from is None and state.date_to is None
    assert all(isinstance(n, str) and len(n) < 120 for n in state.notes)
    # What was parsed survives the round trip through the URL unchanged.
    again = parse_params(to_params(state), feed_ids={1, 2}, languages={"en", "sq"}, bounds=_BOUNDS)
    assert again == state and again.notes == ()


@settings(max_examples=200, deadline=None)
@given(
    params=st.dictionaries(
        st.sampled_from(["actor", "q", "dir", "min"]),
        st.one_of(_VALUE, st.floats().map(repr), st.lists(_VALUE, max_size=4)),
    )
)
def test_generated_page_params_are_typed_and_bounded(params: dict) -> None:
    page = parse_page_params(params)
    assert page.actor is None or page.actor in ACTOR_CODES
    assert len(page.text) <= MAX_TEXT
    assert page.direction is None or page.direction in DIRECTIONS
    assert page.min_score is None or (
        math.isfinite(page.min_score) and abs(page.min_score) <= MAX_SCORE
    )


def test_date_bounds_run_from_the_first_stored_day_to_tomorrow() -> None:
    assert date_bounds(date(2022, 1, 5), today=date(2026, 3, 1)) == (
        date(2022, 1, 5),
        date(2026, 3, 2),
    )
    assert date_bounds(None, today=date(2026, 3, 1))[0] == EARLIEST
    far = parse_params(
        {"range": "custom", "from": "0001-01-01", "to": "9999-12-31"}, bounds=_BOUNDS
    )
    assert (far.date_from, far.date_to) == _BOUNDS
    assert far.notes and "dates limited" in far.notes[0]
