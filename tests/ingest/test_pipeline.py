"""The orchestrator end to end: served feeds → the real CLI/pipeline → a real database.

Every failure kind of issue 2 ("Reliability it must show") runs beside a healthy
feed in the same run: the failure must land on *that* feed (a fetch-log row and
``feeds.last_error``) while the healthy feed stores its items. Feeds are served
from 127.0.0.1 only (pytest-httpserver, or the raw socket server of
``tests/ingest/conftest.py`` for what Werkzeug cannot do).
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select, text
from werkzeug import Request, Response

from ingest.cli import main
from ingest.config import load_config
from ingest.pipeline import BATCH_SIZE, PollPolicy, poll_due
from storage import get_engine
from storage.models import Feed, FetchLog
from tests.conftest import use_postgres

pytestmark = pytest.mark.timeout(120)

FEEDS_DIR = Path(__file__).resolve().parent.parent / "data" / "feeds"
MAX_BODY = 1_000_000
INTERVAL = timedelta(minutes=15)


# --------------------------------------------------------------------------- helpers


def rss(tag: str, count: int = 3, *, first: int = 0) -> bytes:
    """A well-formed RSS 2.0 feed whose guids, links and titles are unique to ``tag``."""
    items = "".join(
        f"<item><title>{tag} report {i}: KFOR patrols near Jarinje</title>"
        f"<link>https://{tag}.example.org/news/{i}</link>"
        f'<guid isPermaLink="false">{tag}-{i}</guid>'
        f"<pubDate>Wed, 31 May 2023 {i % 24:02d}:00:00 GMT</pubDate>"
        f"<description>Item {i} of the {tag} feed.</description></item>"
        for i in range(first, first + count)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{tag}</title><link>https://{tag}.example.org/</link>{items}</channel></rss>"
    ).encode()


def write_feeds(path: Path, feeds: dict[str, str], **settings: object) -> Path:
    """A feeds.toml naming ``feeds`` (name → URL), allowed to reach 127.0.0.1."""
    values = {
        "allow_private_networks": True,
        "connect_timeout": 1.0,
        "timeout": 3.0,
        "max_body_bytes": MAX_BODY,
        **settings,
    }
    lines = ["[settings]"] + [f"{k} = {json.dumps(v)}" for k, v in values.items()]
    for name, url in feeds.items():
        lines += ["", "[[feed]]", f"name = {json.dumps(name)}", f"url = {json.dumps(url)}",
                  'lang = "en"', 'countries = ["SRB", "KOS"]']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_cli(*args: str) -> tuple[int, dict | None]:
    """Run the real CLI in-process with --json; return (exit code, summary or None)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args, "--json"])
    lines = out.getvalue().strip().splitlines()
    return code, (json.loads(lines[-1]) if lines else None)


def rows(db_url: str, sql: str, **params: object) -> list[dict]:
    with get_engine(db_url).connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(sql), params)]


def feed_row(db_url: str, url: str) -> dict:
    # Core selects on the mapped tables, so datetimes come back typed on SQLite too.
    with get_engine(db_url).connect() as conn:
        return dict(conn.execute(select(Feed.__table__).where(Feed.url == url)).one()._mapping)


def fetch_logs(db_url: str, url: str) -> list[dict]:
    query = (
        select(FetchLog.__table__)
        .join(Feed, Feed.id == FetchLog.feed_id)
        .where(Feed.url == url)
        .order_by(FetchLog.id)
    )
    with get_engine(db_url).connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def item_count(db_url: str, url: str) -> int:
    return rows(
        db_url,
        "SELECT count(*) AS n FROM items i JOIN feeds f ON f.id = i.feed_id WHERE f.url = :u",
        u=url,
    )[0]["n"]


def assert_every_item_scored(db_url: str) -> None:
    orphans = rows(
        db_url,
        "SELECT i.id, i.title FROM items i LEFT JOIN scores s ON s.item_id = i.id "
        "WHERE s.item_id IS NULL",
    )
    assert orphans == []


def by_source(summary: dict) -> dict[str, dict]:
    return {f["source"]: f for f in summary["feeds"]}


def naive(value: datetime) -> datetime:
    return value.replace(tzinfo=None) if value.tzinfo else value


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


# --------------------------------------------------------------------------- one failure per run


def _trickle(conn: socket.socket) -> None:
    # A byte every 100 ms: never idle long enough for a read timeout, so only
    # the whole-download deadline can stop it.
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                 b"Content-Length: 100000\r\n\r\n<rss>")
    for _ in range(100):
        conn.sendall(b" ")
        time.sleep(0.1)


def _encoded(name: str, content_type: str) -> Callable[[HTTPServer], str]:
    def serve(server: HTTPServer) -> str:
        server.expect_request(f"/{name}").respond_with_data(
            (FEEDS_DIR / name).read_bytes(), content_type=content_type
        )
        return server.url_for(f"/{name}")

    return serve


def serve_case(case: str, server: HTTPServer, raw_server, unaccepting_port: int,
               gzip_bomb: bytes) -> str:
    """Register the case's responses and return the URL of its feed."""
    simple = {"404": 404, "429": 429, "500": 500, "410": 410}
    if case in simple:
        headers = {"Retry-After": "7200"} if case == "429" else {}
        server.expect_request("/case").respond_with_data(
            "nope", status=simple[case], headers=headers
        )
    elif case == "200":
        server.expect_request("/case").respond_with_data(
            rss("case"), content_type="application/rss+xml"
        )
    elif case in ("301", "302"):
        server.expect_request("/case").respond_with_data(
            "", status=int(case), headers={"Location": "/moved/feed.xml"}
        )
        server.expect_request("/moved/feed.xml").respond_with_data(
            rss("case"), content_type="application/rss+xml"
        )
    elif case == "redirect_loop":
        server.expect_request("/case").respond_with_data(
            "", status=302, headers={"Location": "/case-b"}
        )
        server.expect_request("/case-b").respond_with_data(
            "", status=302, headers={"Location": "/case"}
        )
    elif case == "connect_timeout":
        return f"http://127.0.0.1:{unaccepting_port}/case"
    elif case == "slow_body":
        return raw_server(_trickle).url
    elif case == "oversized":
        server.expect_request("/case").respond_with_data(
            b"<rss>" + b" " * (MAX_BODY + 10), content_type="application/rss+xml"
        )
    elif case == "gzip":
        server.expect_request("/case").respond_with_data(
            gzip.compress(rss("case")), headers={"Content-Encoding": "gzip"},
            content_type="application/rss+xml",
        )
    elif case == "gzip_bomb":
        server.expect_request("/case").respond_with_data(
            gzip_bomb, headers={"Content-Encoding": "gzip"}, content_type="application/rss+xml"
        )
    elif case == "wrong_content_type":
        server.expect_request("/case").respond_with_data(
            rss("case"), content_type="image/png"
        )
    elif case == "windows_1251":
        return _encoded("rss_windows1251.xml", "application/rss+xml; charset=windows-1251")(server)
    elif case == "iso_8859_2":
        # No charset in the header: the XML declaration must decide.
        return _encoded("rss_iso8859_2.xml", "application/xml")(server)
    elif case == "html_page":
        return _encoded("html_page.xml", "text/html; charset=utf-8")(server)
    else:  # pragma: no cover - a typo in the table below
        raise AssertionError(case)
    return server.url_for("/case")


# case → (status, HTTP status recorded, error text or None, items the case feed stores)
CASES: dict[str, tuple[str, int | None, str | None, int]] = {
    "200": ("ok", 200, None, 3),
    "301": ("ok", 200, None, 3),
    "302": ("ok", 200, None, 3),
    "redirect_loop": ("error", None, "more than 5 redirects", 0),
    "404": ("error", 404, "HTTP 404", 0),
    "410": ("gone", 410, "410 Gone", 0),
    "429": ("error", 429, "HTTP 429, retry after 7200 s", 0),
    "500": ("error", 500, "HTTP 500", 0),
    "connect_timeout": ("error", None, "connect timed out", 0),
    "slow_body": ("error", None, "total timed out after 3 s", 0),
    "oversized": ("error", None, f"body larger than {MAX_BODY} bytes", 0),
    "gzip": ("ok", 200, None, 3),
    "gzip_bomb": ("error", None, f"body larger than {MAX_BODY} bytes", 0),
    "wrong_content_type": ("ok", 200, None, 3),
    "windows_1251": ("ok", 200, None, 1),
    "iso_8859_2": ("ok", 200, None, 1),
    "html_page": ("error", 200, "not a feed", 0),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_failure_is_recorded_on_its_feed_and_the_others_go_on(
    case: str, tmp_path: Path, db_url: str, httpserver: HTTPServer, raw_server,
    unaccepting_port: int, gzip_bomb: bytes,
):
    status, http_status, error, stored = CASES[case]
    case_url = serve_case(case, httpserver, raw_server, unaccepting_port, gzip_bomb)
    httpserver.expect_request("/healthy").respond_with_data(
        rss("healthy", 4), content_type="application/rss+xml"
    )
    healthy_url = httpserver.url_for("/healthy")
    feeds = write_feeds(tmp_path / "feeds.toml", {"case": case_url, "healthy": healthy_url})

    started = datetime.now(UTC)
    code, summary = run_cli("--feeds", str(feeds), "--db", db_url)

    assert code == 0
    outcome, healthy = by_source(summary)[case_url], by_source(summary)[healthy_url]
    assert (outcome["status"], outcome["new"]) == (status, stored)
    assert (healthy["status"], healthy["new"], healthy["error"]) == ("ok", 4, None)
    assert summary["errors"] == (0 if status == "ok" else 1)

    (log_row,) = fetch_logs(db_url, case_url)
    row = feed_row(db_url, case_url)
    assert log_row["status"] == status
    assert log_row["http_status"] == http_status
    assert log_row["new"] == stored
    assert item_count(db_url, case_url) == stored
    if error is None:
        assert log_row["error"] is None and outcome["error"] is None
        assert row["last_error"] is None and row["consecutive_errors"] == 0
    else:
        assert error in log_row["error"]
        assert outcome["error"] == log_row["error"] == row["last_error"]
        assert row["consecutive_errors"] == 1
    assert row["last_status"] == status

    (healthy_log,) = fetch_logs(db_url, healthy_url)
    assert (healthy_log["status"], healthy_log["new"], healthy_log["error"]) == ("ok", 4, None)
    assert item_count(db_url, healthy_url) == 4
    assert feed_row(db_url, healthy_url)["last_error"] is None
    assert_every_item_scored(db_url)

    # What each case adds beyond "recorded, not fatal".
    delay = row["next_poll_at"] - row["last_polled_at"]
    if case == "410":
        assert row["gone"]
    else:
        assert not row["gone"]
    if case == "429":
        assert delay >= timedelta(seconds=7200)
        assert row["next_poll_at"] >= naive(started) + timedelta(seconds=7200)
    elif status == "error":
        assert delay == 2 * INTERVAL  # first error: the interval doubled
    elif status == "ok":
        assert delay == INTERVAL
    if case == "301":
        assert log_row["warning"] == f"permanently moved to {httpserver.url_for('/moved/feed.xml')}"
    if case == "302":
        assert not (log_row["warning"] or "").startswith("permanently moved")
    if case == "gzip":
        request = next(r for r, _ in httpserver.log if r.path == "/case")
        assert "gzip" in request.headers["Accept-Encoding"]
    if case in ("windows_1251", "iso_8859_2"):
        expected = {
            "windows_1251": (
                "Протести на северу Косова", "Грађани су поставили барикаде код Звечана."
            ),
            "iso_8859_2": (
                "Šef diplomatije: Ćirilica i latinica, đaci i žene",
                "Čitaoci iz Zagreba i Sarajeva.",
            ),
        }[case]
        (item,) = rows(db_url, "SELECT i.title, i.summary FROM items i JOIN feeds f "
                               "ON f.id = i.feed_id WHERE f.url = :u", u=case_url)
        assert (item["title"], item["summary"]) == expected


# --------------------------------------------------------------------------- polls over time


def _poll(db_url: str, feeds: Path, now: datetime | None = None) -> dict[str, dict]:
    config = load_config(feeds)
    summary = poll_due(
        get_engine(db_url),
        config.feeds,
        options_for=lambda _feed: config.settings.fetch_options(),
        owner="test-poller",
        policy=PollPolicy(interval=INTERVAL),
        now=now,
    )
    return {f.source: f.as_json() for f in summary.feeds}


def test_304_with_etag_sends_validators_and_adds_nothing(
    tmp_path: Path, db_url: str, httpserver: HTTPServer
):
    first_date = "Wed, 31 May 2023 12:00:00 GMT"

    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            # Some servers (Apache with mod_deflate) answer with a variant tag:
            # the validator a 304 carries is the one to send next time.
            return Response(status=304, headers={"ETag": '"v1-gzip"'})
        return Response(rss("cached"), content_type="application/rss+xml",
                        headers={"ETag": '"v1"', "Last-Modified": first_date})

    httpserver.expect_request("/cached").respond_with_handler(handler)
    url = httpserver.url_for("/cached")
    feeds = write_feeds(tmp_path / "feeds.toml", {"cached": url})

    code, first = run_cli("--feeds", str(feeds), "--db", db_url)
    assert code == 0 and by_source(first)[url]["new"] == 3
    assert feed_row(db_url, url)["etag"] == '"v1"'
    # Make the feed due again for the second CLI run (the shortest interval is 10 s).
    with get_engine(db_url).begin() as conn:
        conn.execute(text("UPDATE feeds SET next_poll_at = :t"), {"t": datetime(2000, 1, 1)})
    code, second = run_cli("--feeds", str(feeds), "--db", db_url)

    assert code == 0
    assert by_source(second)[url] == {
        "source": url, "status": "not_modified", "new": 0, "duplicates": 0, "error": None
    }
    requests = [r for r, _ in httpserver.log]
    assert len(requests) == 2
    assert "If-None-Match" not in requests[0].headers
    assert requests[1].headers["If-None-Match"] == '"v1"'
    assert requests[1].headers["If-Modified-Since"] == first_date
    assert [(r["status"], r["http_status"], r["new"]) for r in fetch_logs(db_url, url)] == [
        ("ok", 200, 3), ("not_modified", 304, 0)
    ]
    row = feed_row(db_url, url)
    assert item_count(db_url, url) == 3
    assert (row["consecutive_errors"], row["last_error"]) == (0, None)
    assert row["etag"] == '"v1-gzip"'
    assert row["last_modified"] == first_date


def test_500_backs_off_exponentially_and_success_resets(
    tmp_path: Path, db_url: str, httpserver: HTTPServer
):
    answers = iter([500, 500])

    def handler(_request: Request) -> Response:
        status = next(answers, 200)
        if status != 200:
            return Response("server error", status=status)
        return Response(rss("flaky"), content_type="application/rss+xml")

    httpserver.expect_request("/flaky").respond_with_handler(handler)
    url = httpserver.url_for("/flaky")
    feeds = write_feeds(tmp_path / "feeds.toml", {"flaky": url})

    assert _poll(db_url, feeds)[url]["status"] == "error"
    row = feed_row(db_url, url)
    assert row["consecutive_errors"] == 1 and "HTTP 500" in row["last_error"]
    assert row["next_poll_at"] - row["last_polled_at"] == 2 * INTERVAL

    # Before the backoff has passed the feed is not polled at all.
    early = as_utc(row["next_poll_at"]) - timedelta(seconds=1)
    assert _poll(db_url, feeds, now=early) == {}
    assert len(httpserver.log) == 1

    assert _poll(db_url, feeds, now=as_utc(row["next_poll_at"]) + timedelta(seconds=1))[url][
        "status"
    ] == "error"
    row = feed_row(db_url, url)
    assert row["consecutive_errors"] == 2
    assert row["next_poll_at"] - row["last_polled_at"] == 4 * INTERVAL

    outcome = _poll(db_url, feeds, now=as_utc(row["next_poll_at"]) + timedelta(seconds=1))[url]
    assert (outcome["status"], outcome["new"]) == ("ok", 3)
    row = feed_row(db_url, url)
    assert (row["consecutive_errors"], row["last_error"]) == (0, None)
    assert row["next_poll_at"] - row["last_polled_at"] == INTERVAL
    assert [r["status"] for r in fetch_logs(db_url, url)] == ["error", "error", "ok"]
    assert [r["http_status"] for r in fetch_logs(db_url, url)] == [500, 500, 200]


def test_410_gone_is_not_polled_again(tmp_path: Path, db_url: str, httpserver: HTTPServer):
    httpserver.expect_request("/gone").respond_with_data("bye", status=410)
    httpserver.expect_request("/alive").respond_with_data(
        rss("alive"), content_type="application/rss+xml"
    )
    gone, alive = httpserver.url_for("/gone"), httpserver.url_for("/alive")
    feeds = write_feeds(tmp_path / "feeds.toml", {"gone": gone, "alive": alive})

    first = _poll(db_url, feeds)
    assert first[gone]["status"] == "gone" and first[alive]["new"] == 3
    later = datetime.now(UTC) + timedelta(days=30)
    second = _poll(db_url, feeds, now=later)

    assert set(second) == {alive}
    assert (second[alive]["status"], second[alive]["duplicates"]) == ("ok", 3)
    assert [r.path for r, _ in httpserver.log].count("/gone") == 1
    assert len(fetch_logs(db_url, gone)) == 1
    assert feed_row(db_url, gone)["gone"]


def test_429_retry_after_keeps_the_feed_waiting(
    tmp_path: Path, db_url: str, httpserver: HTTPServer
):
    httpserver.expect_request("/busy").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "86400"}
    )
    url = httpserver.url_for("/busy")
    feeds = write_feeds(tmp_path / "feeds.toml", {"busy": url})
    started = datetime.now(UTC)

    assert _poll(db_url, feeds)[url]["status"] == "error"
    row = feed_row(db_url, url)
    # One day asked for: far beyond the doubled 15-minute interval, and honoured.
    assert row["next_poll_at"] >= naive(started) + timedelta(days=1)
    assert _poll(db_url, feeds, now=started + timedelta(hours=23)) == {}
    assert len(httpserver.log) == 1


def test_feed_config_from_environment_with_no_source(
    tmp_path: Path, db_url: str, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
):
    httpserver.expect_request("/a").respond_with_data(rss("enva"), content_type="text/xml")
    httpserver.expect_request("/b").respond_with_data(rss("envb", 2), content_type="text/xml")
    feeds = write_feeds(
        tmp_path / "feeds.toml", {"a": httpserver.url_for("/a"), "b": httpserver.url_for("/b")}
    )
    monkeypatch.setenv("TENSION_FEEDS_FILE", str(feeds))
    monkeypatch.setenv("TENSION_DB_URL", db_url)

    code, summary = run_cli()

    assert code == 0
    assert {f["source"]: f["new"] for f in summary["feeds"]} == {
        httpserver.url_for("/a"): 3, httpserver.url_for("/b"): 2
    }
    assert summary["new"] == 5
    assert rows(db_url, "SELECT count(*) AS n FROM items")[0]["n"] == 5


# --------------------------------------------------------------------------- identity


def test_same_feed_twice_adds_nothing(tmp_path: Path, db_url: str, httpserver: HTTPServer):
    httpserver.expect_request("/twice").respond_with_data(
        rss("twice", 5), content_type="application/rss+xml"
    )
    url = httpserver.url_for("/twice")
    feeds = write_feeds(tmp_path / "feeds.toml", {})

    _, first = run_cli(url, "--feeds", str(feeds), "--db", db_url)
    _, second = run_cli(url, "--feeds", str(feeds), "--db", db_url)

    assert (first["new"], first["duplicates"]) == (5, 0)
    assert (second["new"], second["duplicates"]) == (0, 5)
    assert item_count(db_url, url) == 5
    assert rows(db_url, "SELECT count(*) AS n FROM scores")[0]["n"] == 5


def test_same_story_under_a_changed_guid_is_one_item(
    tmp_path: Path, db_url: str, httpserver: HTTPServer
):
    def version(guid: str) -> bytes:
        return (
            '<rss version="2.0"><channel><title>t</title>'
            "<item><title>Kurti and Vucic meet in Brussels</title>"
            "<link>https://guid.example.org/story?utm_source=rss</link>"
            f'<guid isPermaLink="false">{guid}</guid>'
            "<pubDate>Thu, 01 Jun 2023 09:00:00 GMT</pubDate></item></channel></rss>"
        ).encode()

    answers = iter([version("cms-1"), version("cms-2-after-migration")])
    httpserver.expect_request("/guid").respond_with_handler(
        lambda _r: Response(next(answers), content_type="application/rss+xml")
    )
    url = httpserver.url_for("/guid")
    feeds = write_feeds(tmp_path / "feeds.toml", {})

    _, first = run_cli(url, "--feeds", str(feeds), "--db", db_url)
    _, second = run_cli(url, "--feeds", str(feeds), "--db", db_url)

    assert (first["new"], second["new"], second["duplicates"]) == (1, 0, 1)
    assert rows(db_url, "SELECT guid FROM items") == [{"guid": "cms-1"}]


# --------------------------------------------------------------------------- interrupted store


def _install_failure(db_url: str, title: str) -> None:
    """Make the database refuse the score row of the item titled ``title``."""
    with get_engine(db_url).begin() as conn:
        if use_postgres():
            conn.execute(text(
                "CREATE FUNCTION inject_failure() RETURNS trigger AS $$ BEGIN "
                "IF (SELECT title FROM items WHERE id = NEW.item_id) = '" + title + "' THEN "
                "RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            ))
            conn.execute(text(
                "CREATE TRIGGER inject_failure BEFORE INSERT ON scores "
                "FOR EACH ROW EXECUTE FUNCTION inject_failure()"
            ))
        else:
            conn.execute(text(
                "CREATE TRIGGER inject_failure BEFORE INSERT ON scores "
                "WHEN (SELECT title FROM items WHERE id = NEW.item_id) = '" + title + "' "
                "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            ))


def _remove_failure(db_url: str) -> None:
    with get_engine(db_url).begin() as conn:
        conn.execute(text("DROP TRIGGER inject_failure" + (" ON scores" if use_postgres() else "")))
        if use_postgres():
            conn.execute(text("DROP FUNCTION inject_failure()"))


def test_failure_half_way_leaves_no_partial_item_and_the_rerun_completes(
    tmp_path: Path, db_url: str
):
    total = 2 * BATCH_SIZE + 100  # three write batches
    big = tmp_path / "big.xml"
    big.write_bytes(rss("big", total))
    small = tmp_path / "small.xml"
    small.write_bytes(rss("small", 3))
    # The failing item sits in the second batch: the first is committed before it.
    _install_failure(db_url, f"big report {BATCH_SIZE + 50}: KFOR patrols near Jarinje")

    code, first = run_cli(str(big), str(small), "--db", db_url)

    assert code == 0
    outcome, other = by_source(first)[str(big)], by_source(first)[str(small)]
    assert outcome["status"] == "error"
    assert "injected failure" in outcome["error"]
    assert outcome["new"] == BATCH_SIZE  # only the committed first batch
    assert (other["status"], other["new"]) == ("ok", 3)
    assert item_count(db_url, str(big)) == BATCH_SIZE
    assert_every_item_scored(db_url)
    row = feed_row(db_url, str(big))
    assert "injected failure" in row["last_error"] and row["consecutive_errors"] == 1
    (log_row,) = fetch_logs(db_url, str(big))
    assert (log_row["status"], log_row["new"]) == ("error", BATCH_SIZE)

    _remove_failure(db_url)
    code, second = run_cli(str(big), str(small), "--db", db_url)

    assert code == 0
    outcome = by_source(second)[str(big)]
    assert (outcome["status"], outcome["new"], outcome["duplicates"]) == (
        "ok", total - BATCH_SIZE, BATCH_SIZE
    )
    titles = rows(
        db_url,
        "SELECT i.title, count(*) AS n FROM items i JOIN feeds f ON f.id = i.feed_id "
        "WHERE f.url = :u GROUP BY i.title",
        u=str(big),
    )
    assert len(titles) == total and all(t["n"] == 1 for t in titles)
    assert_every_item_scored(db_url)
    # The aggregates count each stored item once: nothing from the rolled-back batch.
    counted = rows(
        db_url,
        "SELECT sum(d.items) AS n FROM daily_actor d JOIN feeds f ON f.id = d.feed_id "
        "WHERE f.url = :u AND d.actor = '*'",
        u=str(big),
    )
    assert counted[0]["n"] == total
    assert feed_row(db_url, str(big))["consecutive_errors"] == 0


# --------------------------------------------------------------------------- the worker pool


def test_feeds_are_fetched_concurrently_by_a_bounded_pool(tmp_path: Path, db_url: str,
                                                         raw_server):
    workers, feeds_count = 3, 6  # two full rounds of the pool
    lock = threading.Lock()
    in_flight = [0, 0, 0]  # open now, most seen, answered
    # Each answer waits until `workers` requests are open at once: fetched one by
    # one, the barrier would break (after its timeout) and the feeds would fail.
    barrier = threading.Barrier(workers, timeout=20)

    def answer(conn: socket.socket) -> None:
        with lock:
            in_flight[0] += 1
            in_flight[1] = max(in_flight)
        try:
            barrier.wait()
            status = b"200 OK"
        except threading.BrokenBarrierError:
            status = b"503 Service Unavailable"
        with lock:
            in_flight[0] -= 1  # before answering: the client's next request comes after
            in_flight[2] += 1
            body = rss(f"pool{in_flight[2]}", 1)
        conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/rss+xml\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n"
                     b"Connection: close\r\n\r\n" + body)

    server = raw_server(answer)
    urls = {f"pool-{i}": f"{server.url}?n={i}" for i in range(feeds_count)}
    feeds = write_feeds(tmp_path / "feeds.toml", urls, timeout=30.0)
    config = load_config(feeds)

    summary = poll_due(
        get_engine(db_url),
        config.feeds,
        options_for=lambda _feed: config.settings.fetch_options(),
        owner="pool-test",
        policy=PollPolicy(interval=INTERVAL, workers=workers),
    )

    assert [(f.status, f.new) for f in summary.feeds] == [("ok", 1)] * feeds_count
    assert in_flight[1] == workers
    assert all(row["lease_owner"] is None for row in rows(db_url, "SELECT lease_owner FROM feeds"))


# --------------------------------------------------------------------------- feed-level text

HOSTILE_CHANNEL = """<?xml version="1.0" encoding="utf-8"?>
<!-- A channel title full of markup, a comment hiding a script, escaped tags and control
     characters: the stored feed title must be its plain text, as item titles are. -->
<rss version="2.0"><channel>
<title><![CDATA[<b>Balkan</b> <!-- <script>alert(1)</script> -->
Wire &amp;lt;i&amp;gt;live&amp;lt;/i&amp;gt;
\u202e&amp;amp; more]]></title>
<link>https://wire.example/</link>
<description><![CDATA[<p onclick="x()">About <img src=x onerror=alert(1)></p>]]></description>
<item><title>Kosovo police arrest two</title><guid isPermaLink="false">c-1</guid>
  <pubDate>Tue, 30 Dec 2025 10:00:00 +0000</pubDate></item>
</channel></rss>
"""


def test_feed_level_title_is_stored_as_plain_text(tmp_path: Path, db_url: str):
    feed = tmp_path / "wire.xml"
    feed.write_text(HOSTILE_CHANNEL, encoding="utf-8")
    code, _ = run_cli(str(feed), "--db", db_url)
    assert code == 0
    with get_engine(db_url).connect() as conn:
        (title,) = conn.execute(select(Feed.title)).one()
    assert title == "Balkan Wire live & more"
    assert "<" not in title and "script" not in title and "\u202e" not in title
