"""Helpers for the reliability tests: generated feeds, a recording local HTTP server,
the real ingest CLI as a subprocess, and database checks that hold on both dialects.

Generated feeds are deterministic (a seeded vocabulary, numbered guids and links), so
"every item the feeds contained is stored exactly once" is a count we know up front.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import text

from storage import get_engine

ROOT = Path(__file__).resolve().parents[2]

# Headline pieces chosen so the scorer finds actors and signals in most items.
_ACTORS = ("Serbia", "Kosovo", "KFOR", "Dodik", "Montenegro", "EU envoy", "Kremlin", "Kurti")
_VERBS = (
    "accuses", "deploys troops near", "holds talks with", "protests against",
    "warns", "arrests officials from", "signs agreement with", "denies reports about",
)
_OBJECTS = ("the border", "Pristina", "Belgrade", "Banja Luka", "Brussels", "the north")
# Filler words make each summary different, as real articles are; without them every
# generated item would be a near-duplicate of the others and cluster into one story.
_WORDS = tuple(
    f"{a}{b}" for a in ("ka", "zo", "mi", "tre", "vul", "pan", "dor", "sel", "bri", "gon")
    for b in ("ra", "nek", "vo", "stan", "lic", "pod", "mir", "gra", "tak", "dun")
)


def headline(prefix: str, i: int) -> str:
    a = _ACTORS[i % len(_ACTORS)]
    v = _VERBS[(i // len(_ACTORS)) % len(_VERBS)]
    o = _OBJECTS[(i // 7) % len(_OBJECTS)]
    return f"{a} {v} {o} ({prefix} report {i})"


def _item_xml(prefix: str, i: int) -> str:
    day = 1 + i % 28
    words = " ".join(random.Random(f"{prefix}-{i}").choices(_WORDS, k=12))
    return (
        "<item>"
        f"<title>{escape(headline(prefix, i))}</title>"
        f"<link>https://news.example.org/{prefix}/{i}</link>"
        f'<guid isPermaLink="false">{prefix}-{i}</guid>'
        f"<pubDate>Mon, {day:02d} May 2023 10:{i % 60:02d}:00 GMT</pubDate>"
        f"<description>Officials in {words} said the situation remains tense."
        "</description>"
        "</item>\n"
    )


def feed_bytes(prefix: str, count: int, start: int = 0) -> bytes:
    """An RSS 2.0 document with ``count`` distinct items numbered from ``start``."""
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Generated {prefix}</title><link>https://news.example.org/</link>"
        "<language>en</language>\n"
    )
    body = "".join(_item_xml(prefix, i) for i in range(start, start + count))
    return (head + body + "</channel></rss>\n").encode()


def write_feed(path: Path, prefix: str, count: int) -> Path:
    """Write a generated feed to ``path`` in slices, so the test process stays small."""
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>Generated {prefix}</title><link>https://news.example.org/</link>"
            "<language>en</language>\n"
        )
        for i in range(count):
            out.write(_item_xml(prefix, i))
        out.write("</channel></rss>\n")
    return path


# ---------------------------------------------------------------- the CLI as a process


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENSION_")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "ingest", *args]


def start_cli(*args: str, **kwargs: object) -> subprocess.Popen:
    return subprocess.Popen(
        cli_command(*args),
        cwd=ROOT,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


@dataclass
class CliRun:
    code: int
    stdout: str
    stderr: str
    peak_rss_mb: float

    @property
    def summary(self) -> dict:
        return json.loads(self.stdout.strip().splitlines()[-1])


def run_cli(*args: str, timeout: float = 240) -> CliRun:
    """Run ``python -m ingest ARGS`` to completion, with the peak RSS of its process tree.

    ``wait4``'s ru_maxrss is not usable here: Linux carries the parent's resident
    size across fork+exec into the child's figure, so a big pytest process would
    be blamed on the CLI. The kernel's per-process high-water mark (VmHWM) of the
    CLI and of its worker processes is read while they run instead.
    """
    proc = start_cli(*args)
    out_parts: list[str] = []
    err_parts: list[str] = []
    readers = [
        threading.Thread(target=lambda: out_parts.append(proc.stdout.read()), daemon=True),
        threading.Thread(target=lambda: err_parts.append(proc.stderr.read()), daemon=True),
    ]
    for r in readers:
        r.start()
    deadline = time.monotonic() + timeout
    peaks: dict[int, int] = {}
    while True:
        _sample_hwm(proc.pid, peaks)
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    for r in readers:
        r.join(timeout=10)
    # Workers live as long as the run, so their peaks add up with the CLI's own.
    peak_kib = sum(peaks.values())
    return CliRun(proc.returncode, "".join(out_parts), "".join(err_parts), peak_kib / 1024)


def _vm_hwm_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _sample_hwm(root: int, peaks: dict[int, int]) -> None:
    """Record the high-water mark of ``root`` and its direct children (the worker processes)."""
    pids = [root]
    try:
        for task in os.listdir(f"/proc/{root}/task"):
            with open(f"/proc/{root}/task/{task}/children", encoding="ascii") as fh:
                pids += [int(p) for p in fh.read().split()]
    except OSError:
        pass
    for pid in pids:
        hwm = _vm_hwm_kib(pid)
        if hwm is not None:
            peaks[pid] = max(peaks.get(pid, 0), hwm)


# ---------------------------------------------------------------- database checks


def scalar(url: str, sql: str) -> object:
    with get_engine(url).connect() as conn:
        return conn.execute(text(sql)).scalar()


def item_count(url: str) -> int:
    return int(scalar(url, "SELECT count(*) FROM items"))


def assert_consistent(url: str) -> None:
    """What a crash or a failed write must never leave behind, on either dialect."""
    engine = get_engine(url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        unscored = conn.execute(
            text(
                "SELECT count(*) FROM items i LEFT JOIN scores s ON s.item_id = i.id"
                " WHERE s.item_id IS NULL"
            )
        ).scalar()
        assert unscored == 0, f"{unscored} items without a score row"
        dup_keys = conn.execute(
            text("SELECT count(*) FROM (SELECT dedup_key FROM items GROUP BY dedup_key"
                 " HAVING count(*) > 1) d")
        ).scalar()
        assert dup_keys == 0
        # The daily aggregates are written in the same transaction as the items:
        # the all-actors row counts every stored item exactly once.
        aggregated = conn.execute(
            text("SELECT coalesce(sum(items), 0) FROM daily_actor WHERE actor = '*'")
        ).scalar()
        total = conn.execute(text("SELECT count(*) FROM items")).scalar()
        assert aggregated == total, f"aggregates count {aggregated} items, table holds {total}"


# ---------------------------------------------------------------- a recording HTTP server

Behaviour = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Hit:
    path: str
    start: float
    end: float = 0.0


@dataclass
class FeedServer:
    """Threaded HTTP server on 127.0.0.1: path → behaviour; every request's time span is kept."""

    routes: dict[str, Behaviour] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> FeedServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                hit = Hit(self.path, time.monotonic())
                try:
                    behaviour = owner.routes.get(self.path)
                    if behaviour is None:
                        self.send_error(404)
                    else:
                        behaviour(self)
                except OSError:
                    pass  # the client hung up: what the hostile cases provoke
                finally:
                    hit.end = time.monotonic()
                    with owner._lock:
                        owner.hits.append(hit)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def url(self, path: str) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def serve_bytes(self, path: str, body: bytes, delay: float = 0.0) -> str:
        def behaviour(handler: BaseHTTPRequestHandler) -> None:
            if delay:
                time.sleep(delay)
            handler.send_response(200)
            handler.send_header("Content-Type", "application/rss+xml")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        self.routes[path] = behaviour
        return self.url(path)

    def hits_for(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path == path]

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


def feeds_toml(path: Path, feeds: list[tuple[str, str, bool]], settings: str = "") -> Path:
    """Write a feed config: (name, url, allow_private) per feed, plus a raw [settings] body."""
    parts = []
    if settings:
        parts.append(f"[settings]\n{settings}\n")
    for name, url, allow_private in feeds:
        parts.append(
            f'[[feed]]\nname = "{name}"\nurl = "{url}"\nlang = "en"\n'
            f'countries = ["SRB"]\nallow_private = {"true" if allow_private else "false"}\n'
        )
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
