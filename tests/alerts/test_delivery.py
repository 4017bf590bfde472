"""Delivery against real receivers on 127.0.0.1: a webhook that hangs, fails, redirects to a
private address or is private itself; retries on a later run lose nothing; the Atom file."""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from werkzeug import Request, Response

from alerts import load_rules, run_once
from alerts.deliver import send_webhook
from alerts.errors import DeliveryError
from alerts.messages import Message
from alerts.rules import Channel
from storage import alerts_store

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def _no_sleep(_seconds: float) -> None:
    return None


def _attempts(db: str) -> list[tuple[str, str, int]]:
    frame = alerts_store.alert_deliveries(db)
    return sorted(zip(frame["channel"], frame["status"], frame["attempts"], strict=True))


def test_a_hanging_webhook_delays_nothing_else_and_is_retried_later(
    sample_db_url, smtp_sink, httpserver, write_rules, srb_kos
) -> None:
    release = threading.Event()
    posts: list[dict] = []

    def hang(request: Request) -> Response:
        release.wait(5)
        return Response("late")

    httpserver.expect_ordered_request("/hook", method="POST").respond_with_handler(hang)
    rules = load_rules(write_rules(srb_kos(smtp_port=smtp_sink.port,
                                           webhook=httpserver.url_for("/hook"))))  # fmt: skip
    started = time.monotonic()
    report = run_once(sample_db_url, rules, now=NOW, sleep=_no_sleep)
    elapsed = time.monotonic() - started
    release.set()
    assert report.fired == 1
    assert {(d.channel, d.status) for d in report.deliveries} == {("mail", "sent"),
                                                                  ("hook", "failed")}
    hook = next(d for d in report.deliveries if d.channel == "hook")
    assert "no answer" in hook.error
    assert elapsed < 2 + 8  # one 2 s timeout, not a hang (slack for a busy machine)
    assert len(smtp_sink.messages) == 1

    # Not due again until its backoff has passed; then the receiver answers and gets it.
    httpserver.clear()

    def ok(request: Request) -> Response:
        posts.append(json.loads(request.get_data()))
        return Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(ok)
    soon = run_once(sample_db_url, rules, now=NOW + timedelta(seconds=1), sleep=_no_sleep)
    assert soon.deliveries == [] and posts == []
    later = run_once(sample_db_url, rules, now=NOW + timedelta(minutes=5), sleep=_no_sleep)
    assert [(d.channel, d.status) for d in later.deliveries] == [("hook", "sent")]
    assert len(posts) == 1 and posts[0]["firings"][0]["rule"] == "srb-kos-rise"
    assert _attempts(sample_db_url) == [("hook", "sent", 2), ("mail", "sent", 1)]
    assert len(smtp_sink.messages) == 1


def test_a_500_is_retried_within_the_run_with_bounded_attempts(
    sample_db_url, httpserver, write_rules, srb_kos
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("boom", status=500)
    text = srb_kos(webhook=httpserver.url_for("/hook"),
                   settings="timeout = 2\nattempts_per_run = 3\nbackoff = 0\n")  # fmt: skip
    rules = load_rules(write_rules(text))
    report = run_once(sample_db_url, rules, now=NOW)
    (outcome,) = report.deliveries
    assert outcome.status == "failed" and outcome.attempts == 3 and "HTTP 500" in outcome.error
    assert len(httpserver.log) == 3
    log = alerts_store.alert_deliveries(sample_db_url)
    assert log.loc[0, "status"] == "failed" and log.loc[0, "attempts"] == 3


def test_a_redirect_to_a_private_address_is_not_followed(
    sample_db_url, httpserver, write_rules, srb_kos
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_response(
        Response("", status=307, headers={"Location": "http://10.0.0.1/internal"})
    )
    rules = load_rules(write_rules(srb_kos(webhook=httpserver.url_for("/hook"))))
    (outcome,) = run_once(sample_db_url, rules, now=NOW).deliveries
    assert outcome.status == "failed"
    assert "redirect to http://10.0.0.1/internal not followed" in outcome.error
    assert len(httpserver.log) == 1


def test_a_private_webhook_address_is_refused_without_allow_private(httpserver) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    channel = Channel(name="hook", type="webhook", url=httpserver.url_for("/hook"))
    message = Message("k", "r", "info", "s", "t", {"text": "t"})
    with pytest.raises(DeliveryError, match="private or reserved address"):
        send_webhook(channel, message, timeout=2, environ={})
    assert httpserver.log == []
    allowed = Channel(name="hook", type="webhook", url=httpserver.url_for("/hook"),
                      allow_private=True)  # fmt: skip
    send_webhook(allowed, message, timeout=2, environ={})
    assert len(httpserver.log) == 1


def test_webhook_url_from_the_environment(httpserver) -> None:
    httpserver.expect_request("/secret").respond_with_data("ok")
    channel = Channel(name="hook", type="webhook", url_env="HOOK_URL", allow_private=True)
    message = Message("k", "r", "info", "s", "t", {"text": "t"})
    with pytest.raises(DeliveryError, match=r"\$HOOK_URL"):
        send_webhook(channel, message, timeout=2, environ={})
    send_webhook(channel, message, timeout=2, environ={"HOOK_URL": httpserver.url_for("/secret")})
    assert len(httpserver.log) == 1


def test_smtp_down_is_recorded_and_later_delivered(
    sample_db_url, smtp_sink, write_rules, srb_kos
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    down = load_rules(write_rules(srb_kos(smtp_port=closed), "down.toml"))
    (outcome,) = run_once(sample_db_url, down, now=NOW, sleep=_no_sleep).deliveries
    assert outcome.status == "failed" and "cannot reach 127.0.0.1" in outcome.error
    up = load_rules(write_rules(srb_kos(smtp_port=smtp_sink.port), "up.toml"))
    report = run_once(sample_db_url, up, now=NOW + timedelta(hours=1), sleep=_no_sleep)
    assert report.fired == 0 and [d.status for d in report.deliveries] == ["sent"]
    assert len(smtp_sink.messages) == 1


def test_starttls_required_but_not_offered_fails_clearly(
    sample_db_url, smtp_sink, write_rules, srb_kos
) -> None:
    text = srb_kos(smtp_port=smtp_sink.port).replace(
        'to = ["desk@newsroom.test"]', 'to = ["desk@newsroom.test"]\nstarttls = true'
    )
    rules = load_rules(write_rules(text))
    (outcome,) = run_once(sample_db_url, rules, now=NOW, sleep=_no_sleep).deliveries
    assert outcome.status == "failed" and "does not offer STARTTLS" in outcome.error
    assert smtp_sink.messages == []


def test_atom_file_parses_and_lists_the_firings(sample_db_url, write_rules, srb_kos,
                                                tmp_path) -> None:
    atom = tmp_path / "out" / "alerts.atom"
    extra = """
[[rule]]
name = "srb-first-signals"
actor = "SRB"
when = "first_seen"
baseline_weeks = 0
lookback_days = 30
channels = ["feed"]
"""
    rules = load_rules(write_rules(srb_kos(atom=atom, extra=extra)))
    report = run_once(sample_db_url, rules, now=NOW, as_of=None)
    assert report.fired >= 1 and all(d.status == "sent" for d in report.deliveries)
    feed = feedparser.parse(atom.read_bytes())
    assert not feed.bozo
    assert feed.feed.title == "Balkan Tension Monitor alerts"
    assert len(feed.entries) == report.fired
    ids = {e.id for e in feed.entries}
    assert "urn:tension-alert:srb-kos-rise|rise|SRB↔KOS|2025-10-22" in ids
