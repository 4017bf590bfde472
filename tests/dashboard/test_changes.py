"""The "What changed" arithmetic: movers between two windows and their sentences."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.changes import Window, find_movers, mover_sentence, quiet_window, windows
from storage.queries import QueryFilters


def _days(rows: list[tuple[str, float, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(pd.Timestamp("2023-09-24"), a, s, n, n) for a, s, n in rows],
        columns=["day", "actor", "score", "items", "stories"],
    )


def _signals(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame([(a, s, c, 1.0) for a, s, c in rows],
                        columns=["actor", "signal", "count", "weight"])


def test_the_biggest_change_comes_first_either_way() -> None:
    movers = find_movers(
        _days([("SRB", 40.0, 6), ("KOS", 10.0, 2), ("MNE", 3.0, 1)]),
        _days([("SRB", 5.0, 1), ("KOS", 30.0, 4), ("MNE", 2.5, 1)]),
        _signals([("SRB", "armed_clash", 4), ("SRB", "police_action", 2),
                  ("KOS", "diplomacy", 1)]),
        _signals([("SRB", "police_action", 1), ("KOS", "protest_unrest", 3)]),
    )
    assert [m.actor for m in movers] == ["SRB", "KOS"], "a 0.5-point wobble is no mover"
    srb, kos = movers
    assert srb.change == 35.0 and kos.change == -20.0
    assert srb.signals[0] == ("armed_clash", 4, 0), "a rise is explained by what grew"
    assert kos.signals == (("protest_unrest", 0, 3),), "a fall by what shrank"


def test_an_actor_absent_before_is_a_mover_from_zero() -> None:
    (m,) = find_movers(_days([("RS", 12.0, 2)]), _days([]), _signals([]), _signals([]))
    assert (m.actor, m.before, m.now) == ("RS", 0.0, 12.0)


def test_the_sentence_names_actor_figures_window_and_signals() -> None:
    (m,) = find_movers(_days([("SRB", 40.0, 6)]), _days([("SRB", 5.0, 1)]),
                       _signals([("SRB", "armed_clash", 4)]), _signals([]))
    text = mover_sentence(m, Window(date(2023, 9, 18), date(2023, 9, 30)),
                          Window(date(2023, 9, 5), date(2023, 9, 17)))
    assert text.startswith("Serbia rose to 40.0 tension points in 18 Sep – 30 Sep 2023")
    assert "from 5.0 in the 13 days before" in text
    assert "armed clash (4 stories, none before)" in text.lower()


def test_windows_are_equal_and_adjacent() -> None:
    cur, before = windows(QueryFilters(date_from=date(2023, 9, 18), date_to=date(2023, 9, 30)),
                          None)
    assert cur.days == before.days == 13
    assert before.end == date(2023, 9, 17)
    cur, before = windows(QueryFilters(), date(2023, 9, 30))
    assert (cur.days, cur.end, before.end) == (30, date(2023, 9, 30), date(2023, 8, 31))
    assert windows(QueryFilters(), None) is None


def test_a_quiet_window_falls_back_to_the_last_active_period() -> None:
    cur = Window(date(2024, 6, 1), date(2024, 6, 30))
    back = quiet_window(date(2023, 9, 30), cur)
    assert back == Window(date(2023, 9, 1), date(2023, 9, 30))
    assert quiet_window(None, cur) is None
    assert quiet_window(date(2024, 6, 10), cur) is None, "activity inside the window: not quiet"


def test_the_live_header_says_how_long_ago_and_the_newest_article() -> None:
    from datetime import UTC, datetime

    from dashboard.views import ago, freshness

    now = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
    assert ago(datetime(2026, 12, 3, 9, 29, 30), now) == "just now"
    assert ago(datetime(2026, 12, 3, 9, 26), now) == "4 min ago"
    assert ago(datetime(2026, 12, 3, 6, 0), now) == "3 h ago"
    assert ago(datetime(2026, 11, 29, 9, 0), now) == "4 days ago"
    line = freshness("2026-12-03T09:26:00", datetime(2026, 12, 3, 9, 12), now)
    assert line == ("Updated 4 min ago (03 Dec 2026, 09:26 UTC) · newest article "
                    "03 Dec 2026 09:12 UTC")
    assert freshness("", None, now) == "No data yet"


def test_a_period_before_the_first_stored_day_is_not_compared() -> None:
    (m,) = find_movers(_days([("SRB", 40.0, 6)]), _days([]), _signals([]), _signals([]))
    text = mover_sentence(m, Window(date(2022, 1, 5), date(2023, 9, 30)),
                          Window(date(2020, 4, 11), date(2022, 1, 4)), date(2022, 1, 5))
    assert "(no articles are stored before 05 Jan 2022)" in text
    assert "days before" not in text
