"""The global sidebar filters: widgets that own their state, mirrored in the URL.

This module is the one validation layer for everything a URL carries. Each
widget has its own ``session_state`` key. On a session's first run the keys
are seeded from ``st.query_params`` after validation: every value is parsed
into a typed value, dates are clamped to the days the data can hold (the
first stored day to today + 1), lists are capped, and unknown values are
dropped (never evaluated) with a visible note saying what was left out. So
no link can raise or ask for more work than the widest view the widgets
offer. The page-level parameters (the Actor page's ``actor``, the News
page's ``q``, ``dir``, ``min``) are validated here too (``page_params``).
On every run the chosen values are written back as plain comma-separated
strings, so a view can be shared as a link. The result is a
``storage.queries.QueryFilters``.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import streamlit as st

from dashboard import cache
from dashboard.labels import ACTOR_CODES, SIGNAL_CODES, actor_option, signal_name
from dashboard.text import feed_title
from storage.queries import DIRECTIONS, QueryFilters

__all__ = [
    "DEFAULT_PRESET",
    "EARLIEST",
    "FILTERS_KEY",
    "MAX_PARAM_CHARS",
    "MAX_SCORE",
    "MAX_TEXT",
    "MAX_VALUES",
    "PRESETS",
    "PageParams",
    "UrlState",
    "current",
    "date_bounds",
    "date_window",
    "page_params",
    "parse_page_params",
    "parse_params",
    "sidebar",
    "to_params",
]

PRESETS: dict[str, int | None] = {"7d": 7, "30d": 30, "90d": 90, "1y": 365, "custom": None}
PRESET_LABELS = {"7d": "7 d", "30d": "30 d", "90d": "90 d", "1y": "1 y", "custom": "custom"}
DEFAULT_PRESET = "30d"
FILTERS_KEY = "filters"
_SEEDED = "_filters_seeded"
_KEYS = {
    "actors": "f_actors",
    "range": "f_range",
    "dates": "f_dates",
    "signals": "f_signals",
    "sources": "f_sources",
    "langs": "f_langs",
}
_URL_NAMES = ("actors", "range", "from", "to", "signals", "sources", "langs")
_NOTES = "_filters_notes"
# The sidebar's actor picker (a button elsewhere may set it, in a callback).
ACTORS_KEY = _KEYS["actors"]
# The last day the preset window ended on, to notice when newer data moves it.
_ANCHOR = "_filters_anchor"
_MOVED = "_filters_moved"
# A sane bound on what a URL may ask for; longer lists are someone pasting junk.
MAX_VALUES = 50
# Characters read from one parameter (all its repeats together); the rest is not looked at.
MAX_PARAM_CHARS = 2_000
# The News search box takes this many characters, so a link may not carry more.
MAX_TEXT = 200
# No item scores anywhere near this; a "minimum score" beyond it only hides everything.
MAX_SCORE = 1_000.0
# Ingest marks dates before 1995 as implausible (and stores the fetch time instead), so with
# nothing stored yet this is the earliest day any view could need.
EARLIEST = date(1995, 1, 1)


@dataclass(frozen=True)
class UrlState:
    """The global filters as they appear in the URL, already validated."""

    actors: tuple[str, ...] = ()
    preset: str = DEFAULT_PRESET
    date_from: date | None = None
    date_to: date | None = None
    signals: tuple[str, ...] = ()
    feed_ids: tuple[int, ...] = ()
    languages: tuple[str, ...] = ()
    # What the link asked for that was left out or narrowed, in words (never the raw values).
    notes: tuple[str, ...] = field(default=(), compare=False)


def date_bounds(first_stored: date | None, today: date | None = None) -> tuple[date, date]:
    """The days a view may cover: the first stored day (or 1995) to today + 1 (UTC)."""
    today = today or datetime.now(UTC).date()
    last = today + timedelta(days=1)
    first = first_stored if first_stored is not None else EARLIEST
    return min(first, last), last


def _raw(params: Mapping[str, object], name: str) -> list[str]:
    """The parameter's repeats as strings, at most MAX_PARAM_CHARS characters in all."""
    raw = params.get(name)
    if raw is None:
        return []
    items = raw if isinstance(raw, list | tuple) else [raw]
    out, budget = [], MAX_PARAM_CHARS
    for item in items[:MAX_VALUES]:
        text = str(item)[:budget]
        budget -= len(text)
        out.append(text)
        if budget <= 0:
            break
    return out


def _values(params: Mapping[str, object], name: str, notes: list[str] | None = None) -> list[str]:
    out: list[str] = []
    for item in _raw(params, name):
        out.extend(v.strip() for v in item.split(",") if v.strip())
    unique = list(dict.fromkeys(out))
    if len(unique) > MAX_VALUES and notes is not None:
        notes.append(f"only the first {MAX_VALUES} values of “{name}” were read")
    return unique[:MAX_VALUES]


def _date(params: Mapping[str, object], name: str) -> date | None:
    values = _values(params, name)
    if not values:
        return None
    try:
        return date.fromisoformat(values[0][:10])
    except ValueError:
        return None


def _known(values: list[str], allowed: Collection, what: str, notes: list[str]) -> list:
    kept = [v for v in values if v in allowed]
    dropped = len(values) - len(kept)
    if dropped:
        notes.append(f"{dropped} unknown {what}{'' if dropped == 1 else 's'} left out")
    return kept


def parse_params(
    params: Mapping[str, object],
    *,
    feed_ids: Collection[int] = (),
    languages: Collection[str] = (),
    bounds: tuple[date, date] | None = None,
) -> UrlState:
    """Validate URL query parameters into a ``UrlState``; anything unknown is dropped.

    Custom dates are clamped into ``bounds`` (default: ``date_bounds(None)``); what was
    dropped or narrowed is said in ``UrlState.notes``.
    """
    lo, hi = bounds or date_bounds(None)
    notes: list[str] = []
    actors = _known([v.upper() for v in _values(params, "actors", notes)], ACTOR_CODES,
                    "actor code", notes)  # fmt: skip
    signals = _known(_values(params, "signals", notes), SIGNAL_CODES, "signal", notes)
    sources = _values(params, "sources", notes)
    # int() of a long digit string is slow (and refused past 4,300 digits): ids are short.
    # isdigit() alone admits "²" and other digits int() refuses: ASCII digits only.
    ids = _known([int(v) if v.isascii() and v.isdigit() and len(v) < 19 else -1
                  for v in sources], feed_ids,
                 "source", notes)  # fmt: skip
    langs = _known(_values(params, "langs", notes), languages, "language", notes)
    preset = (_values(params, "range") or [DEFAULT_PRESET])[0]
    if preset not in PRESETS:
        notes.append("the date range in the link was not understood, so the last 30 days show")
        preset = DEFAULT_PRESET
    date_from, date_to = _date(params, "from"), _date(params, "to")
    if preset == "custom" and (date_from is None or date_to is None):
        notes.append("the link's custom dates were not understood, so the last 30 days show")
        preset, date_from, date_to = DEFAULT_PRESET, None, None
    if preset != "custom":
        date_from = date_to = None
    else:
        if date_from > date_to:  # type: ignore[operator]
            date_from, date_to = date_to, date_from
        clamped = (max(lo, min(date_from, hi)), max(lo, min(date_to, hi)))  # type: ignore[type-var]
        if clamped != (date_from, date_to):
            notes.append(f"dates limited to the stored data, {lo:%d %b %Y} – {hi:%d %b %Y}")
        date_from, date_to = clamped
    return UrlState(
        tuple(actors), preset, date_from, date_to, tuple(signals), tuple(ids), tuple(langs),
        tuple(notes),
    )  # fmt: skip


@dataclass(frozen=True)
class PageParams:
    """The page-level URL parameters (Actor and News pages), already validated."""

    actor: str | None = None
    text: str = ""
    direction: str | None = None
    min_score: float | None = None
    notes: tuple[str, ...] = field(default=(), compare=False)


def _number(value: str) -> float | None:
    try:
        number = float(value[:40])
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def parse_page_params(params: Mapping[str, object]) -> PageParams:
    """Validate ``actor``, ``q``, ``dir`` and ``min``: known codes, capped text, bounded score."""
    notes: list[str] = []
    actor = (_values(params, "actor") or [""])[0].upper() or None
    if actor is not None and actor not in ACTOR_CODES:
        notes.append("the actor in the link is not one this dashboard knows")
        actor = None
    raw_text = " ".join(_raw(params, "q"))
    text = " ".join(raw_text.split())[:MAX_TEXT]
    direction = (_values(params, "dir") or [""])[0] or None
    if direction is not None and direction not in DIRECTIONS:
        notes.append("the direction in the link was not understood")
        direction = None
    wanted = (_values(params, "min") or [""])[0]
    min_score = _number(wanted) if wanted else None
    if wanted and min_score is None:
        notes.append("the minimum score in the link is not a number")
    elif min_score is not None and abs(min_score) > MAX_SCORE:
        notes.append(f"the minimum score was limited to ±{MAX_SCORE:g}")
        min_score = math.copysign(MAX_SCORE, min_score)
    return PageParams(actor, text, direction, min_score, tuple(notes))


def page_params() -> PageParams:
    """This run's page-level URL parameters, validated (notes shown beside the page's widgets)."""
    names = ("actor", "q", "dir", "min")
    parsed = parse_page_params({n: st.query_params.get_all(n) for n in names})
    for note in parsed.notes:
        st.caption(f"⚠️ From the link: {note}.")
    return parsed


def to_params(state: UrlState) -> dict[str, str]:
    """The URL form of the filters: only what differs from the defaults, as plain strings."""
    out: dict[str, str] = {}
    if state.actors:
        out["actors"] = ",".join(state.actors)
    if state.preset != DEFAULT_PRESET:
        out["range"] = state.preset
    if state.preset == "custom" and state.date_from and state.date_to:
        out["from"] = state.date_from.isoformat()
        out["to"] = state.date_to.isoformat()
    if state.signals:
        out["signals"] = ",".join(state.signals)
    if state.feed_ids:
        out["sources"] = ",".join(str(i) for i in state.feed_ids)
    if state.languages:
        out["langs"] = ",".join(state.languages)
    return out


def date_window(
    preset: str,
    anchor: date,
    custom: tuple[date | None, date | None] = (None, None),
) -> tuple[date, date]:
    """Inclusive (from, to) days for a preset ending on ``anchor``, or the custom range."""
    days = PRESETS.get(preset)
    if days is None:
        start, end = custom
        end = end or anchor
        return (start or end - timedelta(days=29)), end
    return anchor - timedelta(days=days - 1), anchor


def _anchor(latest: date | None) -> date:
    """Presets end today, or on the newest data day when the data stops earlier."""
    today = datetime.now(UTC).date()
    return latest if latest is not None and latest < today else today


def _seed(url_state: UrlState, anchor: date) -> None:
    st.session_state[_NOTES] = (url_state, url_state.notes)
    st.session_state[_KEYS["actors"]] = list(url_state.actors)
    st.session_state[_KEYS["range"]] = url_state.preset
    st.session_state[_KEYS["signals"]] = list(url_state.signals)
    st.session_state[_KEYS["sources"]] = list(url_state.feed_ids)
    st.session_state[_KEYS["langs"]] = list(url_state.languages)
    if url_state.preset == "custom":
        st.session_state[_KEYS["dates"]] = (url_state.date_from, url_state.date_to)
    else:
        st.session_state[_KEYS["dates"]] = date_window(DEFAULT_PRESET, anchor)


def _clamp_dates(lo: date, hi: date, anchor: date) -> None:
    """Keep the date picker's own state inside [lo, hi] (Streamlit refuses a value outside)."""
    value = st.session_state.get(_KEYS["dates"])
    days = [d for d in value if isinstance(d, date)] if isinstance(value, list | tuple) else []
    if not days:
        days = list(date_window(DEFAULT_PRESET, anchor))
    st.session_state[_KEYS["dates"]] = tuple(max(lo, min(d, hi)) for d in days)


def _write_url(state: UrlState) -> None:
    wanted = to_params(state)
    for name in _URL_NAMES:
        if name in wanted:
            if st.query_params.get(name) != wanted[name]:
                st.query_params[name] = wanted[name]
        elif name in st.query_params:
            del st.query_params[name]


def sidebar(db_url: str) -> QueryFilters:
    """Draw the global filters in the sidebar and return what they select."""
    stamp = cache.stamp(db_url)
    feeds, languages, first, latest = cache.options(db_url, stamp)
    feed_names = {
        int(r.feed_id): feed_title(r.title, r.name) + (" (sample)" if r.is_sample else "")
        for r in feeds.itertuples()
    }
    anchor = _anchor(latest)
    lo, hi = date_bounds(first)
    if not st.session_state.get(_SEEDED):
        parsed = parse_params(_lists(), feed_ids=feed_names, languages=languages, bounds=(lo, hi))
        _seed(parsed, anchor)
        st.session_state[_SEEDED] = True
    # Options can shrink (a feed removed): keep only values still offered.
    for key, allowed in ((_KEYS["sources"], feed_names), (_KEYS["langs"], languages)):
        st.session_state[key] = [v for v in st.session_state.get(key, []) if v in allowed]

    bar = st.sidebar
    bar.header("Filters")
    actors = bar.multiselect(
        "Countries / actors",
        list(ACTOR_CODES),
        key=_KEYS["actors"],
        format_func=actor_option,
        placeholder="All actors",
    )
    preset = bar.segmented_control(
        "Dates",
        list(PRESETS),
        key=_KEYS["range"],
        format_func=PRESET_LABELS.get,
        required=True,
    )
    preset = preset or DEFAULT_PRESET
    if preset == "custom":
        _clamp_dates(lo, hi, anchor)
        picked = bar.date_input("From – to (UTC)", key=_KEYS["dates"], min_value=lo, max_value=hi)
        custom = tuple(picked) if isinstance(picked, list | tuple) else (picked, None)
        date_from, date_to = date_window(preset, anchor, (custom + (None, None))[:2])
        date_from, date_to = max(lo, min(date_from, hi)), max(lo, min(date_to, hi))
        st.session_state.pop(_MOVED, None)  # the reader chose the dates
    else:
        date_from, date_to = date_window(preset, anchor)
        if latest is not None and anchor == latest:
            bar.caption(f"Dates end on {latest:%d %b %Y}, the newest day with data.")
        # The window follows the newest data: when newer articles move it, say so (kept
        # until it moves again or the reader picks dates; a live refresh reruns the page
        # at once, so a note shown for one run only would never be seen).
        before = st.session_state.get(_ANCHOR)
        if before is not None and before != anchor:
            st.session_state[_MOVED] = (before, anchor)
        moved = st.session_state.get(_MOVED)
        if moved and moved[1] == anchor:
            bar.info(f"Newer articles arrived: the dates now end on {anchor:%d %b %Y} "
                     f"instead of {moved[0]:%d %b %Y}.", icon="ℹ️")
    st.session_state[_ANCHOR] = anchor
    signals = bar.multiselect(
        "Signals", list(SIGNAL_CODES), key=_KEYS["signals"], format_func=signal_name,
        placeholder="All signals",
    )  # fmt: skip
    sources = bar.multiselect(
        "Sources", list(feed_names), key=_KEYS["sources"], format_func=feed_names.get,
        placeholder="All sources",
    )  # fmt: skip
    langs = bar.multiselect("Languages", languages, key=_KEYS["langs"], placeholder="All languages")
    state = UrlState(
        actors=tuple(actors),
        preset=preset,
        date_from=date_from if preset == "custom" else None,
        date_to=date_to if preset == "custom" else None,
        signals=tuple(signals),
        feed_ids=tuple(int(i) for i in sources),
        languages=tuple(langs),
    )
    _write_url(state)
    seeded, notes = st.session_state.get(_NOTES, (None, ()))
    if notes and seeded == state:  # said until the user changes a filter
        bar.warning("From the link: " + "; ".join(notes) + ".", icon="⚠️")
    filters = QueryFilters(
        actors=state.actors,
        date_from=date_from,
        date_to=date_to,
        signals=state.signals,
        feed_ids=state.feed_ids,
        languages=state.languages,
    )
    st.session_state[FILTERS_KEY] = filters
    return filters


def _lists() -> dict[str, list[str]]:
    """Our URL parameters as lists (a repeated ``?actors=SRB&actors=KOS`` keeps every value)."""
    return {name: st.query_params.get_all(name) for name in _URL_NAMES if name in st.query_params}


def _through_app() -> None:
    """Rerun through app.py when Streamlit ran a page script on its own.

    Until some session has run app.py (and so ``st.navigation``), a fresh server
    treats ``pages/`` as the old auto-listed folder: a shared link such as
    ``/news?actors=KOS`` opened first would run pages/news.py alone, listing
    "app", "actor", … in the sidebar. Streamlit keeps that mode in one class flag,
    which ``st.navigation`` itself clears; clearing it here and rerunning sends
    this run through app.py, which then opens the page the link names.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def current(db_url: str) -> QueryFilters:
    """The filters chosen in the sidebar on this run (drawing the sidebar if no one has)."""
    _through_app()
    value = st.session_state.get(FILTERS_KEY)
    return value if isinstance(value, QueryFilters) else sidebar(db_url)
