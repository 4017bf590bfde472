"""Cooldown, digest and quiet hours hold; a firing is sent once across two concurrent
``alerts run`` processes and across a restart; switches from the dashboard hold."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from alerts import load_rules, run_once
from storage import alerts_store

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # 13:00 in Belgrade

# Two SRB rules that fire several times over the sample's history (2022-2025).
SPIKES = """
[[rule]]
name = "srb-spikes"
actor = "SRB"
when = "spike"
lookback_days = 1500
channels = ["mail"]
{extra}
"""


def _mail_rules(write_rules, srb_kos, smtp_port: int, extra: str, settings: str = "") -> object:
    text = srb_kos(smtp_port=smtp_port, extra=SPIKES.format(extra=extra),
                   settings=f"timeout = 2\nattempts_per_run = 1\n{settings}")  # fmt: skip
    # Only the spike rule matters here: switch the pair rule off in the file.
    text = text.replace('lookback_days = 120\nchannels = ["mail"]',
                        'lookback_days = 120\nchannels = ["mail"]\nenabled = false')  # fmt: skip
    return load_rules(write_rules(text))


def test_cooldown_sends_one_message_and_records_the_rest(
    sample_db_url, smtp_sink, write_rules, srb_kos
) -> None:
    rules = _mail_rules(write_rules, srb_kos, smtp_sink.port, "cooldown_hours = 24")
    report = run_once(sample_db_url, rules, now=NOW)
    assert report.fired == 1 and report.suppressed >= 3
    assert len(smtp_sink.messages) == 1
    log = alerts_store.alert_firings(sample_db_url)
    assert (log["status"] == "suppressed").sum() == report.suppressed
    # After the cooldown a new firing would be sent again; the old ones never are.
    later = run_once(sample_db_url, rules, now=NOW + timedelta(days=2))
    assert later.fired == 0 and later.already_recorded == report.fired + report.suppressed
    assert len(smtp_sink.messages) == 1


def test_without_cooldown_every_firing_is_its_own_message(
    sample_db_url, smtp_sink, write_rules, srb_kos
) -> None:
    rules = _mail_rules(write_rules, srb_kos, smtp_sink.port, "")
    report = run_once(sample_db_url, rules, now=NOW)
    assert report.fired >= 4 and len(smtp_sink.messages) == report.fired


def test_digest_batches_a_periods_firings_into_one_message(
    sample_db_url, smtp_sink, write_rules, srb_kos
) -> None:
    rules = _mail_rules(write_rules, srb_kos, smtp_sink.port, 'digest = "daily"',
                        'timezone = "Europe/Belgrade"')  # fmt: skip
    report = run_once(sample_db_url, rules, now=NOW)
    assert report.fired >= 4 and smtp_sink.messages == []  # the day is not over yet
    same_day = run_once(sample_db_url, rules, now=NOW + timedelta(hours=5))
    assert same_day.deliveries == [] and smtp_sink.messages == []
    # Midnight in Belgrade is 23:00 UTC.
    next_day = run_once(sample_db_url, rules, now=datetime(2026, 1, 5, 23, 1, tzinfo=UTC))
    assert [d.status for d in next_day.deliveries] == ["sent"]
    (mail,) = smtp_sink.messages
    assert f"digest of {report.fired} firings" in mail["Subject"]
    assert mail.get_content().count("Why:") == report.fired


def test_quiet_hours_hold_messages_until_they_end_except_critical(
    sample_db_url, smtp_sink, write_rules, srb_kos
) -> None:
    quiet = 'quiet_hours = "22:00-07:00"\ncooldown_hours = 24'
    rules = _mail_rules(write_rules, srb_kos, smtp_sink.port, quiet, 'timezone = "Europe/Belgrade"')
    night = datetime(2026, 1, 5, 23, 30, tzinfo=UTC)  # 00:30 in Belgrade
    report = run_once(sample_db_url, rules, now=night)
    assert report.fired == 1 and report.deliveries == [] and smtp_sink.messages == []
    still = run_once(sample_db_url, rules, now=night + timedelta(hours=5))  # 05:30 local
    assert still.deliveries == [] and smtp_sink.messages == []
    morning = run_once(sample_db_url, rules, now=night + timedelta(hours=6, minutes=31))
    assert [d.status for d in morning.deliveries] == ["sent"] and len(smtp_sink.messages) == 1


def test_critical_rules_ignore_quiet_hours(sample_db_url, smtp_sink, write_rules, srb_kos) -> None:
    extra = 'quiet_hours = "22:00-07:00"\ncooldown_hours = 24\nseverity = "critical"'
    rules = _mail_rules(write_rules, srb_kos, smtp_sink.port, extra)
    run_once(sample_db_url, rules, now=datetime(2026, 1, 5, 23, 30, tzinfo=UTC))
    (mail,) = smtp_sink.messages
    assert mail["Subject"].startswith("[critical]")


def test_switching_a_rule_off_in_the_database_wins_over_the_file(
    sample_db_url, smtp_sink, write_rules, srb_kos
) -> None:
    rules = load_rules(write_rules(srb_kos(smtp_port=smtp_sink.port)))
    alerts_store.set_rule_enabled(sample_db_url, "srb-kos-rise", False, NOW)
    assert run_once(sample_db_url, rules, now=NOW).rules == 0
    alerts_store.set_rule_enabled(sample_db_url, "srb-kos-rise", True, NOW)
    assert run_once(sample_db_url, rules, now=NOW).fired == 1


def _run_process(rules: Path, db: str) -> subprocess.Popen:
    env = {**os.environ, "TENSION_DB_URL": db, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "alerts", "run", "--rules", str(rules), "--json"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_two_concurrent_runs_and_a_restart_send_the_alert_once(
    sample_db_url, smtp_sink, write_rules, srb_kos
) -> None:
    rules = write_rules(srb_kos(smtp_port=smtp_sink.port))
    procs = [_run_process(rules, sample_db_url) for _ in range(2)]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        reports.append(json.loads(out))
    assert sorted(r["fired"] for r in reports) == [0, 1]
    assert sum(r["sent"] for r in reports) == 1
    assert len(smtp_sink.messages) == 1
    # A restart (a fresh process) finds the firing recorded and the message sent.
    restart = _run_process(rules, sample_db_url)
    out, err = restart.communicate(timeout=120)
    assert restart.returncode == 0, err
    assert json.loads(out)["already_recorded"] == 1 and json.loads(out)["sent"] == 0
    assert len(smtp_sink.messages) == 1
    assert len(alerts_store.alert_firings(sample_db_url)) == 1


def test_evaluation_is_as_of_the_newest_data_day_and_never_the_future(
    sample_db_url, write_rules, srb_kos, tmp_path
) -> None:
    rules = load_rules(write_rules(srb_kos(atom=tmp_path / "a.atom")))
    report = run_once(sample_db_url, rules, now=NOW)
    assert report.as_of == "2025-12-16"
    early = run_once(sample_db_url, rules, now=NOW, as_of=date(2025, 9, 1))
    assert early.as_of == "2025-09-01" and early.fired == 0  # 120 days before hold no onset
