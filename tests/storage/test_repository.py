"""The write path: dedup, one transaction per batch, stories, aggregates, feed state, leases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from scoring.types import Evidence, ItemScore
from storage import get_engine
from storage.models import DailyActor, DailyPair, DailySignal, Feed, FetchLog, Item, Score, Story
from storage.repository import (
    ALL_ACTORS,
    ItemRow,
    claim_due_feeds,
    ensure_feed,
    rebuild_aggregates,
    record_fetch,
    save_items,
)

DAY = datetime(2023, 9, 24, 10, 0, tzinfo=UTC)


def _score(value: float, actors=("SRB", "KOS"), signals=("armed_clash",)) -> ItemScore:
    ev = tuple(
        Evidence(
            signal=s,
            actor=actors[0],
            target=actors[1] if len(actors) > 1 else None,
            text="clash",
            start=0,
            end=5,
            weight=value,
        )
        for s in signals
    )
    return ItemScore(
        actors=tuple(actors),
        signals=tuple(signals),
        negated=(),
        direction="escalation" if value > 0 else "neutral",
        score=value,
        evidence=ev,
        lexicon_version="test-1",
    )


def _row(
    n: int,
    *,
    simhash: int | None = None,
    link: str | None = None,
    score: float = 9.0,
    when: datetime = DAY,
    guid: str | None = None,
) -> ItemRow:
    h = simhash if simhash is not None else n * 0x9E3779B97F4A7C15 % (1 << 63)
    return ItemRow(
        guid=guid or f"g{n}",
        url=f"https://example.org/{n}",
        title=f"Title {n}",
        summary="",
        lang="en",
        published_at=when,
        date_estimated=False,
        fetched_at=when,
        dedup_key=f"d{guid or n}",
        link_key=link,
        story_key=f"title {n}",
        simhash=h,
        bands=tuple(f"b{i}:{(h >> (16 * i)) & 0xFFFF:04x}" for i in range(4)),
        score=_score(score),
    )


@pytest.fixture
def feed_id(db_url: str) -> int:
    with get_engine(db_url).begin() as conn:
        return ensure_feed(conn, "https://feed.example/rss", name="Feed A").id


def _count(db_url: str, model) -> int:
    with get_engine(db_url).connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def test_same_items_twice_add_nothing(db_url: str, feed_id: int) -> None:
    rows = [_row(i) for i in range(5)]
    with get_engine(db_url).begin() as conn:
        first = save_items(conn, feed_id, rows)
    with get_engine(db_url).begin() as conn:
        second = save_items(conn, feed_id, rows)
    assert (first.new, first.duplicates) == (5, 0)
    assert (second.new, second.duplicates) == (0, 5)
    assert _count(db_url, Item) == 5 and _count(db_url, Score) == 5


def test_changed_guid_with_same_link_key_is_one_item(db_url: str, feed_id: int) -> None:
    a = _row(1, link="L1", guid="old")
    b = _row(2, link="L1", guid="new")
    with get_engine(db_url).begin() as conn:
        result = save_items(conn, feed_id, [a, b])
    assert (result.new, result.duplicates) == (1, 1)


def test_near_duplicate_joins_the_story_and_counts_once(db_url: str, feed_id: int) -> None:
    base = 0x0123456789ABCDEF
    with get_engine(db_url).begin() as conn:
        other = ensure_feed(conn, "https://other.example/rss", name="Feed B").id
        save_items(conn, feed_id, [_row(1, simhash=base)])
        save_items(conn, other, [_row(2, simhash=base ^ 0b101)])  # 2 bits apart
    assert _count(db_url, Story) == 1
    with get_engine(db_url).connect() as conn:
        story = conn.execute(select(Story)).one()
        assert (story.item_count, story.outlet_count) == (2, 2)
        leads = conn.execute(select(Item.is_story_lead).order_by(Item.id)).scalars().all()
        assert leads == [True, False]
        total = conn.execute(
            select(func.sum(DailyActor.score), func.sum(DailyActor.items)).where(
                DailyActor.actor == "SRB"
            )
        ).one()
    assert total == (9.0, 2)  # the story's score once, both copies counted as items


def test_distant_hash_is_a_new_story(db_url: str, feed_id: int) -> None:
    with get_engine(db_url).begin() as conn:
        save_items(conn, feed_id, [_row(1, simhash=0), _row(2, simhash=(1 << 62) - 1)])
    assert _count(db_url, Story) == 2


def test_aggregates_include_all_actor_row_and_pairs(db_url: str, feed_id: int) -> None:
    with get_engine(db_url).begin() as conn:
        save_items(conn, feed_id, [_row(1, score=9.0), _row(2, score=4.0)])
    with get_engine(db_url).connect() as conn:
        overall = conn.execute(
            select(DailyActor.score, DailyActor.items).where(DailyActor.actor == ALL_ACTORS)
        ).one()
        pair = conn.execute(select(DailyPair.source, DailyPair.target, DailyPair.count)).one()
        sig = conn.execute(
            select(DailySignal.count).where(
                DailySignal.actor == "KOS", DailySignal.signal == "armed_clash"
            )
        ).scalar_one()
    assert overall == (13.0, 2)
    assert tuple(pair) == ("SRB", "KOS", 2)
    assert sig == 2


def test_rebuild_aggregates_reproduces_incremental_ones(db_url: str, feed_id: int) -> None:
    rows = [_row(i, score=float(i), when=DAY + timedelta(days=i % 3)) for i in range(1, 12)]
    with get_engine(db_url).begin() as conn:
        save_items(conn, feed_id, rows)

    def snapshot() -> list[tuple]:
        with get_engine(db_url).connect() as conn:
            return [
                tuple(r)
                for model in (DailyActor, DailySignal, DailyPair)
                for r in conn.execute(
                    select(model.__table__).order_by(*model.__table__.primary_key)
                )
            ]

    before = snapshot()
    with get_engine(db_url).begin() as conn:
        rebuild_aggregates(conn)
    assert snapshot() == before


def test_failed_batch_leaves_no_item_behind(db_url: str, feed_id: int) -> None:
    engine = get_engine(db_url)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        save_items(conn, feed_id, [_row(1), _row(2)])
        raise RuntimeError("crash after the items, before commit")
    assert _count(db_url, Item) == 0 and _count(db_url, Score) == 0


def test_record_fetch_counts_errors_and_resets_on_success(db_url: str, feed_id: int) -> None:
    engine = get_engine(db_url)
    for _ in range(2):
        with engine.begin() as conn:
            record_fetch(conn, feed_id, started_at=DAY, status="error", error="HTTP 500")
    with engine.connect() as conn:
        errors, last = conn.execute(
            select(Feed.consecutive_errors, Feed.last_error).where(Feed.id == feed_id)
        ).one()
    assert (errors, last) == (2, "HTTP 500")
    with engine.begin() as conn:
        record_fetch(conn, feed_id, started_at=DAY, status="ok", etag='"v2"', new=3)
    with engine.connect() as conn:
        errors, last, etag = conn.execute(
            select(Feed.consecutive_errors, Feed.last_error, Feed.etag).where(Feed.id == feed_id)
        ).one()
        logs = conn.execute(select(func.count()).select_from(FetchLog)).scalar_one()
    assert (errors, last, etag, logs) == (0, None, '"v2"', 3)


def test_leased_feed_is_not_claimed_twice(db_url: str) -> None:
    engine = get_engine(db_url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        ensure_feed(conn, "https://a.example/rss", name="A", enabled=True)
        ensure_feed(conn, "https://b.example/rss", name="B", enabled=True)
    with engine.begin() as conn:
        first = claim_due_feeds(conn, owner="w1", now=now)
    with engine.begin() as conn:
        second = claim_due_feeds(conn, owner="w2", now=now)
    with engine.begin() as conn:
        later = claim_due_feeds(conn, owner="w2", now=now + timedelta(hours=1))
    assert len(first) == 2 and second == [] and len(later) == 2


def test_foreign_keys_are_enforced(db_url: str) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), get_engine(db_url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO items (feed_id, title, summary, lang, published_at, date_estimated, "
                "fetched_at, dedup_key, story_key, is_story_lead, is_sample, score) VALUES "
                "(999, 't', '', 'en', '2024-01-01', false, '2024-01-01', 'k', '', true, false, 0)"
            )
        )


def test_places_are_stored_and_replaced_on_rescore(db_url: str, feed_id: int) -> None:
    from dataclasses import replace

    from scoring.item import score_item
    from storage.queries import places_for_items
    from storage.repository import replace_scores

    scored = score_item("Protest in Zvečan and Leposavić", "Roads to Jarinje were blocked.")
    assert scored.places == ("jarinje", "leposavic", "zvecan") and "KOS" in scored.actors
    with get_engine(db_url).begin() as conn:
        save_items(conn, feed_id, [replace(_row(1), score=scored)])
    with get_engine(db_url).connect() as conn:
        item_id = conn.execute(select(Item.id)).scalar_one()
    stored = places_for_items(db_url, [item_id])
    assert sorted(stored["place_id"]) == ["jarinje", "leposavic", "zvecan"]
    rescored = score_item("Protest in Banja Luka")
    with get_engine(db_url).begin() as conn:
        replace_scores(conn, [(item_id, rescored)])
    assert list(places_for_items(db_url, [item_id])["place_id"]) == ["banja_luka"]
    assert places_for_items(db_url, []).empty
