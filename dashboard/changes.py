"""What changed: the actors whose tension moved most against the period before, in words.

The Overview's first block answers the analyst's morning question. For the chosen dates
and the period of the same length just before them, each actor's tension points (the sum
of its stories' scores, a syndicated story counted once) are compared; the largest
rises and falls become one sentence each, naming the signals that moved and the stories
that carried them. The arithmetic is pure (``find_movers``, ``mover_sentence``) and
tested without Streamlit; ``show`` draws the block.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import pandas as pd
import streamlit as st

from dashboard import cache, views
from dashboard.labels import actor_name, signal_name
from dashboard.text import escape_markdown
from storage.queries import QueryFilters

__all__ = ["Mover", "Window", "find_movers", "mover_sentence", "show", "windows"]

# Stories listed under each mover: enough to see why, few enough to read.
STORIES_PER_MOVER = 3

# A change smaller than this many tension points is noise, not news.
MIN_CHANGE = 1.0
# Days in a window when the filters leave the dates open.
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Window:
    """An inclusive range of calendar days."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def text(self) -> str:
        if self.start == self.end:
            return f"{self.end:%d %b %Y}"
        same_year = self.start.year == self.end.year
        return f"{self.start:%d %b}{'' if same_year else f' {self.start:%Y}'} – {self.end:%d %b %Y}"

    def since(self) -> datetime:
        return datetime.combine(self.start, datetime.min.time())

    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), datetime.min.time())


def windows(filters: QueryFilters, latest: date | None) -> tuple[Window, Window] | None:
    """The chosen window and the one of the same length just before it (None: no data)."""
    end = filters.date_to or latest
    if end is None:
        return None
    start = filters.date_from or end - timedelta(days=DEFAULT_DAYS - 1)
    current = Window(start, end)
    before_end = start - timedelta(days=1)
    return current, Window(before_end - timedelta(days=current.days - 1), before_end)


@dataclass(frozen=True)
class Mover:
    """One actor's change: tension points now and before, and the signals behind it."""

    actor: str
    now: float
    before: float
    stories: int
    # (signal, stories now, stories before), the biggest moves first
    signals: tuple[tuple[str, int, int], ...]

    @property
    def change(self) -> float:
        return self.now - self.before


def _totals(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=["score", "stories"], dtype=float)
    return frame.groupby("actor")[["score", "stories"]].sum()


def find_movers(
    daily_now: pd.DataFrame,
    daily_before: pd.DataFrame,
    signals_now: pd.DataFrame,
    signals_before: pd.DataFrame,
    limit: int = 3,
) -> list[Mover]:
    """The actors whose tension points changed most (either way), largest change first.

    ``daily_*`` are ``tension_by_actor_day`` frames of the two windows, ``signals_*``
    ``actor_signal_totals`` frames. Changes below ``MIN_CHANGE`` are left out.
    """
    now, before = _totals(daily_now), _totals(daily_before)
    actors = sorted(set(now.index) | set(before.index))
    rows = []
    for actor in actors:
        n = float(now["score"].get(actor, 0.0))
        b = float(before["score"].get(actor, 0.0))
        if abs(n - b) >= MIN_CHANGE:
            rows.append((actor, n, b, int(now["stories"].get(actor, 0))))
    # ties broken by code, so the order is the same on every run
    rows.sort(key=lambda r: (-abs(r[1] - r[2]), r[0]))
    movers = []
    for actor, n, b, stories in rows[:limit]:
        movers.append(Mover(actor, n, b, stories, _signal_moves(actor, signals_now,
                                                                signals_before, rising=n > b)))
    return movers


def _signal_moves(actor: str, now: pd.DataFrame, before: pd.DataFrame,
                  rising: bool) -> tuple[tuple[str, int, int], ...]:
    def counts(frame: pd.DataFrame) -> dict[str, int]:
        mine = frame[frame["actor"] == actor] if not frame.empty else frame
        return {str(s): int(c) for s, c in zip(mine.get("signal", []), mine.get("count", []),
                                                strict=True)}

    n, b = counts(now), counts(before)
    moves = [(s, n.get(s, 0), b.get(s, 0)) for s in sorted(set(n) | set(b))]
    # a rise is explained by signals that grew, a fall by those that shrank
    moves = [m for m in moves if (m[1] > m[2] if rising else m[1] < m[2])]
    moves.sort(key=lambda m: (-abs(m[1] - m[2]), m[0]))
    return tuple(moves[:3])


def _stories(n: int) -> str:
    return f"{n} {'story' if n == 1 else 'stories'}"


def mover_sentence(m: Mover, current: Window, before: Window,
                   first_day: date | None = None) -> str:
    """One plain sentence: who moved, by how much, against what, and which signals.

    ``first_day``: the first stored day; a period before it held no articles, and the
    sentence says so instead of comparing with an empty period.
    """
    verb = "rose" if m.change > 0 else "fell"
    against = (f"no articles are stored before {first_day:%d %b %Y}"
               if first_day is not None and before.end < first_day
               else f"from {m.before:.1f} in the {before.days} days before")
    head = (f"{actor_name(m.actor)} {verb} to {m.now:.1f} tension points in "
            f"{current.text()} ({against})" if against.startswith("no ")
            else f"{actor_name(m.actor)} {verb} to {m.now:.1f} tension points in "
            f"{current.text()}, {against}")
    if not m.signals:
        return head + "."
    parts = []
    for signal, now, was in m.signals:
        was_text = "none before" if was == 0 else f"{was} before"
        parts.append(f"{signal_name(signal).lower()} ({_stories(now)}, {was_text})")
    return f"{head}: {', '.join(parts)}."


def quiet_window(latest_active: date | None, current: Window) -> Window | None:
    """The window of the same length ending on the last active day, when it lies earlier."""
    if latest_active is None or latest_active >= current.start:
        return None
    return Window(latest_active - timedelta(days=current.days - 1), latest_active)


def narrowed(filters: QueryFilters, window: Window, actor: str | None = None) -> QueryFilters:
    """The filters for one window (and one actor): what the block's queries read."""
    return replace(filters, date_from=window.start, date_to=window.end,
                   actors=(actor,) if actor else filters.actors)


def _movers(url: str, filters: QueryFilters, current: Window, before: Window,
            stamp: str) -> list[Mover]:
    return find_movers(
        cache.actor_days(url, narrowed(filters, current), stamp),
        cache.actor_days(url, narrowed(filters, before), stamp),
        cache.actor_signals(url, narrowed(filters, current), stamp),
        cache.actor_signals(url, narrowed(filters, before), stamp),
    )


def show(url: str, filters: QueryFilters, latest: date | None, stamp: str,
         first_day: date | None = None) -> None:
    """The "What changed" block: one sentence per mover and the stories behind it."""
    st.subheader("What changed")
    pair = windows(filters, latest)
    if pair is None:
        st.info("No scored articles yet, so nothing can have changed.")
        return
    current, before = pair
    movers = _movers(url, filters, current, before, stamp)
    if not movers:
        active = quiet_window(cache.latest_active(url, filters, current.start, stamp), current)
        if active is None:
            st.info(f"Quiet: no actor's tension moved by {MIN_CHANGE:.0f} point or more in "
                    f"{current.text()} against the {before.days} days before.")
            return
        st.info(f"Quiet: nothing moved in {current.text()}. The last active period, "
                f"{active.text()}, is shown instead.")
        current = active
        before = Window(active.start - timedelta(days=active.days),
                        active.start - timedelta(days=1))
        movers = _movers(url, filters, current, before, stamp)
    for i, m in enumerate(movers):
        with st.container(border=True):
            st.markdown(escape_markdown(mover_sentence(m, current, before, first_day)))
            top = cache.top_stories(url, current.since(), STORIES_PER_MOVER,
                                    narrowed(filters, current, m.actor), stamp,
                                    until=current.until())
            if top.empty:
                continue
            st.caption("The stories that carried it (select one for its evidence):")
            picked = views.article_table(top, key=f"changes_{i}_{m.actor}")
            if picked is not None:
                views.evidence_panel(url, top, picked, stamp)
