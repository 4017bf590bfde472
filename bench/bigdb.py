"""A large generated SQLite database (1M items by default) for the query and dashboard benchmarks.

The schema comes from the real migrations (``storage.migrate``); rows go in
with raw ``sqlite3`` ``executemany``, because the ORM path would take hours
at this size. Consistency with what ``storage.repository.save_items`` would
have written is kept by construction:

- texts come from a pool of generated items (``bench.textgen``), each scored
  once by the real scorer, so an item's score, signals, actors and evidence
  are exactly what ``score_item`` says about its text;
- about one item in five is a syndicated copy of a recent story (another
  feed, same text): it joins that story, is not a story lead, and adds only
  to ``items`` in ``daily_actor`` — the accumulation below follows
  ``repository._aggregate`` rule for rule (``ALL_ACTORS`` rows, max evidence
  weight per signal, directed pairs from attributed evidence, feed-less
  rollups summed from the per-feed rows);
- evidence rows are written for the newest ``evidence_days`` only (the pages
  read evidence for a handful of items at a time), and ``story_bands`` is
  left empty (only ingest reads it).

Secondary indexes and the full-text triggers are dropped during the load and
re-created afterwards (then the FTS index is rebuilt in one pass), which is
what makes a million rows take minutes rather than an hour. The file is
cached under ``bench/out/`` keyed by a version string and a hash of the
migrations, and built under a temporary name first, so a half-built file is
never reused.
"""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.textgen import news_items
from ingest.normalize import story_key
from scoring import load_lexicon, score_item
from scoring.cluster import simhash, story_text
from scoring.types import ItemScore
from storage import migrate
from storage.db import dispose_engine
from storage.repository import ALL_ACTORS

__all__ = ["BIGDB_VERSION", "END", "BigDb", "build", "cached_path", "ensure"]

# Bump when the generated content changes; the migrations' hash is added automatically.
BIGDB_VERSION = "2"
END = datetime(2025, 11, 20, 23, 59, 59)
POOL_SIZE = 5000
COPY_SHARE = 0.2
# Issue 4 measured 1M items with 2.5M signal rows; the pool is drawn from to match.
SIGNALS_PER_ITEM = 2.5
_MIGRATIONS = Path(__file__).resolve().parent.parent / "storage" / "migrations" / "versions"

_OUTLETS = (
    ("N1 Srbija", "sr", "SRB"), ("RTS", "sr", "SRB"), ("Danas", "sr", "SRB"),
    ("Kossev", "sr", "KOS,SRB"), ("Koha", "sq", "KOS"), ("Kosova Press", "sq", "KOS"),
    ("Telegrafi", "sq", "KOS,ALB"), ("Balkan Insight", "en", "SRB,KOS,BIH,MNE,MKD,ALB"),
    ("RFE/RL Balkans", "en", "SRB,KOS,BIH,MNE,MKD"), ("Klix", "bs", "BIH"),
    ("RTRS", "sr", "RS,BIH"), ("Vijesti", "sr", "MNE"), ("MIA", "mk", "MKD"),
    ("Top Channel", "sq", "ALB"), ("HINA", "hr", "HRV"), ("Euronews Albania", "sq", "ALB"),
)  # fmt: skip
FEEDS = 36


@dataclass(frozen=True, slots=True)
class BigDb:
    """A built database: where it is and what it holds."""

    path: Path
    url: str
    items: int
    days: int
    latest_day: date


@dataclass(frozen=True, slots=True)
class _Pooled:
    title: str
    summary: str
    lang: str
    story_key: str
    simhash: int
    score: ItemScore
    actors: tuple[str, ...]  # sorted set + ALL_ACTORS, as the aggregate keys them
    signal_weights: tuple[tuple[str, float], ...]
    pairs: tuple[tuple[str, str, float], ...]


def _schema_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(_MIGRATIONS.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def cached_path(out_dir: Path, items: int, days: int) -> Path:
    """Where the database for this size lives (the name changes with schema or generator)."""
    return out_dir / f"queries-{items}-{days}d-v{BIGDB_VERSION}-{_schema_hash()}.db"


def ensure(out_dir: Path, items: int, days: int = 1000, evidence_days: int = 120) -> BigDb:
    """The cached database for this size, built first if missing."""
    path = cached_path(out_dir, items, days)
    if not path.exists():
        build(path, items, days, evidence_days)
    return BigDb(path, f"sqlite:///{path}", items, days, END.date())


def _pool(size: int) -> list[_Pooled]:
    """Generated texts scored by the real scorer, with what the aggregates need precomputed."""
    lexicon = load_lexicon()
    pool = []
    for item in news_items(size, seed=31, end=END.replace(tzinfo=UTC), days=30):
        score = score_item(item.title, item.summary, lang=item.lang, lexicon=lexicon)
        # The same rules as storage.repository._aggregate.
        weights: dict[str, float] = defaultdict(float)
        for ev in score.evidence:
            if ev.signal in score.signals and not ev.negated and not ev.suppressed_by:
                weights[ev.signal] = max(weights[ev.signal], ev.weight)
        pairs = tuple(
            (ev.actor, ev.target, ev.weight)
            for ev in score.evidence
            if ev.actor
            and ev.target
            and ev.actor != ev.target
            and not ev.negated
            and not ev.suppressed_by
            and ev.signal in score.signals
        )
        pool.append(
            _Pooled(
                title=item.title,
                summary=item.summary,
                lang=item.lang,
                story_key=story_key(item.title),
                simhash=simhash(story_text(item.title, item.summary)),
                score=score,
                actors=(*sorted(set(score.actors)), ALL_ACTORS),
                signal_weights=tuple((s, weights.get(s, 0.0)) for s in set(score.signals)),
                pairs=pairs,
            )
        )
    return pool


def _pool_weights(pool: list[_Pooled], goal: float) -> list[float]:
    """Cumulative draw weights ``1 + a * signals`` whose weighted mean of signals is ``goal``."""
    counts = [len(p.signal_weights) for p in pool]

    def mean(a: float) -> float:
        return sum((1 + a * c) * c for c in counts) / sum(1 + a * c for c in counts)

    low, high = 0.0, 100.0
    if mean(low) < goal < mean(high):
        for _ in range(60):
            low, high = (
                (low, (low + high) / 2)
                if mean((low + high) / 2) > goal
                else ((low + high) / 2, high)
            )
    cumulative, total = [], 0.0
    for c in counts:
        total += 1 + low * c
        cumulative.append(total)
    return cumulative


def _ts(moment: datetime) -> str:
    # SQLAlchemy's SQLite DateTime text form; queries compare these strings.
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _day_counts(rng: random.Random, items: int, days: int) -> list[int]:
    """Items per day: weekday rhythm, slow growth, and a few news spikes."""
    weights = []
    for d in range(days):
        w = (0.7 if d % 7 in (5, 6) else 1.0) * (0.8 + 0.4 * d / max(days, 1))
        if rng.random() < 0.02:
            w *= 2.5
        weights.append(w)
    total = sum(weights)
    counts = [int(items * w / total) for w in weights]
    counts[-1] += items - sum(counts)
    return counts


def _insert_feeds(db: sqlite3.Connection, rng: random.Random, now: datetime) -> list[int]:
    rows = []
    for fid in range(1, FEEDS + 1):
        name, lang, countries = _OUTLETS[(fid - 1) % len(_OUTLETS)]
        label = name if fid <= len(_OUTLETS) else f"{name} {fid // len(_OUTLETS) + 1}"
        failing = fid % 9 == 0
        polled = now - timedelta(minutes=rng.randint(1, 14))
        rows.append((
            fid, label, f"https://feeds{fid}.example.org/rss", lang, countries, 1, 0, label,
            None, None, _ts(polled), None if failing else _ts(polled),
            "error" if failing else "ok", 4 if failing else 0,
            "HTTP 503 Service Unavailable" if failing else None,
            _ts(polled + timedelta(minutes=15 * (16 if failing else 1))), 0, None, None,
        ))  # fmt: skip
    db.executemany(f"INSERT INTO feeds VALUES ({','.join('?' * 19)})", rows)
    return list(range(1, FEEDS + 1))


def _insert_fetch_log(db: sqlite3.Connection, rng: random.Random, days: int = 14) -> None:
    rows = []
    start = END - timedelta(days=days)
    for fid in range(1, FEEDS + 1):
        moment = start + timedelta(minutes=rng.randint(0, 14))
        while moment < END:
            failing = fid % 9 == 0 and moment > END - timedelta(hours=2)
            status = "error" if failing else rng.choice(("ok", "ok", "not_modified"))
            new = rng.randint(0, 4) if status == "ok" else 0
            rows.append((
                _ts(moment), fid, status, 503 if failing else (200 if status == "ok" else 304),
                new, rng.randint(0, 20) if status == "ok" else 0,
                "HTTP 503 Service Unavailable" if failing else None, None, rng.randint(80, 900),
            ))  # fmt: skip
            moment += timedelta(minutes=15)
    rows.sort()
    db.executemany(
        "INSERT INTO fetch_log (started_at, feed_id, status, http_status, new, duplicates,"
        " error, warning, duration_ms) VALUES (?,?,?,?,?,?,?,?,?)",
        rows,
    )


def _drop_secondary(db: sqlite3.Connection) -> list[str]:
    """Drop indexes (not the automatic ones) and triggers; return the SQL to re-create them."""
    rows = db.execute(
        "SELECT type, name, sql FROM sqlite_master"
        " WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
    ).fetchall()
    for kind, name, _sql in rows:
        db.execute(f'DROP {kind.upper()} "{name}"')
    return [sql for _kind, _name, sql in rows]


class _Writer:
    """Buffers one day's rows per table and the day's aggregates, then writes them."""

    def __init__(self, db: sqlite3.Connection, lexicon_version: str, evidence_from: date) -> None:
        self.db = db
        self.version = lexicon_version
        self.evidence_from = evidence_from
        self.items: list[tuple] = []
        self.scores: list[tuple] = []
        self.signals: list[tuple] = []
        self.actors: list[tuple] = []
        self.evidence: list[tuple] = []
        self.stories: list[tuple] = []
        self.actor_acc: dict[tuple, list] = defaultdict(lambda: [0.0, 0, 0])
        self.signal_acc: dict[tuple, list] = defaultdict(lambda: [0, 0.0])
        self.pair_acc: dict[tuple, list] = defaultdict(lambda: [0.0, 0])

    def add(
        self, item_id: int, feed_id: int, when: datetime, p: _Pooled, story_id: int, lead: bool
    ) -> None:
        day = when.date()
        stamp = _ts(when)
        s = p.score
        self.items.append((
            item_id, feed_id, f"bench-{item_id}",
            f"https://feeds{feed_id}.example.org/{day:%Y/%m/%d}/story-{item_id}",
            p.title, p.summary, p.lang, stamp, 0, _ts(when + timedelta(minutes=7)),
            f"bench-dedup-{item_id:09d}", f"bench-link-{item_id:09d}", p.story_key,
            story_id, int(lead), 0, s.score,
        ))  # fmt: skip
        if lead:
            self.stories.append((story_id, p.simhash, item_id, stamp, 1, 1))
        self.scores.append(
            (
                item_id,
                self.version,
                s.score,
                s.direction,
                ",".join(s.signals),
                ",".join(s.actors),
                ",".join(s.negated),
                stamp,
            )
        )
        self.signals += [(item_id, sig) for sig, _w in p.signal_weights]
        self.actors += [(item_id, actor) for actor in p.actors[:-1]]
        if day >= self.evidence_from:
            self.evidence += [
                (
                    item_id,
                    e.signal,
                    e.actor,
                    e.target,
                    e.text,
                    e.field,
                    e.start,
                    e.end,
                    int(e.negated),
                    int(e.hedged),
                    e.weight,
                    e.suppressed_by,
                )
                for e in s.evidence
            ]
        for actor in p.actors:
            acc = self.actor_acc[(day, actor, feed_id)]
            acc[1] += 1
            if lead:
                acc[0] += s.score
                acc[2] += 1
        if not lead:
            return
        for actor in p.actors:
            for sig, weight in p.signal_weights:
                acc = self.signal_acc[(day, actor, sig, feed_id)]
                acc[0] += 1
                acc[1] += weight
        for source, target, weight in p.pairs:
            acc = self.pair_acc[(day, source, target, feed_id)]
            acc[0] += weight
            acc[1] += 1

    def flush(self) -> None:
        db = self.db
        db.executemany(f"INSERT INTO items VALUES ({','.join('?' * 17)})", self.items)
        db.executemany("INSERT INTO stories VALUES (?,?,?,?,?,?)", self.stories)
        db.executemany("INSERT INTO scores VALUES (?,?,?,?,?,?,?,?)", self.scores)
        db.executemany("INSERT INTO item_signals VALUES (?,?)", self.signals)
        db.executemany("INSERT INTO item_actors VALUES (?,?)", self.actors)
        db.executemany(
            'INSERT INTO evidence (item_id, signal, actor, target, text, field, start, "end",'
            " negated, hedged, weight, suppressed_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            self.evidence,
        )
        db.executemany(
            "INSERT INTO daily_actor (day, actor, feed_id, score, items, stories)"
            " VALUES (?,?,?,?,?,?)",
            [(k[0].isoformat(), k[1], k[2], *v) for k, v in self.actor_acc.items()],
        )
        db.executemany(
            "INSERT INTO daily_signal (day, actor, signal, feed_id, count, weight)"
            " VALUES (?,?,?,?,?,?)",
            [(k[0].isoformat(), k[1], k[2], k[3], *v) for k, v in self.signal_acc.items()],
        )
        # The feed-less rollups: the same sums with the feed left out, as _aggregate does.
        actor_all: dict[tuple, list] = defaultdict(lambda: [0.0, 0, 0])
        for (day, actor, _feed), v in self.actor_acc.items():
            acc = actor_all[(day, actor)]
            acc[0], acc[1], acc[2] = acc[0] + v[0], acc[1] + v[1], acc[2] + v[2]
        signal_all: dict[tuple, list] = defaultdict(lambda: [0, 0.0])
        for (day, actor, sig, _feed), v in self.signal_acc.items():
            acc = signal_all[(day, actor, sig)]
            acc[0], acc[1] = acc[0] + v[0], acc[1] + v[1]
        db.executemany(
            "INSERT INTO daily_actor_all (day, actor, score, items, stories) VALUES (?,?,?,?,?)",
            [(k[0].isoformat(), k[1], *v) for k, v in actor_all.items()],
        )
        db.executemany(
            "INSERT INTO daily_signal_all (day, actor, signal, count, weight) VALUES (?,?,?,?,?)",
            [(k[0].isoformat(), k[1], k[2], *v) for k, v in signal_all.items()],
        )
        db.executemany(
            "INSERT INTO daily_pair (day, source, target, feed_id, score, count)"
            " VALUES (?,?,?,?,?,?)",
            [(k[0].isoformat(), k[1], k[2], k[3], *v) for k, v in self.pair_acc.items()],
        )
        for buffer in (
            self.items,
            self.scores,
            self.signals,
            self.actors,
            self.evidence,
            self.stories,
        ):
            buffer.clear()
        self.actor_acc.clear()
        self.signal_acc.clear()
        self.pair_acc.clear()


def _check_columns(db: sqlite3.Connection) -> None:
    """Fail loudly if the migrations' column order no longer matches the positional inserts."""
    expected = {
        "items": 17, "stories": 6, "scores": 8, "item_signals": 2, "item_actors": 2, "feeds": 19,
    }  # fmt: skip
    for table, count in expected.items():
        found = len(db.execute(f"PRAGMA table_info({table})").fetchall())
        if found != count:
            raise RuntimeError(
                f"{table} has {found} columns, bench.bigdb expects {count}: "
                f"bump BIGDB_VERSION and update the inserts"
            )


def build(
    path: Path, items: int, days: int = 1000, evidence_days: int = 120, log: bool = True
) -> None:
    """Generate the database at ``path`` (replaced atomically when complete)."""
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    url = f"sqlite:///{partial}"
    migrate(url)
    dispose_engine(url)

    def say(text: str) -> None:
        if log:
            print(f"queries.build # {time.perf_counter() - started:6.1f} s  {text}", flush=True)

    rng = random.Random(1999)
    pool = _pool(min(POOL_SIZE, max(200, items // 4)))
    draw = _pool_weights(pool, SIGNALS_PER_ITEM)
    indexes = range(len(pool))
    say(f"scored a pool of {len(pool)} generated texts with the real scorer")
    db = sqlite3.connect(partial, isolation_level=None)
    # A throwaway file being filled: no journal, no fsync; WAL is switched on at the end.
    for pragma in (
        "journal_mode = OFF",
        "synchronous = OFF",
        "cache_size = -400000",
        "temp_store = MEMORY",
        "locking_mode = EXCLUSIVE",
        "foreign_keys = OFF",
    ):
        db.execute(f"PRAGMA {pragma}")
    _check_columns(db)
    db.execute("BEGIN")
    recreate = _drop_secondary(db)
    _insert_feeds(db, rng, END)
    _insert_fetch_log(db, rng)
    first_day = END.date() - timedelta(days=days - 1)
    writer = _Writer(
        db, pool[0].score.lexicon_version, END.date() - timedelta(days=evidence_days - 1)
    )
    recent: deque[tuple[int, int]] = deque(maxlen=60)  # (story id, pool index) of recent leads
    item_id = story_id = 0
    for offset, count in enumerate(_day_counts(rng, items, days)):
        day_start = datetime.combine(first_day + timedelta(days=offset), datetime.min.time())
        seconds = sorted(rng.randrange(86_400) for _ in range(count))
        for sec in seconds:
            item_id += 1
            feed_id = rng.randint(1, FEEDS)
            when = day_start + timedelta(seconds=sec)
            if recent and rng.random() < COPY_SHARE:
                story, index = recent[rng.randrange(len(recent))]
                writer.add(item_id, feed_id, when, pool[index], story, lead=False)
                continue
            story_id += 1
            index = rng.choices(indexes, cum_weights=draw)[0]
            recent.append((story_id, index))
            writer.add(item_id, feed_id, when, pool[index], story_id, lead=True)
        writer.flush()
        if offset % 200 == 199:
            say(f"{item_id:,} items written")
    db.execute(
        "UPDATE stories SET item_count = c.n, outlet_count = c.o FROM"
        " (SELECT story_id, count(*) AS n, count(DISTINCT feed_id) AS o FROM items"
        "  GROUP BY story_id HAVING count(*) > 1) AS c WHERE stories.id = c.story_id"
    )
    say(f"{item_id:,} items, {story_id:,} stories; re-creating {len(recreate)} indexes/triggers")
    for sql in recreate:
        db.execute(sql)
    db.execute("COMMIT")
    say("indexes re-created; rebuilding the full-text index")
    db.execute("INSERT INTO items_fts(items_fts) VALUES ('rebuild')")
    db.execute("PRAGMA locking_mode = NORMAL")
    db.execute("PRAGMA journal_mode = WAL")
    counts = {
        t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
        for t in (
            "items",
            "item_signals",
            "item_actors",
            "evidence",
            "daily_actor",
            "daily_signal",
            "daily_pair",
            "daily_actor_all",
            "daily_signal_all",
        )
    }
    db.close()
    os.replace(partial, path)
    say(
        "done: "
        + ", ".join(f"{t} {n:,}" for t, n in counts.items())
        + f"; {path.stat().st_size / 2**20:,.0f} MiB"
    )
