"""Writes: feeds and their polling state, items with their scores in one transaction, aggregates.

The ingest pipeline is the only caller. Items are written in batches; each
batch is one transaction that holds every item *with* its score, signals,
actors, evidence, story link and daily aggregates, so an interrupted run never
leaves an item without its scores and a rerun completes the rest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

import numpy as np
from sqlalchemy import (
    Boolean,
    Connection,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from scoring.types import Evidence as EvidenceValue
from scoring.types import ItemScore
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
    StoryBand,
)

__all__ = [
    "ALL_ACTORS",
    "FeedSpec",
    "FeedState",
    "ItemRow",
    "SaveResult",
    "claim_due_feeds",
    "ensure_feed",
    "rebuild_aggregates",
    "record_fetch",
    "release_feed",
    "replace_scores",
    "save_items",
    "sync_feeds",
    "to_naive_utc",
]

# Aggregate rows under this actor count each item once whatever actors it
# names, so "all actors" charts neither double count nor lose actor-less items.
ALL_ACTORS = "*"
STORY_WINDOW_DAYS = 3


def to_naive_utc(value: datetime) -> datetime:
    """Aware (any zone) or naive-UTC datetime → naive UTC, the form stored in the database."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


class FeedSpec(Protocol):
    name: str
    url: str
    lang: str
    countries: Sequence[str]
    enabled: bool


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the poller needs to know about a feed before fetching it."""

    id: int
    url: str
    name: str
    lang: str
    etag: str | None
    last_modified: str | None
    consecutive_errors: int
    is_sample: bool


@dataclass(frozen=True, slots=True)
class ItemRow:
    """A normalised, scored item ready to store (built by the ingest pipeline)."""

    guid: str | None
    url: str | None
    title: str
    summary: str
    lang: str
    published_at: datetime
    date_estimated: bool
    fetched_at: datetime
    dedup_key: str
    link_key: str | None
    story_key: str
    simhash: int
    bands: tuple[str, ...]
    score: ItemScore
    is_sample: bool = False


@dataclass(slots=True)
class SaveResult:
    new: int = 0
    duplicates: int = 0
    item_ids: list[int] = field(default_factory=list)


def _fit(column, value: str | None) -> str | None:  # noqa: ANN001 - a mapped column
    """Clip feed- or server-supplied text to its column's length.

    SQLite ignores VARCHAR lengths but PostgreSQL rejects the whole transaction, so a
    hostile ETag or an endless <language> would otherwise fail a feed on one dialect only.
    """
    if value is None:
        return None
    value = _no_nul(value)
    length = getattr(column.type, "length", None)
    if length is None or len(value) <= length:
        return value
    return value[:length]


def _no_nul(value: str | None) -> str | None:
    # PostgreSQL text cannot hold NUL at all (SQLite can); it never carries meaning in a feed.
    return value.replace("\x00", "") if value and "\x00" in value else value


def _dialect_insert(conn: Connection, table):  # noqa: ANN001, ANN202 - SQLAlchemy Table/insert
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


# ---------------------------------------------------------------- bulk writes

# Per (table, columns, conflict) the prepared SQLite statement and the bind converters.
_SQLITE_BULK: dict[tuple, tuple[str, list[tuple[int, object]]]] = {}
# Per (table, keys, adds) the Core upsert used on other dialects.
_CORE_UPSERT: dict[tuple, object] = {}


def _sqlite_bulk(
    conn: Connection,
    table,  # noqa: ANN001 - a Table
    columns: tuple[str, ...],
    keys: tuple,
    adds: tuple,
) -> tuple[str, list[tuple[int, object]]]:
    cache_key = (table.name, columns, keys, adds)
    found = _SQLITE_BULK.get(cache_key)
    if found is not None:
        return found
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    # Names come from our own table metadata, never from data.
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    if keys:
        sets = ", ".join(
            f"{quote(c)} = {quote(table.name)}.{quote(c)} + excluded.{quote(c)}" for c in adds
        )
        sql += f" ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE SET {sets}"
    # SQLAlchemy's own bind processors (dates, datetimes) so stored text stays identical;
    # booleans need none, sqlite3 stores True/False as 1/0 already.
    converters = []
    for index, name in enumerate(columns):
        col_type = table.c[name].type
        if isinstance(col_type, Boolean):
            continue
        process = col_type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            converters.append((index, process))
    found = _SQLITE_BULK[cache_key] = (sql, converters)
    return found


def _bulk_insert(
    conn: Connection,
    table,  # noqa: ANN001 - a Table
    columns: tuple[str, ...],
    rows: list[tuple],
    keys: tuple = (),
    adds: tuple = (),
) -> None:
    """executemany of plain tuples; with ``keys``, an upsert that adds ``adds`` on conflict.

    On SQLite a prepared driver-level statement (Core's per-row parameter handling was
    most of the store stage's CPU); elsewhere a Core statement built once.
    """
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        sql, converters = _sqlite_bulk(conn, table, columns, keys, adds)
        if converters:
            # The same few days and timestamps repeat across a batch: convert each once.
            memos: list[dict] = [{} for _ in converters]
            converted = []
            for row in rows:
                values = list(row)
                for (index, process), memo in zip(converters, memos, strict=True):
                    value = values[index]
                    done = memo.get(value, memo)
                    if done is memo:
                        done = memo[value] = process(value)
                    values[index] = done
                converted.append(tuple(values))
            rows = converted
        conn.exec_driver_sql(sql, rows)
        return
    if keys:
        cache_key = (conn.dialect.name, table.name, keys, adds)
        stmt = _CORE_UPSERT.get(cache_key)
        if stmt is None:
            base = _dialect_insert(conn, table)
            stmt = _CORE_UPSERT[cache_key] = base.on_conflict_do_update(
                index_elements=[table.c[k] for k in keys],
                set_={c: table.c[c] + base.excluded[c] for c in adds},
            )
    else:
        stmt = insert(table)
    conn.execute(stmt, [dict(zip(columns, row, strict=True)) for row in rows])


# ---------------------------------------------------------------- feeds


def sync_feeds(conn: Connection, feeds: Iterable[FeedSpec]) -> dict[str, int]:
    """Mirror the feed config into the feeds table; returns url → feed id.

    Feeds that left the config are disabled, not deleted: their items stay.
    """
    feeds = list(feeds)
    existing = {row.url: row.id for row in conn.execute(select(Feed.url, Feed.id))}
    ids: dict[str, int] = {}
    for spec in feeds:
        values = {
            "name": spec.name,
            "lang": spec.lang,
            "countries": ",".join(spec.countries),
            "enabled": bool(spec.enabled),
        }
        if spec.url in existing:
            conn.execute(update(Feed).where(Feed.id == existing[spec.url]).values(**values))
            ids[spec.url] = existing[spec.url]
        else:
            ids[spec.url] = _insert_feed(conn, url=spec.url, is_sample=False, **values)
    configured = {spec.url for spec in feeds}
    stale = [fid for url, fid in existing.items() if url not in configured]
    if stale:
        conn.execute(
            update(Feed).where(Feed.id.in_(stale), Feed.is_sample.is_(False)).values(enabled=False)
        )
    return ids


def _insert_feed(conn: Connection, **values: object) -> int:
    values["name"] = _fit(Feed.name, str(values["name"]))
    values.setdefault("consecutive_errors", 0)
    values.setdefault("gone", False)
    stmt = _dialect_insert(conn, Feed).values(**values).on_conflict_do_nothing()
    conn.execute(stmt)
    return conn.execute(select(Feed.id).where(Feed.url == values["url"])).scalar_one()


def ensure_feed(
    conn: Connection,
    url: str,
    *,
    name: str,
    lang: str = "",
    countries: Sequence[str] = (),
    is_sample: bool = False,
    enabled: bool = False,
) -> FeedState:
    """The feed row for an ad-hoc SOURCE (created disabled, so the poll loop leaves it alone)."""
    feed_id = conn.execute(select(Feed.id).where(Feed.url == url)).scalar()
    if feed_id is None:
        feed_id = _insert_feed(
            conn,
            url=url,
            name=name,
            lang=lang,
            countries=",".join(countries),
            enabled=enabled,
            is_sample=is_sample,
        )
    elif is_sample:
        conn.execute(update(Feed).where(Feed.id == feed_id).values(is_sample=True))
    return _feed_state(conn, feed_id)


_STATE_COLUMNS = (
    Feed.id,
    Feed.url,
    Feed.name,
    Feed.lang,
    Feed.etag,
    Feed.last_modified,
    Feed.consecutive_errors,
    Feed.is_sample,
)


def _feed_state(conn: Connection, feed_id: int) -> FeedState:
    return _state_from(conn.execute(select(*_STATE_COLUMNS).where(Feed.id == feed_id)).one())


def _state_from(row) -> FeedState:  # noqa: ANN001 - a Row of the columns above
    return FeedState(
        id=row.id,
        url=row.url,
        name=row.name,
        lang=row.lang or "",
        etag=row.etag,
        last_modified=row.last_modified,
        consecutive_errors=row.consecutive_errors or 0,
        is_sample=bool(row.is_sample),
    )


def claim_due_feeds(
    conn: Connection,
    *,
    owner: str,
    now: datetime,
    lease_seconds: int = 300,
    limit: int = 100,
    max_errors: int | None = None,
) -> list[FeedState]:
    """Lease the enabled feeds that are due, so no other worker polls them at the same time.

    On PostgreSQL the candidate rows are locked with ``FOR UPDATE SKIP LOCKED``
    so two workers never claim the same feed; on SQLite the single-writer lock
    gives the same guarantee. The lease expires by itself if a worker dies.
    """
    now = to_naive_utc(now)
    due = and_(
        Feed.enabled.is_(True),
        Feed.gone.is_(False),
        or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= now),
        or_(Feed.lease_until.is_(None), Feed.lease_until < now),
    )
    if max_errors is not None:
        due = and_(due, Feed.consecutive_errors < max_errors)
    query = select(*_STATE_COLUMNS).where(due).order_by(Feed.next_poll_at, Feed.id).limit(limit)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Feed)
    rows = conn.execute(query).all()
    if rows:
        conn.execute(
            update(Feed)
            .where(Feed.id.in_([r.id for r in rows]))
            .values(lease_owner=owner, lease_until=now + timedelta(seconds=lease_seconds))
        )
    return [_state_from(r) for r in rows]


def release_feed(conn: Connection, feed_id: int, owner: str) -> None:
    """Drop this worker's lease on a feed (done after recording the poll)."""
    conn.execute(
        update(Feed)
        .where(Feed.id == feed_id, Feed.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
    )


def record_fetch(
    conn: Connection,
    feed_id: int,
    *,
    started_at: datetime,
    status: str,
    http_status: int | None = None,
    new: int = 0,
    duplicates: int = 0,
    error: str | None = None,
    warning: str | None = None,
    duration_ms: int = 0,
    etag: str | None = None,
    last_modified: str | None = None,
    next_poll_at: datetime | None = None,
    feed_title: str | None = None,
    gone: bool = False,
) -> None:
    """Log one poll and update the feed state: success resets the error count, failure bumps it."""
    started = to_naive_utc(started_at)
    conn.execute(
        insert(FetchLog).values(
            feed_id=feed_id,
            started_at=started,
            status=status,
            http_status=http_status,
            new=new,
            duplicates=duplicates,
            error=_no_nul(error),
            warning=_no_nul(warning),
            duration_ms=duration_ms,
        )
    )
    values: dict[str, object] = {"last_polled_at": started, "last_status": status}
    if next_poll_at is not None:
        values["next_poll_at"] = to_naive_utc(next_poll_at)
    if status in {"ok", "not_modified"}:
        values.update(consecutive_errors=0, last_error=None, last_success_at=started, gone=False)
        if status == "ok":
            # A full response replaces the validators: one it no longer sends must not be
            # sent back, or the server may answer 304 to content we never saw.
            values.update(etag=None, last_modified=None)
        if etag is not None:
            # A validator we would have to clip is useless; forget it rather than send it back.
            values["etag"] = etag if _fit(Feed.etag, etag) == etag else None
        if last_modified is not None:
            fits = _fit(Feed.last_modified, last_modified) == last_modified
            values["last_modified"] = last_modified if fits else None
        if feed_title:
            values["title"] = _no_nul(feed_title)
    else:
        values.update(consecutive_errors=Feed.consecutive_errors + 1, last_error=_no_nul(error))
    if gone:
        values["gone"] = True
    conn.execute(update(Feed).where(Feed.id == feed_id).values(**values))


# ---------------------------------------------------------------- items


def _existing_keys(conn: Connection, rows: Sequence[ItemRow]) -> tuple[set[str], set[str]]:
    dedup = [r.dedup_key for r in rows]
    links = [r.link_key for r in rows if r.link_key]
    found_dedup = set(
        conn.execute(select(Item.dedup_key).where(Item.dedup_key.in_(dedup))).scalars()
    )
    found_links: set[str] = set()
    if links:
        found_links = set(
            conn.execute(select(Item.link_key).where(Item.link_key.in_(links))).scalars()
        )
    return found_dedup, found_links


def _fresh_rows(conn: Connection, rows: Sequence[ItemRow]) -> list[ItemRow]:
    """Rows not already stored and not repeated within the batch (first copy wins)."""
    found_dedup, found_links = _existing_keys(conn, rows)
    fresh: list[ItemRow] = []
    for row in rows:
        if row.dedup_key in found_dedup or (row.link_key and row.link_key in found_links):
            continue
        found_dedup.add(row.dedup_key)
        if row.link_key:
            found_links.add(row.link_key)
        fresh.append(row)
    return fresh


# Column limits looked up once: reading them through the mapped attributes per row
# was a visible share of a batch's CPU.
_ITEM_COLUMNS = Item.__table__.c
_URL_LEN = _ITEM_COLUMNS.url.type.length
_GUID_LEN = _ITEM_COLUMNS.guid.type.length
_LANG_LEN = _ITEM_COLUMNS.lang.type.length
_STORY_KEY_LEN = _ITEM_COLUMNS.story_key.type.length


def _clip(value: str | None, length: int) -> str | None:
    """``_fit`` for a known length."""
    if value is None:
        return None
    if "\x00" in value:
        value = value.replace("\x00", "")
    return value if len(value) <= length else value[:length]


def _item_values(feed_id: int, row: ItemRow) -> dict[str, object]:
    url = row.url
    return {
        "feed_id": feed_id,
        "guid": _clip(row.guid, _GUID_LEN),
        # A clipped link would lead somewhere else: drop it instead.
        "url": url if url is None or len(url) <= _URL_LEN else None,
        "title": _no_nul(row.title),
        "summary": _no_nul(row.summary),
        "lang": _clip(row.lang, _LANG_LEN),
        "published_at": to_naive_utc(row.published_at),
        "date_estimated": row.date_estimated,
        "fetched_at": to_naive_utc(row.fetched_at),
        "dedup_key": row.dedup_key,
        "link_key": row.link_key,
        "story_key": _clip(row.story_key, _STORY_KEY_LEN),
        "is_story_lead": True,
        "is_sample": row.is_sample,
        "score": row.score.score,
    }


_INSERT_ITEMS = insert(Item).returning(Item.id, Item.dedup_key)


def _insert_items(conn: Connection, feed_id: int, rows: list[ItemRow]) -> list[tuple[ItemRow, int]]:
    """Insert rows, returning (row, id) for those stored; a key taken meanwhile is skipped."""
    if not rows:
        return []
    # Ids are matched back through the unique dedup_key: asking for parameter order
    # instead makes SQLAlchemy insert row by row on SQLite (no sentinel column).
    stmt = _INSERT_ITEMS
    try:
        with conn.begin_nested():
            values = [_item_values(feed_id, r) for r in rows]
            ids = {key: item_id for item_id, key in conn.execute(stmt, values)}
        return [(r, ids[r.dedup_key]) for r in rows]
    except IntegrityError:
        # Another worker stored one of these keys between our check and insert:
        # fall back to row-by-row so the rest of the batch still lands.
        stored: list[tuple[ItemRow, int]] = []
        one = _dialect_insert(conn, Item).on_conflict_do_nothing().returning(Item.id)
        for row in rows:
            item_id = conn.execute(one.values(**_item_values(feed_id, row))).scalar()
            if item_id is not None:
                stored.append((row, item_id))
        return stored


_MASK64 = (1 << 64) - 1
# Rows of the item × candidate distance matrix computed at once (bounds memory).
_MATCH_CHUNK = 256


def _hamming(a: int, b: int) -> int:
    return ((a ^ b) & _MASK64).bit_count()


_CANDIDATES = (
    select(StoryBand.story_id, StoryBand.day, Story.simhash)
    .distinct()
    .join(Story, Story.id == StoryBand.story_id)
    .where(StoryBand.day.between(bindparam("lo"), bindparam("hi")))
)
_CANDIDATES_SQLITE: list[str] = []


def _sqlite_candidates_sql(conn: Connection) -> str:
    """``_CANDIDATES`` as SQLite text with positional (lo, hi) parameters, compiled once."""
    if not _CANDIDATES_SQLITE:
        compiled = _CANDIDATES.compile(dialect=conn.dialect)
        assert list(compiled.positiontup or ()) == ["lo", "hi"]
        _CANDIDATES_SQLITE.append(str(compiled))
    return _CANDIDATES_SQLITE[0]


def _existing_candidates(
    conn: Connection, stored: list[tuple[ItemRow, int]], days: list[date]
) -> dict[int, tuple[int, date]]:
    """Stored stories (with band keys) dated within the batch's date window."""
    found: dict[int, tuple[int, date]] = {}
    if not any(row.bands for row, _ in stored):
        return found
    lo = min(days) - timedelta(days=STORY_WINDOW_DAYS)
    hi = max(days) + timedelta(days=STORY_WINDOW_DAYS)
    # Every story in the window, found through the day index: its cost follows the
    # window, whereas probing the band keys walks each key's rows across all time.
    # The distance test below is vectorised, and the band check is redone only for
    # the few stories that come close.
    if conn.dialect.name == "sqlite":
        # Thousands of rows per batch: fetched raw, as Core's per-row result handling
        # cost more than the query. SQLite keeps dates as ISO text.
        sql = _sqlite_candidates_sql(conn)
        fromiso = date.fromisoformat
        # Straight from the driver (same connection, same transaction): wrapping each
        # row in a Row object cost as much again as reading it.
        driver = conn.connection.driver_connection
        rows = driver.execute(sql, (lo.isoformat(), hi.isoformat())).fetchall()
        for story_id, day, simhash in rows:
            found[story_id] = (simhash, fromiso(day))
        return found
    for story_id, day, simhash in conn.execute(_CANDIDATES, {"lo": lo, "hi": hi}):
        found[story_id] = (simhash, day)
    return found


def _match_existing(
    conn: Connection,
    stored: list[tuple[ItemRow, int]],
    days: list[date],
    max_distance: int,
) -> list[int | None]:
    """Per item, the lowest-id stored story that shares a band, is near enough and in window."""
    matches: list[int | None] = [None] * len(stored)
    found = _existing_candidates(conn, stored, days)
    if not found:
        return matches
    ids = np.array(sorted(found), dtype=np.int64)
    cand_hash = np.array([found[i][0] & _MASK64 for i in ids.tolist()], dtype=np.uint64)
    cand_day = np.array([found[i][1].toordinal() for i in ids.tolist()], dtype=np.int64)
    item_hash = np.array([row.simhash & _MASK64 for row, _ in stored], dtype=np.uint64)
    item_day = np.array([d.toordinal() for d in days], dtype=np.int64)
    near: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(stored), _MATCH_CHUNK):
        stop = start + _MATCH_CHUNK
        close = np.bitwise_count(item_hash[start:stop, None] ^ cand_hash[None, :]) <= max_distance
        close &= np.abs(item_day[start:stop, None] - cand_day[None, :]) <= STORY_WINDOW_DAYS
        rows, cols = np.nonzero(close)
        # Row-major order: per item, candidates come in ascending story id.
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            near[start + r].append(int(ids[c]))
    if not near:
        return matches
    hit_ids = sorted({s for sids in near.values() for s in sids})
    bands_of: dict[int, set[str]] = defaultdict(set)
    for chunk_start in range(0, len(hit_ids), 500):
        chunk = hit_ids[chunk_start : chunk_start + 500]
        for band_key, story_id in conn.execute(
            select(StoryBand.band_key, StoryBand.story_id).where(StoryBand.story_id.in_(chunk))
        ):
            bands_of[story_id].add(band_key)
    for index, sids in near.items():
        bands = set(stored[index][0].bands)
        matches[index] = next((s for s in sids if bands_of[s] & bands), None)
    return matches


def _assign_stories(
    conn: Connection,
    feed_id: int,
    stored: list[tuple[ItemRow, int]],
    max_distance: int,
    days: list[date] | None = None,
) -> dict[int, tuple[int, bool]]:
    """Attach each new item to a story (existing near-duplicate or a new one).

    Returns item id → (story id, is_lead). Candidates share an LSH band key with
    the item within a few days of it, then the exact Hamming distance decides;
    the lowest story id wins. Stored stories are older (lower ids) than the ones
    this batch creates, so they are matched first, all at once; the batch's own
    stories are then built item by item. A handful of statements per batch.
    """
    if not stored:
        return {}
    if days is None:
        days = [to_naive_utc(row.published_at).date() for row, _ in stored]
    existing = _match_existing(conn, stored, days, max_distance)
    # The batch's new stories, by creation order (= the order their ids will have).
    leads: list[int] = []  # index into ``stored`` of each new story's first item
    by_band: dict[str, list[int]] = defaultdict(list)
    story_of: list[tuple[bool, int]] = []  # (is an existing story id?, id or new-story index)
    for index, (row, _item_id) in enumerate(stored):
        if existing[index] is not None:
            story_of.append((True, existing[index]))
            continue
        day = days[index]
        match = None
        for k in sorted({k for b in row.bands for k in by_band.get(b, ())}):
            lead_row = stored[leads[k]][0]
            if abs((days[leads[k]] - day).days) <= STORY_WINDOW_DAYS and (
                _hamming(lead_row.simhash, row.simhash) <= max_distance
            ):
                match = k
                break
        if match is not None:
            story_of.append((False, match))
            continue
        story_of.append((False, len(leads)))
        for b in row.bands:
            by_band[b].append(len(leads))
        leads.append(index)
    new_ids: list[int] = []
    if leads:
        # Matched back through first_item_id (unique among them), as for items above.
        story_by_lead = {
            lead_item: story_id
            for story_id, lead_item in conn.execute(
                insert(Story).returning(Story.id, Story.first_item_id),
                [
                    {
                        "simhash": stored[i][0].simhash,
                        "first_item_id": stored[i][1],
                        "first_seen": to_naive_utc(stored[i][0].published_at),
                        "item_count": 1,
                        "outlet_count": 1,
                    }
                    for i in leads
                ],
            )
        }
        new_ids = [story_by_lead[stored[i][1]] for i in leads]
        bands = [
            {"band_key": b, "story_id": story_id, "day": days[i]}
            for i, story_id in zip(leads, new_ids, strict=True)
            for b in sorted(set(stored[i][0].bands))
        ]
        _bulk_insert(
            conn,
            StoryBand.__table__,
            ("band_key", "story_id", "day"),
            [(b["band_key"], b["story_id"], b["day"]) for b in bands],
        )
    lead_items = {stored[i][1] for i in leads}
    result: dict[int, tuple[int, bool]] = {}
    touched: set[int] = set()
    for (_row, item_id), (is_existing, ref) in zip(stored, story_of, strict=True):
        story_id = ref if is_existing else new_ids[ref]
        lead = item_id in lead_items
        result[item_id] = (story_id, lead)
        if not lead:
            touched.add(story_id)
    items = Item.__table__
    conn.execute(
        update(items)
        .where(items.c.id == bindparam("b_item"))
        .values(story_id=bindparam("b_story"), is_story_lead=bindparam("b_lead")),
        [{"b_item": i, "b_story": s, "b_lead": lead} for i, (s, lead) in result.items()],
    )
    if touched:
        _refresh_story_counts(conn, touched)
    return result


def _refresh_story_counts(conn: Connection, story_ids: Iterable[int]) -> None:
    ids = sorted(story_ids)
    counts = []
    for chunk_start in range(0, len(ids), 500):
        counts += conn.execute(
            select(Item.story_id, func.count(), func.count(func.distinct(Item.feed_id)))
            .where(Item.story_id.in_(ids[chunk_start : chunk_start + 500]))
            .group_by(Item.story_id)
        ).all()
    if not counts:
        return
    stories = Story.__table__
    conn.execute(
        update(stories)
        .where(stories.c.id == bindparam("b_story"))
        .values(item_count=bindparam("b_items"), outlet_count=bindparam("b_outlets")),
        [{"b_story": s, "b_items": n, "b_outlets": o} for s, n, o in counts],
    )


_SCORE_COLUMNS = (
    "item_id",
    "lexicon_version",
    "score",
    "direction",
    "signals",
    "actors",
    "negated",
    "scored_at",
)
_EVIDENCE_COLUMNS = (
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


def _write_scores(conn: Connection, scored: Sequence[tuple[int, ItemScore]]) -> None:
    if not scored:
        return
    now = to_naive_utc(datetime.now(UTC))
    _bulk_insert(
        conn,
        Score.__table__,
        _SCORE_COLUMNS,
        [
            (
                i,
                s.lexicon_version,
                s.score,
                s.direction,
                ",".join(s.signals),
                ",".join(s.actors),
                ",".join(s.negated),
                now,
            )
            for i, s in scored
        ],
    )
    _bulk_insert(
        conn,
        ItemSignal.__table__,
        ("item_id", "signal"),
        [(i, c) for i, s in scored for c in set(s.signals)],
    )
    _bulk_insert(
        conn,
        ItemActor.__table__,
        ("item_id", "actor"),
        [(i, a) for i, s in scored for a in set(s.actors)],
    )
    _bulk_insert(
        conn,
        ItemPlace.__table__,
        ("item_id", "place_id"),
        [(i, p) for i, s in scored for p in set(s.places)],
    )
    _bulk_insert(
        conn,
        Evidence.__table__,
        _EVIDENCE_COLUMNS,
        [
            (
                i,
                e.signal,
                e.actor,
                e.target,
                _no_nul(e.text),
                e.field,
                e.start,
                e.end,
                e.negated,
                e.hedged,
                e.weight,
                e.suppressed_by,
            )
            for i, s in scored
            for e in s.evidence
        ],
    )


@dataclass(frozen=True, slots=True)
class _AggInput:
    feed_id: int
    day: date
    score: ItemScore
    lead: bool


def _aggregate(conn: Connection, inputs: Iterable[_AggInput], sign: int = 1) -> None:
    """Add (sign=1) the items' contributions to the daily tables in this transaction."""
    actor_acc: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0, 0])
    signal_acc: dict[tuple, list[float]] = defaultdict(lambda: [0, 0.0])
    pair_acc: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0])
    for it in inputs:
        actors = (*sorted(set(it.score.actors)), ALL_ACTORS)
        for actor in actors:
            acc = actor_acc[(it.day, actor, it.feed_id)]
            acc[1] += sign
            if it.lead:
                acc[0] += sign * it.score.score
                acc[2] += sign
        if not it.lead:
            continue
        weights: dict[str, float] = defaultdict(float)
        for ev in it.score.evidence:
            if ev.signal in it.score.signals and not ev.negated and not ev.suppressed_by:
                weights[ev.signal] = max(weights[ev.signal], ev.weight)
        for actor in actors:
            for signal in set(it.score.signals):
                acc = signal_acc[(it.day, actor, signal, it.feed_id)]
                acc[0] += sign
                acc[1] += sign * weights.get(signal, 0.0)
        for ev in it.score.evidence:
            if ev.actor and ev.target and ev.actor != ev.target and not ev.negated:
                if ev.suppressed_by or ev.signal not in it.score.signals:
                    continue
                acc = pair_acc[(it.day, ev.actor, ev.target, it.feed_id)]
                acc[0] += sign * ev.weight
                acc[1] += sign
    _upsert(
        conn,
        DailyActor,
        [
            {
                "day": k[0],
                "actor": k[1],
                "feed_id": k[2],
                "score": v[0],
                "items": v[1],
                "stories": v[2],
            }
            for k, v in actor_acc.items()
        ],
        ("day", "actor", "feed_id"),
        ("score", "items", "stories"),
    )
    _upsert(
        conn,
        DailySignal,
        [
            {
                "day": k[0],
                "actor": k[1],
                "signal": k[2],
                "feed_id": k[3],
                "count": v[0],
                "weight": v[1],
            }
            for k, v in signal_acc.items()
        ],
        ("day", "actor", "signal", "feed_id"),
        ("count", "weight"),
    )
    _upsert_totals(conn, actor_acc, signal_acc)
    _upsert(
        conn,
        DailyPair,
        [
            {
                "day": k[0],
                "source": k[1],
                "target": k[2],
                "feed_id": k[3],
                "score": v[0],
                "count": v[1],
            }
            for k, v in pair_acc.items()
        ],
        ("day", "source", "target", "feed_id"),
        ("score", "count"),
    )


def _upsert_totals(
    conn: Connection, actor_acc: dict[tuple, list[float]], signal_acc: dict[tuple, list[float]]
) -> None:
    """Add the same contributions, summed over feeds, to the feed-less rollups."""
    actor_all: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0, 0])
    for (day, actor, _feed), v in actor_acc.items():
        acc = actor_all[(day, actor)]
        acc[0], acc[1], acc[2] = acc[0] + v[0], acc[1] + v[1], acc[2] + v[2]
    signal_all: dict[tuple, list[float]] = defaultdict(lambda: [0, 0.0])
    for (day, actor, signal, _feed), v in signal_acc.items():
        acc = signal_all[(day, actor, signal)]
        acc[0], acc[1] = acc[0] + v[0], acc[1] + v[1]
    _upsert(
        conn,
        DailyActorAll,
        [
            {"day": k[0], "actor": k[1], "score": v[0], "items": v[1], "stories": v[2]}
            for k, v in actor_all.items()
        ],
        ("day", "actor"),
        ("score", "items", "stories"),
    )
    _upsert(
        conn,
        DailySignalAll,
        [
            {"day": k[0], "actor": k[1], "signal": k[2], "count": v[0], "weight": v[1]}
            for k, v in signal_all.items()
        ],
        ("day", "actor", "signal"),
        ("count", "weight"),
    )


def _upsert(conn: Connection, model, rows: list[dict], keys: tuple, adds: tuple) -> None:  # noqa: ANN001
    if not rows:
        return
    columns = tuple(rows[0])
    _bulk_insert(conn, model.__table__, columns, [tuple(r.values()) for r in rows], keys, adds)


def save_items(
    conn: Connection, feed_id: int, rows: Sequence[ItemRow], *, max_distance: int = 3
) -> SaveResult:
    """Store new items with their scores, stories and aggregates; count the rest as duplicates.

    Call inside a transaction: everything here lands together or not at all.
    """
    result = SaveResult()
    if not rows:
        return result
    fresh = _fresh_rows(conn, rows)
    stored = _insert_items(conn, feed_id, fresh)
    result.new = len(stored)
    result.duplicates = len(rows) - len(stored)
    result.item_ids = [item_id for _, item_id in stored]
    # Each item's UTC day, worked out once for story matching and the aggregates.
    days = [to_naive_utc(row.published_at).date() for row, _ in stored]
    stories = _assign_stories(conn, feed_id, stored, max_distance, days)
    _write_scores(conn, [(item_id, row.score) for row, item_id in stored])
    _aggregate(
        conn,
        (
            _AggInput(feed_id=feed_id, day=day, score=row.score, lead=stories[item_id][1])
            for (row, item_id), day in zip(stored, days, strict=True)
        ),
    )
    return result


# ---------------------------------------------------------------- re-scoring


def replace_scores(conn: Connection, scored: Sequence[tuple[int, ItemScore]]) -> None:
    """Replace the stored scores of existing items (after a lexicon change).

    Aggregates are not touched here; call ``rebuild_aggregates`` once at the end.
    """
    ids = [i for i, _ in scored]
    if not ids:
        return
    for model in (Score, ItemSignal, ItemActor, ItemPlace, Evidence):
        conn.execute(delete(model).where(model.item_id.in_(ids)))
    _write_scores(conn, scored)
    for item_id, score in scored:
        conn.execute(update(Item).where(Item.id == item_id).values(score=score.score))


def rebuild_aggregates(conn: Connection) -> None:
    """Recompute the daily tables from stored items, scores and evidence (after a re-score).

    Uses the same accumulation code as ingestion, so the two can never disagree.
    """
    for model in (DailyActor, DailySignal, DailyPair, DailyActorAll, DailySignalAll):
        conn.execute(delete(model))
    last_id = 0
    while True:
        items = conn.execute(
            select(
                Item.id,
                Item.feed_id,
                Item.published_at,
                Item.is_story_lead,
                *Score.__table__.c,
            )
            .join(Score, Score.item_id == Item.id)
            .where(Item.id > last_id)
            .order_by(Item.id)
            .limit(2000)
        ).all()
        if not items:
            return
        last_id = items[-1].id
        evidence: dict[int, list[EvidenceValue]] = defaultdict(list)
        ev_table = Evidence.__table__
        for e in conn.execute(
            select(ev_table).where(ev_table.c.item_id.in_([r.id for r in items]))
        ):
            evidence[e.item_id].append(
                EvidenceValue(
                    signal=e.signal,
                    actor=e.actor,
                    text=e.text,
                    start=e.start,
                    end=e.end,
                    negated=e.negated,
                    target=e.target,
                    field=e.field,
                    weight=e.weight,
                    hedged=e.hedged,
                    suppressed_by=e.suppressed_by,
                )
            )
        _aggregate(
            conn,
            [
                _AggInput(
                    r.feed_id,
                    r.published_at.date(),
                    _stored_score(r, evidence[r.id]),
                    bool(r.is_story_lead),
                )
                for r in items
            ],
        )


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(",") if v)


def _stored_score(row, evidence: list[EvidenceValue]) -> ItemScore:  # noqa: ANN001 - Row
    return ItemScore(
        actors=_split(row.actors),
        signals=_split(row.signals),
        negated=_split(row.negated),
        direction=row.direction,
        score=row.score,
        evidence=tuple(evidence),
        lexicon_version=row.lexicon_version,
    )
