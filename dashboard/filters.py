"""The global sidebar filters: widgets that own their state, mirrored in the URL.

Each widget has its own ``session_state`` key. On a session's first run the
keys are seeded from ``st.query_params`` after validation (unknown codes,
bad dates and foreign values are dropped, never evaluated); on every run the
chosen values are written back as plain comma-separated strings, so a view
can be shared as a link. The result is a ``storage.queries.QueryFilters``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import streamlit as st

from dashboard import cache
from dashboard.labels import ACTOR_CODES, SIGNAL_CODES, actor_option, signal_name
from storage.queries import QueryFilters

__all__ = [
    "DEFAULT_PRESET",
    "FILTERS_KEY",
    "PRESETS",
    "UrlState",
    "current",
    "date_window",
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
# A sane bound on what a URL may ask for; longer lists are someone pasting junk.
_MAX_VALUES = 50


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


def _values(params: Mapping[str, object], name: str) -> list[str]:
    raw = params.get(name)
    if raw is None:
        return []
    items = raw if isinstance(raw, list | tuple) else [raw]
    out: list[str] = []
    for item in items:
        out.extend(v.strip() for v in str(item).split(",") if v.strip())
    return list(dict.fromkeys(out))[:_MAX_VALUES]


def _date(params: Mapping[str, object], name: str) -> date | None:
    values = _values(params, name)
    if not values:
        return None
    try:
        return date.fromisoformat(values[0])
    except ValueError:
        return None


def parse_params(
    params: Mapping[str, object],
    *,
    feed_ids: Collection[int] = (),
    languages: Collection[str] = (),
) -> UrlState:
    """Validate URL query parameters into a ``UrlState``; anything unknown is dropped."""
    actors = tuple(a for a in (v.upper() for v in _values(params, "actors")) if a in ACTOR_CODES)
    signals = tuple(s for s in _values(params, "signals") if s in SIGNAL_CODES)
    ids = []
    for value in _values(params, "sources"):
        if value.isdigit() and int(value) in feed_ids:
            ids.append(int(value))
    langs = tuple(lang for lang in _values(params, "langs") if lang in languages)
    preset = (_values(params, "range") or [DEFAULT_PRESET])[0]
    if preset not in PRESETS:
        preset = DEFAULT_PRESET
    date_from, date_to = _date(params, "from"), _date(params, "to")
    if preset == "custom" and (date_from is None or date_to is None):
        preset, date_from, date_to = DEFAULT_PRESET, None, None
    if preset != "custom":
        date_from = date_to = None
    elif date_from > date_to:  # type: ignore[operator]
        date_from, date_to = date_to, date_from
    return UrlState(actors, preset, date_from, date_to, signals, tuple(ids), langs)


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
    st.session_state[_KEYS["actors"]] = list(url_state.actors)
    st.session_state[_KEYS["range"]] = url_state.preset
    st.session_state[_KEYS["signals"]] = list(url_state.signals)
    st.session_state[_KEYS["sources"]] = list(url_state.feed_ids)
    st.session_state[_KEYS["langs"]] = list(url_state.languages)
    if url_state.preset == "custom":
        st.session_state[_KEYS["dates"]] = (url_state.date_from, url_state.date_to)
    else:
        st.session_state[_KEYS["dates"]] = date_window(DEFAULT_PRESET, anchor)


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
    feeds, languages, latest = cache.options(db_url, stamp)
    feed_names = {
        int(r.feed_id): str(r.name) + (" (sample)" if r.is_sample else "")
        for r in feeds.itertuples()
    }
    anchor = _anchor(latest)
    if not st.session_state.get(_SEEDED):
        _seed(parse_params(_lists(), feed_ids=feed_names, languages=languages), anchor)
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
        picked = bar.date_input("From – to (UTC)", key=_KEYS["dates"])
        custom = tuple(picked) if isinstance(picked, list | tuple) else (picked, None)
        date_from, date_to = date_window(preset, anchor, (custom + (None, None))[:2])
    else:
        date_from, date_to = date_window(preset, anchor)
        if latest is not None and anchor == latest:
            bar.caption(f"Dates end on {latest:%d %b %Y}, the newest day with data.")
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
