"""Errors raised by the ingest steps, one tree with one base.

    IngestError                     base: anything that stops one feed (or the config)
    ├── FetchError(url, reason, status=None)   could not get the bytes; raised bare for a
    │   │                                      malformed response (bad gzip, protocol error)
    │   ├── FetchTimeout(url, phase, seconds)  connect or total deadline passed
    │   ├── NetworkError(url, reason)          DNS failure, refused connection, TLS failure
    │   ├── HTTPStatusError(url, status, retry_after=None)   non-2xx answer other than 304/410
    │   ├── FeedGone(url)                      410 Gone: stop polling this feed
    │   ├── TooLarge(url, limit)               decoded body passed the byte cap
    │   ├── TooManyRedirects(url, limit, chain)
    │   ├── BlockedAddress(url, host, address) host resolves to a private/loopback/... address
    │   ├── UnsupportedScheme(url, scheme)     anything but http/https (also on a redirect hop)
    │   └── EmptyBody(url, status)             a 2xx answer with no bytes
    ├── FeedParseError(url, reason)            bytes are not a usable feed
    │   └── NotAFeed(url)                      an HTML page (or other document) instead of a feed
    └── FeedConfigError(file, entry, reason)   feeds.toml is unreadable or an entry is invalid

Every class keeps its facts as attributes so the pipeline can record them
(status, retry hint, limit) without parsing messages. Third-party exceptions
(httpx, OS errors) are translated at the boundary with ``raise ... from exc``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BlockedAddress",
    "EmptyBody",
    "FeedConfigError",
    "FeedGone",
    "FeedParseError",
    "FetchError",
    "FetchTimeout",
    "HTTPStatusError",
    "IngestError",
    "NetworkError",
    "NotAFeed",
    "TooLarge",
    "TooManyRedirects",
    "UnsupportedScheme",
]


class IngestError(Exception):
    """Base of every ingest error; the pipeline catches this per feed."""


class FetchError(IngestError):
    """Raised when the bytes of a feed could not be obtained."""

    def __init__(self, url: str, reason: str, *, status: int | None = None) -> None:
        self.url = url
        self.reason = reason
        self.status = status
        super().__init__(f"{url}: {reason}")


class FetchTimeout(FetchError):
    """Raised when connecting, or the whole download, takes longer than allowed."""

    def __init__(self, url: str, phase: str, seconds: float) -> None:
        self.phase = phase
        self.seconds = seconds
        super().__init__(url, f"{phase} timed out after {seconds:g} s")


class NetworkError(FetchError):
    """Raised when the host cannot be resolved or reached, or TLS fails."""


class HTTPStatusError(FetchError):
    """Raised for a non-2xx answer (other than 304 and 410); carries a Retry-After hint."""

    def __init__(self, url: str, status: int, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        hint = f", retry after {retry_after:g} s" if retry_after is not None else ""
        super().__init__(url, f"HTTP {status}{hint}", status=status)


class FeedGone(FetchError):
    """Raised on 410 Gone: the publisher says the feed will not come back."""

    def __init__(self, url: str) -> None:
        super().__init__(url, "HTTP 410 Gone: feed removed by the publisher", status=410)


class TooLarge(FetchError):
    """Raised when the decoded body (after decompression) passes the byte cap."""

    def __init__(self, url: str, limit: int) -> None:
        self.limit = limit
        super().__init__(url, f"body larger than {limit} bytes (after decompression)")


class TooManyRedirects(FetchError):
    """Raised when a redirect chain is longer than allowed (this includes loops)."""

    def __init__(self, url: str, limit: int, chain: tuple[str, ...]) -> None:
        self.limit = limit
        self.chain = chain
        super().__init__(url, f"more than {limit} redirects")


class BlockedAddress(FetchError):
    """Raised when a host resolves to a non-public address and private networks are off."""

    def __init__(self, url: str, host: str, address: str) -> None:
        self.host = host
        self.address = address
        super().__init__(url, f"{host} resolves to non-public address {address}")


class UnsupportedScheme(FetchError):
    """Raised for a URL (or redirect target) whose scheme is not http or https."""

    def __init__(self, url: str, scheme: str) -> None:
        self.scheme = scheme
        super().__init__(url, f"unsupported URL scheme {scheme!r}")


class EmptyBody(FetchError):
    """Raised when a successful answer carries no bytes."""

    def __init__(self, url: str, status: int | None) -> None:
        super().__init__(url, "empty response body", status=status)


class FeedParseError(IngestError):
    """Raised when fetched bytes hold no entries and feedparser reports a fatal problem."""

    def __init__(self, url: str | None, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}" if url else reason)


class NotAFeed(FeedParseError):
    """Raised when the document is not RSS/Atom/RDF at all (typically an HTML page)."""

    def __init__(self, url: str | None, detail: str = "") -> None:
        self.detail = detail
        super().__init__(url, "not a feed" + (f" ({detail})" if detail else ""))


class FeedConfigError(IngestError):
    """Raised when the feed file cannot be read or one of its entries is invalid."""

    def __init__(self, file: Path | str, entry: str | None, reason: str) -> None:
        self.file = Path(file)
        self.entry = entry
        self.reason = reason
        where = f"{self.file}" + (f", {entry}" if entry else "")
        super().__init__(f"{where}: {reason}")
