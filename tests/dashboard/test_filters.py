"""dashboard.filters: URL parameters validated on read and written back as plain strings."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.filters import DEFAULT_PRESET, UrlState, date_window, parse_params, to_params


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
