"""The bundled sample feeds in data/sample/ are well-formed and cover what demos and tests need.

The files are parsed with feedparser from bytes, the same way ingest/parse.py parses what it
fetched, so a broken sample file fails here before it confuses a dashboard demo.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"
SAMPLE_FILES = sorted(SAMPLE_DIR.glob("*.xml"))
FIRST = datetime(2022, 1, 1, tzinfo=UTC)
END = datetime(2026, 1, 1, tzinfo=UTC)


def _parse(path: Path) -> feedparser.FeedParserDict:
    return feedparser.parse(path.read_bytes())


@pytest.fixture(scope="module")
def parsed() -> dict[str, feedparser.FeedParserDict]:
    return {path.name: _parse(path) for path in SAMPLE_FILES}


def _entry_date(entry: feedparser.FeedParserDict) -> datetime | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if stamp is None:
        return None
    # feedparser hands back UTC struct_times; timegm keeps them in UTC.
    return datetime.fromtimestamp(calendar.timegm(stamp), tz=UTC)


def _language(feed: feedparser.FeedParserDict) -> str:
    return (feed.feed.get("language") or "").lower()


def test_there_are_enough_files_and_entries(parsed: dict) -> None:
    assert len(SAMPLE_FILES) >= 8, [p.name for p in SAMPLE_FILES]
    total = sum(len(feed.entries) for feed in parsed.values())
    assert total >= 300, total
    for name, feed in parsed.items():
        assert len(feed.entries) >= 15, (name, len(feed.entries))


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_file_is_well_formed_and_labelled_as_sample(path: Path) -> None:
    feed = _parse(path)
    assert not feed.bozo, (path.name, feed.get("bozo_exception"))
    assert feed.feed.get("title", "").startswith("Sample: "), feed.feed.get("title")
    head = path.read_text(encoding="utf-8")[:600]
    # Each file opens (after the XML declaration) with a comment saying what it is.
    assert re.match(r"<\?xml[^>]*\?>\s*<!--\s*SAMPLE DATA written by the Balkan Tension", head)


def test_formats_are_covered(parsed: dict) -> None:
    versions = Counter(feed.version for feed in parsed.values())
    assert versions["rss20"] >= 2, versions
    assert versions["atom10"] >= 2, versions
    assert versions["rss10"] >= 1, versions


def test_languages_are_covered(parsed: dict) -> None:
    languages = {_language(feed) for feed in parsed.values()}
    primary = {lang.split("-")[0] for lang in languages}
    assert {"sr-latn", "sr-cyrl"} <= languages, languages
    assert {"en", "sq"} <= primary, languages
    english = sum(1 for feed in parsed.values() if _language(feed).startswith("en"))
    assert english > len(parsed) / 2, english


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_every_entry_is_complete(path: Path) -> None:
    feed = _parse(path)
    for entry in feed.entries:
        where = (path.name, entry.get("id"))
        assert entry.get("title", "").strip(), where
        assert entry.get("summary", "").strip(), where
        link = urlsplit(entry.get("link", ""))
        assert link.scheme == "https", where
        assert link.hostname == "sample.example", where
        when = _entry_date(entry)
        assert when is not None, where
        assert FIRST <= when < END, (where, when)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_ids_are_unique_within_a_file(path: Path) -> None:
    ids = [entry.get("id") for entry in _parse(path).entries]
    assert all(ids), path.name
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicates, duplicates


def test_every_year_has_items_and_crises_form_bursts(parsed: dict) -> None:
    months = Counter()
    for feed in parsed.values():
        for entry in feed.entries:
            when = _entry_date(entry)
            months[(when.year, when.month)] += 1
    assert {year for year, _ in months} == {2022, 2023, 2024, 2025}
    # The Banjska attack month should stand well above a typical month.
    typical = sorted(months.values())[len(months) // 2]
    assert months[(2023, 9)] >= 2 * typical, (months[(2023, 9)], typical)


def test_some_stories_are_syndicated_across_files(parsed: dict) -> None:
    files_by_title: dict[str, set[str]] = {}
    for name, feed in parsed.items():
        for entry in feed.entries:
            files_by_title.setdefault(entry.title.casefold(), set()).add(name)
    shared = {title for title, names in files_by_title.items() if len(names) >= 2}
    assert len(shared) >= 4, shared
    assert any(len(files_by_title[t]) >= 3 for t in shared), shared


def test_there_are_denials_to_score(parsed: dict) -> None:
    denial = re.compile(r"\bden(y|ies|ied)\b|negira|демантова|mohon", re.IGNORECASE)
    hits = [
        entry.title
        for feed in parsed.values()
        for entry in feed.entries
        if denial.search(entry.title) or denial.search(entry.get("summary", ""))
    ]
    assert len(hits) >= 5, hits
