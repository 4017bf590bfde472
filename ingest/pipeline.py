"""The orchestrator: fetch → parse → normalise → score → store, per feed.

The only ingest module that knows storage and scoring exist. A failing feed
becomes a fetch-log row and an error count on that feed (with exponential
backoff), never a crash of the run; only an unusable database stops it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from ingest.config import FeedConfig
from ingest.errors import FeedGone, HTTPStatusError, IngestError
from ingest.fetch import FetchOptions, FetchResult, fetch_feed, read_local
from ingest.normalize import NewsItem, feed_title, normalize_feed
from ingest.parse import EntrySplit, parse_feed, split_entries
from ingest.worker import (
    PieceResult,
    PieceTask,
    Worker,
    WorkerError,
    acquire_workers,
    release_workers,
    row_values,
    run_piece,
    run_pieces,
    unpack_row,
)
from scoring import load_lexicon
from scoring.cluster import DEFAULT_MAX_DISTANCE
from storage import StorageError
from storage.db import write_transaction
from storage.repository import (
    FeedState,
    ItemRow,
    claim_due_feeds,
    ensure_feed,
    record_fetch,
    release_feed,
    save_items,
    sync_feeds,
)

__all__ = [
    "BATCH_SIZE",
    "FeedOutcome",
    "PollPolicy",
    "RunSummary",
    "SAMPLE_DIR",
    "ingest_feed",
    "poll_due",
    "run_sources",
    "to_rows",
]

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
# Items per write transaction: large enough for executemany to pay off, small
# enough that a lock is held for milliseconds and a crash loses little work.
BATCH_SIZE = 250
# A feed this large (bytes, then entries) is parsed and scored in worker processes,
# piece by piece, while this process stores; below it the round trip does not pay.
PARALLEL_MIN_BYTES = 256 * 1024
PARALLEL_MIN_ENTRIES = 600


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """When to poll a feed again: the interval, doubled per consecutive error, capped."""

    interval: timedelta = timedelta(minutes=15)
    max_backoff: timedelta = timedelta(hours=24)
    workers: int = 4
    lease_seconds: int = 600

    def next_poll(self, now: datetime, errors: int, retry_after: float | None = None) -> datetime:
        delay = self.interval * (2 ** min(errors, 16)) if errors else self.interval
        delay = min(delay, self.max_backoff)
        if retry_after is not None:
            delay = max(
                delay, timedelta(seconds=min(retry_after, self.max_backoff.total_seconds()))
            )
        return now + delay


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """What one poll of one source did; the JSON summary's per-feed object."""

    source: str
    status: str  # ok | not_modified | error | gone
    new: int = 0
    duplicates: int = 0
    error: str | None = None
    warning: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "status": self.status,
            "new": self.new,
            "duplicates": self.duplicates,
            "error": self.error,
        }


@dataclass(slots=True)
class RunSummary:
    feeds: list[FeedOutcome] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(f.new for f in self.feeds)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.feeds)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.feeds if f.status in {"error", "gone"})

    def as_json(self) -> dict[str, object]:
        return {
            "feeds": [f.as_json() for f in self.feeds],
            "new": self.new,
            "duplicates": self.duplicates,
            "errors": self.errors,
        }


def is_sample_source(source: str) -> bool:
    """Items from the bundled sample folder are labelled as sample everywhere."""
    path = Path(source)
    try:
        return path.exists() and path.resolve().is_relative_to(SAMPLE_DIR)
    except OSError:
        return False


def to_rows(items: Iterable[NewsItem], *, is_sample: bool = False) -> Iterator[ItemRow]:
    """Score each normalised item and attach its story fingerprint."""
    lexicon = load_lexicon()
    for item in items:
        yield ItemRow(*row_values(item, lexicon, is_sample))


def _batches(rows: Iterator[ItemRow], size: int) -> Iterator[list[ItemRow]]:
    batch: list[ItemRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(slots=True)
class _Counts:
    """Items committed so far for one feed (kept when a later batch fails)."""

    new: int = 0
    duplicates: int = 0


def _store(engine: Engine, feed_id: int, rows: Iterator[ItemRow], counts: _Counts) -> None:
    # Scoring runs while the generator fills a batch, before the write lock is taken.
    for batch in _batches(rows, BATCH_SIZE):
        with write_transaction(engine) as conn:
            result = save_items(conn, feed_id, batch, max_distance=DEFAULT_MAX_DISTANCE)
        counts.new += result.new
        counts.duplicates += result.duplicates


def _pieces(split: EntrySplit, base: PieceTask) -> Iterator[PieceTask]:
    for first in range(0, len(split), BATCH_SIZE):
        stop = min(first + BATCH_SIZE, len(split))
        yield PieceTask(
            split.piece(first, stop), base.headers, base.base_url, base.source, base.feed_lang,
            base.fetched_at, base.is_sample, first, stop - first,
        )


def _guid_head(identity: str) -> str:
    # normalize_entry only ever looks up the guid itself or "guid|...", so two pieces
    # can interact only through identities sharing this head.
    return identity.split("|", 1)[0]


def _store_pieces(
    engine: Engine,
    feed_id: int,
    split: EntrySplit,
    base: PieceTask,
    workers: list[Worker],
    counts: _Counts,
) -> tuple[str | None, list[str]]:
    """Store the pieces the workers answer, in document order; return (title, warnings)."""
    seen: set[str] = set()
    heads: set[str] = set()
    title: str | None = None
    warnings: list[str] = []
    tasks = _pieces(split, base)
    for task, result in zip(_pieces(split, base), run_pieces(workers, tasks), strict=True):
        piece_heads = {_guid_head(i) for i in result.identities}
        if piece_heads & heads:
            # A guid repeated across pieces: redo this piece knowing the earlier
            # identities, exactly as a whole-document pass would have keyed it.
            result = _redo(task, seen)
        seen.update(result.identities)
        heads.update(piece_heads)
        title = title or result.title or None
        if result.warning and result.warning not in warnings:
            warnings.append(result.warning)
        rows = [ItemRow(*unpack_row(packed)) for packed in result.rows]
        _store(engine, feed_id, iter(rows), counts)
    return title, warnings


def _redo(task: PieceTask, seen: set[str]) -> PieceResult:
    again = PieceTask(
        task.document, task.headers, task.base_url, task.source, task.feed_lang,
        task.fetched_at, task.is_sample, task.position, task.expected, frozenset(seen),
    )
    return run_piece(again, load_lexicon())


def _split_if_large(body: bytes) -> EntrySplit | None:
    if len(body) < PARALLEL_MIN_BYTES:
        return None
    split = split_entries(body)
    return split if split is not None and len(split) >= PARALLEL_MIN_ENTRIES else None


@dataclass(slots=True)
class _Document:
    """A fetched body on its way to the parser; taken out once, so it can be freed early."""

    body: bytes
    headers: Mapping[str, str]
    final_url: str

    def take_body(self) -> bytes:
        body, self.body = self.body, b""
        return body


def _store_document(
    engine: Engine,
    feed: FeedState,
    document: _Document,
    started: datetime,
    counts: _Counts,
    warnings: list[str],
) -> str | None:
    """Parse, normalise, score and store one fetched document; return the feed's title.

    A large document goes to the worker processes in pieces; the rest is parsed
    here in one pass. Either way no reference to the body outlives its parsing,
    nor feedparser's entries (several times the body) the normalising.
    """
    body = document.take_body()
    split = _split_if_large(body)
    workers = acquire_workers(_worker_count()) if split is not None else []
    if split is not None and workers:
        del body  # the split holds it
        base = PieceTask(
            b"", document.headers, document.final_url, feed.url, feed.lang, started,
            feed.is_sample, 0, 0,
        )
        try:
            title, piece_warnings = _store_pieces(engine, feed.id, split, base, workers, counts)
        finally:
            release_workers(workers)
        warnings.extend(piece_warnings)
        return title
    del split
    parsed = parse_feed(body, document.headers, base_url=document.final_url)
    del body
    if parsed.warning:
        warnings.append(parsed.warning)
    items = normalize_feed(
        parsed,
        source=feed.url,
        feed_lang=feed.lang or parsed.language or "",
        fetched_at=started,
    )
    title = parsed.title or None
    del parsed
    _store(engine, feed.id, to_rows(items, is_sample=feed.is_sample), counts)
    return title


def _worker_count() -> int:
    return max(1, os.cpu_count() or 1)


def _fetch(feed: FeedState, options: FetchOptions) -> FetchResult:
    if "://" not in feed.url:
        return read_local(Path(feed.url))
    return fetch_feed(feed.url, etag=feed.etag, last_modified=feed.last_modified, options=options)


def ingest_feed(
    engine: Engine,
    feed: FeedState,
    *,
    options: FetchOptions,
    policy: PollPolicy = PollPolicy(),  # noqa: B008 - frozen value object
) -> FeedOutcome:
    """Poll one feed end to end and record the outcome against it.

    ``IngestError`` from any step is recorded, not raised, and so is any other
    exception met on this feed (as "internal error: ..."), keeping the batches
    already committed; ``StorageError`` (the database is unusable) propagates
    because nothing useful can happen without the database.
    """
    started = datetime.now(UTC)
    clock = time.monotonic()
    status, http_status = "ok", None
    counts = _Counts()
    error = etag = last_modified = raw_title = None
    warnings: list[str] = []
    retry_after: float | None = None
    gone = False
    try:
        fetched = _fetch(feed, options)
        http_status = fetched.status
        if fetched.permanent_redirect and fetched.permanent_redirect != feed.url:
            # The feed row is keyed by the configured URL, so the move is reported,
            # not applied: the Sources page tells the operator to update feeds.toml.
            warnings.append(f"permanently moved to {fetched.permanent_redirect}")
        if fetched.not_modified:
            status = "not_modified"
            # RFC 9111: a 304 may carry fresher validators; fetch falls back to the sent ones.
            etag, last_modified = fetched.etag, fetched.last_modified
        else:
            validators = fetched.etag, fetched.last_modified
            document = _Document(fetched.body, fetched.headers, fetched.final_url)
            del fetched  # from here on only the document holds the body, and only until parsed
            raw_title = _store_document(engine, feed, document, started, counts, warnings)
            # Validators are kept only once every item is stored: a failed store
            # must not turn the next poll into a 304 that hides the lost items.
            etag, last_modified = validators
    except FeedGone as exc:
        status, error, gone, http_status = "gone", str(exc), True, 410
    except HTTPStatusError as exc:
        status, error, http_status, retry_after = "error", str(exc), exc.status, exc.retry_after
    except IngestError as exc:
        status, error = "error", str(exc)
        http_status = getattr(exc, "status", None) or http_status
    except StorageError:
        raise  # an unusable database stops the run (exit 2), it is no feed's fault
    except WorkerError as exc:
        # The same record as the serial path gives an unexpected failure on this feed.
        status, error = "error", f"internal error: {exc.type_name}: {exc.message}"
    # Anything else is a bug met on this feed's input (a scorer or writer failure,
    # a constraint): record it against the feed and let the other feeds go on.
    except Exception as exc:  # noqa: BLE001
        log.exception("feed %s: unexpected failure", feed.url)
        status, error = "error", f"internal error: {type(exc).__name__}: {_first_line(exc)}"
    warning = "; ".join(warnings) or None
    errors_after = 0 if status in {"ok", "not_modified"} else feed.consecutive_errors + 1
    with write_transaction(engine) as conn:
        record_fetch(
            conn,
            feed.id,
            started_at=started,
            status=status,
            http_status=http_status,
            new=counts.new,
            duplicates=counts.duplicates,
            error=error,
            warning=warning,
            duration_ms=int((time.monotonic() - clock) * 1000),
            etag=etag,
            last_modified=last_modified,
            next_poll_at=policy.next_poll(started, errors_after, retry_after),
            # Feed-level text is feed-controlled too: stored as plain text, like items.
            feed_title=feed_title(raw_title),
            gone=gone,
        )
    if error:
        log.warning("feed %s: %s", feed.url, error)
    return FeedOutcome(feed.url, status, counts.new, counts.duplicates, error, warning)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:500] if lines else ""


ProgressFn = Callable[[int, int, FeedOutcome], None]


def _run_all(
    engine: Engine,
    feeds: Sequence[FeedState],
    options_for: Callable[[FeedState], FetchOptions],
    policy: PollPolicy,
    progress: ProgressFn | None,
    owner: str | None = None,
) -> RunSummary:
    summary = RunSummary()

    def one(feed: FeedState) -> FeedOutcome:
        try:
            return ingest_feed(engine, feed, options=options_for(feed), policy=policy)
        finally:
            if owner is not None:
                with write_transaction(engine) as conn:
                    release_feed(conn, feed.id, owner)

    if not feeds:
        return summary
    load_lexicon()  # load once here rather than racing to load it in every worker
    workers = max(1, min(policy.workers, len(feeds)))
    outcomes: dict[int, FeedOutcome] = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ingest") as pool:
        futures = {pool.submit(one, feed): index for index, feed in enumerate(feeds)}
        # Progress follows completion, so one slow feed does not hide the others;
        # the summary keeps the order the feeds were given in.
        for done, future in enumerate(as_completed(futures), start=1):
            outcome = future.result()
            outcomes[futures[future]] = outcome
            if progress is not None:
                progress(done, len(feeds), outcome)
    summary.feeds.extend(outcomes[i] for i in range(len(feeds)))
    return summary


def run_sources(
    engine: Engine,
    sources: Sequence[str],
    *,
    options: FetchOptions,
    policy: PollPolicy = PollPolicy(),  # noqa: B008
    progress: ProgressFn | None = None,
) -> RunSummary:
    """Ingest each SOURCE (URL or local file) once, outside the polling schedule."""
    states = []
    with write_transaction(engine) as conn:
        for source in sources:
            is_url = "://" in source
            key = source if is_url else str(Path(source).resolve())
            states.append(
                ensure_feed(
                    conn,
                    key,
                    name=source if is_url else Path(source).stem,
                    is_sample=not is_url and is_sample_source(source),
                )
            )
    # A file named twice is one feed: poll it once.
    unique = list({s.id: s for s in states}.values())
    # Conditional GET validators only make sense on the schedule; a manual run refetches.
    unique = [
        FeedState(s.id, s.url, s.name, s.lang, None, None, s.consecutive_errors, s.is_sample)
        for s in unique
    ]
    return _run_all(engine, unique, lambda _f: options, policy, progress)


def poll_due(
    engine: Engine,
    configs: Sequence[FeedConfig],
    *,
    options_for: Callable[[FeedState], FetchOptions],
    owner: str,
    policy: PollPolicy = PollPolicy(),  # noqa: B008
    progress: ProgressFn | None = None,
    now: datetime | None = None,
) -> RunSummary:
    """Sync the config, then lease and poll due feeds a few at a time until none are due.

    Claiming a small batch per round (twice the pool size) spreads the feeds
    across several workers instead of one worker leasing everything.
    """
    with write_transaction(engine) as conn:
        sync_feeds(conn, configs)
    summary = RunSummary()
    polled: set[int] = set()
    while True:
        with write_transaction(engine) as conn:
            due = claim_due_feeds(
                conn,
                owner=owner,
                now=now or datetime.now(UTC),
                lease_seconds=policy.lease_seconds,
                limit=max(1, policy.workers * 2),
            )
        # A feed polled in this call and due again already (tiny interval) waits for the next call.
        fresh = [f for f in due if f.id not in polled]
        if len(fresh) < len(due):
            with write_transaction(engine) as conn:
                for f in due:
                    if f.id in polled:
                        release_feed(conn, f.id, owner)
        if not fresh:
            return summary
        polled.update(f.id for f in fresh)
        summary.feeds.extend(
            _run_all(engine, fresh, options_for, policy, progress, owner=owner).feeds
        )
