"""feedparser entries to ``NewsItem``: plain text, UTC dates, canonical URLs, identity.

Identity (``dedup_key``, hex SHA-256) is decided here once, in this order:

1. the entry's guid/id, scoped by source: ``sha256("guid\\0" + source + "\\0" + guid)``.
   When a guid repeats inside one document, the later copy uses ``guid|url``,
   then ``guid|position``, so the first copy keeps a stable key;
2. else the canonical link, global across feeds: ``sha256("link\\0" + url)``;
3. else ``sha256("hash\\0" + source + "\\0" + title + "\\0" + published)``, where
   ``published`` is the ISO date only when it came from the feed (an estimated
   date is the fetch time and would change the key on every poll).

Separately, ``link_key = sha256("linktitle\\0" + url + "\\0" + casefolded title)``
catches the same story re-published under a new guid, and ``story_key`` (title
folded to ASCII-ish lowercase words, Cyrillic transliterated) lets the index
count a syndicated story once.

Text rules: tags removed (script/style/... with their content), entities
decoded (twice-escaped ones too), control and format characters removed,
whitespace collapsed. Links: only http(s); host lower-cased, default port,
userinfo, fragment and tracking parameters removed. Dates: feedparser's
``published``/``updated``/``created`` (already UTC); missing or implausible
(before 1995, or more than two days ahead of the fetch) falls back to the fetch
time with ``date_estimated=True``.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import re
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "FeedLike",
    "NewsItem",
    "canonical_url",
    "feed_title",
    "normalize_entry",
    "normalize_feed",
    "plain_text",
    "story_key",
]

SUMMARY_MAX = 5000
TITLE_MAX = 1000
TITLE_FROM_SUMMARY = 160
URL_MAX = 2000  # storage column width
GUID_MAX = 2000
STORY_KEY_MAX = 128
FEED_TITLE_MAX = 300
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=2)

_DROP_CONTENT = frozenset(
    {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
     "math", "head", "title", "textarea", "select"}
)
_BLOCK = frozenset(
    {"p", "br", "div", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4",
     "h5", "h6", "blockquote", "pre", "section", "article", "header", "footer", "hr",
     "figure", "figcaption", "dd", "dt", "img"}
)
_TRACKING_EXACT = frozenset(
    {"fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
     "ref", "ref_src", "cmpid", "ocid", "_ga", "_gl", "spm", "at_medium", "at_campaign",
     "at_custom1", "at_custom2", "at_custom3", "at_custom4", "wt_mc", "xtor", "ito", "ns_mchannel",
     "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "rss", "cmp"}
)
_TRACKING_PREFIX = ("utm_", "pk_", "mtm_", "hsa_", "oly_")
_TAGLIKE = re.compile(r"<[A-Za-z/!?]")
_STRAY_LT = re.compile(r"<+(?=[A-Za-z/!?])")
_IANA_SUFFIX = re.compile(r"\s([A-Z][A-Za-z_]+(?:/[A-Z][A-Za-z_]+)+)\s*$")
_ENTITYLIKE = re.compile(r"&(?:#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});?")
_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+")
_CYRILLIC = dict(
    zip(
        "абвгдђежзијклљмнњопрстћуфхцчџшѓќѕ",
        ["a", "b", "v", "g", "d", "dj", "e", "z", "z", "i", "j", "k", "l", "lj", "m", "n", "nj",
         "o", "p", "r", "s", "t", "c", "u", "f", "h", "c", "c", "dz", "s", "g", "k", "dz"],
        strict=True,
    )
)
_LATIN_EXTRA = {"đ": "dj", "ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i"}


class FeedLike(Protocol):
    """The part of ``ingest.parse.ParsedFeed`` used here (steps never import each other)."""

    @property
    def entries(self) -> Sequence[Mapping[str, Any]]: ...

    @property
    def language(self) -> str | None: ...


@dataclass(frozen=True)
class NewsItem:
    """One news item, normalised and ready to score and store."""

    source: str  # feed URL or local file path
    guid: str | None  # as the feed gave it (trimmed); identity is dedup_key
    url: str | None  # canonical, http(s) only
    title: str
    summary: str
    lang: str
    published_at: datetime  # aware, UTC
    date_estimated: bool
    fetched_at: datetime  # aware, UTC
    dedup_key: str
    link_key: str | None
    story_key: str


def normalize_feed(
    parsed: FeedLike,
    *,
    source: str,
    feed_lang: str | None,
    fetched_at: datetime,
) -> list[NewsItem]:
    """Normalise every usable entry; entries with neither title nor text are skipped."""
    items: list[NewsItem] = []
    seen_guids: set[str] = set()
    for position, entry in enumerate(parsed.entries):
        item = normalize_entry(
            entry,
            source=source,
            feed_lang=feed_lang or parsed.language,
            fetched_at=fetched_at,
            position=position,
            seen_guids=seen_guids,
        )
        if item is not None:
            items.append(item)
    return items


def normalize_entry(
    entry: Mapping[str, Any],
    *,
    source: str,
    feed_lang: str | None,
    fetched_at: datetime,
    position: int = 0,
    seen_guids: set[str] | None = None,
) -> NewsItem | None:
    """Normalise one feedparser entry; ``None`` when it has neither title nor text.

    ``seen_guids`` is shared across one document so a repeated guid gets a
    distinct key (see the module docstring); it is updated in place.
    """
    fetched = _as_utc(fetched_at)
    summary = _clip(plain_text(_entry_text(entry)), SUMMARY_MAX)
    title = _clip(plain_text(_str(entry.get("title"))), TITLE_MAX)
    if not title:
        title = _clip(summary, TITLE_FROM_SUMMARY)
    if not title:
        return None

    url = _entry_url(entry)
    published, estimated = _entry_date(entry, fetched)
    guid = _str(entry.get("id")).strip() or None
    lang = (feed_lang or _str(entry.get("language")) or "").strip()

    if guid is not None:
        identity = guid
        if seen_guids is not None:
            if identity in seen_guids:
                identity = f"{guid}|{url}" if url else f"{guid}|{position}"
                if identity in seen_guids:
                    identity = f"{guid}|{position}"
            seen_guids.add(identity)
        dedup_key = _sha("guid", source, identity)
    elif url is not None:
        dedup_key = _sha("link", url)
    else:
        dedup_key = _sha("hash", source, title, "" if estimated else published.isoformat())

    return NewsItem(
        source=source,
        guid=guid[:GUID_MAX] if guid else None,
        url=url,
        title=title,
        summary=summary,
        lang=lang,
        published_at=published,
        date_estimated=estimated,
        fetched_at=fetched,
        dedup_key=dedup_key,
        link_key=_sha("linktitle", url, title.casefold()) if url else None,
        story_key=story_key(title),
    )


# --------------------------------------------------------------------------- text


class _TextExtractor(HTMLParser):
    """Collects character data, skipping the content of non-text elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_CONTENT:
            self._skip_depth += 1
        elif tag in _BLOCK:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_CONTENT:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def feed_title(value: str | None) -> str | None:
    """The feed's own title as plain text like an item's (markup, comments, entities and
    control characters gone), clipped; None when nothing readable is left."""
    return _clip(plain_text(value), FEED_TITLE_MAX) or None


_ANY_TAG = re.compile(r"<[^>]*>?")
_SCRIPT_BLOCK = re.compile(r"<(script|style)\b.*?(</\1\s*>|$)", re.I | re.S)


def plain_text(value: str | None) -> str:
    """Markup-free, entity-decoded, single-spaced text; never raises, never contains ``<tag``."""
    if not value:
        return ""
    text = value
    # Feeds double- (rarely triple-) escape markup; each round peels one layer.
    for _round in range(3):
        if not (_TAGLIKE.search(text) or _ENTITYLIKE.search(text)):
            break
        text = _strip_tags(text)
    text = _SPACE.sub(" ", text)
    if not text.isprintable():  # C-speed check; the per-character filter is the slow path
        text = "".join(ch for ch in text if _keep_char(ch))
    text = _STRAY_LT.sub("", text)  # a "<tag" left unclosed would still read as markup
    return _SPACE.sub(" ", text).strip()


def _strip_tags(text: str) -> str:
    parser = _TextExtractor()
    try:
        parser.feed(text)
        parser.close()
    except AssertionError:
        # html.parser asserts on some malformed declarations ("<![0 b"): keep
        # what it read so far and drop everything tag-like from the rest.
        return html.unescape(_ANY_TAG.sub(" ", _SCRIPT_BLOCK.sub(" ", text)))
    return html.unescape("".join(parser.parts))


def _keep_char(ch: str) -> bool:
    if ch in "\t\n\r":
        return True
    category = unicodedata.category(ch)
    # Cc control, Cf format (bidi overrides, zero-width, soft hyphen), Cs lone surrogates.
    if category in ("Cc", "Cf", "Cs"):
        return False
    return not (0xFDD0 <= ord(ch) <= 0xFDEF or (ord(ch) & 0xFFFE) == 0xFFFE)


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def _entry_text(entry: Mapping[str, Any]) -> str:
    summary = _str(entry.get("summary"))
    if summary.strip():
        return summary
    for content in entry.get("content") or ():
        value = _str(content.get("value") if isinstance(content, Mapping) else None)
        if value.strip():
            return value
    return ""


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def story_key(title: str) -> str:
    """Title folded for grouping: lower-case, no accents, Cyrillic in Latin, words only."""
    folded: list[str] = []
    for ch in title.casefold():
        if ch in _CYRILLIC:
            folded.append(_CYRILLIC[ch])
        elif ch in _LATIN_EXTRA:
            folded.append(_LATIN_EXTRA[ch])
        else:
            folded.append(ch)
    decomposed = unicodedata.normalize("NFKD", "".join(folded))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACE.sub(" ", _NON_WORD.sub(" ", bare)).strip()[:STORY_KEY_MAX].rstrip()


# --------------------------------------------------------------------------- links


def canonical_url(value: str | None) -> str | None:
    """http(s) URL with lower-case host, no default port, fragment, userinfo or tracking."""
    if not value or not isinstance(value, str):
        return None
    raw = value.strip()
    if not raw or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in raw):
        return None
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in ("http", "https") or not host:
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None or port == (80 if scheme == "http" else 443) else f"{host}:{port}"
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    kept = [
        (key, val)
        for key, val in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(key)
    ]
    query = urlencode(kept, doseq=False, safe="/:@!$'()*,;-._~") if kept else ""
    url = urlunsplit((scheme, netloc, path, query, ""))
    return url if len(url) <= URL_MAX else None


def _is_tracking(key: str) -> bool:
    lowered = key.lower()
    return lowered in _TRACKING_EXACT or lowered.startswith(_TRACKING_PREFIX)


def _entry_url(entry: Mapping[str, Any]) -> str | None:
    candidates: list[object] = [entry.get("link")]
    for link in entry.get("links") or ():
        if isinstance(link, Mapping) and link.get("rel", "alternate") == "alternate":
            candidates.append(link.get("href"))
    guid = entry.get("id")
    if entry.get("guidislink") and isinstance(guid, str):
        candidates.append(guid)
    for candidate in candidates:
        url = canonical_url(candidate if isinstance(candidate, str) else None)
        if url:
            return url
    return None


# --------------------------------------------------------------------------- dates


def _entry_date(entry: Mapping[str, Any], fetched: datetime) -> tuple[datetime, bool]:
    latest = fetched + FUTURE_SLACK
    for key in ("published", "updated", "created"):
        when = _from_struct(_raw_get(entry, f"{key}_parsed"))
        if when is not None:
            when = _apply_named_zone(_raw_get(entry, key), when)
        if when is not None and EARLIEST <= when <= latest:
            return when, False
    return fetched, True


def _raw_get(entry: Mapping[str, Any], key: str) -> object:
    # dict.get skips FeedParserDict's deprecated updated->published key aliasing.
    return dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)


def _apply_named_zone(text: object, when: datetime) -> datetime:
    """feedparser reads "... 20:19:00 America/Los_Angeles" as UTC; apply the named zone."""
    if not isinstance(text, str):
        return when
    match = _IANA_SUFFIX.search(text)
    if match is None or match.group(1).lower().startswith("etc/"):
        return when  # feedparser already understands Etc/GMT-style names
    try:
        zone = ZoneInfo(match.group(1))
    except (ZoneInfoNotFoundError, ValueError):
        return when
    return when.replace(tzinfo=zone).astimezone(UTC)


def _from_struct(value: object) -> datetime | None:
    if not isinstance(value, time.struct_time | tuple) or len(value) < 6:
        return None
    try:
        # feedparser's struct_time is already UTC; timegm keeps it so (and folds a
        # leap second into the next minute instead of failing).
        return datetime.fromtimestamp(calendar.timegm(tuple(value)[:6] + (0, 0, 0)), UTC)
    except (OverflowError, ValueError, OSError, TypeError):
        return None


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# --------------------------------------------------------------------------- keys


def _sha(kind: str, *parts: str) -> str:
    return hashlib.sha256("\0".join((kind, *parts)).encode("utf-8", "surrogatepass")).hexdigest()
