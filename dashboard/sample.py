"""The dashboard's actions: loading the bundled sample data and polling every feed now.

The dashboard never imports ``ingest`` (the layering rule): it starts
``python -m ingest`` as a child process, exactly as a user would, with the
database URL passed in the environment so a password never shows in ``ps``.

"Poll every feed now" is single-flight and rate-limited across every session
and dashboard process on the machine: the child inherits an exclusive
``flock`` on ``poll-now.lock`` in the database's data folder, so the lock is
held exactly as long as the poll runs (a killed poll releases it too), and the
file records when the last poll started. The poll logs to ``poll-now.log`` in
the same folder. ``TENSION_READONLY=1`` hides every action (``read_only``).
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from storage import data_dir

__all__ = [
    "POLL_LOCK",
    "POLL_LOG",
    "POLL_MIN_INTERVAL_S",
    "READONLY_ENV",
    "SAMPLE_DIR",
    "IngestRun",
    "load_sample_data",
    "poll_now",
    "read_only",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
# The sample is a few hundred items; a minute is generous even on a busy machine.
SAMPLE_TIMEOUT_S = 180
READONLY_ENV = "TENSION_READONLY"
POLL_LOCK = "poll-now.lock"
POLL_LOG = "poll-now.log"
# One poll per minute at most: a poll of every feed takes that long anyway, and feeds
# deserve the politeness (the ingest loop polls every 15 minutes).
POLL_MIN_INTERVAL_S = 60
# The poll log is kept to about this size (one older copy beside it).
POLL_LOG_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class IngestRun:
    """What a run of the ingest CLI did, in words for the page."""

    ok: bool
    message: str
    new: int = 0
    busy: bool = False  # refused because a poll is running or started too recently


def read_only(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``TENSION_READONLY`` asks for a read-only dashboard (no action is offered)."""
    value = (os.environ if environ is None else environ).get(READONLY_ENV, "")
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "TENSION_DB_URL": url}


def load_sample_data(url: str, timeout: float = SAMPLE_TIMEOUT_S) -> IngestRun:
    """Ingest every file in data/sample into the database at ``url``."""
    files = sorted(SAMPLE_DIR.glob("*.xml"))
    if not files:
        return IngestRun(False, f"No sample files found in {SAMPLE_DIR}.")
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "ingest", *map(str, files), "--json"],
            cwd=PROJECT_ROOT,
            env=_env(url),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return IngestRun(False, f"Loading the sample data took longer than {timeout:.0f} s.")
    except OSError as exc:
        return IngestRun(False, f"Could not start the ingest program: {exc.strerror}.")
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        reason = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return IngestRun(False, f"Loading the sample data failed: {reason[:300]}")
    try:
        summary = json.loads(lines[-1])
    except json.JSONDecodeError:
        return IngestRun(False, "The ingest program answered something unexpected.")
    new = int(summary.get("new", 0))
    return IngestRun(
        True,
        f"Loaded {new} sample items from {len(files)} files "
        f"({int(summary.get('duplicates', 0))} were already stored).",
        new,
    )


def _open_log(folder: Path) -> int:
    log = folder / POLL_LOG
    try:
        if log.stat().st_size > POLL_LOG_MAX_BYTES:
            log.replace(folder / (POLL_LOG + ".1"))
    except FileNotFoundError:
        pass
    return os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)


def poll_now(
    url: str, *, min_interval: float = POLL_MIN_INTERVAL_S, now: float | None = None
) -> IngestRun:
    """Start one poll of every enabled feed in the background, unless one is running or
    started less than ``min_interval`` seconds ago; the page refreshes as items land."""
    folder = data_dir(url)
    now = time.time() if now is None else now
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = os.open(folder / POLL_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        return IngestRun(False, f"Could not start a poll: {exc.strerror} ({folder}).")
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return IngestRun(
                False,
                "A poll is already running; new items appear here as it stores them.",
                busy=True,
            )
        try:
            started = float(os.pread(lock, 64, 0).split()[0])
        except (IndexError, ValueError):
            started = 0.0
        wait = min_interval - (now - started)
        if 0 < wait <= min_interval:
            return IngestRun(
                False,
                f"A poll started {now - started:.0f} s ago; the next one can start in "
                f"{wait:.0f} s.",
                busy=True,
            )
        out = _open_log(folder)
        try:
            # The child inherits the locked descriptor: the lock lasts as long as the poll.
            child = subprocess.Popen(
                [sys.executable, "-m", "ingest", "--json"],
                cwd=PROJECT_ROOT,
                env=_env(url),
                stdout=out,
                stderr=out,
                stdin=subprocess.DEVNULL,
                pass_fds=(lock,),
                start_new_session=True,
            )
        finally:
            os.close(out)
        os.ftruncate(lock, 0)
        os.pwrite(lock, f"{now:.3f} {child.pid}\n".encode(), 0)
    except OSError as exc:
        return IngestRun(False, f"Could not start a poll: {exc.strerror}.")
    finally:
        os.close(lock)
    return IngestRun(
        True, "A poll of every enabled feed has started; new items appear here when stored."
    )
