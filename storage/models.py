"""SQLAlchemy 2.x models: feeds, items, scores, evidence, stories, fetch logs, daily aggregates
and the alert log (firings, deliveries, attempts).

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
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AlertAttempt",
    "AlertDelivery",
    "AlertFiring",
    "AlertRuleState",
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


class AlertFiring(Base):
    """One alert rule firing: what crossed which threshold, on which days, and the items behind it.

    ``key`` is stable (rule, subject, condition and the day it began), and unique, so a
    restart or a second worker evaluating the same data records the firing only once.
    """

    __tablename__ = "alert_firings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    rule: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    value: Mapped[float | None] = mapped_column(Float)
    baseline: Mapped[float | None] = mapped_column(Float)
    change_pct: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    why: Mapped[str] = mapped_column(Text)
    item_ids: Mapped[str] = mapped_column(Text, default="")  # comma-separated item ids
    fired_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    # delivering (deliveries were made) | suppressed (cooldown) | digest (waits for its batch)
    status: Mapped[str] = mapped_column(String(20))
    message_key: Mapped[str | None] = mapped_column(String(300), index=True)


class AlertDelivery(Base):
    """One message to one channel; unique per (message, channel), claimed with a lease to send."""

    __tablename__ = "alert_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_key: Mapped[str] = mapped_column(String(300))
    rule: Mapped[str] = mapped_column(String(100), index=True)
    channel: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), index=True)  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    not_before: Mapped[datetime] = mapped_column(DateTime)  # quiet hours, backoff, digest end
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("message_key", "channel", name="uq_alert_delivery"),)


class AlertAttempt(Base):
    """The delivery log: one row per attempt to send a message, with what happened."""

    __tablename__ = "alert_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("alert_deliveries.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class AlertRuleState(Base):
    """A rule switched off (or back on) from the dashboard; rules themselves live in alerts.toml."""

    __tablename__ = "alert_rule_state"

    rule: Mapped[str] = mapped_column(String(100), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
