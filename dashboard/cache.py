"""Cached reads: ``st.cache_data`` wrappers around ``storage.queries``, keyed on the data stamp.

Every wrapper takes ``stamp`` (when the database last changed, from
``storage.queries.last_updated``) as an argument, so new items invalidate
the cache the moment they land, not when a timer runs out; the TTL only
bounds memory. The stamp itself is read uncached: it is one primary-key
lookup per table.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta

import pandas as pd
import streamlit as st

from scoring.index import change_over, pair_index, tension_index
from storage import queries, resolve_db_url
from storage.queries import QueryFilters

__all__ = [
    "WARMUP_DAYS",
    "active_pairs",
    "actor_days",
    "actor_signals",
    "current_tension",
    "db_url",
    "evidence",
    "feed_health",
    "fetch_runs",
    "hovers",
    "items_at_place",
    "items_behind",
    "latest_active",
    "news",
    "news_count",
    "news_export",
    "newest_article",
    "options",
    "pair_tension",
    "place_totals",
    "recent_fetches",
    "signal_mix",
    "stamp",
    "tension",
    "top_stories",
]

# The baseline needs four weeks before the first day shown (scoring/INDEX.md),
# so index queries start this many days early and the extra days are cut off.
WARMUP_DAYS = 35
_TTL = timedelta(hours=1)
_ENTRIES = 64


def db_url() -> str:
    """The database this dashboard reads (``TENSION_DB_URL`` or data/tension.db)."""
    return resolve_db_url(None, os.environ)


def stamp(url: str) -> str:
    """When the database last changed, as text ('' for a database without data)."""
    value = queries.last_updated(url)
    return value.isoformat() if value else ""


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def options(url: str, stamp: str) -> tuple[pd.DataFrame, list[str], date | None, date | None]:
    """Filter choices: the feeds, the languages in use, the first and the newest data day."""
    return (
        queries.feed_options(url),
        queries.language_options(url),
        queries.first_day(url),
        queries.latest_day(url),
    )


def _warm(filters: QueryFilters) -> QueryFilters:
    start = filters.date_from - timedelta(days=WARMUP_DAYS) if filters.date_from else None
    return QueryFilters(
        actors=filters.actors,
        date_from=start,
        date_to=filters.date_to,
        feed_ids=filters.feed_ids,
    )


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def tension(url: str, filters: QueryFilters, stamp: str) -> pd.DataFrame:
    """The tension index per actor and day over the filtered dates (tension_index columns)."""
    warm = _warm(filters)
    daily = queries.tension_by_actor_day(url, warm)
    if daily.empty:
        return tension_index(daily)
    index = tension_index(daily, start=warm.date_from, end=filters.date_to)
    if filters.date_from is not None:
        index = index[index["day"] >= pd.Timestamp(filters.date_from)]
    return index.reset_index(drop=True)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def current_tension(url: str, filters: QueryFilters, stamp: str) -> pd.DataFrame:
    """Per actor: the index on the last day, its change over 7 days and the spike flag."""
    return change_over(tension(url, filters, stamp), days=7)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def hovers(url: str, filters: QueryFilters, stamp: str) -> pd.DataFrame:
    """The day's top story titles per actor, for chart hovers."""
    return queries.top_titles_by_day(url, filters)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def signal_mix(url: str, filters: QueryFilters, stamp: str) -> pd.DataFrame:
    return queries.signal_mix_by_day(url, filters)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def top_stories(
    url: str,
    since: datetime,
    limit: int,
    filters: QueryFilters,
    stamp: str,
    until: datetime | None = None,
) -> pd.DataFrame:
    return queries.top_stories(url, since, limit, filters, until)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def news(
    url: str, filters: QueryFilters, page: int, page_size: int, stamp: str
) -> tuple[pd.DataFrame, int]:
    """One page of the News list and the total number of matching items."""
    return queries.news_page(url, filters, page, page_size), queries.news_count(url, filters)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def news_export(url: str, filters: QueryFilters,
                stamp: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every filtered News row (up to the query layer's cap) and its evidence, for the CSV."""
    rows = queries.news_page(url, filters, 1, queries.MAX_ROWS)
    return rows, queries.evidence_for(url, rows["item_id"].tolist())


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def items_behind(
    url: str, actor: str, day: date, filters: QueryFilters, stamp: str, also: str | None = None
) -> pd.DataFrame:
    return queries.items_behind(url, actor, day, filters, also=also)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def evidence(url: str, item_ids: tuple[int, ...], stamp: str) -> pd.DataFrame:
    return queries.evidence_for(url, item_ids)


# Source health changes with the clock (items in the last 24 h), not only with new data.
@st.cache_data(ttl=timedelta(minutes=1), max_entries=_ENTRIES, show_spinner=False)
def feed_health(url: str, stamp: str) -> pd.DataFrame:
    return queries.feed_health(url)


@st.cache_data(ttl=timedelta(minutes=1), max_entries=_ENTRIES, show_spinner=False)
def fetch_runs(url: str, since: datetime, stamp: str) -> pd.DataFrame:
    return queries.fetch_runs(url, since)


@st.cache_data(ttl=timedelta(minutes=1), max_entries=_ENTRIES, show_spinner=False)
def recent_fetches(url: str, stamp: str) -> pd.DataFrame:
    return queries.recent_fetches(url)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def actor_days(url: str, filters: QueryFilters, stamp: str) -> pd.DataFrame:
    """Daily tension points per actor over the filtered dates (no warm-up, no smoothing)."""
    return queries.tension_by_actor_day(url, filters)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def actor_signals(url: str, filters: QueryFilters, stamp: str) -> pd.DataFrame:
    """Per actor and signal: stories asserting it over the filtered dates."""
    return queries.actor_signal_totals(url, filters)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def latest_active(url: str, filters: QueryFilters, before: date, stamp: str) -> date | None:
    """The newest day before ``before`` with any tension for the chosen actors."""
    return queries.latest_active_day(url, filters, before)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def pair_tension(url: str, first: str, second: str, filters: QueryFilters,
                 stamp: str) -> pd.DataFrame:
    """The directed index of one pair both ways over the filtered dates (pair_index columns)."""
    warm = _warm(filters)
    daily = queries.pair_by_day(url, first, second, warm)
    if daily.empty:
        return pair_index(daily)
    index = pair_index(daily, start=warm.date_from, end=filters.date_to)
    if filters.date_from is not None:
        index = index[index["day"] >= pd.Timestamp(filters.date_from)]
    return index.reset_index(drop=True)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def active_pairs(url: str, filters: QueryFilters, stamp: str) -> pd.DataFrame:
    """The directed pairs that occur in the filtered dates, most active first."""
    return queries.active_pairs(url, filters)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def place_totals(url: str, filters: QueryFilters, stamp: str) -> pd.DataFrame:
    """Per gazetteer place: the filtered articles' score and count."""
    return queries.place_totals(url, filters)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def items_at_place(url: str, place_id: str, filters: QueryFilters, stamp: str) -> pd.DataFrame:
    """The filtered articles naming one place, highest score first."""
    return queries.items_at_place(url, place_id, filters)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def newest_article(url: str, stamp: str) -> datetime | None:
    """When the newest stored article was published (UTC)."""
    return queries.latest_published(url)


@st.cache_data(ttl=_TTL, max_entries=_ENTRIES, show_spinner=False)
def news_count(url: str, filters: QueryFilters, stamp: str) -> int:
    """How many stored items match the filters."""
    return queries.news_count(url, filters)
