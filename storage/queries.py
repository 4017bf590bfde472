"""Reads for the dashboard, one function per question a page asks, each returning a DataFrame.

Every function takes the database (a URL or an Engine) and plain values,
usually a ``QueryFilters``; none caches (caching belongs to the dashboard) and
none draws. Charts over time read the pre-aggregated daily tables, so the
Overview never scans raw items; lists of articles use the items indexes
(``published_at``, the full-text index). Timestamps come back as naive UTC.

Without a source filter the charts read the feed-less rollups
(``daily_actor_all``, ``daily_signal_all``): the same sums, one row per day
and actor instead of one per feed.

Filters an aggregate cannot honour are ignored there and documented: the
daily tables have no language or score column, so ``languages``,
``min_score``, ``direction`` and ``text`` narrow article lists only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import (
    Engine,
    Select,
    String,
    and_,
    case,
    exists,
    func,
    or_,
    select,
    text,
    tuple_,
    type_coerce,
)
from sqlalchemy.orm import aliased

from storage.alerts_store import alert_deliveries, alert_firings
from storage.db import get_engine, translate_errors
from storage.models import (
    DailyActor,
    DailyActorAll,
    DailyPair,
    DailySignal,
    DailySignalAll,
    Evidence,
    Feed,
    FetchLog,
    Item,
    ItemActor,
    ItemPlace,
    ItemSignal,
    Score,
    Story,
)
from storage.search import fts5_query, text_match

__all__ = [
    "ALL_ACTORS",
    "DIRECTIONS",
    "EVIDENCE_COLUMNS",
    "FEED_HEALTH_COLUMNS",
    "ITEM_COLUMNS",
    "MAX_ROWS",
    "QueryFilters",
    "active_pairs",
    "actor_signal_totals",
    "actor_totals",
    "alert_deliveries",
    "alert_firings",
    "evidence_for",
    "feed_health",
    "feed_options",
    "fetch_runs",
    "first_day",
    "has_items",
    "items_at_place",
    "items_behind",
    "language_options",
    "last_updated",
    "latest_active_day",
    "latest_day",
    "latest_published",
    "news_count",
    "news_page",
    "pair_by_day",
    "pair_matrix",
    "place_totals",
    "places_for_items",
    "recent_fetches",
    "signal_mix_by_day",
    "tension_by_actor_day",
    "top_stories",
    "top_titles_by_day",
]

# Mirrors storage.repository.ALL_ACTORS: aggregate rows counting every item once.
ALL_ACTORS = "*"
DIRECTIONS = ("escalation", "de-escalation", "neutral")
# Article lists are paged; nobody reads past this many rows of one query on screen.
MAX_ROWS = 10_000

Database = str | Engine


@dataclass(frozen=True, slots=True)
class QueryFilters:
    """What the user narrowed the view to. Empty tuples and None mean "no restriction".

    Dates are inclusive calendar days (UTC).
    """

    actors: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    signals: tuple[str, ...] = ()
    feed_ids: tuple[int, ...] = ()
    languages: tuple[str, ...] = ()
    min_score: float | None = None
    direction: str | None = None
    text: str = ""


_NO_FILTERS = QueryFilters()


def _engine(db: Database) -> Engine:
    return db if isinstance(db, Engine) else get_engine(db)


def _frame(db: Database, stmt: Select, columns: Sequence[str]) -> pd.DataFrame:
    """Run ``stmt`` and return its rows with exactly ``columns`` (also when empty)."""
    engine = _engine(db)
    with translate_errors(str(engine.url)), engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))


def _scalar(db: Database, stmt: Select) -> object:
    engine = _engine(db)
    with translate_errors(str(engine.url)), engine.connect() as conn:
        return conn.execute(stmt).scalar()


def _dialect(db: Database) -> str:
    return _engine(db).dialect.name


def _day_range(column, filters: QueryFilters) -> list:  # noqa: ANN001 - a Date column
    conds = []
    if filters.date_from is not None:
        conds.append(column >= filters.date_from)
    if filters.date_to is not None:
        conds.append(column <= filters.date_to)
    return conds


def _time_range(column, filters: QueryFilters) -> list:  # noqa: ANN001 - a DateTime column
    conds = []
    if filters.date_from is not None:
        conds.append(column >= datetime.combine(filters.date_from, datetime.min.time()))
    if filters.date_to is not None:
        end = datetime.combine(filters.date_to + timedelta(days=1), datetime.min.time())
        conds.append(column < end)
    return conds


def _to_days(frame: pd.DataFrame, column: str = "day") -> pd.DataFrame:
    frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    return frame


# ---------------------------------------------------------------- freshness


def last_updated(db: Database) -> datetime | None:
    """When the database last changed: the newest stored item or poll (naive UTC), or None.

    Reads the newest row of each table by primary key, so it costs the same at
    any size and can be called on every refresh tick.
    """
    newest_item = select(Item.fetched_at).order_by(Item.id.desc()).limit(1)
    newest_poll = select(FetchLog.started_at).order_by(FetchLog.id.desc()).limit(1)
    stamps = [s for s in (_scalar(db, newest_item), _scalar(db, newest_poll)) if s is not None]
    return max(stamps) if stamps else None  # type: ignore[type-var]


def has_items(db: Database) -> bool:
    """Whether any item is stored (the pages show their empty state otherwise)."""
    return _scalar(db, select(Item.id).limit(1)) is not None


def first_day(db: Database) -> date | None:
    """The oldest day in the daily aggregates (URL dates are clamped to start no earlier)."""
    value = _scalar(db, select(func.min(DailyActorAll.day)))
    if isinstance(value, str):  # SQLite returns min() of a DATE as text
        value = date.fromisoformat(value)
    return value  # type: ignore[return-value]


def latest_day(db: Database) -> date | None:
    """The newest day in the daily aggregates (date presets end here when data is old)."""
    value = _scalar(db, select(func.max(DailyActorAll.day)))
    if isinstance(value, str):  # SQLite returns max() of a DATE as text
        value = date.fromisoformat(value)
    return value  # type: ignore[return-value]


def latest_published(db: Database) -> datetime | None:
    """When the newest stored item was published (naive UTC); an index lookup."""
    value = _scalar(db, select(func.max(Item.published_at)))
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value  # type: ignore[return-value]


# ---------------------------------------------------------------- aggregates


def tension_by_actor_day(db: Database, filters: QueryFilters = _NO_FILTERS) -> pd.DataFrame:
    """Daily tension input per actor: columns day, actor, score, items, stories.

    From ``daily_actor`` summed over the chosen feeds (``daily_actor_all`` when
    no feed is chosen). ``score`` is the sum of story-lead item scores (a
    syndicated story counts once); the all-actors row ``*`` appears only when
    asked for in ``filters.actors``. Honours actors, dates and feed_ids.
    """
    table = DailyActor if filters.feed_ids else DailyActorAll
    conds = _day_range(table.day, filters)
    if filters.actors:
        conds.append(table.actor.in_(filters.actors))
    else:
        conds.append(table.actor != ALL_ACTORS)
    if filters.feed_ids:
        conds.append(DailyActor.feed_id.in_(filters.feed_ids))
    stmt = (
        select(
            table.day,
            table.actor,
            func.sum(table.score),
            func.sum(table.items),
            func.sum(table.stories),
        )
        .where(*conds)
        .group_by(table.day, table.actor)
        .order_by(table.day, table.actor)
    )
    frame = _frame(db, stmt, ["day", "actor", "score", "items", "stories"])
    return _to_days(frame).astype({"score": float, "items": int, "stories": int})


def actor_totals(db: Database, filters: QueryFilters = _NO_FILTERS) -> pd.DataFrame:
    """Per actor over the date range: columns actor, score, items, stories (score descending)."""
    daily = tension_by_actor_day(db, filters)
    if daily.empty:
        return pd.DataFrame(columns=["actor", "score", "items", "stories"])
    totals = daily.groupby("actor", as_index=False)[["score", "items", "stories"]].sum()
    return totals.sort_values(["score", "actor"], ascending=[False, True], ignore_index=True)


def signal_mix_by_day(db: Database, filters: QueryFilters = _NO_FILTERS) -> pd.DataFrame:
    """Asserted signals per day: columns day, signal, count, weight.

    Without an actor filter each story-lead item counts once (the ``*`` rows);
    with one, counts are summed over the chosen actors, so an item naming two of
    them counts twice. Honours actors, dates, signals and feed_ids (reading
    ``daily_signal_all`` when no feed is chosen).
    """
    table = DailySignal if filters.feed_ids else DailySignalAll
    conds = _day_range(table.day, filters)
    actors = filters.actors or (ALL_ACTORS,)
    conds.append(table.actor.in_(actors))
    if filters.signals:
        conds.append(table.signal.in_(filters.signals))
    if filters.feed_ids:
        conds.append(DailySignal.feed_id.in_(filters.feed_ids))
    stmt = (
        select(
            table.day,
            table.signal,
            func.sum(table.count),
            func.sum(table.weight),
        )
        .where(*conds)
        .group_by(table.day, table.signal)
        .order_by(table.day, table.signal)
    )
    frame = _frame(db, stmt, ["day", "signal", "count", "weight"])
    return _to_days(frame).astype({"count": int, "weight": float})


def latest_active_day(db: Database, filters: QueryFilters = _NO_FILTERS,
                      before: date | None = None) -> date | None:
    """The newest day before ``before`` on which a chosen actor (any, when none is chosen)
    had a non-zero tension score; honours actors and feed_ids. One indexed MAX."""
    table = DailyActor if filters.feed_ids else DailyActorAll
    conds = [table.score != 0]
    conds.append(table.actor.in_(filters.actors) if filters.actors
                 else table.actor != ALL_ACTORS)
    if before is not None:
        conds.append(table.day < before)
    if filters.feed_ids:
        conds.append(DailyActor.feed_id.in_(filters.feed_ids))
    value = _scalar(db, select(func.max(table.day)).where(*conds))
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return value  # type: ignore[return-value]


def actor_signal_totals(db: Database, filters: QueryFilters = _NO_FILTERS) -> pd.DataFrame:
    """Per actor and signal over the date range: columns actor, signal, count, weight.

    What drove an actor's tension in a period ("armed clash in 5 stories"): story-lead
    items only, from ``daily_signal`` (``daily_signal_all`` without a feed filter). The
    all-actors row ``*`` is left out. Honours actors, dates, signals and feed_ids. At most
    one row per actor and signal: bounded by the taxonomy, whatever the range.
    """
    table = DailySignal if filters.feed_ids else DailySignalAll
    conds = _day_range(table.day, filters)
    conds.append(table.actor.in_(filters.actors) if filters.actors
                 else table.actor != ALL_ACTORS)
    if filters.signals:
        conds.append(table.signal.in_(filters.signals))
    if filters.feed_ids:
        conds.append(DailySignal.feed_id.in_(filters.feed_ids))
    stmt = (
        select(table.actor, table.signal, func.sum(table.count), func.sum(table.weight))
        .where(*conds)
        .group_by(table.actor, table.signal)
        .order_by(table.actor, table.signal)
    )
    frame = _frame(db, stmt, ["actor", "signal", "count", "weight"])
    return frame.astype({"count": int, "weight": float})


def pair_matrix(db: Database, filters: QueryFilters = _NO_FILTERS) -> pd.DataFrame:
    """Directed actor pairs over the date range: columns source, target, score, count.

    ``score`` sums the evidence weights of statements or acts by ``source``
    aimed at ``target``. With an actor filter, pairs where either side is one
    of the actors. Honours actors, dates and feed_ids.
    """
    conds = _day_range(DailyPair.day, filters)
    if filters.actors:
        conds.append(
            or_(DailyPair.source.in_(filters.actors), DailyPair.target.in_(filters.actors))
        )
    if filters.feed_ids:
        conds.append(DailyPair.feed_id.in_(filters.feed_ids))
    stmt = (
        select(
            DailyPair.source, DailyPair.target, func.sum(DailyPair.score), func.sum(DailyPair.count)
        )
        .where(*conds)
        .group_by(DailyPair.source, DailyPair.target)
        .order_by(DailyPair.source, DailyPair.target)
    )
    frame = _frame(db, stmt, ["source", "target", "score", "count"])
    return frame.astype({"score": float, "count": int})


def pair_by_day(db: Database, first: str, second: str,
                filters: QueryFilters = _NO_FILTERS) -> pd.DataFrame:
    """One pair both ways, per day: columns day, source, target, score, count.

    ``first → second`` and ``second → first`` rows from ``daily_pair`` summed over the
    chosen feeds; honours dates and feed_ids (the actor filter is the pair itself). At
    most two rows per day of the range.
    """
    conds = _day_range(DailyPair.day, filters)
    conds.append(or_(and_(DailyPair.source == first, DailyPair.target == second),
                     and_(DailyPair.source == second, DailyPair.target == first)))
    if filters.feed_ids:
        conds.append(DailyPair.feed_id.in_(filters.feed_ids))
    stmt = (
        select(DailyPair.day, DailyPair.source, DailyPair.target, func.sum(DailyPair.score),
               func.sum(DailyPair.count))
        .where(*conds)
        .group_by(DailyPair.day, DailyPair.source, DailyPair.target)
        .order_by(DailyPair.day, DailyPair.source, DailyPair.target)
    )
    frame = _frame(db, stmt, ["day", "source", "target", "score", "count"])
    return _to_days(frame).astype({"score": float, "count": int})


def active_pairs(db: Database, filters: QueryFilters = _NO_FILTERS,
                 limit: int = 30) -> pd.DataFrame:
    """The directed pairs that occur in the range, most active first, each with its daily
    scores: columns source, target, score, count, days, series (one float per day of the
    range, oldest first, for a sparkline). Honours actors (either side), dates, feed_ids;
    at most ``limit`` pairs (capped at 200)."""
    totals = pair_matrix(db, filters)
    cols = ["source", "target", "score", "count", "days", "series"]
    if totals.empty:
        return pd.DataFrame(columns=cols)
    totals = totals.assign(weight=totals["score"].abs())
    top = totals.sort_values(["weight", "count", "source", "target"],
                             ascending=[False, False, True, True]).head(min(limit, 200))
    conds = _day_range(DailyPair.day, filters)
    conds.append(tuple_(DailyPair.source, DailyPair.target).in_(
        list(zip(top["source"], top["target"], strict=True))))
    if filters.feed_ids:
        conds.append(DailyPair.feed_id.in_(filters.feed_ids))
    stmt = (
        select(DailyPair.day, DailyPair.source, DailyPair.target, func.sum(DailyPair.score))
        .where(*conds)
        .group_by(DailyPair.day, DailyPair.source, DailyPair.target)
    )
    daily = _to_days(_frame(db, stmt, ["day", "source", "target", "score"]))
    lo = pd.Timestamp(filters.date_from) if filters.date_from else daily["day"].min()
    hi = pd.Timestamp(filters.date_to) if filters.date_to else daily["day"].max()
    calendar = pd.date_range(lo, hi, freq="D")
    series, days = [], []
    for source, target in zip(top["source"], top["target"], strict=True):
        mine = daily[(daily["source"] == source) & (daily["target"] == target)]
        values = mine.groupby("day")["score"].sum().reindex(calendar, fill_value=0.0)
        series.append([float(v) for v in values])
        days.append(int((values != 0).sum()))
    out = top[["source", "target", "score", "count"]].reset_index(drop=True)
    out["days"] = days
    out["series"] = series
    return out[cols]


# ---------------------------------------------------------------- articles

ITEM_COLUMNS = (
    "item_id",
    "published_at",
    "title",
    "summary",
    "source",
    "feed_id",
    "url",
    "lang",
    "score",
    "direction",
    "signals",
    "actors",
    "is_sample",
    "is_story_lead",
    "story_id",
    # The feed gave no usable date: published_at is the fetch time (the item counts that day).
    "date_estimated",
)


def _item_select() -> Select:
    return (
        select(
            Item.id,
            Item.published_at,
            Item.title,
            Item.summary,
            # the feed's own title where it sent one ("Balkan Wire"), not the config slug
            func.coalesce(func.nullif(Feed.title, ""), Feed.name),
            Item.feed_id,
            Item.url,
            Item.lang,
            Item.score,
            Score.direction,
            Score.signals,
            Score.actors,
            Item.is_sample,
            Item.is_story_lead,
            Item.story_id,
            Item.date_estimated,
        )
        .join(Feed, Feed.id == Item.feed_id)
        .outerjoin(Score, Score.item_id == Item.id)
    )


def _item_frame(db: Database, stmt: Select) -> pd.DataFrame:
    frame = _frame(db, stmt, ITEM_COLUMNS)
    frame["published_at"] = pd.to_datetime(frame["published_at"]).astype("datetime64[ns]")
    frame["direction"] = frame["direction"].fillna("neutral")
    for col in ("signals", "actors"):
        frame[col] = frame[col].fillna("").str.replace(",", ", ")
    frame["summary"] = frame["summary"].fillna("")
    return frame.astype(
        {
            "score": float,
            "is_sample": bool,
            "is_story_lead": bool,
            "item_id": int,
            "feed_id": int,
            "date_estimated": bool,
        }
    )


def _item_conditions(db: Database, filters: QueryFilters, walk: bool = False) -> list:
    conds = _time_range(Item.published_at, filters)
    # Per-item EXISTS probes (primary-key lookups), not ``id IN (subquery)``: with the
    # IN form SQLite drives the query from the actor/signal index across all time and
    # only then applies the date range (seconds instead of milliseconds at 1M items).
    if filters.actors:
        conds.append(
            exists().where(ItemActor.item_id == Item.id, ItemActor.actor.in_(filters.actors))
        )
    if filters.signals:
        conds.append(
            exists().where(ItemSignal.item_id == Item.id, ItemSignal.signal.in_(filters.signals))
        )
    if filters.feed_ids:
        conds.append(Item.feed_id.in_(filters.feed_ids))
    if filters.languages:
        conds.append(Item.lang.in_(filters.languages))
    if filters.min_score is not None:
        conds.append(Item.score >= filters.min_score)
    if filters.direction:
        # An alias: the page query joins scores itself, and auto-correlation would
        # otherwise leave this subquery without a FROM.
        scores = aliased(Score)
        conds.append(
            exists().where(scores.item_id == Item.id, scores.direction == filters.direction)
        )
    if filters.text.strip():
        dialect = _dialect(db)
        id_range = None
        if dialect == "sqlite" and (filters.date_from or filters.date_to):
            id_range = _id_range(db, filters)
        match = text_match(dialect, filters.text, id_range, filter_only=walk)
        if match is not None:
            conds.append(match)
    return conds


def _id_range(db: Database, filters: QueryFilters) -> tuple[int, int]:
    """Lowest and highest item id published in the date range ((1, 0) when none is).

    Read from the covering published_at index. Ids grow roughly with time, so this
    slice of the full-text index holds little more than the range's own matches,
    where a common word would otherwise return its hits across all time.
    """
    stmt = select(func.min(Item.id), func.max(Item.id)).where(
        *_time_range(Item.published_at, filters)
    )
    engine = _engine(db)
    with translate_errors(str(engine.url)), engine.connect() as conn:
        lo, hi = conn.execute(stmt).one()
    return (1, 0) if lo is None else (int(lo), int(hi))


def news_page(
    db: Database, filters: QueryFilters = _NO_FILTERS, page: int = 1, page_size: int = 50
) -> pd.DataFrame:
    """One page of stored items matching ``filters``, newest first: ``ITEM_COLUMNS``.

    Honours every filter, including free-text search (FTS5 on SQLite, the GIN
    tsvector index on PostgreSQL). ``page`` starts at 1.
    """
    page_size = max(1, min(page_size, MAX_ROWS))
    offset = (max(page, 1) - 1) * page_size
    newest_first = (Item.published_at.desc(), Item.id.desc())
    walk = _walk_by_date(db, filters, offset + page_size)
    # The page's ids first, then their rows: sorting thousands of matches with
    # their titles, summaries and joins attached would cost more than the search.
    page_ids = (
        select(Item.id)
        .where(*_item_conditions(db, filters, walk))
        .order_by(*newest_first)
        .limit(page_size)
        .offset(offset)
    )
    stmt = _item_select().where(Item.id.in_(page_ids)).order_by(*newest_first)
    return _item_frame(db, stmt)


# Newest-first rows a page may read through the date index before fetching the
# search's own hits and sorting them is the cheaper plan.
_WALK_LIMIT = 20_000


def _walk_by_date(db: Database, filters: QueryFilters, rows: int) -> bool:
    """Whether an undated SQLite search page should walk items newest first.

    SQLite otherwise fetches every hit of the search and sorts them all; for a
    common word that is tens of thousands of rows for a page of 50, while walking
    the date index stops after about ``rows × items / hits`` rows. Same result
    either way; only the plan differs.
    """
    if filters.date_from or filters.date_to or not filters.text.strip():
        return False
    if _dialect(db) != "sqlite":
        return False
    fts = fts5_query(filters.text)
    if not fts:
        return False
    engine = _engine(db)
    with translate_errors(str(engine.url)), engine.connect() as conn:
        hits = conn.execute(
            text("SELECT count(*) FROM items_fts WHERE items_fts MATCH :q"), {"q": fts}
        ).scalar_one()
        total = conn.execute(select(func.max(Item.id))).scalar() or 0
    return hits > 0 and rows * total / hits <= _WALK_LIMIT


def news_count(db: Database, filters: QueryFilters = _NO_FILTERS) -> int:
    """How many stored items match ``filters`` (the News page's total)."""
    stmt = select(func.count()).select_from(Item).where(*_item_conditions(db, filters))
    return int(_scalar(db, stmt) or 0)


def items_behind(
    db: Database,
    actor: str,
    day: date,
    filters: QueryFilters = _NO_FILTERS,
    limit: int = 200,
    also: str | None = None,
) -> pd.DataFrame:
    """The articles behind one actor's point on one day, highest score first: ``ITEM_COLUMNS``.

    ``actor`` ``*`` means every item of the day; ``also`` keeps only the items that
    name that second actor too (a pair's day). Also honours feed_ids, languages,
    signals, min_score and direction from ``filters``.
    """
    narrowed = replace(
        filters, actors=() if actor == ALL_ACTORS else (actor,), date_from=day, date_to=day
    )
    conds = _item_conditions(db, narrowed)
    if also:
        both = aliased(ItemActor)
        conds.append(exists().where(both.item_id == Item.id, both.actor == also))
    stmt = (
        _item_select()
        .where(*conds)
        .order_by(Item.score.desc(), Item.id)
        .limit(min(limit, MAX_ROWS))
    )
    return _item_frame(db, stmt)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def top_stories(
    db: Database,
    since: datetime,
    limit: int = 10,
    filters: QueryFilters = _NO_FILTERS,
    until: datetime | None = None,
) -> pd.DataFrame:
    """The highest-scoring stories published from ``since`` up to (not including) ``until``.

    One row per story (its first item): ``ITEM_COLUMNS`` + outlets (how many
    items carried the story) + evidence (the matched phrases as
    ``signal: "text"`` joined by ``; ``). Honours actors, signals, feed_ids
    and languages; the time window is ``since`` to ``until`` (open-ended when
    ``until`` is None), not the filters' dates.
    """
    narrowed = replace(filters, date_from=None, date_to=None, min_score=None, text="")
    window = [Item.published_at >= _naive(since)]
    if until is not None:
        window.append(Item.published_at < _naive(until))
    stmt = (
        _item_select()
        .where(
            *window,
            Item.is_story_lead.is_(True),
            *_item_conditions(db, narrowed),
        )
        .order_by(Item.score.desc(), Item.published_at.desc())
        .limit(limit)
    )
    frame = _item_frame(db, stmt)
    outlets = _story_outlets(db, [int(s) for s in frame["story_id"].dropna()])
    frame["outlets"] = [outlets.get(int(s), 1) if pd.notna(s) else 1 for s in frame["story_id"]]
    evidence = evidence_for(db, frame["item_id"].tolist())
    frame["evidence"] = [_evidence_summary(evidence, item_id) for item_id in frame["item_id"]]
    return frame


def _story_outlets(db: Database, story_ids: list[int]) -> dict[int, int]:
    if not story_ids:
        return {}
    rows = _frame(
        db, select(Story.id, Story.item_count).where(Story.id.in_(story_ids)), ["id", "n"]
    )
    return dict(zip(rows["id"].astype(int), rows["n"].astype(int), strict=True))


def _evidence_summary(evidence: pd.DataFrame, item_id: int) -> str:
    # only the phrases that counted: denied and stopped matches explain nothing here
    stopped = evidence["suppressed_by"].map(lambda v: isinstance(v, str) and v != "")
    rows = evidence[(evidence["item_id"] == item_id) & ~evidence["negated"].astype(bool)
                    & ~stopped]
    return "; ".join(f'{r.signal}: "{r.text}"' for r in rows.itertuples())


EVIDENCE_COLUMNS = (
    "item_id",
    "signal",
    "actor",
    "target",
    "text",
    "field",
    "start",
    "end",
    "negated",
    "hedged",
    "weight",
    "suppressed_by",
)


def places_for_items(db: Database, item_ids: Iterable[int]) -> pd.DataFrame:
    """The gazetteer places the given items name: columns item_id, place_id.

    Bounded by the ids asked for (chunks of 500 keep the IN list under SQLite's
    bound-parameter limit); names and coordinates come from scoring.places.place_info.
    """
    ids = sorted({int(i) for i in item_ids})
    if not ids:
        return pd.DataFrame(columns=["item_id", "place_id"])
    frames = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        stmt = (
            select(ItemPlace.item_id, ItemPlace.place_id)
            .where(ItemPlace.item_id.in_(chunk))
            .order_by(ItemPlace.item_id, ItemPlace.place_id)
        )
        frames.append(_frame(db, stmt, ["item_id", "place_id"]))
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def place_totals(db: Database, filters: QueryFilters = _NO_FILTERS) -> pd.DataFrame:
    """Per gazetteer place over the filtered articles: columns place_id, score, items.

    ``score`` sums the scores of story-lead items (a syndicated story counts once),
    ``items`` counts every item naming the place. Honours every item filter (actors,
    dates, signals, feeds, languages, score, direction, text). One row per place: bounded
    by the gazetteer (about a hundred places), whatever the range.
    """
    lead_score = func.sum(case((Item.is_story_lead.is_(True), Item.score), else_=0.0))
    stmt = (
        select(ItemPlace.place_id, lead_score, func.count(Item.id))
        .join(Item, Item.id == ItemPlace.item_id)
        .where(*_item_conditions(db, filters))
        .group_by(ItemPlace.place_id)
        .order_by(ItemPlace.place_id)
    )
    frame = _frame(db, stmt, ["place_id", "score", "items"])
    return frame.astype({"score": float, "items": int})


def items_at_place(db: Database, place_id: str, filters: QueryFilters = _NO_FILTERS,
                   limit: int = 200) -> pd.DataFrame:
    """The filtered articles naming one place, highest score first: ``ITEM_COLUMNS``
    (at most ``limit``, capped at MAX_ROWS)."""
    conds = _item_conditions(db, filters)
    conds.append(exists().where(ItemPlace.item_id == Item.id, ItemPlace.place_id == place_id))
    stmt = (
        _item_select()
        .where(*conds)
        .order_by(Item.score.desc(), Item.id)
        .limit(min(limit, MAX_ROWS))
    )
    return _item_frame(db, stmt)


def evidence_for(db: Database, item_ids: Iterable[int]) -> pd.DataFrame:
    """Why the given items scored what they did: one row per matched phrase.

    Columns: item_id, signal, actor, target, text, field (title or summary),
    start, end (offsets into that field), negated, hedged, weight,
    suppressed_by ("" when nothing suppressed the match). Ordered by item, field, position.
    """
    ids = sorted({int(i) for i in item_ids})
    if not ids:
        return pd.DataFrame(columns=list(EVIDENCE_COLUMNS))
    frames = []
    # Chunks keep the IN list under SQLite's bound-parameter limit.
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        stmt = (
            select(
                Evidence.item_id,
                Evidence.signal,
                Evidence.actor,
                Evidence.target,
                Evidence.text,
                Evidence.field,
                Evidence.start,
                Evidence.end,
                Evidence.negated,
                Evidence.hedged,
                Evidence.weight,
                Evidence.suppressed_by,
            )
            .where(Evidence.item_id.in_(chunk))
            .order_by(Evidence.item_id, Evidence.field.desc(), Evidence.start)
        )
        frames.append(_frame(db, stmt, EVIDENCE_COLUMNS))
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    # NULL arrives as NaN in pandas 3's string columns, and NaN is truthy: say "none" as "".
    frame["suppressed_by"] = frame["suppressed_by"].fillna("").astype(str)
    return frame.astype({"negated": bool, "hedged": bool, "weight": float})


def top_titles_by_day(
    db: Database, filters: QueryFilters = _NO_FILTERS, per_day: int = 3, scan: int = 3000
) -> pd.DataFrame:
    """The best-scoring story titles per actor and day, for chart hovers.

    Columns: day, actor, title, score, is_sample, date_estimated. Looks at the ``scan``
    highest-scoring (story lead, actor) pairs in the range (so its cost stays
    bounded at any size) and keeps ``per_day`` per actor and day.
    """
    conds = [
        *_time_range(Item.published_at, filters),
        # Both terms exactly as in the partial index ix_items_lead_published, which
        # then covers this read: SQLite uses it only when the query repeats them.
        Item.is_story_lead.is_(True),
        Item.score > 0,
    ]
    if filters.feed_ids:
        conds.append(Item.feed_id.in_(filters.feed_ids))
    # Pairs of the ``scan`` best leads first: one top-N sort over the covering index and
    # ``scan`` actor probes, instead of probing the actors of every lead of the range
    # (~20,000 a month at 1M items). When those leads hold ``scan`` pairs, they are
    # exactly the pairs the plain join would keep (pairs come in lead order); when not
    # (rare actors), the plain join runs.
    engine = _engine(db)
    with translate_errors(str(engine.url)), engine.connect() as conn:
        rows = conn.execute(_hover_pairs(conds, filters.actors, scan, scan)).all()
        if len(rows) < scan:
            rows = conn.execute(_hover_pairs(conds, filters.actors, None, scan)).all()
    frame = pd.DataFrame(
        [tuple(r) for r in rows], columns=["day", "actor", "item_id", "score", "is_sample"]
    )
    frame = _to_days(frame)
    frame["day"] = frame["day"].dt.normalize()
    frame = frame.astype({"score": float, "is_sample": bool})
    frame = frame.groupby(["day", "actor"], sort=True).head(per_day).reset_index(drop=True)
    # Titles only for the rows kept: carrying them through the sort above cost more.
    titles = _titles(db, frame["item_id"].tolist())
    frame.insert(2, "title", [titles.get(int(i), ("", False))[0] for i in frame["item_id"]])
    frame["date_estimated"] = [titles.get(int(i), ("", False))[1] for i in frame["item_id"]]
    return frame.astype({"date_estimated": bool}).drop(columns="item_id")


def _hover_pairs(conds: list, actors: tuple[str, ...], leads: int | None, scan: int) -> Select:
    """(published, actor, id, score, is_sample) of the best ``leads`` leads (None: all)."""
    # Read as plain values: pandas parses the column at once, faster than
    # SQLAlchemy's per-row datetime conversion of thousands of rows.
    published = type_coerce(Item.published_at, String).label("published")
    best = (
        select(published, Item.id, Item.score, Item.is_sample)
        .where(*conds)
        .order_by(Item.score.desc(), Item.id)
    )
    if leads is not None:
        best = best.limit(leads)
    lead = best.subquery()
    stmt = select(
        lead.c.published, ItemActor.actor, lead.c.id, lead.c.score, lead.c.is_sample
    ).join(ItemActor, ItemActor.item_id == lead.c.id)
    if actors:
        # ``actor || ''`` keeps SQLite to one primary-key probe per lead instead of
        # using the actor index across all time.
        stmt = stmt.where(ItemActor.actor.concat("").in_(actors))
    return stmt.order_by(lead.c.score.desc(), lead.c.id, ItemActor.actor).limit(scan)


def _titles(db: Database, item_ids: list[int]) -> dict[int, tuple[str, bool]]:
    """id -> (title, date_estimated)."""
    ids = sorted(set(item_ids))
    out: dict[int, tuple[str, bool]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        stmt = select(Item.id, Item.title, Item.date_estimated).where(Item.id.in_(chunk))
        rows = _frame(db, stmt, ["id", "title", "estimated"])
        for item_id, title, estimated in rows.itertuples(index=False):
            out[int(item_id)] = (title, bool(estimated))
    return out


# ---------------------------------------------------------------- sources


def feed_options(db: Database) -> pd.DataFrame:
    """Feeds for the source filter: columns feed_id, name, title (the feed's own, may be
    empty), is_sample, enabled (by name)."""
    stmt = select(Feed.id, Feed.name, Feed.title, Feed.is_sample, Feed.enabled).order_by(
        Feed.name, Feed.id)
    frame = _frame(db, stmt, ["feed_id", "name", "title", "is_sample", "enabled"])
    return frame.astype({"feed_id": int, "is_sample": bool, "enabled": bool})


def language_options(db: Database, recent: int = 5000) -> list[str]:
    """Language codes in use: those of the feeds and of the ``recent`` newest items, sorted."""
    feeds = _frame(db, select(Feed.lang).distinct(), ["lang"])
    newest = select(Item.lang).order_by(Item.id.desc()).limit(recent).subquery()
    items = _frame(db, select(newest.c.lang).distinct(), ["lang"])
    langs = set(feeds["lang"].dropna()) | set(items["lang"].dropna())
    return sorted(lang for lang in langs if lang)


def _words_for(
    status: str | None, error: str | None, errors: int, enabled: bool, gone: bool
) -> str:
    # pandas hands missing text back as NaN (a float), not None.
    status = status if isinstance(status, str) else None
    error = error if isinstance(error, str) else None
    if gone:
        return "gone: the server says this feed was removed (HTTP 410); no longer polled"
    if status is None:
        return "never polled" if enabled else "not polled (disabled)"
    if status in {"ok", "not_modified"} and not errors:
        return "working" if status == "ok" else "working (no change since last poll)"
    reason = (error or status or "unknown error").strip().splitlines()[0]
    return f"failing ({errors} polls in a row): {reason}"


FEED_HEALTH_COLUMNS = (
    "feed_id",
    "name",
    "url",
    "lang",
    "countries",
    "enabled",
    "is_sample",
    "title",
    "state",
    "last_success_at",
    "last_polled_at",
    "last_status",
    "last_error",
    "consecutive_errors",
    "next_poll_at",
    "fetched_24h",
    "fetched_7d",
    "newest_day",
    "active_days_28",
    "silent_days",
    "silent",
)
# A feed is "silent" when its newest article is older than this many of its usual gaps
# between active days (and at least SILENT_MIN_DAYS): a daily feed quiet for 3 days, a
# weekly one for three weeks.
SILENT_GAPS, SILENT_MIN_DAYS = 3, 3


def feed_health(db: Database, now: datetime | None = None) -> pd.DataFrame:
    """Health of every feed: ``FEED_HEALTH_COLUMNS``, failing feeds first.

    ``state`` says in words whether the feed works and, if not, why. ``fetched_24h`` and
    ``fetched_7d`` count the new items stored by polls in the 24 hours / 7 days before
    ``now`` (default: the current time), by fetch time from the poll log, so a fresh
    ingest of old articles counts. ``newest_day`` is the newest publication day;
    ``active_days_28`` the days with articles in the 28 days up to it (the feed's usual
    rhythm); ``silent`` flags a feed whose newest article is older than ``SILENT_GAPS``
    usual gaps. Bounded: the poll log of one week and the per-day rollup, never items.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    week_ago, day_ago = now - timedelta(days=7), now - timedelta(days=1)
    fetched = (
        select(
            FetchLog.feed_id.label("feed_id"),
            func.sum(FetchLog.new).label("n7"),
            func.sum(case((FetchLog.started_at >= day_ago, FetchLog.new), else_=0)).label("n1"),
        )
        .where(FetchLog.started_at >= week_ago, FetchLog.started_at <= now)
        .group_by(FetchLog.feed_id)
        .subquery()
    )
    newest = (
        select(DailyActor.feed_id.label("feed_id"), func.max(DailyActor.day).label("day"))
        .where(DailyActor.actor == ALL_ACTORS, DailyActor.day <= now.date())
        .group_by(DailyActor.feed_id)
        .subquery()
    )
    stmt = (
        select(
            Feed.id,
            Feed.name,
            Feed.url,
            Feed.lang,
            Feed.countries,
            Feed.enabled,
            Feed.is_sample,
            Feed.title,
            Feed.gone,
            Feed.last_success_at,
            Feed.last_polled_at,
            Feed.last_status,
            Feed.last_error,
            Feed.consecutive_errors,
            Feed.next_poll_at,
            func.coalesce(fetched.c.n1, 0),
            func.coalesce(fetched.c.n7, 0),
            newest.c.day,
        )
        .outerjoin(fetched, fetched.c.feed_id == Feed.id)
        .outerjoin(newest, newest.c.feed_id == Feed.id)
        .order_by(Feed.consecutive_errors.desc(), Feed.name)
    )
    raw = _frame(
        db,
        stmt,
        [
            "feed_id", "name", "url", "lang", "countries", "enabled", "is_sample", "title",
            "gone", "last_success_at", "last_polled_at", "last_status", "last_error",
            "consecutive_errors", "next_poll_at", "fetched_24h", "fetched_7d", "newest_day",
        ],
    )  # fmt: skip
    raw["consecutive_errors"] = raw["consecutive_errors"].fillna(0).astype(int)
    raw["state"] = [
        _words_for(r.last_status, r.last_error, r.consecutive_errors, bool(r.enabled), bool(r.gone))
        for r in raw.itertuples()
    ]
    for col in ("last_success_at", "last_polled_at", "next_poll_at"):
        raw[col] = pd.to_datetime(raw[col]).astype("datetime64[ns]")
    raw["newest_day"] = [_as_date(d) for d in raw["newest_day"]]
    raw["active_days_28"] = _active_days(db, raw)
    today = now.date()
    raw["silent_days"] = [(today - d).days if d is not None else None for d in raw["newest_day"]]
    raw["silent"] = [
        d is not None and d >= max(SILENT_MIN_DAYS, SILENT_GAPS * 28 / max(a, 1))
        for d, a in zip(raw["silent_days"], raw["active_days_28"], strict=True)
    ]
    out = raw[list(FEED_HEALTH_COLUMNS)]
    return out.astype(
        {"enabled": bool, "is_sample": bool, "fetched_24h": int, "fetched_7d": int,
         "feed_id": int, "active_days_28": int, "silent": bool}
    )


def _as_date(value: object) -> date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date() if isinstance(value, datetime) else value  # type: ignore[return-value]


def _active_days(db: Database, feeds: pd.DataFrame) -> list[int]:
    """Per feed row: days with articles in the 28 days up to its newest day (one query
    over the rollup, at most 28 rows per feed)."""
    newest = [d for d in feeds["newest_day"] if d is not None]
    if not newest:
        return [0] * len(feeds)
    # a feed quiet for over a year is silent whatever its rhythm: not worth a year of rows
    lo = max(min(newest), max(newest) - timedelta(days=365)) - timedelta(days=27)
    stmt = (
        select(DailyActor.feed_id, DailyActor.day)
        .where(DailyActor.actor == ALL_ACTORS, DailyActor.day >= lo,
               DailyActor.day <= max(newest))
    )
    rows = _frame(db, stmt, ["feed_id", "day"])
    days: dict[int, set] = {}
    for fid, day in zip(rows["feed_id"], rows["day"], strict=True):
        days.setdefault(int(fid), set()).add(_as_date(day))
    out = []
    for fid, last in zip(feeds["feed_id"], feeds["newest_day"], strict=True):
        mine = days.get(int(fid), set())
        out.append(0 if last is None else
                   sum(1 for d in mine if last - timedelta(days=27) <= d <= last))
    return out


def fetch_runs(db: Database, since: datetime, freq: str = "h") -> pd.DataFrame:
    """Ingest activity over time, one row per ``freq`` bucket (default hourly) since ``since``.

    Columns: at (bucket start), polls, ok, not_modified, errors, new, duplicates.
    Buckets without any poll are left out.
    """
    since_naive = since.astimezone(UTC).replace(tzinfo=None) if since.tzinfo else since
    stmt = (
        select(FetchLog.started_at, FetchLog.status, FetchLog.new, FetchLog.duplicates)
        .where(FetchLog.started_at >= since_naive)
        .order_by(FetchLog.started_at)
    )
    raw = _frame(db, stmt, ["started_at", "status", "new", "duplicates"])
    cols = ["at", "polls", "ok", "not_modified", "errors", "new", "duplicates"]
    if raw.empty:
        return pd.DataFrame(columns=cols)
    raw["at"] = pd.to_datetime(raw["started_at"]).dt.floor(freq).astype("datetime64[ns]")
    raw["polls"] = 1
    raw["ok"] = (raw["status"] == "ok").astype(int)
    raw["not_modified"] = (raw["status"] == "not_modified").astype(int)
    raw["errors"] = raw["status"].isin(["error", "gone"]).astype(int)
    grouped = raw.groupby("at", as_index=False)[cols[1:]].sum()
    return grouped[cols].astype({c: int for c in cols[1:]})


def recent_fetches(db: Database, limit: int = 200) -> pd.DataFrame:
    """The newest polls, newest first.

    Columns: started_at, source, status, http_status, new, duplicates, error,
    warning, duration_ms.
    """
    stmt = (
        select(
            FetchLog.started_at,
            Feed.name,
            FetchLog.status,
            FetchLog.http_status,
            FetchLog.new,
            FetchLog.duplicates,
            FetchLog.error,
            FetchLog.warning,
            FetchLog.duration_ms,
        )
        .join(Feed, Feed.id == FetchLog.feed_id)
        .order_by(FetchLog.id.desc())
        .limit(limit)
    )
    cols = [
        "started_at", "source", "status", "http_status", "new", "duplicates", "error",
        "warning", "duration_ms",
    ]  # fmt: skip
    frame = _frame(db, stmt, cols)
    frame["started_at"] = pd.to_datetime(frame["started_at"]).astype("datetime64[ns]")
    return frame
