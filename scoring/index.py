"""Tension index: item scores -> per actor (or directed pair) per day, smoothed, with spikes.

Pandas in, pandas out, no I/O. ``daily_scores`` counts each story once per
actor and day and keeps the ids of every item behind a day; ``tension_index``
fills the calendar, smooths with an exponential decay, compares each day with
a robust baseline of the weeks before it and flags spikes; ``change_over``
summarises the latest day for the Overview cards. The method, thresholds and
their reasons are in ``scoring/INDEX.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import date, datetime

import numpy as np
import pandas as pd

__all__ = [
    "MIN_LEVEL",
    "RELATIVE_SPREAD_FLOOR",
    "SPREAD_FLOOR",
    "change_over",
    "daily_pair_scores",
    "daily_scores",
    "pair_index",
    "tension_index",
]

# Scores follow the Goldstein scale (a typical escalation item scores 5-10).
# The spread floor keeps a flat-zero baseline from turning any single story
# into a spike: with z >= 3.5 a quiet actor needs a smoothed level of 3.5,
# i.e. a day summing to ~17 (two or three serious stories), to spike.
SPREAD_FLOOR = 1.0
# A busy actor's baseline can be very steady; a spread of at least 10 % of
# the baseline keeps a small relative wobble from counting as a spike.
RELATIVE_SPREAD_FLOOR = 0.1
# A spike must also stand at this smoothed level (score per day) at least.
MIN_LEVEL = 2.0
# 1.4826 * MAD estimates the standard deviation of normally distributed data.
_MAD_TO_SD = 1.4826
# Absurd inputs are clipped so every number stays finite; real daily sums are
# orders of magnitude below this.
_MAX_ABS = 1e12

_ACTOR = ("actor",)
_PAIR = ("source", "target")
_NUMERIC = ["raw", "smoothed", "baseline", "band_low", "band_high", "z"]

DayLike = date | datetime | pd.Timestamp | str | None


def _as_days(values: pd.Series) -> pd.Series:
    """Calendar days (tz-naive midnight Timestamps); aware times are taken in UTC."""
    days = pd.to_datetime(values, utc=True, format="mixed").dt.tz_localize(None)
    return days.dt.normalize().astype("datetime64[ns]")


def _daily(items: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Shared body of daily_scores / daily_pair_scores."""
    cols = [*keys, "day", "score", "items", "stories", "item_ids"]
    frame = items.dropna(subset=list(keys)).copy()
    if frame.empty:
        return pd.DataFrame(columns=cols)
    frame["day"] = _as_days(frame["day"])
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce").fillna(0.0).astype(float)
    # An item with no story id is a story of its own.
    frame["story_id"] = (
        frame["story_id"].astype(object).where(frame["story_id"].notna(), frame["item_id"])
    )
    group = [*keys, "day"]
    # One representative per story: the copy with the largest |score| (ties:
    # the smallest item id), because a truncated copy scoring 0 should not
    # hide what the fuller copy of the same story says.
    frame["_abs"] = frame["score"].abs()
    frame["_id"] = frame["item_id"].astype(str)
    ranked = frame.sort_values(
        [*group, "story_id", "_abs", "_id"],
        ascending=[True] * (len(group) + 1) + [False, True],
        kind="mergesort",
    )
    reps = ranked.drop_duplicates([*group, "story_id"], keep="first")
    scores = reps.groupby(group, sort=True)["score"].sum()
    stories = reps.groupby(group, sort=True)["story_id"].size()
    by_id = frame.sort_values("_id", kind="mergesort").groupby(group, sort=True)["item_id"]
    out = pd.DataFrame(
        {"score": scores, "items": by_id.size(), "stories": stories, "item_ids": by_id.agg(list)}
    ).reset_index()
    return out[cols]


def daily_scores(items: pd.DataFrame) -> pd.DataFrame:
    """Per actor and day: score with each story counted once, plus the item ids behind it.

    Input: one row per (item, actor) with columns item_id, story_id, day
    (date or datetime), actor, score. Output columns: day, actor, score,
    items (rows in), stories (distinct story ids), item_ids (every item,
    sorted), sorted by actor, day.
    """
    out = _daily(items, _ACTOR)
    return out[["day", "actor", "score", "items", "stories", "item_ids"]]


def daily_pair_scores(items: pd.DataFrame) -> pd.DataFrame:
    """Like ``daily_scores`` for directed pairs: columns source, target instead of actor."""
    out = _daily(items, _PAIR)
    return out[["day", "source", "target", "score", "items", "stories", "item_ids"]]


def _smooth(raw: pd.DataFrame, half_life_days: float) -> pd.DataFrame:
    """Exponentially decayed daily average, starting from zero before the calendar.

    s_t = a*x_t + (1-a)*s_(t-1) with (1-a) = 0.5**(1/half_life): a day's score
    weighs half as much after one half-life, and a steady daily score x gives
    s = x, so raw and smoothed share units (score per day).
    """
    alpha = 1.0 - 0.5 ** (1.0 / half_life_days)
    padded = pd.concat(
        [pd.DataFrame(0.0, index=[-1], columns=raw.columns), raw.reset_index(drop=True)]
    )
    smoothed = padded.ewm(alpha=alpha, adjust=False).mean().iloc[1:]
    smoothed.index = raw.index
    return smoothed


def _trailing(values: np.ndarray, window: int, min_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Median and MAD of the ``window`` values before each position (not including it)."""
    n = len(values)
    padded = np.concatenate([np.full(window, np.nan), values])
    windows = np.lib.stride_tricks.sliding_window_view(padded, window)[:n]
    enough = np.count_nonzero(~np.isnan(windows), axis=1) >= min_days
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows at the start
        median = np.nanmedian(windows, axis=1)
        mad = np.nanmedian(np.abs(windows - median[:, None]), axis=1)
    median[~enough] = np.nan
    mad[~enough] = np.nan
    return median, mad


def _score_column(
    smoothed: np.ndarray,
    baseline_days: int,
    min_baseline_days: int,
    z_threshold: float,
    spread_floor: float,
    min_level: float,
) -> dict[str, np.ndarray]:
    """Baseline, band, robust z and spike flag for one smoothed series."""
    baseline, mad = _trailing(smoothed, baseline_days, min_baseline_days)
    spread = np.fmax(_MAD_TO_SD * mad, spread_floor)
    spread = np.fmax(spread, RELATIVE_SPREAD_FLOOR * np.abs(baseline))
    z = np.where(np.isnan(baseline), 0.0, (smoothed - baseline) / spread)
    spike = (z >= z_threshold) & (smoothed >= min_level)
    # A spike's onset is its first day: the marker means "something started", not "still
    # high" (a crisis of ten days gets one marker, and a falling day never gets one).
    onset = spike & ~np.concatenate(([False], spike[:-1]))
    return {
        "baseline": baseline,
        "band_low": baseline - z_threshold * spread,
        "band_high": baseline + z_threshold * spread,
        "z": z,
        "spike": spike,
        "onset": onset,
    }


def _calendar(days: pd.Series, start: DayLike, end: DayLike) -> tuple[pd.DatetimeIndex, tuple]:
    """Full day range covering data and request (history before ``start`` warms the baseline)."""
    lo, hi = days.min(), days.max()
    want_lo = pd.Timestamp(start).normalize() if start is not None else lo
    want_hi = pd.Timestamp(end).normalize() if end is not None else hi
    if pd.isna(lo):
        lo, hi = want_lo, want_hi
    full = pd.date_range(min(lo, want_lo), max(hi, want_hi), freq="D")
    return full, (want_lo, want_hi)


def _index(
    daily: pd.DataFrame,
    keys: Sequence[str],
    *,
    half_life_days: float,
    baseline_days: int,
    min_baseline_days: int,
    z_threshold: float,
    spread_floor: float,
    min_level: float,
    start: DayLike,
    end: DayLike,
) -> pd.DataFrame:
    """The one implementation behind tension_index and pair_index."""
    if half_life_days <= 0 or baseline_days < 1 or not 1 <= min_baseline_days <= baseline_days:
        raise ValueError("need half_life_days > 0 and 1 <= min_baseline_days <= baseline_days")
    keys = list(keys)
    carry = [c for c in ("item_ids",) if c in daily.columns]
    out_cols = ["day", *keys, *_NUMERIC, "spike", "onset", "items", "stories", *carry]
    frame = daily.dropna(subset=keys).copy()
    frame["day"] = _as_days(frame["day"])
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce").fillna(0.0)
    for col in ("items", "stories"):
        frame[col] = frame[col] if col in frame.columns else 0
    if frame.empty and (start is None or end is None):
        return pd.DataFrame(columns=out_cols)
    calendar, (want_lo, want_hi) = _calendar(frame["day"], start, end)
    group = frame.groupby([*keys, "day"], sort=True)
    with np.errstate(over="ignore"):  # absurd sums become inf, clipped below
        sums = group[["score", "items", "stories"]].sum()
    raw = sums["score"].unstack(keys).reindex(calendar).fillna(0.0)
    raw = raw.clip(-_MAX_ABS, _MAX_ABS)
    smoothed = _smooth(raw, half_life_days)

    parts = []
    for position, column in enumerate(raw.columns):
        stats = _score_column(
            smoothed.iloc[:, position].to_numpy(),
            baseline_days,
            min_baseline_days,
            z_threshold,
            spread_floor,
            min_level,
        )
        part = pd.DataFrame(
            {
                "day": calendar,
                "raw": raw.iloc[:, position].to_numpy(),
                "smoothed": smoothed.iloc[:, position].to_numpy(),
                **stats,
            }
        )
        for key, value in zip(keys, column if len(keys) > 1 else (column,), strict=True):
            part[key] = value
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=out_cols)
    out = pd.concat(parts, ignore_index=True)
    counts = sums[["items", "stories"]].reset_index()
    if carry:
        counts["item_ids"] = group["item_ids"].agg(_concat_ids).to_numpy()
    out = out.merge(counts, on=[*keys, "day"], how="left")
    out[["items", "stories"]] = out[["items", "stories"]].fillna(0).astype(int)
    if carry:
        out["item_ids"] = [ids if isinstance(ids, list) else [] for ids in out["item_ids"]]
    out = out[(out["day"] >= want_lo) & (out["day"] <= want_hi)]
    return out.sort_values([*keys, "day"], kind="mergesort").reset_index(drop=True)[out_cols]


def _concat_ids(lists: pd.Series) -> list:
    """Join the item-id lists of rows that fall on the same key and day."""
    return [item for ids in lists if isinstance(ids, list | tuple | np.ndarray) for item in ids]


def tension_index(
    daily: pd.DataFrame,
    *,
    half_life_days: float = 3.0,
    baseline_days: int = 28,
    min_baseline_days: int = 7,
    z_threshold: float = 3.5,
    spread_floor: float = SPREAD_FLOOR,
    min_level: float = MIN_LEVEL,
    start: DayLike = None,
    end: DayLike = None,
) -> pd.DataFrame:
    """Per actor and day: raw, smoothed, baseline band, robust z and spike flag.

    Input columns: day, actor, score (+ items, stories, item_ids, carried
    through). Every day from start (or the first data day) to end (or the
    last) appears for every actor, missing days as 0. Output columns: day,
    actor, raw, smoothed, baseline, band_low, band_high, z, spike, items,
    stories (+ item_ids), sorted by actor, day. Baseline and band are NaN
    while fewer than ``min_baseline_days`` earlier days exist; z is then 0.
    """
    return _index(
        daily,
        _ACTOR,
        half_life_days=half_life_days,
        baseline_days=baseline_days,
        min_baseline_days=min_baseline_days,
        z_threshold=z_threshold,
        spread_floor=spread_floor,
        min_level=min_level,
        start=start,
        end=end,
    )


def pair_index(
    daily: pd.DataFrame,
    *,
    half_life_days: float = 3.0,
    baseline_days: int = 28,
    min_baseline_days: int = 7,
    z_threshold: float = 3.5,
    spread_floor: float = SPREAD_FLOOR,
    min_level: float = MIN_LEVEL,
    start: DayLike = None,
    end: DayLike = None,
) -> pd.DataFrame:
    """``tension_index`` for directed pairs: columns source, target instead of actor."""
    return _index(
        daily,
        _PAIR,
        half_life_days=half_life_days,
        baseline_days=baseline_days,
        min_baseline_days=min_baseline_days,
        z_threshold=z_threshold,
        spread_floor=spread_floor,
        min_level=min_level,
        start=start,
        end=end,
    )


def change_over(index_df: pd.DataFrame, days: int = 7) -> pd.DataFrame:
    """Per actor (or pair): latest smoothed value, the value ``days`` earlier, change, spike.

    Output columns: the key columns, day, current, previous, change,
    pct_change (NaN when the earlier value is 0), spike — one row per key,
    for the latest day of the index.
    """
    keys = list(_PAIR) if "source" in index_df.columns else list(_ACTOR)
    cols = [*keys, "day", "current", "previous", "change", "pct_change", "spike"]
    if index_df.empty:
        return pd.DataFrame(columns=cols)
    frame = index_df.assign(day=_as_days(index_df["day"]))
    latest = frame["day"].max()
    now = frame[frame["day"] == latest].set_index(keys)
    then = frame[frame["day"] == latest - pd.Timedelta(days=days)].set_index(keys)
    out = pd.DataFrame(
        {
            "day": latest,
            "current": now["smoothed"].astype(float),
            "spike": now["spike"].astype(bool),
        }
    )
    out["previous"] = then["smoothed"].astype(float).reindex(out.index)
    out["change"] = out["current"] - out["previous"]
    denominator = out["previous"].abs().where(out["previous"] != 0)
    out["pct_change"] = 100.0 * out["change"] / denominator
    return out.reset_index()[cols].sort_values(keys, kind="mergesort").reset_index(drop=True)
