"""SQLAlchemy 2.x models: feeds, items, scores, evidence, stories, fetch logs and daily aggregates.

Timestamps are stored as naive UTC (``DateTime`` without zone) so SQLite and
PostgreSQL compare them the same way; ``storage.repository`` converts aware
datetimes on the way in.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Base",
    "DailyActor",
    "DailyActorAll",
    "DailyPair",
    "DailySignal",
    "DailySignalAll",
    "Evidence",
    "Feed",
    "FetchLog",
    "Item",
    "ItemActor",
    "ItemPlace",
    "ItemSignal",
    "Score",
    "Story",
    "StoryBand",
]


class Base(DeclarativeBase):
    pass


class Feed(Base):
    """A configured source (mirror of feeds.toml) plus its polling state."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    lang: Mapped[str] = mapped_column(String(20), default="")
    countries: Mapped[str] = mapped_column(String(200), default="")  # comma-separated actor codes
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str | None] = mapped_column(Text)  # the feed's own <title>, plain text
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_polled_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_status: Mapped[str | None] = mapped_column(String(40))
    consecutive_errors: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_poll_at: Mapped[datetime | None] = mapped_column(DateTime)
    gone: Mapped[bool] = mapped_column(Boolean, default=False)  # HTTP 410: stop polling
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)


class Story(Base):
    """A cluster of near-duplicate items (one wire story carried by many outlets)."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    simhash: Mapped[int] = mapped_column(BigInteger)
    first_item_id: Mapped[int | None] = mapped_column(Integer)
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    item_count: Mapped[int] = mapped_column(Integer, default=1)
    outlet_count: Mapped[int] = mapped_column(Integer, default=1)


class StoryBand(Base):
    """LSH band keys of a story's simhash, so a near-duplicate is found with an index lookup."""

    __tablename__ = "story_bands"

    band_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, index=True)


class Item(Base):
    """One news item, stored once (``dedup_key`` is unique)."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    guid: Mapped[str | None] = mapped_column(String(2000))
    url: Mapped[str | None] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str] = mapped_column(String(20), default="")
    published_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    date_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    fetched_at: Mapped[datetime] = mapped_column(DateTime)
    dedup_key: Mapped[str] = mapped_column(String(128), unique=True)
    # sha256(canonical url + title): the same story re-published under a new guid.
    link_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    story_key: Mapped[str] = mapped_column(String(128), default="", index=True)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)
    is_story_lead: Mapped[bool] = mapped_column(Boolean, default=True)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float] = mapped_column(
        Float, default=0.0
    )  # copy of scores.score for fast sorting

    __table_args__ = (
        Index("ix_items_published_score", "published_at", "score"),
        # Scored story leads only, covering the chart-hover query (migration 0003).
        Index(
            "ix_items_lead_published",
            "published_at",
            "score",
            "is_sample",
            "is_story_lead",
            sqlite_where=text("is_story_lead IS 1 AND score > 0"),
            postgresql_where=text("is_story_lead IS true AND score > 0"),
        ),
    )


class Score(Base):
    """The scorer's verdict on an item (one row per item; a re-score replaces it)."""

    __tablename__ = "scores"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    lexicon_version: Mapped[str] = mapped_column(String(40))
    score: Mapped[float] = mapped_column(Float)
    direction: Mapped[str] = mapped_column(String(20))
    signals: Mapped[str] = mapped_column(String(400), default="")  # comma-separated codes
    actors: Mapped[str] = mapped_column(String(400), default="")
    negated: Mapped[str] = mapped_column(String(400), default="")
    scored_at: Mapped[datetime] = mapped_column(DateTime)


class ItemSignal(Base):
    """Asserted signals of an item, one row each, for filtering by signal."""

    __tablename__ = "item_signals"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    signal: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class ItemActor(Base):
    """Actors an item names, one row each, for filtering by actor."""

    __tablename__ = "item_actors"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    actor: Mapped[str] = mapped_column(String(10), primary_key=True, index=True)


class ItemPlace(Base):
    """Gazetteer places an item names (scoring/data/places.toml ids; names, countries and
    coordinates come from ``scoring.places.place_info``)."""

    __tablename__ = "item_places"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    place_id: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)


class Evidence(Base):
    """Why an item scored what it did: one matched phrase with its span and attribution."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    signal: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(10))
    target: Mapped[str | None] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(10), default="title")
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    negated: Mapped[bool] = mapped_column(Boolean, default=False)
    hedged: Mapped[bool] = mapped_column(Boolean, default=False)
    weight: Mapped[float] = mapped_column(Float, default=0.0)
    suppressed_by: Mapped[str | None] = mapped_column(String(100))


class FetchLog(Base):
    """One row per feed per poll: what happened and how long it took."""

    __tablename__ = "fetch_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    status: Mapped[str] = mapped_column(String(40))  # ok | not_modified | error | gone | skipped
    http_status: Mapped[int | None] = mapped_column(Integer)
    new: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    warning: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class DailyActor(Base):
    """Per day, actor and feed: the summed score of story-lead items naming the actor.

    Maintained in the same transaction as the items, so the Overview never
    scans raw rows. Only the first item of a story adds its score (a
    syndicated story counts once); later copies only add to ``items``.
    """

    __tablename__ = "daily_actor"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    actor: Mapped[str] = mapped_column(String(10), primary_key=True)
    feed_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    items: Mapped[int] = mapped_column(Integer, default=0)
    stories: Mapped[int] = mapped_column(Integer, default=0)


class DailySignal(Base):
    """Per day, actor, signal and feed: how many story-lead items asserted the signal."""

    __tablename__ = "daily_signal"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    actor: Mapped[str] = mapped_column(String(10), primary_key=True)
    signal: Mapped[str] = mapped_column(String(40), primary_key=True)
    feed_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    weight: Mapped[float] = mapped_column(Float, default=0.0)


class DailyActorAll(Base):
    """``daily_actor`` summed over feeds: what a chart without a source filter reads."""

    __tablename__ = "daily_actor_all"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    actor: Mapped[str] = mapped_column(String(10), primary_key=True)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    items: Mapped[int] = mapped_column(Integer, default=0)
    stories: Mapped[int] = mapped_column(Integer, default=0)


class DailySignalAll(Base):
    """``daily_signal`` summed over feeds: what a chart without a source filter reads."""

    __tablename__ = "daily_signal_all"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    actor: Mapped[str] = mapped_column(String(10), primary_key=True)
    signal: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    weight: Mapped[float] = mapped_column(Float, default=0.0)


class DailyPair(Base):
    """Per day and directed actor pair (source → target) and feed: summed evidence weight."""

    __tablename__ = "daily_pair"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    source: Mapped[str] = mapped_column(String(10), primary_key=True)
    target: Mapped[str] = mapped_column(String(10), primary_key=True)
    feed_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    count: Mapped[int] = mapped_column(Integer, default=0)
