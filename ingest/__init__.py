"""Getting news in: feed config, HTTP fetch, feedparser parse, normalisation.

The steps (``config``, ``fetch``, ``parse``, ``normalize``) take values and
return values and know nothing of each other, the database or the scorer;
the orchestrator joins them. Errors are in ``ingest.errors`` (``IngestError``).
"""

from ingest.config import FeedConfig, FetchOptions, FetchSettings, load_feeds, load_settings
from ingest.errors import FeedConfigError, FeedParseError, FetchError, IngestError
from ingest.fetch import FetchResult, fetch_feed, read_local
from ingest.normalize import NewsItem, normalize_entry, normalize_feed
from ingest.parse import ParsedFeed, parse_feed

__all__ = [
    "FeedConfig",
    "FeedConfigError",
    "FeedParseError",
    "FetchError",
    "FetchOptions",
    "FetchResult",
    "FetchSettings",
    "IngestError",
    "NewsItem",
    "ParsedFeed",
    "fetch_feed",
    "load_feeds",
    "load_settings",
    "normalize_entry",
    "normalize_feed",
    "parse_feed",
    "read_local",
]
