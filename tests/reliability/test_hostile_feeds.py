"""Hostile servers, hostile XML and hostile feed URLs, end to end through ``python -m ingest``.

Every case runs in one poll next to two ordinary feeds: the hostile ones end in a recorded
error (or in harmless stored text) within the configured time limit and with bounded
memory, and the ordinary ones are stored as if nothing had happened.
"""

from __future__ import annotations

import gzip
import os
import time
import zlib
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from storage import get_engine
from tests.reliability.conftest import (
    FeedServer,
    assert_consistent,
    feed_bytes,
    feeds_toml,
    item_count,
    run_cli,
)

# Far below the defaults, so the hanging and trickling cases end quickly.
SETTINGS = "timeout = 3\nconnect_timeout = 1\n"
MEMORY_LIMIT_MB = 450


def _hang(handler: BaseHTTPRequestHandler) -> None:
    # Accept the request, never answer; stop once the client has gone (or after a minute).
    handler.connection.settimeout(0.2)
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            if handler.connection.recv(1) == b"":
                return
        except TimeoutError:
            continue


_NOISE = os.urandom(1 << 20)


def _garbage(handler: BaseHTTPRequestHandler) -> None:
    # About 10 MB/s of random bytes with no declared length, until the client hangs up.
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Connection", "close")
    handler.end_headers()
    end = time.monotonic() + 60
    while time.monotonic() < end:
        handler.wfile.write(_NOISE[: 100_000])
        time.sleep(0.01)


def _redirect(target: str):  # noqa: ANN202
    def behaviour(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", target)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return behaviour


def _gzip_bomb(handler: BaseHTTPRequestHandler) -> None:
    body = _bomb()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Encoding", "gzip")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


_BOMB: list[bytes] = []


def _bomb() -> bytes:
    """1 GiB of zeros after an RSS prefix, gzip-compressed to about 1 MB."""
    if not _BOMB:
        comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        parts = [comp.compress(b'<rss version="2.0"><channel><title>')]
        block = b"\0" * (1 << 20)
        parts += [comp.compress(block) for _ in range(1024)]
        parts.append(comp.flush())
        _BOMB.append(b"".join(parts))
    return _BOMB[0]


def _doc(doctype: str, title: str, key: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n{doctype}\n<rss version="2.0"><channel><title>t</title>'
        f"<item><title>{title}</title><link>https://hostile.example.org/{key}</link>"
        f"<guid>{key}</guid><description>body</description></item></channel></rss>"
    ).encode()


LAUGHS = "<!DOCTYPE rss [\n<!ENTITY a \"lollollollollollollollollollol\">\n" + "".join(
    f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(9)
) + "]>"


def hostile_documents(server: FeedServer) -> dict[str, bytes]:
    xxe_url = server.url("/xxe-target")
    return {
        "/laughs": _doc(LAUGHS, "Serbia &j; warns", "l8"),
        "/laughs-utf16": _doc(LAUGHS, "Serbia &j; warns", "l16").replace(
            b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="utf-16"?>'
        ).decode().encode("utf-16"),
        "/xxe-file": _doc(
            '<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "Leak &x;", "x1"
        ),
        "/xxe-http": _doc(f'<!DOCTYPE rss [<!ENTITY x SYSTEM "{xxe_url}">]>', "Ping &x;", "x2"),
        "/xxe-param": _doc(
            f'<!DOCTYPE rss [<!ENTITY % p SYSTEM "{xxe_url}"> %p;]>', "Param entity", "x3"
        ),
        "/nested": (
            b'<rss version="2.0"><channel><title>t</title><item><title>Deep</title>'
            b"<guid>deep-1</guid><description>"
            + b"<div>" * 100_000
            + b"x"
            + b"</div>" * 100_000
            + b"</description></item></channel></rss>"
        ),
        "/nested-xml": (
            b'<rss version="2.0"><channel><title>t</title><item><title>Deeper</title>'
            b"<guid>deep-2</guid>"
            + b"<x:a xmlns:x='urn:x'>" * 100_000
            + b"</x:a>" * 100_000
            + b"</item></channel></rss>"
        ),
        "/gzip-in-file": gzip.compress(feed_bytes("gz", 3)),
    }


@pytest.mark.slow
def test_hostile_servers_and_documents_next_to_good_feeds(
    db_url: str, tmp_path: Path, feed_server: FeedServer
) -> None:
    good = [feed_server.serve_bytes(f"/good{i}", feed_bytes(f"good{i}", 5)) for i in range(2)]
    feed_server.routes["/hang"] = _hang
    feed_server.routes["/garbage"] = _garbage
    feed_server.routes["/bomb"] = _gzip_bomb
    port = feed_server.url("/").rsplit(":", 1)[1].split("/")[0]
    redirects = {
        "/to-metadata": "http://169.254.169.254/latest/meta-data/",
        "/to-private": "http://10.255.255.1/feed.xml",
        "/to-localhost": f"http://localhost:{port}/good0",
        "/to-file": "file:///etc/passwd",
    }
    for path, target in redirects.items():
        feed_server.routes[path] = _redirect(target)
    for path, body in hostile_documents(feed_server).items():
        feed_server.serve_bytes(path, body)
    hostile_paths = ["/hang", "/garbage", "/bomb", *redirects, *hostile_documents(feed_server)]
    feeds = [(f"good{i}", url, True) for i, url in enumerate(good)]
    feeds += [(p.strip("/"), feed_server.url(p), True) for p in hostile_paths]
    config = feeds_toml(tmp_path / "feeds.toml", feeds, SETTINGS)

    run = run_cli("--feeds", str(config), "--db", db_url, "--json", timeout=120)

    assert run.code == 0, run.stderr[-3000:]
    print(f"\n{len(hostile_paths)} hostile feeds in one run: peak RSS {run.peak_rss_mb:.0f} MB")
    assert run.peak_rss_mb < MEMORY_LIMIT_MB
    outcome = {urlsplit(f["source"]).path: f for f in run.summary["feeds"]}
    for path, result in sorted(outcome.items()):
        print(f"  {path:<16} {result['status']:<6} new={result['new']} {result['error'] or ''}")
    for url in good:
        path = "/" + url.rsplit("/", 1)[1]
        assert outcome[path]["status"] == "ok" and outcome[path]["new"] == 5
    for path in ("/hang", "/garbage", "/bomb", *redirects):
        assert outcome[path]["status"] == "error", (path, outcome[path])
    assert "timed out" in outcome["/hang"]["error"] or "timeout" in outcome["/hang"]["error"]
    for path in ("/to-metadata", "/to-private", "/to-localhost"):
        assert "non-public address" in outcome[path]["error"], outcome[path]
    assert feed_server.hits_for("/xxe-target") == [], "an external entity was fetched"

    engine = get_engine(db_url)
    with engine.connect() as conn:
        texts = conn.execute(text("SELECT title, summary FROM items")).all()
        failures = conn.execute(
            text("SELECT count(*) FROM fetch_log WHERE status = 'error'")
        ).scalar()
    joined = "\n".join(f"{t}\n{s}" for t, s in texts)
    assert "root:" not in joined and "/bin/" not in joined
    assert "lollollol" * 10 not in joined
    assert max(len(t) + len(s) for t, s in texts) < 20_000
    assert failures >= 7
    # Nothing but the two good feeds (and harmless hostile titles) was stored.
    assert item_count(db_url) >= 10
    assert_consistent(db_url)


def test_only_http_feed_urls_in_config(db_url: str, tmp_path: Path) -> None:
    for bad in ("file:///etc/passwd", "ftp://example.org/feed", "javascript:alert(1)"):
        config = feeds_toml(tmp_path / "feeds.toml", [("bad", bad, False)])
        run = run_cli("--feeds", str(config), "--db", db_url, "--json", timeout=60)
        assert run.code == 2
        last = run.stderr.strip().splitlines()[-1]
        assert last.startswith("error: feed config") and "http" in last, last
    assert item_count(db_url) == 0


def test_loopback_refused_after_dns_unless_allowed(
    db_url: str, tmp_path: Path, feed_server: FeedServer
) -> None:
    allowed = feed_server.serve_bytes("/allowed", feed_bytes("allowed", 4))
    refused = feed_server.serve_bytes("/refused", feed_bytes("refused", 4))
    by_name = refused.replace("127.0.0.1", "localhost")
    config = feeds_toml(
        tmp_path / "feeds.toml",
        [("allowed", allowed, True), ("refused", refused, False), ("by-name", by_name, False)],
    )
    run = run_cli("--feeds", str(config), "--db", db_url, "--json", timeout=60)
    assert run.code == 0, run.stderr[-2000:]
    status = {f["source"]: f for f in run.summary["feeds"]}
    assert status[allowed]["status"] == "ok"
    for url in (refused, by_name):
        assert status[url]["status"] == "error"
        assert "non-public address" in status[url]["error"]
    assert feed_server.hits_for("/refused") == []
    assert item_count(db_url) == 4

    # An ad-hoc SOURCE on the command line has no config to allow it.
    adhoc = run_cli(allowed, "--db", db_url, "--json", timeout=60)
    assert adhoc.code == 0
    assert adhoc.summary["feeds"][0]["status"] == "error"
    assert "non-public address" in adhoc.summary["feeds"][0]["error"]
