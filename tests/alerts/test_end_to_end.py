"""The done-when check: on the sample database, the rule "SRB↔KOS rise >= 50% over 4 weeks"
delivers one e-mail to a local SMTP server and one webhook POST; a second run sends nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import feedparser
from werkzeug import Request, Response

ROOT = Path(__file__).resolve().parents[2]


def _alerts(*args: str, db: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TENSION_DB_URL": db, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "alerts", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip


def test_sample_rule_delivers_once_by_mail_and_webhook(
    sample_db_url, smtp_sink, httpserver, write_rules, srb_kos, tmp_path
) -> None:
    posts: list[dict] = []

    def receive(request: Request) -> Response:
        posts.append(json.loads(request.get_data()))
        return Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(receive)
    atom = tmp_path / "alerts.atom"
    rules = write_rules(srb_kos(smtp_port=smtp_sink.port, webhook=httpserver.url_for("/hook"),
                                atom=atom))  # fmt: skip

    first = _alerts("run", "--rules", str(rules), "--json", db=sample_db_url)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["fired"] == 1 and report["sent"] == 3 and report["failed"] == 0
    assert len(smtp_sink.messages) == 1 and len(posts) == 1

    mail = smtp_sink.messages[0]
    body = mail.get_content()
    assert "srb-kos-rise" in mail["Subject"] and "SRB↔KOS" in mail["Subject"]
    assert "Why:" in body and "from nothing" in body and "4 weeks" in body
    assert "[item " in body and "evidence:" in body  # the story behind it, with its phrase
    post = posts[0]
    assert post["text"].startswith("[warning] srb-kos-rise")
    firing = post["firings"][0]
    assert firing["window_end"] == "2025-10-22" and firing["value"] == 3.0
    assert firing["item_ids"] and firing["stories"][0]["evidence"]

    second = _alerts("run", "--rules", str(rules), "--json", db=sample_db_url)
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)
    assert again["fired"] == 0 and again["already_recorded"] == 1 and again["sent"] == 0
    assert len(smtp_sink.messages) == 1 and len(posts) == 1

    feed = feedparser.parse(atom.read_bytes())
    assert not feed.bozo and len(feed.entries) == 1
    assert "SRB↔KOS" in feed.entries[0].title and "2025-10-22" in feed.entries[0].summary


def test_listing_and_test_send(sample_db_url, smtp_sink, write_rules, srb_kos) -> None:
    rules = write_rules(srb_kos(smtp_port=smtp_sink.port))
    listed = _alerts("list", "--rules", str(rules), "--json", db=sample_db_url)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["rules"][0]["last_fired_at"] is None
    sent = _alerts("test", "srb-kos-rise", "--rules", str(rules), db=sample_db_url)
    assert sent.returncode == 0, sent.stderr
    assert "sent" in sent.stdout
    assert smtp_sink.messages[0]["Subject"].startswith("[TEST]")
    unknown = _alerts("test", "no-such-rule", "--rules", str(rules), db=sample_db_url)
    assert unknown.returncode == 2 and "no-such-rule" in unknown.stderr
    assert "Traceback" not in unknown.stderr and len(unknown.stderr.strip().splitlines()) == 1


def test_unusable_rules_or_database_exit_2_with_one_line(tmp_path, write_rules) -> None:
    bad = write_rules('[[rule]]\nname = "x"\nwhen = "soon"\nactor = "SRB"\nchannels = []\n')
    out = _alerts("run", "--rules", str(bad), db=f"sqlite:///{tmp_path / 'x.db'}")
    assert out.returncode == 2
    assert str(bad) in out.stderr and "rule 'x'" in out.stderr and "when" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    good = write_rules('[[channel]]\nname = "f"\ntype = "atom"\npath = "a.atom"\n', "ok.toml")
    blocked = tmp_path / "file"
    blocked.write_text("")
    out = _alerts("run", "--rules", str(good), db=f"sqlite:///{blocked}/sub/x.db")
    assert out.returncode == 2 and "unusable" in out.stderr and "Traceback" not in out.stderr


def test_the_ingest_watch_loop_evaluates_alerts_after_a_round(
    db_url, write_rules, srb_kos, tmp_path
) -> None:
    atom = tmp_path / "alerts.atom"
    rules = write_rules(srb_kos(atom=atom))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENSION_")}
    env.update(TENSION_ALERTS_FILE=str(rules), PYTHONPATH=str(ROOT))
    samples = sorted((ROOT / "data" / "sample").glob("*.xml"))
    with subprocess.Popen(
        [sys.executable, "-m", "ingest", *map(str, samples), "--db", db_url, "--json",
         "--watch", "--interval", "600"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as process:
        first = json.loads(process.stdout.readline())
        # The alerts round follows the report line; wait for its Atom file.
        for _ in range(600):
            if atom.exists() or process.poll() is not None:
                break
            time.sleep(0.1)
        process.terminate()
        _, err = process.communicate(timeout=60)
    assert first["new"] == 373
    assert atom.exists(), err[-2000:]
    assert "alerts: 1 fired, 1 sent" in err
    entries = feedparser.parse(atom.read_bytes()).entries
    assert [e.id for e in entries] == ["urn:tension-alert:srb-kos-rise|rise|SRB↔KOS|2025-10-22"]
