"""Every feed-like file of ../shared/corpora through `python -m ingest FILE ...`.

The corpora are real test inputs of other feed readers (well-formed, broken, hostile, many
encodings) and real news feeds; each folder's MANIFEST.tsv lists its files. Every listed
input (all but the upstream expected-output JSON and the vector tables) is ingested by the
real CLI, in a few invocations that share one database, and then:

- no invocation fails and no file meets an unexpected exception (an "internal error");
- a file in which feedparser itself finds entries with a title or summary stores items;
- no stored title or summary holds markup or a script, no stored link a non-http(s) scheme.

The files are read in place from ../shared and never copied into the repository.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from sqlalchemy import text

from storage import get_engine
from tests.conftest import ROOT, SHARED, needs_shared, new_database_url

CORPORA = SHARED / "corpora"
CHUNKS = 4  # CLI invocations; each takes a few hundred files

pytestmark = [
    pytest.mark.timeout(300),
    needs_shared("corpora"),
]

# Markup that survived plain-text conversion, or the pieces of a script payload.
# "javascript:" counts only when glued to what follows (a URL), because prose such
# as "Patterns in JavaScript: type checks" is a real headline, not a payload.
_MARKUP = re.compile(r"<[A-Za-z!/?][^<>]*>")
_TAG = re.compile(r"<[^>]*>")
_INVISIBLE = re.compile(r"<(script|style|svg|math)\b.*?</\1\s*>", re.I | re.S)
_PAYLOAD = re.compile(r"<script|<img|<iframe|<svg|onerror\s*=|onload\s*=|javascript:\S", re.I)


def corpus_files() -> list[Path]:
    """Every feed-like input named in the corpora manifests."""
    files: list[Path] = []
    for manifest in sorted(CORPORA.glob("*/MANIFEST.tsv")):
        with manifest.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                path = manifest.parent / row["path"]
                if row["category"] == "expected_output" or path.suffix in (".tsv", ".jsonl"):
                    continue
                files.append(path.resolve())
    return files


def visible_text(value: str | None) -> str:
    """What a reader would see of an HTML fragment: no tags (also once-decoded ones), no
    script, style, drawing or formula, entities decoded. Independent of ingest.normalize."""
    value = _INVISIBLE.sub(" ", value or "")
    value = html.unescape(_TAG.sub(" ", value))
    return _TAG.sub(" ", value).strip()


def has_entries(path: Path) -> bool:
    """The oracle: feedparser, given the bytes alone, finds an entry with a title or summary."""
    parsed = feedparser.parse(path.read_bytes())
    return any(
        visible_text(entry.get("title")) or visible_text(entry.get("summary"))
        for entry in parsed.entries
    )


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list, list]]:
    """(database URL, [summary per run], [stderr per run]) after ingesting every file."""
    files = corpus_files()
    generator = new_database_url(tmp_path_factory.mktemp("corpora"))
    url = next(generator)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TENSION_")}
    summaries, errors = [], []
    size = -(-len(files) // CHUNKS)
    for start in range(0, len(files), size):
        chunk = [str(p) for p in files[start : start + size]]
        result = subprocess.run(
            [sys.executable, "-m", "ingest", *chunk, "--db", url, "--json"],
            cwd=ROOT, env=environ, capture_output=True, text=True, timeout=240,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        lines = result.stdout.strip().splitlines()
        assert len(lines) == 1, result.stdout[-2000:]
        summaries.append(json.loads(lines[0]))
        errors.append(result.stderr)
    yield url, summaries, errors
    for _ in generator:  # drop a PostgreSQL schema; nothing to do for SQLite
        pass


def outcomes(summaries: list[dict]) -> dict[str, dict]:
    return {feed["source"]: feed for summary in summaries for feed in summary["feeds"]}


def test_corpora_are_there_and_large():
    files = corpus_files()
    assert len(files) > 2500
    missing = [str(p) for p in files if not p.is_file()]
    assert missing == []


def test_every_file_ingests_without_an_unexpected_exception(ingested):
    _url, summaries, errors = ingested
    by_source = outcomes(summaries)
    assert set(by_source) == {str(p) for p in corpus_files()}
    internal = {s: f["error"] for s, f in by_source.items()
                if (f["error"] or "").startswith("internal error")}
    assert internal == {}
    assert not any("Traceback" in stderr for stderr in errors)


def test_files_with_entries_store_items(ingested):
    _url, summaries, _errors = ingested
    by_source = outcomes(summaries)
    expected = [p for p in corpus_files() if has_entries(p)]
    assert len(expected) > 700  # the oracle itself is not vacuous
    lost = {
        str(p): by_source[str(p)]
        for p in expected
        # An item already stored from another file (same link) counts as a duplicate.
        if by_source[str(p)]["status"] != "ok"
        or by_source[str(p)]["new"] + by_source[str(p)]["duplicates"] == 0
    }
    assert lost == {}


def test_stored_text_is_plain_and_links_are_web_links(ingested):
    url, _summaries, _errors = ingested
    with get_engine(url).connect() as conn:
        items = conn.execute(text("SELECT id, title, summary, url FROM items")).all()
        unscored = conn.execute(text(
            "SELECT count(*) FROM items i LEFT JOIN scores s ON s.item_id = i.id "
            "WHERE s.item_id IS NULL"
        )).scalar_one()
    assert len(items) > 1000
    dirty = [
        (item.id, field, value[:200])
        for item in items
        for field, value in (("title", item.title), ("summary", item.summary))
        if _MARKUP.search(value) or _PAYLOAD.search(value)
    ]
    assert dirty == []
    bad_links = [
        (item.id, item.url) for item in items
        if item.url is not None and urlsplit(item.url).scheme not in ("http", "https")
    ]
    assert bad_links == []
    assert unscored == 0
