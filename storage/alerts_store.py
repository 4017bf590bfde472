"""Reads and writes for alerts: the series a rule watches, the items behind a firing, the firing
log with its deliveries and attempts, and the rule switches set from the dashboard.

Only ``alerts`` writes these tables. Firings are insert-or-skip on their unique key and
deliveries are claimed with a lease (a conditional UPDATE that one worker wins), so the
same alert is neither recorded nor sent twice by two workers or after a restart. The
dashboard reads the log through the names re-exported by ``storage.queries``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import get_engine, translate_errors, write_transaction
from storage.models import (
    AlertAttempt,
    AlertDelivery,
    AlertFiring,
    AlertRuleState,
    DailyPair,
    DailySignalAll,
    Evidence,
    Feed,
    Item,
    ItemActor,
    ItemPlace,
    ItemSignal,
    Story,
)
from storage.repository import ALL_ACTORS

__all__ = [
    "DELIVERY_COLUMNS",
    "FIRING_COLUMNS",
    "alert_deliveries",
    "alert_firings",
    "claim_delivery",
    "corroborated_stories",
    "digest_firings",
    "due_deliveries",
    "finish_delivery",
    "firings_for_message",
    "items_for_subject",
    "last_live_firing_at",
    "pair_by_day",
    "place_by_day",
    "record_firing",
    "record_test_delivery",
    "rule_switches",
    "set_rule_enabled",
    "signal_by_day",
    "signals_by_day",
    "stories_of_items",
    "story_item_ids",
]

Database = str | Engine


def _engine(db: Database) -> Engine:
    return db if isinstance(db, Engine) else get_engine(db)


def _rows(db: Database, stmt) -> list:  # noqa: ANN001 - any selectable
    engine = _engine(db)
    with translate_errors(str(engine.url)), engine.connect() as conn:
        return conn.execute(stmt).all()


def _frame(db: Database, stmt, columns: Sequence[str]) -> pd.DataFrame:  # noqa: ANN001
    return pd.DataFrame([tuple(r) for r in _rows(db, stmt)], columns=list(columns))


def _days(frame: pd.DataFrame) -> pd.DataFrame:
    frame["day"] = pd.to_datetime(frame["day"]).astype("datetime64[ns]")
    return frame


def _span(column, start: date, end: date) -> list:  # noqa: ANN001 - a DateTime column
    lo = datetime.combine(start, datetime.min.time())
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time())
    return [column >= lo, column < hi]


# ---------------------------------------------------------------- series a rule watches


def pair_by_day(
    db: Database, pairs: Sequence[tuple[str, str]], start: date, end: date
) -> pd.DataFrame:
    """Daily summed evidence weight of the given directed pairs: columns day, score, count."""
    if not pairs:
        return pd.DataFrame(columns=["day", "score", "count"])
    which = or_(*(and_(DailyPair.source == s, DailyPair.target == t) for s, t in pairs))
    stmt = (
        select(DailyPair.day, func.sum(DailyPair.score), func.sum(DailyPair.count))
        .where(which, DailyPair.day >= start, DailyPair.day <= end)
        .group_by(DailyPair.day)
        .order_by(DailyPair.day)
    )
    return _days(_frame(db, stmt, ["day", "score", "count"])).astype(
        {"score": float, "count": int}
    )


def signal_by_day(
    db: Database, signal: str, actor: str | None, start: date, end: date
) -> pd.DataFrame:
    """Story-lead items asserting ``signal`` (naming ``actor``, or any): day, count, weight."""
    stmt = (
        select(DailySignalAll.day, DailySignalAll.count, DailySignalAll.weight)
        .where(
            DailySignalAll.signal == signal,
            DailySignalAll.actor == (actor or ALL_ACTORS),
            DailySignalAll.day >= start,
            DailySignalAll.day <= end,
        )
        .order_by(DailySignalAll.day)
    )
    return _days(_frame(db, stmt, ["day", "count", "weight"])).astype(
        {"count": int, "weight": float}
    )


def signals_by_day(db: Database, actor: str, start: date, end: date) -> pd.DataFrame:
    """Every signal asserted by story-lead items naming ``actor``, per day: day, signal, count."""
    stmt = (
        select(DailySignalAll.day, DailySignalAll.signal, DailySignalAll.count)
        .where(
            DailySignalAll.actor == actor,
            DailySignalAll.count > 0,
            DailySignalAll.day >= start,
            DailySignalAll.day <= end,
        )
        .order_by(DailySignalAll.day, DailySignalAll.signal)
    )
    return _days(_frame(db, stmt, ["day", "signal", "count"])).astype({"count": int})


def place_by_day(
    db: Database, place: str, signal: str | None, start: date, end: date
) -> pd.DataFrame:
    """Story-lead items naming ``place`` (and asserting ``signal``) per day: day, count, score.

    Read from the items of the range (there is no daily place table); bounded by the dates.
    """
    conds = [
        *_span(Item.published_at, start, end),
        Item.is_story_lead.is_(True),
        exists().where(ItemPlace.item_id == Item.id, ItemPlace.place_id == place),
    ]
    if signal:
        conds.append(exists().where(ItemSignal.item_id == Item.id, ItemSignal.signal == signal))
    raw = _frame(db, select(Item.published_at, Item.score).where(*conds), ["at", "score"])
    if raw.empty:
        return pd.DataFrame(
            {"day": pd.Series(dtype="datetime64[ns]"), "count": pd.Series(dtype=int),
             "score": pd.Series(dtype=float)}
        )  # fmt: skip
    raw["day"] = pd.to_datetime(raw["at"]).dt.normalize().astype("datetime64[ns]")
    out = raw.groupby("day", as_index=False).agg(count=("score", "size"), score=("score", "sum"))
    return out.astype({"count": int, "score": float})


def items_for_subject(
    db: Database,
    start: date,
    end: date,
    *,
    actors: Sequence[str] = (),
    pairs: Sequence[tuple[str, str]] = (),
    signal: str | None = None,
    place: str | None = None,
    limit: int = 500,
) -> list[int]:
    """Ids of the items published from ``start`` to ``end`` (days, inclusive) behind a subject.

    An item counts when it names every actor in ``actors``, carries evidence by one of the
    ``pairs`` (source → target), asserts ``signal`` and names ``place`` — each only when
    given. Highest score first, at most ``limit``.
    """
    conds = _span(Item.published_at, start, end)
    for actor in actors:
        conds.append(exists().where(ItemActor.item_id == Item.id, ItemActor.actor == actor))
    if pairs:
        conds.append(
            exists().where(
                Evidence.item_id == Item.id,
                Evidence.negated.is_(False),
                or_(*(and_(Evidence.actor == s, Evidence.target == t) for s, t in pairs)),
            )
        )
    if signal:
        conds.append(exists().where(ItemSignal.item_id == Item.id, ItemSignal.signal == signal))
    if place:
        conds.append(exists().where(ItemPlace.item_id == Item.id, ItemPlace.place_id == place))
    stmt = select(Item.id).where(*conds).order_by(Item.score.desc(), Item.id).limit(limit)
    return [int(r[0]) for r in _rows(db, stmt)]


STORY_COLUMNS = (
    "item_id", "story_id", "published_at", "title", "url", "source", "score", "outlets",
    "evidence",
)  # fmt: skip


def stories_of_items(db: Database, item_ids: Iterable[int], limit: int = 3) -> pd.DataFrame:
    """The top ``limit`` stories among ``item_ids``, each once, highest score first.

    Columns: item_id, story_id, published_at, title, url, source, score, outlets (items that
    carried the story), evidence (the first asserted phrase, as ``signal: "text"``, or '').
    """
    ids = sorted({int(i) for i in item_ids})[:2000]
    if not ids:
        return pd.DataFrame(columns=list(STORY_COLUMNS))
    stmt = (
        select(
            Item.id, Item.story_id, Item.published_at, Item.title, Item.url, Feed.name,
            Item.score, func.coalesce(Story.item_count, 1),
        )
        .join(Feed, Feed.id == Item.feed_id)
        .outerjoin(Story, Story.id == Item.story_id)
        .where(Item.id.in_(ids))
        .order_by(Item.score.desc(), Item.published_at.desc(), Item.id)
    )  # fmt: skip
    frame = _frame(db, stmt, STORY_COLUMNS[:-1])
    story = frame["story_id"].astype(object).where(frame["story_id"].notna(), -frame["item_id"])
    frame = frame.loc[~story.duplicated()].head(limit).reset_index(drop=True)
    phrases: dict[int, str] = {}
    if not frame.empty:
        ev = _rows(
            db,
            select(Evidence.item_id, Evidence.signal, Evidence.text)
            .where(
                Evidence.item_id.in_(frame["item_id"].tolist()),
                Evidence.negated.is_(False),
                Evidence.suppressed_by.is_(None),
            )
            .order_by(Evidence.item_id, Evidence.field.desc(), Evidence.start),
        )
        for item_id, signal, text in ev:
            phrases.setdefault(int(item_id), f'{signal}: "{text}"')
    frame["evidence"] = [phrases.get(int(i), "") for i in frame["item_id"]]
    frame["published_at"] = pd.to_datetime(frame["published_at"]).astype("datetime64[ns]")
    return frame.astype({"item_id": int, "score": float, "outlets": int})


def corroborated_stories(
    db: Database,
    start: date,
    end: date,
    min_outlets: int,
    *,
    actors: Sequence[str] = (),
    signal: str | None = None,
    place: str | None = None,
) -> pd.DataFrame:
    """Stories first seen from ``start`` to ``end`` carried by at least ``min_outlets`` feeds.

    Narrowed to stories whose lead names every actor in ``actors`` (and asserts ``signal``,
    names ``place``). Columns: story_id, lead_id, first_seen, outlets (distinct feeds).
    """
    conds = [*_span(Story.first_seen, start, end), Story.first_item_id.is_not(None)]
    lead = Story.first_item_id
    for actor in actors:
        conds.append(exists().where(ItemActor.item_id == lead, ItemActor.actor == actor))
    if signal:
        conds.append(exists().where(ItemSignal.item_id == lead, ItemSignal.signal == signal))
    if place:
        conds.append(exists().where(ItemPlace.item_id == lead, ItemPlace.place_id == place))
    outlets = (
        select(func.count(func.distinct(Item.feed_id)))
        .where(Item.story_id == Story.id)
        .scalar_subquery()
    )
    stmt = (
        select(Story.id, Story.first_item_id, Story.first_seen, outlets)
        .where(*conds, outlets >= min_outlets)
        .order_by(Story.first_seen, Story.id)
    )
    frame = _frame(db, stmt, ["story_id", "lead_id", "first_seen", "outlets"])
    frame["first_seen"] = pd.to_datetime(frame["first_seen"]).astype("datetime64[ns]")
    return frame.astype({"story_id": int, "lead_id": int, "outlets": int})


def story_item_ids(db: Database, story_id: int) -> list[int]:
    """Every item of a story (all the outlets' copies)."""
    return [int(r[0]) for r in _rows(db, select(Item.id).where(Item.story_id == story_id))]


# ---------------------------------------------------------------- firing log (writes)


def _insert(conn, model):  # noqa: ANN001, ANN202 - dialect-specific insert construct
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def _naive(moment: datetime) -> datetime:
    from datetime import UTC

    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def record_firing(db: Database, firing: dict, deliveries: Sequence[dict]) -> bool:
    """Insert a firing and its deliveries in one transaction; False when its key is already there.

    ``firing`` holds the ``alert_firings`` columns (``item_ids`` as a list); each delivery
    ``message_key``, ``rule``, ``channel`` and ``not_before``. A delivery whose
    (message_key, channel) exists — a digest that already has its row — is left as it is.
    """
    values = dict(firing)
    values["item_ids"] = ",".join(str(int(i)) for i in values.get("item_ids") or ())
    values["fired_at"] = _naive(values["fired_at"])
    with write_transaction(_engine(db)) as conn:
        stmt = _insert(conn, AlertFiring).values(**values)
        inserted = conn.execute(
            stmt.on_conflict_do_nothing(index_elements=["key"]).returning(AlertFiring.id)
        ).scalar()
        if inserted is None:
            return False
        for d in deliveries:
            row = {
                "message_key": d["message_key"],
                "rule": d["rule"],
                "channel": d["channel"],
                "status": "pending",
                "attempts": 0,
                "created_at": values["fired_at"],
                "not_before": _naive(d["not_before"]),
            }
            conn.execute(
                _insert(conn, AlertDelivery)
                .values(**row)
                .on_conflict_do_nothing(index_elements=["message_key", "channel"])
            )
    return True


def record_test_delivery(db: Database, message_key: str, rule: str, channel: str,
                         now: datetime) -> int:
    """A delivery row for a test message (so its attempts show in the delivery log); its id."""
    now = _naive(now)
    with write_transaction(_engine(db)) as conn:
        return int(
            conn.execute(
                insert(AlertDelivery)
                .values(message_key=message_key, rule=rule, channel=channel, status="pending",
                        attempts=0, created_at=now, not_before=now)
                .returning(AlertDelivery.id)
            ).scalar_one()
        )  # fmt: skip


def last_live_firing_at(db: Database, rule: str) -> datetime | None:
    """When ``rule`` last fired for delivery (not counting firings its cooldown suppressed)."""
    stmt = select(func.max(AlertFiring.fired_at)).where(
        AlertFiring.rule == rule, AlertFiring.status != "suppressed"
    )
    value = _rows(db, stmt)[0][0]
    return datetime.fromisoformat(value) if isinstance(value, str) else value


DUE_COLUMNS = ("delivery_id", "message_key", "rule", "channel", "attempts", "not_before")


def due_deliveries(
    db: Database, now: datetime, *, rules: Sequence[str] | None = None, limit: int = 200
) -> pd.DataFrame:
    """Deliveries waiting to be sent at ``now`` (pending or failed, not leased): ``DUE_COLUMNS``."""
    now = _naive(now)
    conds = [
        AlertDelivery.status.in_(("pending", "failed")),
        AlertDelivery.not_before <= now,
        or_(AlertDelivery.lease_until.is_(None), AlertDelivery.lease_until < now),
    ]
    if rules is not None:
        conds.append(AlertDelivery.rule.in_(list(rules)))
    stmt = (
        select(
            AlertDelivery.id, AlertDelivery.message_key, AlertDelivery.rule,
            AlertDelivery.channel, AlertDelivery.attempts, AlertDelivery.not_before,
        )
        .where(*conds)
        .order_by(AlertDelivery.not_before, AlertDelivery.id)
        .limit(limit)
    )  # fmt: skip
    return _frame(db, stmt, DUE_COLUMNS)


def claim_delivery(db: Database, delivery_id: int, owner: str, now: datetime,
                   lease: timedelta) -> bool:
    """Take the lease on one delivery; True for exactly one of several workers trying at once."""
    now = _naive(now)
    with write_transaction(_engine(db)) as conn:
        result = conn.execute(
            update(AlertDelivery)
            .where(
                AlertDelivery.id == delivery_id,
                AlertDelivery.status.in_(("pending", "failed")),
                or_(AlertDelivery.lease_until.is_(None), AlertDelivery.lease_until < now),
            )
            .values(lease_owner=owner, lease_until=now + lease)
        )
        return result.rowcount == 1


def finish_delivery(
    db: Database,
    delivery_id: int,
    owner: str,
    *,
    started_at: datetime,
    ok: bool,
    error: str | None,
    duration_ms: int,
    retry_at: datetime | None = None,
) -> None:
    """Log one attempt and settle the delivery: sent, or failed and due again at ``retry_at``."""
    started_at = _naive(started_at)
    with write_transaction(_engine(db)) as conn:
        conn.execute(
            insert(AlertAttempt).values(
                delivery_id=delivery_id, started_at=started_at, ok=ok,
                error=(error or None) and error[:2000], duration_ms=duration_ms,
            )
        )  # fmt: skip
        values: dict = {
            "attempts": AlertDelivery.attempts + 1,
            "lease_owner": None,
            "lease_until": None,
            "last_error": (error or None) and error[:2000],
        }
        if ok:
            values.update(status="sent", sent_at=started_at + timedelta(milliseconds=duration_ms))
        else:
            values.update(status="failed", not_before=_naive(retry_at or started_at))
        conn.execute(
            update(AlertDelivery)
            .where(AlertDelivery.id == delivery_id, AlertDelivery.lease_owner == owner)
            .values(**values)
        )


FIRING_COLUMNS = (
    "firing_id", "key", "rule", "kind", "severity", "subject", "window_start", "window_end",
    "value", "baseline", "change_pct", "threshold", "why", "item_ids", "fired_at", "status",
    "message_key",
)  # fmt: skip


def _firing_frame(db: Database, stmt) -> pd.DataFrame:  # noqa: ANN001
    frame = _frame(db, stmt, FIRING_COLUMNS)
    frame["item_ids"] = [
        [int(i) for i in str(v).split(",") if i] if isinstance(v, str) else []
        for v in frame["item_ids"]
    ]
    for col in ("window_start", "window_end"):
        frame[col] = pd.to_datetime(frame[col]).dt.date
    frame["fired_at"] = pd.to_datetime(frame["fired_at"]).astype("datetime64[ns]")
    return frame


def _firing_select():  # noqa: ANN202
    t = AlertFiring
    return select(
        t.id, t.key, t.rule, t.kind, t.severity, t.subject, t.window_start, t.window_end,
        t.value, t.baseline, t.change_pct, t.threshold, t.why, t.item_ids, t.fired_at,
        t.status, t.message_key,
    )  # fmt: skip


def firings_for_message(db: Database, message_key: str) -> pd.DataFrame:
    """The firings one message reports (one, or a digest's batch), oldest first."""
    stmt = (
        _firing_select()
        .where(AlertFiring.message_key == message_key)
        .order_by(AlertFiring.fired_at, AlertFiring.id)
    )
    return _firing_frame(db, stmt)


def digest_firings(db: Database, rule: str, since: datetime) -> pd.DataFrame:
    """A rule's firings recorded since ``since``: ``FIRING_COLUMNS``, oldest first."""
    stmt = (
        _firing_select()
        .where(AlertFiring.rule == rule, AlertFiring.fired_at >= _naive(since))
        .order_by(AlertFiring.fired_at, AlertFiring.id)
    )
    return _firing_frame(db, stmt)


def alert_firings(db: Database, limit: int = 200, rule: str | None = None) -> pd.DataFrame:
    """The newest firings first (``FIRING_COLUMNS``): the Alerts page and the Atom feed."""
    stmt = _firing_select()
    if rule:
        stmt = stmt.where(AlertFiring.rule == rule)
    stmt = stmt.order_by(AlertFiring.fired_at.desc(), AlertFiring.id.desc()).limit(limit)
    return _firing_frame(db, stmt)


DELIVERY_COLUMNS = (
    "delivery_id", "rule", "channel", "message_key", "status", "attempts", "created_at",
    "not_before", "sent_at", "last_error",
)  # fmt: skip


def alert_deliveries(db: Database, limit: int = 200) -> pd.DataFrame:
    """The newest deliveries with their state, newest first: ``DELIVERY_COLUMNS``."""
    d = AlertDelivery
    stmt = (
        select(d.id, d.rule, d.channel, d.message_key, d.status, d.attempts, d.created_at,
               d.not_before, d.sent_at, d.last_error)
        .order_by(d.id.desc())
        .limit(limit)
    )  # fmt: skip
    frame = _frame(db, stmt, DELIVERY_COLUMNS)
    for col in ("created_at", "not_before", "sent_at"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    return frame


def set_rule_enabled(db: Database, rule: str, enabled: bool, now: datetime) -> None:
    """Switch a rule on or off (overrides ``enabled`` in the rules file until switched back)."""
    with write_transaction(_engine(db)) as conn:
        conn.execute(delete(AlertRuleState).where(AlertRuleState.rule == rule))
        conn.execute(
            insert(AlertRuleState).values(rule=rule, enabled=enabled, updated_at=_naive(now))
        )


def rule_switches(db: Database) -> dict[str, bool]:
    """Rules switched on or off from the dashboard: rule name → enabled."""
    rows = _rows(db, select(AlertRuleState.rule, AlertRuleState.enabled))
    return {str(r): bool(e) for r, e in rows}
