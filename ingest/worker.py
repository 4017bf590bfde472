"""Worker processes that parse, normalise, score and fingerprint pieces of a large feed.

A large feed is cut into pieces of whole entries (``ingest.parse.split_entries``);
each worker turns a piece into row values, so feedparser and the scorer run on
the second core while the pipeline stores what came back on the first.

Workers are long-lived (one set per process, started on first use as fresh
interpreters, so no threaded process is forked; the lexicon loaded once each)
and lent to one feed at a time. Each talks over two one-way pipes of its own;
a worker exits as soon as its task pipe reaches end-of-file, which is also
what happens when the process that owns the pool dies, even by SIGKILL.

Rows cross the pipe as plain tuples: pickling the frozen dataclasses
themselves costs several times more.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ingest.normalize import NewsItem, normalize_entry
from ingest.parse import parse_feed
from scoring import Lexicon, load_lexicon, score_item
from scoring.cluster import band_keys, simhash, story_text
from scoring.types import Evidence, ItemScore

__all__ = [
    "PieceResult",
    "PieceTask",
    "Worker",
    "WorkerCrashed",
    "WorkerError",
    "acquire_workers",
    "release_workers",
    "row_values",
    "run_piece",
    "run_pieces",
    "serve_fds",
    "unpack_row",
]

log = logging.getLogger(__name__)

_PROJECT_ROOT = Path(__file__).resolve().parent.parent
_NICENESS = 5
# Tasks a worker may hold beyond the one it is working on: enough to keep it busy
# while the pipeline stores, few enough to bound the memory of pieces in flight.
DEPTH = 2


class WorkerError(Exception):
    """Raised when a worker met an exception on a piece; carries the original type name."""

    def __init__(self, type_name: str, message: str) -> None:
        super().__init__(message)
        self.type_name = type_name
        self.message = message


class WorkerCrashed(WorkerError):
    """Raised when a worker process died (or its pipe broke) before answering."""

    def __init__(self, detail: str) -> None:
        super().__init__("WorkerCrashed", f"worker process died: {detail}")


@dataclass(frozen=True, slots=True)
class PieceTask:
    """One piece of a feed and what normalising it needs; ``seen`` as in ``normalize_entry``."""

    document: bytes
    headers: Mapping[str, str]
    base_url: str | None
    source: str
    feed_lang: str
    fetched_at: datetime
    is_sample: bool
    position: int  # index of the piece's first entry in the whole document
    expected: int  # entries the piece holds
    seen: frozenset[str] | None = None  # guid identities of earlier pieces, when they matter


@dataclass(frozen=True, slots=True)
class PieceResult:
    """Row tuples of one piece, feed-level facts, and the guid identities it used."""

    title: str
    language: str | None
    warning: str | None
    rows: list[tuple]
    identities: list[str]


# --------------------------------------------------------------------------- rows


def row_values(item: NewsItem, lexicon: Lexicon, is_sample: bool) -> tuple:
    """The fields of ``storage.repository.ItemRow`` for one item, in order (score included)."""
    fingerprint = simhash(story_text(item.title, item.summary))
    return (
        item.guid,
        item.url,
        item.title,
        item.summary,
        item.lang,
        item.published_at,
        item.date_estimated,
        item.fetched_at,
        item.dedup_key,
        item.link_key,
        item.story_key,
        fingerprint,
        band_keys(fingerprint),
        score_item(
            item.title,
            item.summary,
            lang=item.lang,
            published=item.published_at,
            lexicon=lexicon,
        ),
        is_sample,
    )


_SCORE = 13  # position of the ItemScore in row_values


def _pack(values: tuple) -> tuple:
    s: ItemScore = values[_SCORE]
    evidence = tuple(
        (e.signal, e.actor, e.text, e.start, e.end, e.negated, e.target, e.field, e.weight,
         e.hedged, e.suppressed_by)
        for e in s.evidence
    )
    score = (s.actors, s.signals, s.negated, s.direction, s.score, evidence, s.lexicon_version,
             s.places)
    return (*values[:_SCORE], score, *values[_SCORE + 1 :])


def unpack_row(packed: tuple) -> tuple:
    """Row values as ``row_values`` gave them, from their pipe form."""
    actors, signals, negated, direction, score, evidence, version, places = packed[_SCORE]
    item_score = ItemScore(
        actors, signals, negated, direction, score, tuple(Evidence(*e) for e in evidence), version,
        tuple(places),
    )
    return (*packed[:_SCORE], item_score, *packed[_SCORE + 1 :])


def run_piece(task: PieceTask, lexicon: Lexicon) -> PieceResult:
    """Parse, normalise, score and fingerprint one piece (in a worker, or in-process)."""
    parsed = parse_feed(task.document, task.headers, base_url=task.base_url)
    if len(parsed.entries) != task.expected:
        raise ValueError(f"piece at entry {task.position} held {len(parsed.entries)} entries, "
                         f"expected {task.expected}")
    seen = set(task.seen or ())
    before = set(seen)
    lang = task.feed_lang or parsed.language or ""
    rows = []
    for offset, entry in enumerate(parsed.entries):
        item = normalize_entry(
            entry,
            source=task.source,
            feed_lang=lang,
            fetched_at=task.fetched_at,
            position=task.position + offset,
            seen_guids=seen,
        )
        if item is not None:
            rows.append(_pack(row_values(item, lexicon, task.is_sample)))
    return PieceResult(parsed.title, parsed.language, parsed.warning, rows, sorted(seen - before))


# --------------------------------------------------------------------------- worker side


def serve_fds(task_fd: int, result_fd: int) -> None:
    """A worker process's entry point: serve tasks from one pipe, answers to the other."""
    # Nothing may print to stdout by accident in a worker; stderr is shared with the pipeline.
    sys.stdout = sys.stderr
    # Storing (in the pipeline's process) is the slowest stage and cannot be split,
    # so it gets the CPU first; workers fill whatever the cores have left.
    os.nice(_NICENESS)
    _serve(Connection(task_fd, writable=False), Connection(result_fd, readable=False))


def _serve(tasks: Connection, results: Connection) -> None:
    """A worker's main loop: answer each task in order until the task pipe closes."""
    lexicon = load_lexicon()
    inbox: queue.SimpleQueue[PieceTask | None] = queue.SimpleQueue()

    def read() -> None:
        # Drain the task pipe on its own thread so the pipeline never blocks sending a
        # piece while this process blocks sending a result (the pipes hold ~200 KB).
        try:
            while True:
                inbox.put(tasks.recv())
        except (EOFError, OSError):
            inbox.put(None)

    threading.Thread(target=read, daemon=True).start()
    while (task := inbox.get()) is not None:
        try:
            answer: tuple[str, Any] = ("ok", run_piece(task, lexicon))
        # Any failure is this feed's, reported to the pipeline like the serial path would.
        except Exception as exc:  # noqa: BLE001
            answer = ("error", (type(exc).__name__, _first_line(exc)))
        try:
            results.send(answer)
        except (BrokenPipeError, OSError):
            return


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:500] if lines else ""


# --------------------------------------------------------------------------- pipeline side


class Worker:
    """The pipeline's handle on one worker process (a fresh interpreter, not a fork)."""

    def __init__(self) -> None:
        task_r, self._tasks = multiprocessing.Pipe(duplex=False)
        self._results, result_w = multiprocessing.Pipe(duplex=False)
        fds = (task_r.fileno(), result_w.fileno())
        code = f"from ingest.worker import serve_fds; serve_fds({fds[0]}, {fds[1]})"
        # subprocess starts the interpreter without forking this (threaded) process's state,
        # and the worker imports only what it needs while the pipeline goes on.
        self.process = subprocess.Popen(
            [sys.executable, "-c", code], pass_fds=fds, cwd=_PROJECT_ROOT, stdin=subprocess.DEVNULL
        )
        # Only the worker may hold these ends, so each side sees EOF when the other dies.
        task_r.close()
        result_w.close()
        self.pending = 0

    def send(self, task: PieceTask) -> None:
        try:
            self._tasks.send(task)
        except OSError as exc:
            raise WorkerCrashed(self._exit_detail(exc)) from exc
        self.pending += 1

    def receive(self) -> PieceResult:
        """The answer to the oldest task sent; ``WorkerError`` if the piece failed."""
        try:
            kind, value = self._results.recv()
        except (EOFError, OSError) as exc:
            raise WorkerCrashed(self._exit_detail(exc)) from exc
        self.pending -= 1
        if kind == "error":
            raise WorkerError(*value)
        return value

    def drain(self) -> bool:
        """Discard the answers still owed; False if the worker is no longer usable."""
        try:
            while self.pending:
                self._results.recv()
                self.pending -= 1
        except (EOFError, OSError):
            return False
        return self.process.poll() is None

    def stop(self) -> None:
        self._tasks.close()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._results.close()

    def _exit_detail(self, exc: BaseException) -> str:
        try:
            code = self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return type(exc).__name__
        return f"exit code {code}"


class _Pool:
    """Workers lent to one feed at a time; at most one per core, started on demand."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        self._all: list[Worker] = []
        self._closing_registered = False
        self.size = max(1, os.cpu_count() or 1)

    def acquire(self, want: int) -> list[Worker]:
        with self._lock:
            taken = [self._idle.pop() for _ in range(min(want, len(self._idle)))]
            missing = min(want - len(taken), self.size - len(self._all))
            if missing > 0 and not self._closing_registered:
                atexit.register(self.close)
                self._closing_registered = True
            for _ in range(max(0, missing)):
                try:
                    worker = Worker()
                except OSError:
                    log.warning("could not start an ingest worker", exc_info=True)
                    break
                self._all.append(worker)
                taken.append(worker)
            return taken

    def release(self, workers: Iterable[Worker]) -> None:
        for worker in workers:
            usable = worker.drain()
            with self._lock:
                if usable:
                    self._idle.append(worker)
                else:
                    self._all.remove(worker)
            if not usable:
                worker.stop()

    def close(self) -> None:
        with self._lock:
            workers, self._all, self._idle = self._all, [], []
        for worker in workers:
            worker.stop()


_POOL = _Pool()


def acquire_workers(want: int) -> list[Worker]:
    """Borrow up to ``want`` workers (fewer if other feeds hold them; maybe none)."""
    return _POOL.acquire(want)


def release_workers(workers: Iterable[Worker]) -> None:
    """Give workers back, discarding unanswered results; a broken worker is stopped."""
    _POOL.release(workers)


def run_pieces(workers: Sequence[Worker], tasks: Iterable[PieceTask]) -> Iterator[PieceResult]:
    """Results of ``tasks`` in order, spread round-robin, at most ``DEPTH + 1`` per worker."""
    pending = iter(tasks)
    sent = 0
    answered = 0
    exhausted = False
    while True:
        while not exhausted and sent - answered < len(workers) * (DEPTH + 1):
            task = next(pending, None)
            if task is None:
                exhausted = True
                break
            workers[sent % len(workers)].send(task)
            sent += 1
        if answered == sent:
            return
        result = workers[answered % len(workers)].receive()
        answered += 1
        yield result
