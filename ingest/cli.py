"""`python -m ingest [SOURCE ...] [--db URL] [--watch] [--interval S] [--json]` (DESIGN.md).

With ``--watch``, every round that stored new items is followed by one round of alerts
(``alerts.run_once`` with the rules of $TENSION_ALERTS_FILE or alerts.toml).

Exit 0 when the run happened (even if some feeds failed: they are recorded);
exit 2 with a one-line error when the database or the feed config is unusable.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import sys
import threading
import uuid
from datetime import timedelta
from pathlib import Path

from ingest.config import FEEDS_FILE_ENV, default_feeds_path, load_config
from ingest.errors import FeedConfigError
from ingest.fetch import FetchOptions
from ingest.pipeline import FeedOutcome, PollPolicy, RunSummary, poll_due, run_sources
from storage import StorageError, get_engine, migrate, redact, resolve_db_url
from storage.repository import FeedState

__all__ = ["main"]

log = logging.getLogger("ingest")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Fetch, score and store Western Balkan news feeds.",
    )
    p.add_argument("sources", nargs="*", metavar="SOURCE", help="feed URL or local file")
    p.add_argument("--db", help="database URL (default: $TENSION_DB_URL or data/tension.db)")
    p.add_argument("--watch", action="store_true", help="keep polling until interrupted")
    p.add_argument(
        "--interval",
        type=_interval_seconds,
        default=900.0,
        help="seconds between polls of a feed, 10 to 604800 (default 900)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON summary object")
    p.add_argument(
        "--feeds", type=Path, help="feed config (default: $TENSION_FEEDS_FILE or feeds.toml)"
    )
    return p


# A poll interval below this busy-loops a watcher and hammers feeds; above it, a typo
# (or 1e300, which timedelta cannot hold) would never poll again.
MIN_INTERVAL_S = 10.0
MAX_INTERVAL_S = 7 * 24 * 3600.0


def _interval_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    # nan fails both comparisons, so it is refused too.
    if not MIN_INTERVAL_S <= seconds <= MAX_INTERVAL_S:
        raise argparse.ArgumentTypeError(
            f"must be between {MIN_INTERVAL_S:g} and {MAX_INTERVAL_S:g} seconds: {value!r}"
        )
    return seconds


def _fail(what: str, exc: BaseException) -> int:
    """Print the one-line error of DESIGN.md and return exit status 2."""
    lines = str(exc).strip().splitlines()
    print(f"error: {what}: {lines[0] if lines else type(exc).__name__}", file=sys.stderr)
    return 2


class _Progress:
    """One updating line on a terminal, plain log lines otherwise."""

    def __init__(self, stream) -> None:  # noqa: ANN001 - a text stream
        self.stream = stream
        self.tty = stream.isatty()

    def __call__(self, done: int, total: int, outcome: FeedOutcome) -> None:
        what = outcome.error or f"{outcome.new} new, {outcome.duplicates} duplicates"
        line = f"[{done}/{total}] {outcome.status:<12} {outcome.source[:60]}: {what[:80]}"
        if self.tty:
            end = "\n" if done == total else ""
            self.stream.write("\r\x1b[2K" + line + end)
            self.stream.flush()
        else:
            log.info("%s", line)


def _report(summary: RunSummary, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary.as_json(), ensure_ascii=False))
    else:
        print(
            f"{len(summary.feeds)} feeds: {summary.new} new, {summary.duplicates} duplicates, "
            f"{summary.errors} errors",
            file=sys.stderr,
        )


def _alerts_round(url: str) -> None:
    """Evaluate the alert rules after an ingest round (``--watch`` only); never stops ingest.

    No rules file (none named by $TENSION_ALERTS_FILE, no alerts.toml): nothing to do. A
    broken rules file or a failing receiver is logged; the next round tries again.
    """
    from alerts import AlertRulesError, load_rules, resolve_rules_path, run_once
    from alerts.rules import RULES_FILE_ENV

    path = resolve_rules_path(None, os.environ)
    if not path.exists() and not os.environ.get(RULES_FILE_ENV, "").strip():
        return
    try:
        report = run_once(url, load_rules(path))
    except AlertRulesError as exc:
        log.warning("alerts skipped: rules unusable: %s", exc)
        return
    if report.fired or report.deliveries:
        log.info(
            "alerts: %d fired, %d sent, %d failed (retried later)",
            report.fired, report.sent, report.failed,
        )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    # Alembic narrates every migration check at INFO; on each run that is noise.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    url = resolve_db_url(args.db, os.environ)
    feeds_file = args.feeds or default_feeds_path()
    try:
        # Ad-hoc SOURCEs need no feed file, but one named by --feeds or the
        # environment must exist: a typo there should not pass in silence.
        named = args.feeds is not None or bool(os.environ.get(FEEDS_FILE_ENV, "").strip())
        if args.sources and not named and not feeds_file.exists():
            config = None
        else:
            config = load_config(feeds_file)
    except FeedConfigError as exc:
        return _fail("feed config unusable", exc)
    settings = config.settings if config else None
    configs = config.feeds if (config and not args.sources) else ()
    try:
        migrate(url)
        engine = get_engine(url)
    except StorageError as exc:
        return _fail(f"database {redact(url)} unusable", exc)

    allow = {c.url for c in configs if c.allow_private}

    def options_for(feed: FeedState | None = None) -> FetchOptions:
        private = feed is not None and feed.url in allow
        if settings is None:
            return FetchOptions(allow_private=private)
        return settings.fetch_options(allow_private=private)

    policy = PollPolicy(interval=timedelta(seconds=args.interval))
    progress = _Progress(sys.stderr)
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    stop = threading.Event()
    if args.watch:
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while True:
            if args.sources:
                summary = run_sources(
                    engine,
                    args.sources,
                    options=options_for(),
                    policy=policy,
                    progress=progress,
                )
            else:
                summary = poll_due(
                    engine,
                    configs,
                    options_for=options_for,
                    owner=owner,
                    policy=policy,
                    progress=progress,
                )
            # A watching poller wakes often to catch feeds as they fall due; a wake
            # that found nothing due is not worth a report line.
            if summary.feeds or not args.watch:
                _report(summary, args.json)
            if args.watch and summary.new:
                _alerts_round(url)
            # Ad-hoc SOURCEs have no schedule of their own: they are re-read every
            # interval. The config's feeds carry next_poll_at, so waking each minute
            # only picks up those that are due (backoff and Retry-After included).
            pause = args.interval if args.sources else min(args.interval, 60.0)
            if not args.watch or stop.wait(pause):
                break
    except StorageError as exc:
        return _fail(f"database {redact(url)} unusable", exc)
    except KeyboardInterrupt:
        return 130
    return 0
