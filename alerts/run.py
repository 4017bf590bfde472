"""One round of alerts: evaluate every enabled rule, record new firings, deliver what is due.

The orchestrator (like ``ingest.pipeline``): ``evaluate`` finds firings, ``storage``
records them (insert-or-skip on the key) with one delivery per channel, and due
deliveries are claimed with a lease and sent in parallel threads, so a hanging or
failing receiver costs at most its own timeouts and holds up no other channel. A
failed delivery stays in the database and is due again after a backoff, on a later run.

Cooldown: a rule that fired for delivery less than ``cooldown_hours`` ago records the new
firing as ``suppressed`` and sends nothing. Digest: a rule's firings of one hour or day
share one message, sent when the period is over. Quiet hours (read in the settings' time
zone): messages wait until they end, except ``critical`` ones.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from alerts.deliver import send
from alerts.errors import DeliveryError
from alerts.evaluate import Firing, evaluate_rule
from alerts.messages import Message, compose
from alerts.rules import Rule, RuleSet
from storage import alerts_store, queries

__all__ = [
    "DeliveryOutcome",
    "RunReport",
    "deliver_due",
    "digest_period",
    "quiet_until",
    "run_once",
    "send_test",
]

LEASE = timedelta(minutes=10)
MAX_RETRY_DELAY = timedelta(hours=6)
_PARALLEL = 4


@dataclass(frozen=True)
class DeliveryOutcome:
    """What happened to one delivery in this run."""

    rule: str
    channel: str
    message_key: str
    status: str  # sent | failed | skipped (another worker holds it)
    attempts: int = 0
    error: str | None = None


@dataclass
class RunReport:
    """What one round did, for the CLI's text and ``--json`` output."""

    as_of: str | None = None
    rules: int = 0
    fired: int = 0
    suppressed: int = 0
    already_recorded: int = 0
    deliveries: list[DeliveryOutcome] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(d.status == "sent" for d in self.deliveries)

    @property
    def failed(self) -> int:
        return sum(d.status == "failed" for d in self.deliveries)

    def as_json(self) -> dict:
        return {
            "as_of": self.as_of,
            "rules": self.rules,
            "fired": self.fired,
            "suppressed": self.suppressed,
            "already_recorded": self.already_recorded,
            "sent": self.sent,
            "failed": self.failed,
            "deliveries": [asdict(d) for d in self.deliveries],
        }


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def quiet_until(rule: Rule, moment: datetime, zone: str) -> datetime | None:
    """When the rule's quiet hours around ``moment`` end (UTC), or None when not quiet."""
    if rule.quiet_hours is None or rule.severity == "critical":
        return None
    start, end = rule.quiet_hours
    local = moment.astimezone(ZoneInfo(zone))
    now = local.time().replace(tzinfo=None)
    inside = start <= now < end if start < end else (now >= start or now < end)
    if not inside:
        return None
    finish = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if finish <= local:
        finish += timedelta(days=1)
    return finish.astimezone(UTC)


def digest_period(rule: Rule, moment: datetime, zone: str) -> tuple[datetime, datetime]:
    """The digest period holding ``moment``: its start and end (UTC), an hour or a local day."""
    local = moment.astimezone(ZoneInfo(zone))
    if rule.digest == "hourly":
        begin = local.replace(minute=0, second=0, microsecond=0)
        end = begin + timedelta(hours=1)
    else:
        begin = local.replace(hour=0, minute=0, second=0, microsecond=0)
        end = (begin + timedelta(days=1)).replace(hour=0)
    return begin.astimezone(UTC), end.astimezone(UTC)


def _plan(db: str, rule: Rule, firing: Firing, now: datetime, zone: str) -> tuple[dict, list]:
    """The firing row and its deliveries, after cooldown, digest and quiet hours."""
    row = {**asdict(firing), "fired_at": now, "status": "delivering", "message_key": firing.key}
    not_before = now
    if rule.digest != "none":
        begin, end = digest_period(rule, now, zone)
        row["status"] = "digest"
        row["message_key"] = f"digest|{rule.name}|{begin.isoformat()}"
        not_before = end
    elif rule.cooldown_hours:
        last = alerts_store.last_live_firing_at(db, rule.name)
        if last is not None and now.astimezone(UTC).replace(tzinfo=None) - last < timedelta(
            hours=rule.cooldown_hours
        ):
            row["status"] = "suppressed"
            row["message_key"] = None
            return row, []
    quiet = quiet_until(rule, not_before, zone)
    if quiet is not None:
        not_before = quiet
    deliveries = [
        {"message_key": row["message_key"], "rule": rule.name, "channel": ch,
         "not_before": not_before}
        for ch in rule.channels
    ]  # fmt: skip
    return row, deliveries


def run_once(
    db: str,
    ruleset: RuleSet,
    *,
    now: datetime | None = None,
    as_of: date | None = None,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RunReport:
    """Evaluate every enabled rule as of ``as_of`` (default: the newest data day), then deliver.

    Also sends every earlier delivery that has fallen due (a retry, a digest, the end of
    quiet hours). Raises ``StorageError`` when the database is unusable.
    """
    now = now or datetime.now(UTC)
    environ = os.environ if environ is None else environ
    switches = alerts_store.rule_switches(db)
    active = [r for r in ruleset.rules if switches.get(r.name, r.enabled)]
    report = RunReport(rules=len(active))
    day = as_of or queries.latest_day(db)
    if day is not None:
        day = min(day, now.astimezone(UTC).date())
        report.as_of = day.isoformat()
        for rule in active:
            for firing in evaluate_rule(db, rule, day):
                row, deliveries = _plan(db, rule, firing, now, ruleset.settings.timezone)
                if not alerts_store.record_firing(db, row, deliveries):
                    report.already_recorded += 1
                elif row["status"] == "suppressed":
                    report.suppressed += 1
                else:
                    report.fired += 1
    report.deliveries = deliver_due(db, ruleset, now=now, environ=environ, sleep=sleep)
    return report


def _retry_at(moment: datetime, attempts: int, base: float) -> datetime:
    delay = timedelta(seconds=base * 2 ** max(attempts - 1, 0))
    return moment + min(delay, MAX_RETRY_DELAY)


def _feed(db: str, channel: str, ruleset: RuleSet) -> pd.DataFrame:
    names = [r.name for r in ruleset.rules if channel in r.channels]
    frame = alerts_store.alert_firings(db, limit=ruleset.channels[channel].entries * 4)
    frame = frame[(frame["status"] != "suppressed") & frame["rule"].isin(names)]
    return frame.reset_index(drop=True)


def _deliver_one(
    db: str,
    ruleset: RuleSet,
    due: object,
    owner: str,
    now: datetime,
    environ: Mapping[str, str],
    sleep: Callable[[float], None],
    message: Message | None = None,
) -> DeliveryOutcome:
    rule, channel_name, key = due.rule, due.channel, due.message_key  # type: ignore[attr-defined]
    if not alerts_store.claim_delivery(db, int(due.delivery_id), owner, now, LEASE):  # type: ignore[attr-defined]
        return DeliveryOutcome(rule, channel_name, key, "skipped")
    settings = ruleset.settings
    channel = ruleset.channels.get(channel_name)
    attempts, error = 0, None
    previous = int(due.attempts)  # type: ignore[attr-defined]
    for attempt in range(settings.attempts_per_run):
        started = datetime.now(UTC)
        clock = time.monotonic()
        attempts += 1
        try:
            if channel is None:
                raise DeliveryError(channel_name, "this channel is no longer in the rules file")
            if message is None:
                firings = alerts_store.firings_for_message(db, key)
                if firings.empty:
                    raise DeliveryError(channel_name, f"no firing recorded for {key}")
                message = compose(db, key, firings, dashboard_url=settings.dashboard_url)
            feed = _feed(db, channel_name, ruleset) if channel.type == "atom" else None
            send(channel, message, timeout=settings.timeout, environ=environ, feed=feed)
        except DeliveryError as exc:
            error = exc.reason
            last = attempt == settings.attempts_per_run - 1
            # Backoff counts from the run's clock (``now``), which tests and --as-of runs set.
            retry = _retry_at(now, previous + attempts, settings.retry_after)
            alerts_store.finish_delivery(
                db, int(due.delivery_id), owner, started_at=started, ok=False, error=error,  # type: ignore[attr-defined]
                duration_ms=int((time.monotonic() - clock) * 1000),
                retry_at=retry if last else now,
            )  # fmt: skip
            if last or not alerts_store.claim_delivery(
                db, int(due.delivery_id), owner, now, LEASE  # type: ignore[attr-defined]
            ):
                return DeliveryOutcome(rule, channel_name, key, "failed", attempts, error)
            sleep(settings.backoff * 2**attempt)
            continue
        alerts_store.finish_delivery(
            db, int(due.delivery_id), owner, started_at=started, ok=True, error=None,  # type: ignore[attr-defined]
            duration_ms=int((time.monotonic() - clock) * 1000),
        )  # fmt: skip
        return DeliveryOutcome(rule, channel_name, key, "sent", attempts)
    return DeliveryOutcome(rule, channel_name, key, "failed", attempts, error)


def deliver_due(
    db: str,
    ruleset: RuleSet,
    *,
    now: datetime | None = None,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[DeliveryOutcome]:
    """Send every delivery due at ``now``, several at once; one slow receiver delays no other."""
    now = now or datetime.now(UTC)
    environ = os.environ if environ is None else environ
    due = alerts_store.due_deliveries(db, now)
    if due.empty:
        return []
    owner = _owner()
    rows = list(due.itertuples())
    with ThreadPoolExecutor(max_workers=min(_PARALLEL, len(rows))) as pool:
        futures = [
            pool.submit(_deliver_one, db, ruleset, r, owner, now, environ, sleep) for r in rows
        ]
        return [f.result() for f in futures]


def send_test(
    db: str,
    ruleset: RuleSet,
    rule_name: str,
    *,
    now: datetime | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[DeliveryOutcome]:
    """Send a test message for one rule to its channels now (logged; no firing recorded).

    The message shows the rule's newest firing, or, when it never fired, what the rule
    watches, so a receiver sees the real layout.
    """
    rule = ruleset.rule(rule_name)
    now = now or datetime.now(UTC)
    environ = os.environ if environ is None else environ
    firings = alerts_store.alert_firings(db, limit=1, rule=rule.name)
    if firings.empty:
        today = now.date()
        firings = pd.DataFrame(
            [{"key": f"test|{rule.name}", "rule": rule.name, "kind": rule.kind,
              "severity": rule.severity, "subject": rule.subject, "window_start": today,
              "window_end": today, "value": None, "baseline": None, "change_pct": None,
              "threshold": None, "item_ids": [], "fired_at": now.replace(tzinfo=None),
              "why": f"Test of rule {rule.name}: it has not fired yet."}]
        )  # fmt: skip
    key = f"test|{rule.name}|{now.isoformat()}"
    message = compose(db, key, firings, dashboard_url=ruleset.settings.dashboard_url, test=True)
    outcomes = []
    owner = _owner()
    for channel in rule.channels:
        delivery_id = alerts_store.record_test_delivery(db, key, rule.name, channel, now)
        due = pd.Series(
            {"delivery_id": delivery_id, "rule": rule.name, "channel": channel,
             "message_key": key, "attempts": 0}
        )  # fmt: skip
        outcomes.append(
            _deliver_one(db, ruleset, due, owner, now, environ, lambda _s: None, message)
        )
    return outcomes
