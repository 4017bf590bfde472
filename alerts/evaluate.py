"""Evaluate one rule against the stored data: which firings its condition produces.

Reads only through storage queries. Conditions are edge-triggered: a rise, level or spike
fires on the day it *begins* (true that day, false the day before), so a rise lasting a
week is one firing, and its key (rule, subject, condition, first day) is the same in every
run, every worker and after a restart. Corroborated stories are keyed by story, first-seen
signals by (actor, signal, day).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from alerts.rules import Rule
from scoring.index import tension_index
from storage import alerts_store, queries

__all__ = ["Firing", "evaluate_rule"]

WEEK = 7


@dataclass(frozen=True)
class Firing:
    """One firing, before it is recorded: the numbers, the reason in words, the items behind it."""

    rule: str
    kind: str
    severity: str
    subject: str
    key: str
    window_start: date
    window_end: date
    value: float | None
    baseline: float | None
    change_pct: float | None
    threshold: float | None
    why: str
    item_ids: tuple[int, ...] = field(default_factory=tuple)


def _series(db: str, rule: Rule, start: date, end: date) -> pd.Series:
    """The daily value the rule watches, every day from start to end (missing days 0)."""
    if rule.pairs:
        frame = alerts_store.pair_by_day(db, rule.pairs, start, end)
        column = "score"
    elif rule.place:
        frame = alerts_store.place_by_day(db, rule.place, rule.signal, start, end)
        column = "count" if rule.signal else "score"
    elif rule.signal:
        frame = alerts_store.signal_by_day(db, rule.signal, rule.actor, start, end)
        column = "count"
    else:
        filters = queries.QueryFilters(actors=(rule.actor,), date_from=start, date_to=end)
        frame = queries.tension_by_actor_day(db, filters)
        column = "score"
    calendar = pd.date_range(start, end, freq="D")
    if frame.empty:
        return pd.Series(0.0, index=calendar)
    values = frame.groupby("day")[column].sum().astype(float)
    return values.reindex(calendar, fill_value=0.0)


def _unit(rule: Rule) -> str:
    if rule.pairs:
        return "evidence weight"
    if rule.signal or (rule.place and rule.signal):
        return "stories"
    return "tension score"


def _items(db: str, rule: Rule, start: date, end: date) -> tuple[int, ...]:
    actors = (rule.actor,) if rule.actor else ()
    return tuple(
        alerts_store.items_for_subject(
            db, start, end, actors=actors, pairs=rule.pairs, signal=rule.signal, place=rule.place
        )
    )


def _onsets(condition: pd.Series, first: date) -> list[pd.Timestamp]:
    """Days from ``first`` on where the condition is true and was false the day before."""
    before = condition.shift(1, fill_value=False)
    starts = condition & ~before
    return [day for day in condition.index[starts] if day.date() >= first]


def evaluate_rule(db: str, rule: Rule, as_of: date) -> list[Firing]:
    """The firings ``rule`` produces over its lookback days ending at ``as_of``, oldest first."""
    first = as_of - timedelta(days=rule.lookback_days - 1)
    if rule.kind == "rise":
        return _rise(db, rule, first, as_of)
    if rule.kind in ("level", "spike"):
        return _index_rule(db, rule, first, as_of)
    if rule.kind == "corroborated":
        return _corroborated(db, rule, first, as_of)
    return _first_seen(db, rule, first, as_of)


def _firing(rule: Rule, key_tail: str, start: date, end: date, **numbers: object) -> dict:
    return {
        "rule": rule.name,
        "kind": rule.kind,
        "severity": rule.severity,
        "subject": rule.subject,
        "key": f"{rule.name}|{rule.kind}|{rule.subject}|{key_tail}",
        "window_start": start,
        "window_end": end,
        **numbers,
    }


def _rise(db: str, rule: Rule, first: date, as_of: date) -> list[Firing]:
    weeks = rule.baseline_weeks
    # The day before ``first`` needs its own full windows to tell an onset from a continuation.
    start = first - timedelta(days=WEEK * (weeks + 1))
    daily = _series(db, rule, start, as_of)
    current = daily.rolling(WEEK, min_periods=WEEK).sum()
    # The W whole weeks before the current week, each summed, then averaged.
    baseline = sum(current.shift(WEEK * k) for k in range(1, weeks + 1)) / weeks
    pct = 100.0 * (current - baseline) / baseline.abs().where(baseline > 0)
    condition = (current >= rule.min_value) & ((baseline <= 0) | (pct >= rule.rise_pct))
    condition = condition.fillna(False).astype(bool)
    out = []
    for day in _onsets(condition, first):
        end = day.date()
        begin = end - timedelta(days=WEEK - 1)
        now, base = float(current[day]), float(baseline[day])
        change = None if base <= 0 else float(pct[day])
        rise = "from nothing" if change is None else f"{change:+.0f}%"
        why = (
            f"{rule.subject}: {_unit(rule)} of the 7 days to {end} is {now:.1f}, against "
            f"{base:.1f} a week on average over the {weeks} weeks before ({rise}; the rule "
            f"fires at +{rule.rise_pct:g}% and a week of at least {rule.min_value:g})."
        )
        out.append(
            Firing(
                **_firing(rule, str(end), begin, end),
                value=now, baseline=base, change_pct=change, threshold=rule.rise_pct, why=why,
                item_ids=_items(db, rule, begin, end),
            )
        )  # fmt: skip
    return out


def _index_rule(db: str, rule: Rule, first: date, as_of: date) -> list[Firing]:
    # Four weeks of baseline and a few half-lives of smoothing before the first day.
    start = first - timedelta(days=42)
    daily = _series(db, rule, start, as_of)
    frame = pd.DataFrame({"day": daily.index, "actor": "subject", "score": daily.to_numpy()})
    index = tension_index(frame, start=start, end=as_of).set_index("day")
    if rule.kind == "level":
        condition = index["smoothed"] >= float(rule.level)  # type: ignore[arg-type]
    else:
        condition = index["spike"].astype(bool)
    out = []
    for day in _onsets(condition, first):
        end = day.date()
        begin = end - timedelta(days=2)
        row = index.loc[day]
        smoothed, base = float(row["smoothed"]), row["baseline"]
        base = None if pd.isna(base) else float(base)
        if rule.kind == "level":
            why = (
                f"{rule.subject}: the smoothed index reached {smoothed:.1f} on {end}, crossing "
                f"the level {rule.level:g} set by the rule (it was below the day before)."
            )
            threshold = float(rule.level)  # type: ignore[arg-type]
        else:
            why = (
                f"{rule.subject}: the smoothed index stood at {smoothed:.1f} on {end}, "
                f"{float(row['z']):.1f} robust deviations above its 4-week baseline of "
                f"{(base or 0):.1f} (the index's spike rule: z >= 3.5 and a level of at least 2)."
            )
            threshold = float(row["band_high"]) if not pd.isna(row["band_high"]) else None
        change = None if not base else 100.0 * (smoothed - base) / abs(base)
        out.append(
            Firing(
                **_firing(rule, str(end), begin, end),
                value=smoothed, baseline=base, change_pct=change, threshold=threshold, why=why,
                item_ids=_items(db, rule, begin, end),
            )
        )  # fmt: skip
    return out


def _corroborated(db: str, rule: Rule, first: date, as_of: date) -> list[Firing]:
    actors = tuple(sorted({a for pair in rule.pairs for a in pair})) or (
        (rule.actor,) if rule.actor else ()
    )
    stories = alerts_store.corroborated_stories(
        db, first, as_of, rule.min_outlets, actors=actors, signal=rule.signal, place=rule.place
    )
    out = []
    for story in stories.itertuples():
        day = story.first_seen.date()
        why = (
            f"{rule.subject}: one story first seen on {day} is carried by {story.outlets} "
            f"outlets (the rule fires at {rule.min_outlets})."
        )
        out.append(
            Firing(
                **_firing(rule, f"story {story.story_id}", day, day),
                value=float(story.outlets), baseline=None, change_pct=None,
                threshold=float(rule.min_outlets), why=why,
                item_ids=tuple(alerts_store.story_item_ids(db, int(story.story_id))),
            )
        )  # fmt: skip
    return out


def _first_seen(db: str, rule: Rule, first: date, as_of: date) -> list[Firing]:
    # baseline_weeks = 0 means "never before, in all the stored data".
    start = first - timedelta(days=WEEK * rule.baseline_weeks) if rule.baseline_weeks else (
        date(1970, 1, 1)
    )
    frame = alerts_store.signals_by_day(db, rule.actor, start, as_of)  # type: ignore[arg-type]
    if rule.signal:
        frame = frame[frame["signal"] == rule.signal]
    out = []
    for signal, rows in frame.groupby("signal", sort=True):
        days = sorted(d.date() for d in rows["day"])
        for i, day in enumerate(days):
            if day < first:
                continue
            earlier = [d for d in days[:i] if d >= (
                day - timedelta(days=WEEK * rule.baseline_weeks) if rule.baseline_weeks else start
            )]
            if earlier:
                continue
            span = f"in the {rule.baseline_weeks} weeks before" if rule.baseline_weeks else "ever"
            why = (
                f"{rule.actor}: the signal {signal} appears on {day} for the first time "
                f"({span}, in the stored data)."
            )
            out.append(
                Firing(
                    **{**_firing(rule, f"{signal} {day}", day, day),
                       "subject": f"{rule.actor} / {signal}"},
                    value=float(rows.loc[rows["day"].dt.date == day, "count"].sum()),
                    baseline=0.0, change_pct=None, threshold=None, why=why,
                    item_ids=tuple(alerts_store.items_for_subject(
                        db, day, day, actors=(rule.actor,), signal=str(signal))),  # type: ignore[arg-type]
                )
            )  # fmt: skip
    return sorted(out, key=lambda f: (f.window_end, f.key))
