"""parse_feed: our fixture feeds, hostile XML, and the shared corpora read in place."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from ingest.errors import FeedParseError, NotAFeed
from ingest.parse import ParsedFeed, parse_feed
from tests.conftest import needs_shared

FEEDS_DIR = Path(__file__).resolve().parent.parent / "data" / "feeds"
CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"

pytestmark = pytest.mark.timeout(120)


def _all_text(parsed: ParsedFeed) -> str:
    """Every string feedparser produced, to search for things that must not be there."""
    out: list[str] = [parsed.title]

    def walk(value: object) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for entry in parsed.entries:
        walk(entry)
    return "\n".join(out)


@pytest.mark.parametrize(
    ("name", "version", "count"),
    [
        ("rss20_en.xml", "rss20", 3),
        ("atom_sr_cyrl.xml", "atom10", 3),
        ("rdf_bs.xml", "rss10", 2),
        ("identity.xml", "rss20", 7),
        ("dates.xml", "rss20", 6),
        ("rss_iso8859_2.xml", "rss20", 1),
    ],
)
def test_well_formed_fixtures(name, version, count):
    parsed = parse_feed((FEEDS_DIR / name).read_bytes(), base_url="https://example.org/feed")
    assert parsed.version == version
    assert len(parsed.entries) == count
    assert parsed.bozo is False
    assert parsed.warning is None


def test_bozo_feed_with_items_keeps_them_and_warns():
    parsed = parse_feed((FEEDS_DIR / "bozo_items.xml").read_bytes())
    assert parsed.bozo is True
    assert parsed.warning and "SAXParseException" in parsed.warning
    assert [e["title"] for e in parsed.entries][1] == "Protest in Mitrovica & roadblocks"


def test_no_items_and_fatal_error_is_a_parse_error():
    with pytest.raises(FeedParseError) as info:
        parse_feed((FEEDS_DIR / "broken_no_items.xml").read_bytes(), base_url="https://x.test/f")
    assert not isinstance(info.value, NotAFeed)
    assert info.value.url == "https://x.test/f"


def test_valid_empty_feed_is_not_an_error():
    parsed = parse_feed(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>')
    assert parsed.entries == ()
    assert parsed.title == "Quiet"


def test_html_page_is_not_a_feed():
    with pytest.raises(NotAFeed, match="not a feed"):
        parse_feed((FEEDS_DIR / "html_page.xml").read_bytes(),
                   {"Content-Type": "text/html"}, base_url="https://x.test/")


@pytest.mark.parametrize("body", [b"", b"   \n\t", b"\xef\xbb\xbf"])
def test_empty_documents(body):
    with pytest.raises(FeedParseError):
        parse_feed(body)


def test_str_is_refused():
    # feedparser would treat a str as a URL or a file name.
    with pytest.raises(TypeError):
        parse_feed("https://example.org/feed")  # type: ignore[arg-type]


def test_headers_are_passed_lowercased_and_charset_is_used():
    body = (FEEDS_DIR / "rss_windows1251.xml").read_bytes()
    parsed = parse_feed(body, {"Content-Type": "application/rss+xml; charset=windows-1251"})
    assert parsed.entries[0]["title"] == "Протести на северу Косова"
    assert parsed.title == "Вести 1251"


def test_base_url_resolves_relative_links():
    body = b'<rss version="2.0"><channel><title>t</title><item><title>a</title>' \
           b'<link>/news/1</link></item></channel></rss>'
    parsed = parse_feed(body, {}, base_url="https://portal.example.ba/rss")
    assert parsed.entries[0]["link"] == "https://portal.example.ba/news/1"


# --------------------------------------------------------------------------- hostile XML


def test_billion_laughs_is_neutralised():
    tracemalloc.start()
    try:
        parsed = parse_feed((FEEDS_DIR / "billion_laughs.xml").read_bytes())
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert parsed.warning and "lol1 (refers to other entities)" in parsed.warning
    assert len(parsed.entries) == 1
    assert "lollol" not in _all_text(parsed)
    assert peak < 50 * 1024 * 1024


def test_quadratic_blowup_is_neutralised():
    value = "A" * 50_000
    body = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "' + value + '">\n]>\n'
        '<rss version="2.0"><channel><title>q</title><item><title>q</title><description>'
        + "&a;" * 20_000 + "</description></item></channel></rss>"
    ).encode()
    # Expanded this would be 1 GB of text; the declaration is removed instead.
    tracemalloc.start()
    try:
        parsed = parse_feed(body)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "a (expansion too large)" in (parsed.warning or "")
    assert "A" * 100_000 not in _all_text(parsed)
    assert peak < 50 * 1024 * 1024


def test_external_entities_are_never_fetched_or_expanded(httpserver: HTTPServer, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN")
    httpserver.expect_request("/ping").respond_with_data("PINGED-CONTENT")
    body = (
        '<?xml version="1.0"?>\n'
        "<!DOCTYPE rss [\n"
        f'<!ENTITY ping SYSTEM "{httpserver.url_for("/ping")}">\n'
        f'<!ENTITY file SYSTEM "{secret.as_uri()}">\n'
        '<!ENTITY % remote SYSTEM "' + httpserver.url_for("/ping") + '">\n'
        "%remote;\n"
        "]>\n"
        '<rss version="2.0"><channel><title>x</title><item><title>Item &ping;</title>'
        "<description>steal &file;</description></item></channel></rss>"
    ).encode()
    parsed = parse_feed(body)
    text = _all_text(parsed)
    assert len(parsed.entries) == 1
    assert "TOP-SECRET-TOKEN" not in text
    assert "PINGED-CONTENT" not in text
    assert len(httpserver.log) == 0
    assert "ping (external)" in (parsed.warning or "")
    assert "remote (parameter entity)" in (parsed.warning or "")


def test_utf16_document_with_entities_is_checked_too():
    doc = (
        '<?xml version="1.0" encoding="utf-16"?>\n<!DOCTYPE rss [\n'
        '<!ENTITY x SYSTEM "file:///etc/passwd">\n]>\n'
        '<rss version="2.0"><channel><title>u</title><item><title>&x;</title></item>'
        "</channel></rss>"
    )
    parsed = parse_feed(doc.encode("utf-16"))
    assert "x (external)" in (parsed.warning or "")
    assert "root:" not in _all_text(parsed)


@needs_shared("corpora", "feedparser")
def test_simple_entities_still_work():
    # feedparser's own case: a plain internal entity must keep working (no false alarm).
    path = CORPORA / "feedparser" / "wellformed" / "rss" / "entity_in_doctype.xml"
    parsed = parse_feed(path.read_bytes())
    assert parsed.warning is None
    assert parsed.entries[0]["guid"] == "tag:example.com,2006-05-04:/blog/"


@needs_shared("corpora", "feedvalidator")
@pytest.mark.parametrize("name", ["system_entity.xml", "system_entity_http.xml"])
def test_feedvalidator_system_entity_cases_keep_their_item(name):
    path = CORPORA / "feedvalidator" / "rss" / "should" / name
    parsed = parse_feed(path.read_bytes())
    assert len(parsed.entries) == 1
    assert "(external)" in (parsed.warning or "")


@pytest.mark.parametrize("depth", [100_000])
def test_deeply_nested_elements_do_not_crash(depth):
    nested_xml = (
        b"<rss version='2.0'><channel><title>t</title><item><title>deep</title><x>"
        + b"<a>" * depth + b"v" + b"</a>" * depth + b"</x></item></channel></rss>"
    )
    nested_html = (
        b"<rss version='2.0'><channel><title>t</title><item><title>deep html</title>"
        b"<description>" + b"&lt;div&gt;" * depth + b"text" + b"&lt;/div&gt;" * depth
        + b"</description></item></channel></rss>"
    )
    unclosed = b"<rss version='2.0'><channel><item><title>open</title><x>" + b"<a>" * depth
    for body in (nested_xml, nested_html, unclosed):
        parsed = parse_feed(body)
        assert len(parsed.entries) == 1


# --------------------------------------------------------------------------- the shared corpora


def _corpus_documents() -> list[Path]:
    skip_suffixes = {".md", ".tsv", ".jsonl"}
    return sorted(
        p for p in CORPORA.rglob("*")
        if p.is_file() and p.suffix not in skip_suffixes and p.name != "LICENSE"
        and "expected" not in p.name and "expected" not in p.parts
    )


@needs_shared("corpora")
def test_every_corpus_file_parses_or_raises_our_error():
    documents = _corpus_documents()
    assert len(documents) > 2000  # the corpora are really there
    with_entries = 0
    for path in documents:
        try:
            parsed = parse_feed(path.read_bytes(), base_url=None)
        except FeedParseError:
            continue
        with_entries += bool(parsed.entries)
    # Most files carry entries; a regression that drops them all would show here.
    assert with_entries > 1000
