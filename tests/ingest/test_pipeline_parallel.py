"""Large feeds in pieces: worker processes parse and score, the pipeline stores.

What must hold: a feed cut into pieces is stored exactly as a one-pass parse
would store it (same keys, texts and scores, repeated guids included); odd
documents are not cut at all; a dead worker is an error for its feed only;
and a killed pipeline leaves no worker behind.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from ingest.fetch import FetchOptions
from ingest.normalize import normalize_feed
from ingest.parse import parse_feed, split_entries
from ingest.pipeline import BATCH_SIZE, PARALLEL_MIN_ENTRIES, run_sources, to_rows
from ingest.worker import PieceTask, Worker, WorkerCrashed
from storage import get_engine
from tests.reliability.conftest import feed_bytes, start_cli, write_feed

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title>
<entry><id>a1</id><title>Serbia and Kosovo</title><updated>2024-01-02T10:00:00Z</updated></entry>
<entry><id>a2</id><title>Second</title><updated>2024-01-03T10:00:00Z</updated></entry>
<entry><id>a3</id><title>Third</title><updated>2024-01-04T10:00:00Z</updated></entry>
</feed>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://x.example/"><title>RDF</title><link>https://x.example/</link></channel>
<item rdf:about="https://x.example/1"><title>One</title><link>https://x.example/1</link></item>
<item rdf:about="https://x.example/2"><title>Two</title><link>https://x.example/2</link></item>
</rdf:RDF>"""


@pytest.mark.parametrize("document", [feed_bytes("s", 7), ATOM, RDF], ids=["rss", "atom", "rdf"])
def test_pieces_hold_the_same_entries_as_the_whole(document: bytes) -> None:
    split = split_entries(document)
    assert split is not None
    whole = parse_feed(document)
    assert len(split) == len(whole.entries)
    pieces = [parse_feed(split.piece(i, min(i + 2, len(split)))) for i in range(0, len(split), 2)]
    assert [e for p in pieces for e in p.entries] == list(whole.entries)
    assert {p.title for p in pieces} == {whole.title}


@pytest.mark.parametrize(
    "document",
    [
        feed_bytes("s", 3)[:-20],  # ill-formed
        feed_bytes("s", 3).decode().replace('encoding="utf-8"', 'encoding="utf-16"').encode(
            "utf-16"
        ),
        feed_bytes("s", 3).replace(b"<rss", b'<!DOCTYPE rss [<!ENTITY a "b">]>\n<rss', 1),
        b"<html><body><item>not a feed</item></body></html>",
        feed_bytes("s", 3).replace(b"</channel>", b"</channel><channel><item/></channel>"),
        b'<rss version="2.0"><channel><title>no items</title></channel></rss>',
    ],
    ids=["ill-formed", "utf-16", "doctype", "html", "two-channels", "empty"],
)
def test_odd_documents_are_not_cut(document: bytes) -> None:
    assert split_entries(document) is None


def _stored(db_url: str) -> list[tuple]:
    with get_engine(db_url).connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT i.dedup_key, i.title, i.summary, s.score, s.direction "
                    "FROM items i JOIN scores s ON s.item_id = i.id ORDER BY i.dedup_key"
                )
            )
        ]


def _expected(document: bytes, source: str) -> list[tuple]:
    parsed = parse_feed(document)
    items = normalize_feed(parsed, source=source, feed_lang="en", fetched_at=datetime.now(UTC))
    rows = to_rows(items)
    return sorted(
        (r.dedup_key, r.title, r.summary, pytest.approx(r.score.score), r.score.direction)
        for r in rows
    )


def test_large_feed_is_stored_as_a_one_pass_parse_would_store_it(
    db_url: str, tmp_path: Path
) -> None:
    count = max(PARALLEL_MIN_ENTRIES, 3 * BATCH_SIZE) + 17
    body = feed_bytes("big", count)
    # Guids repeated far apart (in different pieces) must get the later copy's key,
    # as in a whole-document pass.
    body = body.replace(b"<guid>big-5</guid>", b"<guid>big-1</guid>")
    body = body.replace(
        f"<guid>big-{count - 3}</guid>".encode(), b"<guid>big-1</guid>"
    )
    path = tmp_path / "big.xml"
    path.write_bytes(body)

    summary = run_sources(get_engine(db_url), [str(path)], options=_options(len(body)))

    assert summary.feeds[0].status == "ok", summary.feeds[0]
    assert summary.feeds[0].new == count
    assert _stored(db_url) == _expected(body, str(path.resolve()))


def test_small_feed_takes_the_one_pass_path(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "small.xml"
    path.write_bytes(feed_bytes("small", 12))
    summary = run_sources(get_engine(db_url), [str(path)], options=_options(1 << 20))
    assert summary.feeds[0].new == 12
    assert _stored(db_url) == _expected(path.read_bytes(), str(path.resolve()))


def test_a_dead_worker_is_reported_not_waited_for() -> None:
    worker = Worker()
    worker.process.kill()
    worker.process.wait()
    task = PieceTask(feed_bytes("w", 2), {}, None, "src", "en", datetime.now(UTC), False, 0, 2)
    with pytest.raises(WorkerCrashed, match="worker process died"):
        worker.send(task)
        worker.receive()
    worker.stop()


def test_worker_answers_a_piece() -> None:
    worker = Worker()
    try:
        task = PieceTask(feed_bytes("w", 3), {}, None, "src", "en", datetime.now(UTC), False, 0, 3)
        worker.send(task)
        result = worker.receive()
        assert len(result.rows) == 3
        assert result.title == "Generated w"
        wrong = PieceTask(task.document, {}, None, "src", "en", task.fetched_at, False, 0, 5)
        worker.send(wrong)
        with pytest.raises(Exception, match="held 3 entries, expected 5"):
            worker.receive()
        assert worker.drain()
    finally:
        worker.stop()


def _workers_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"serve_fds" in cmdline:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.slow
def test_workers_die_with_a_killed_pipeline(db_url: str, tmp_path: Path) -> None:
    path = write_feed(tmp_path / "big.xml", "kill", 6_000)
    proc = start_cli(str(path), "--db", db_url, "--json")
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while not workers and proc.poll() is None and time.monotonic() < deadline:
        workers = _workers_of(proc.pid)
        time.sleep(0.05)
    assert workers, "the CLI never started a worker for a 6,000-item feed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 20
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers), "a worker outlived its pipeline"


def _options(size: int) -> FetchOptions:
    return FetchOptions(max_body_bytes=max(size * 2, 1 << 20))
