"""Ingest throughput: a generated 20,000-item feed through the real pipeline into fresh SQLite.

Figures:
- end to end over HTTP from 127.0.0.1 (``ingest.pipeline.run_sources``: fetch,
  parse, normalise, score, store); with ``--cli`` also the same file through the
  real CLI (``python -m ingest FILE --db ...``, wall clock including start-up);
- each stage alone on the same data, by calling the step functions directly;
- peak RSS of this process.
With ``--profile``, cProfile of one feed's ``ingest_feed`` (run in this thread).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from bench.common import OUT_DIR, PROJECT_ROOT, figure, info, peak_rss_mib
from bench.feeds import rss_document, serve_bytes
from bench.textgen import news_items
from ingest.config import FetchOptions
from ingest.fetch import fetch_feed
from ingest.normalize import normalize_feed
from ingest.parse import parse_feed
from ingest.pipeline import BATCH_SIZE, ingest_feed, run_sources, to_rows
from scoring import load_lexicon, score_item
from scoring.cluster import DEFAULT_MAX_DISTANCE, band_keys, simhash, story_text
from storage import get_engine, migrate
from storage.db import write_transaction
from storage.repository import ensure_feed, save_items

__all__ = ["add_arguments", "run"]

TARGET = 2000.0
PROFILE_ITEMS = 2000
T = TypeVar("T")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--items", type=int, default=20_000, help="items in the generated feed")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one feed")
    parser.add_argument(
        "--cli", action="store_true", help="also time `python -m ingest FILE` (as long again)"
    )


def _timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def _fresh_db(folder: Path, name: str) -> str:
    url = f"sqlite:///{folder / name}"
    migrate(url)
    return url


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def _end_to_end(url: str, db_url: str, n: int, options: FetchOptions) -> float:
    engine = get_engine(db_url)
    summary, seconds = _timed(lambda: run_sources(engine, [url], options=options))
    feed = summary.feeds[0]
    rate = _rate(n, seconds)
    figure(
        "ingest.end_to_end_items_per_s",
        rate,
        "items/s",
        f"target >= {TARGET:,.0f}; HTTP 127.0.0.1, {n} items in {seconds:.2f} s",
    )
    info(
        "ingest.end_to_end",
        f"status {feed.status}, new {feed.new}, duplicates {feed.duplicates}"
        + (f", error {feed.error}" if feed.error else ""),
    )
    return rate


def _cli_file(path: Path, db_url: str, n: int) -> None:
    cmd = [sys.executable, "-m", "ingest", str(path), "--db", db_url, "--json"]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        info("ingest.cli_file", f"exit {done.returncode}: {done.stderr.strip()[-300:]}")
        return
    summary = json.loads(done.stdout)
    figure(
        "ingest.cli_file_items_per_s",
        _rate(n, seconds),
        "items/s",
        f"`python -m ingest FILE`, {seconds:.2f} s wall incl. start-up; new {summary['new']}",
    )


def _stages(url: str, db_url: str, n: int, options: FetchOptions) -> None:
    fetched, t_fetch = _timed(lambda: fetch_feed(url, options=options))
    parsed, t_parse = _timed(lambda: parse_feed(fetched.body, fetched.headers, base_url=url))
    now = datetime.now(UTC)
    items, t_norm = _timed(
        lambda: normalize_feed(parsed, source=url, feed_lang="en", fetched_at=now)
    )
    lexicon = load_lexicon()
    _, t_score = _timed(
        lambda: [
            score_item(i.title, i.summary, lang=i.lang, published=i.published_at, lexicon=lexicon)
            for i in items
        ]
    )
    _, t_hash = _timed(lambda: [band_keys(simhash(story_text(i.title, i.summary))) for i in items])
    rows = list(to_rows(items))
    engine = get_engine(db_url)
    with write_transaction(engine) as conn:
        feed = ensure_feed(conn, url + "#stages", name="stages")

    def store() -> None:
        for start in range(0, len(rows), BATCH_SIZE):
            with write_transaction(engine) as conn:
                save_items(
                    conn,
                    feed.id,
                    rows[start : start + BATCH_SIZE],
                    max_distance=DEFAULT_MAX_DISTANCE,
                )

    _, t_store = _timed(store)
    stages = [
        ("fetch", t_fetch, "HTTP GET of the whole document"),
        ("parse", t_parse, "parse_feed (feedparser)"),
        ("normalise", t_norm, "normalize_feed"),
        ("score", t_score, "score_item per item"),
        ("fingerprint", t_hash, "simhash + band_keys per item"),
        ("store", t_store, f"save_items in batches of {BATCH_SIZE}, one transaction each"),
    ]
    total = sum(t for _, t, _ in stages)
    for name, seconds, what in stages:
        figure(
            f"ingest.stage.{name}_items_per_s",
            _rate(n, seconds),
            "items/s",
            f"{seconds:.2f} s, {100 * seconds / total:.0f}% of stage time; {what}",
        )
    figure("ingest.stages_sum_items_per_s", _rate(n, total), "items/s", f"{total:.2f} s in all")


def _profile(url: str, db_url: str, options: FetchOptions, top: int = 18) -> None:
    engine = get_engine(db_url)
    with write_transaction(engine) as conn:
        feed = ensure_feed(conn, url + "#profile", name="profile")
    feed = type(feed)(feed.id, url, feed.name, "en", None, None, 0, False)
    profiler = cProfile.Profile()
    profiler.runcall(ingest_feed, engine, feed, options=options)
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(top)
        info("ingest.profile", f"top functions by {order}:")
        print(out.getvalue().split("\n", 6)[-1].rstrip(), flush=True)


def run(args: argparse.Namespace) -> None:
    n = args.items
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    feed_path = OUT_DIR / f"ingest-feed-{n}.xml"
    body = rss_document(news_items(n))
    feed_path.write_bytes(body)
    info(
        "ingest",
        f"generated RSS 2.0 feed: {n} items, 60-80 words each, "
        f"{len(body) / 2**20:.1f} MiB -> {feed_path}",
    )
    # The body cap is raised because one 20,000-item document is larger than any real feed.
    options = FetchOptions(allow_private=True, max_body_bytes=max(len(body) * 2, 15 * 2**20))
    load_lexicon()  # loaded once per process in real runs too; keep it out of the timings
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp, serve_bytes(body) as url:
        folder = Path(tmp)
        rate = _end_to_end(url, _fresh_db(folder, "e2e.db"), n, options)
        if not args.cli:
            info("ingest.cli_file", "not run (add --cli to time `python -m ingest FILE` too)")
        elif len(body) > FetchOptions.max_body_bytes:
            info("ingest.cli_file", "skipped: the file is larger than the CLI's body cap")
        else:
            _cli_file(feed_path, f"sqlite:///{folder / 'cli.db'}", n)
        _stages(url, _fresh_db(folder, "stages.db"), n, options)
        if args.profile:
            _profile(url, _fresh_db(folder, "profile.db"), options)
    if rate < TARGET and not args.profile:
        # Below target: say where the time goes, on a slice small enough to stay quick.
        small = rss_document(news_items(min(n, PROFILE_ITEMS)))
        info("ingest.profile", f"below target, so a cProfile of {min(n, PROFILE_ITEMS)} items:")
        with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp, serve_bytes(small) as url:
            _profile(url, _fresh_db(Path(tmp), "profile.db"), options, top=12)
    figure("ingest.peak_rss_mib", peak_rss_mib(), "MiB", "this process, all runs above")
