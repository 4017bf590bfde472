"""HTTP fetch of one feed: bytes and cache validators, no parsing, no database.

Our own client (httpx), never feedparser's fetcher, so every request has:
- a connect timeout and one deadline for the whole download, slow bodies included;
- a body cap counted on *decoded* bytes: we ask only for gzip/deflate and inflate
  ourselves with a bounded output size, so a gzip bomb stops at the cap;
- redirects followed by hand (at most ``max_redirects``), each hop re-checked;
- an identifying User-Agent, an Accept header listing feed types, and a
  conditional GET (If-None-Match / If-Modified-Since); 304 is a result, not an error;
- SSRF protection: the host is resolved here, every address is checked
  (``netguard.is_blocked_address``: private, loopback, link-local, multicast, reserved, ...),
  and the connection goes to the checked IP with the original Host header and
  TLS server name, so DNS cannot change its answer between check and connect.

All httpx and OS errors are translated into ``ingest.errors`` types here.
``FetchOptions`` is declared in ``ingest.config`` (settings live in one place)
and re-exported here.
"""

from __future__ import annotations

import functools
import ssl
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin

import httpx

from ingest.config import DEFAULT_USER_AGENT, FetchOptions
from ingest.errors import (
    BlockedAddress,
    EmptyBody,
    FeedGone,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NetworkError,
    TooLarge,
    TooManyRedirects,
    UnsupportedScheme,
)
from netguard import is_blocked_address, resolve_host  # one home for the SSRF rule

__all__ = [
    "ACCEPT_HEADER",
    "DEFAULT_USER_AGENT",
    "FetchOptions",
    "FetchResult",
    "fetch_feed",
    "is_blocked_address",
    "parse_retry_after",
    "read_local",
]

ACCEPT_HEADER = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})


@dataclass(frozen=True)
class FetchResult:
    """What one fetch produced. ``body`` is decoded (no Content-Encoding left)."""

    final_url: str
    status: int
    body: bytes
    headers: Mapping[str, str]  # lowercase names; content-encoding/-length removed
    etag: str | None
    last_modified: str | None
    not_modified: bool = False
    # Set only when the chain *starts* with 301/308 hops: the URL they lead to,
    # which the caller may store as the feed's new address.
    permanent_redirect: str | None = None
    elapsed_ms: int = 0
    retry_after: float | None = None
    redirects: tuple[str, ...] = ()


def fetch_feed(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    options: FetchOptions | None = None,
) -> FetchResult:
    """GET a feed URL with the limits of ``options``; raise a ``FetchError`` subtype on failure."""
    opts = options or FetchOptions()
    started = time.monotonic()
    deadline = started + opts.timeout
    headers = {
        "User-Agent": opts.user_agent,
        "Accept": ACCEPT_HEADER,
        # Only encodings we inflate ourselves with a bounded output.
        "Accept-Encoding": "gzip, deflate",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    current = url
    chain: list[str] = [url]
    permanent: str | None = None
    only_permanent_so_far = True
    with httpx.Client(
        trust_env=False,  # a proxy from the environment would bypass the address check
        follow_redirects=False,
        verify=_ssl_context(opts.ca_file),
        # No keep-alive: a pooled connection is keyed by IP and could be reused
        # for another host name on the same address with the wrong TLS name.
        limits=httpx.Limits(max_keepalive_connections=0),
    ) as client:
        for _hop in range(opts.max_redirects + 1):
            # A private address is allowed only for the host and port the config vouched
            # for: another service on the same machine is not what the feed's owner trusted.
            allow_private = opts.allow_private and (
                opts.private_redirects or _origin(current) == _origin(url)
            )
            response = _send(client, current, headers, opts, deadline, allow_private)
            try:
                status = response.status_code
                if status in _REDIRECTS:
                    location = response.headers.get("location", "").strip()
                    if not location:
                        raise HTTPStatusError(current, status)
                    target = urljoin(current, location)
                    if only_permanent_so_far and status in _PERMANENT:
                        permanent = target
                    else:
                        only_permanent_so_far = False
                    current = target
                    chain.append(target)
                    continue
                return _finish(response, current, opts, deadline, started, etag, last_modified,
                               permanent, tuple(chain[1:]))
            finally:
                response.close()
    raise TooManyRedirects(url, opts.max_redirects, tuple(chain))


def read_local(path: Path, *, max_body_bytes: int = FetchOptions.max_body_bytes) -> FetchResult:
    """Read a feed file from disk with the same size cap; ``status`` is 200 for a readable file."""
    started = time.monotonic()
    name = str(path)
    try:
        with Path(path).open("rb") as handle:
            body = handle.read(max_body_bytes + 1)
    except OSError as exc:
        raise FetchError(name, f"cannot read file: {exc.strerror or exc}") from exc
    if len(body) > max_body_bytes:
        raise TooLarge(name, max_body_bytes)
    if not body:
        raise EmptyBody(name, None)
    return FetchResult(
        final_url=name,
        status=200,
        body=body,
        headers={},
        etag=None,
        last_modified=None,
        elapsed_ms=int((time.monotonic() - started) * 1000),
    )


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); None if unusable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" style dates come back naive: they mean UTC
        when = when.replace(tzinfo=UTC)
    reference = now or datetime.now(UTC)
    return max(0.0, (when - reference).total_seconds())


# --------------------------------------------------------------------------- internals


@functools.lru_cache(maxsize=4)
def _ssl_context(ca_file: str | None = None) -> ssl.SSLContext:
    # Building a context loads the CA bundle (tens of ms); a shared context is thread-safe.
    if ca_file:
        return ssl.create_default_context(cafile=ca_file)
    return httpx.create_ssl_context()


def _send(
    client: httpx.Client,
    url: str,
    headers: dict[str, str],
    opts: FetchOptions,
    deadline: float,
    allow_private: bool,
) -> httpx.Response:
    """One request to ``url`` over a checked address; returns a streaming response."""
    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError(url, f"invalid URL: {exc}") from exc
    scheme = target.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsupportedScheme(url, scheme or "(none)")
    host = target.raw_host.decode("ascii")
    if not host:
        raise FetchError(url, "URL has no host")
    port = target.port or (443 if scheme == "https" else 80)

    addresses = _resolve(url, host, port, _remaining(url, opts, deadline))
    if not allow_private:
        for address in addresses:
            if is_blocked_address(address):
                raise BlockedAddress(url, host, address)

    request_headers = dict(headers)
    request_headers["Host"] = target.netloc.decode("ascii")
    last_error: Exception | None = None
    for address in addresses:
        remaining = _remaining(url, opts, deadline)
        timeout = httpx.Timeout(remaining, connect=min(opts.connect_timeout, remaining))
        request = client.build_request(
            "GET",
            target.copy_with(host=address),
            headers=request_headers,
            timeout=timeout,
            # TLS: server name and certificate check use the real host, not the IP.
            extensions={"sni_hostname": host},
        )
        try:
            return client.send(request, stream=True)
        except httpx.ConnectTimeout as exc:
            raise FetchTimeout(url, "connect", min(opts.connect_timeout, remaining)) from exc
        except httpx.ConnectError as exc:
            last_error = exc  # try the host's next address, as browsers do
        except httpx.TimeoutException as exc:
            raise FetchTimeout(url, "total", opts.timeout) from exc
        except httpx.HTTPError as exc:
            raise _translate(url, exc) from exc
    raise NetworkError(url, f"cannot connect to {host}: {last_error}") from last_error


def _finish(
    response: httpx.Response,
    url: str,
    opts: FetchOptions,
    deadline: float,
    started: float,
    sent_etag: str | None,
    sent_last_modified: str | None,
    permanent: str | None,
    redirects: tuple[str, ...],
) -> FetchResult:
    status = response.status_code
    headers = {name: response.headers[name] for name in response.headers.keys()}
    retry_after = parse_retry_after(headers.get("retry-after"))
    if status == 410:
        raise FeedGone(url)
    if status == 304:
        etag = headers.get("etag") or sent_etag
        last_modified = headers.get("last-modified") or sent_last_modified
        return FetchResult(
            final_url=url, status=304, body=b"", headers=headers, etag=etag,
            last_modified=last_modified, not_modified=True, permanent_redirect=permanent,
            elapsed_ms=int((time.monotonic() - started) * 1000), retry_after=retry_after,
            redirects=redirects,
        )
    if not 200 <= status < 300:
        raise HTTPStatusError(url, status, retry_after)

    body = _read_body(response, url, opts, deadline)
    if not body:
        raise EmptyBody(url, status)
    headers.pop("content-encoding", None)
    headers.pop("content-length", None)
    etag = headers.get("etag")
    last_modified = headers.get("last-modified")
    if headers.get("expires", "").strip() == "0":
        # Servers that send "Expires: 0" want no caching; their validators are unreliable.
        etag = last_modified = None
    return FetchResult(
        final_url=url, status=status, body=body, headers=headers, etag=etag,
        last_modified=last_modified, not_modified=False, permanent_redirect=permanent,
        elapsed_ms=int((time.monotonic() - started) * 1000), retry_after=retry_after,
        redirects=redirects,
    )


def _read_body(response: httpx.Response, url: str, opts: FetchOptions, deadline: float) -> bytes:
    cap = opts.max_body_bytes
    encodings = [
        e.strip().lower()
        for e in response.headers.get("content-encoding", "").split(",")
        if e.strip() and e.strip().lower() != "identity"
    ]
    if len(encodings) > 1 or (encodings and encodings[0] not in ("gzip", "x-gzip", "deflate")):
        raise FetchError(url, f"unsupported content encoding {', '.join(encodings)!r}")
    if not encodings:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise TooLarge(url, cap)
    inflater = _Inflater(encodings[0]) if encodings else None

    parts: list[bytes] = []
    size = 0
    try:
        # No chunk_size: httpx would buffer up to it, hiding a trickle from the deadline check.
        for raw in response.iter_raw():
            if time.monotonic() > deadline:
                raise FetchTimeout(url, "total", opts.timeout)
            pieces = inflater.feed(raw, cap - size + 1) if inflater else (raw,)
            for piece in pieces:
                size += len(piece)
                if size > cap:
                    raise TooLarge(url, cap)
                parts.append(piece)
    except httpx.TimeoutException as exc:
        raise FetchTimeout(url, "total", opts.timeout) from exc
    except httpx.HTTPError as exc:
        raise _translate(url, exc) from exc
    except zlib.error as exc:
        raise FetchError(url, f"corrupt compressed body: {exc}") from exc
    if inflater is not None and not inflater.finished:
        raise FetchError(url, "compressed body ended early")
    return b"".join(parts)


class _Inflater:
    """Incremental gzip/deflate decoder whose output per call never exceeds a budget."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._obj: zlib._Decompress | None = None
        self.finished = False

    def _new(self, first: bytes) -> zlib._Decompress:
        if self._gzip:
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" should be zlib-wrapped, but many servers send a raw stream.
        wrapped = (
            len(first) >= 2 and (first[0] & 0x0F) == 8 and (first[0] * 256 + first[1]) % 31 == 0
        )
        return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def feed(self, data: bytes, budget: int) -> list[bytes]:
        out: list[bytes] = []
        produced = 0
        while data:
            if self._obj is None:
                self._obj = self._new(data)
                self.finished = False
            piece = self._obj.decompress(data, max(1, budget - produced))
            if piece:
                out.append(piece)
                produced += len(piece)
                if produced >= budget:
                    return out  # the caller raises TooLarge; stop inflating now
            if self._obj.eof:
                self.finished = True
                rest = self._obj.unused_data
                self._obj = None
                # Concatenated gzip members are legal; anything else after the end is padding.
                data = rest if self._gzip and rest[:2] == b"\x1f\x8b" else b""
            else:
                data = self._obj.unconsumed_tail
        return out


def _resolve(url: str, host: str, port: int, timeout: float) -> list[str]:
    """Addresses for ``host`` in resolver order, with the lookup bounded by ``timeout``."""
    try:
        return resolve_host(host, port, timeout)
    except TimeoutError:
        raise FetchTimeout(url, "dns", timeout) from None
    except (OSError, UnicodeError) as exc:
        raise NetworkError(url, f"cannot resolve {host}: {exc}") from exc


def _origin(url: str) -> tuple[str, int | None]:
    """(host, port) with the scheme's default port filled in; ("", None) if unparseable."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        return "", None
    default = {"http": 80, "https": 443}.get(parsed.scheme.lower())
    return (parsed.host or "").lower(), parsed.port or default


def _remaining(url: str, opts: FetchOptions, deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchTimeout(url, "total", opts.timeout)
    return left


def _translate(url: str, exc: httpx.HTTPError) -> FetchError:
    # Timeouts are handled by the callers, which know which limit applied.
    if isinstance(exc, httpx.NetworkError):
        return NetworkError(url, f"network error: {exc}")
    return FetchError(url, f"{type(exc).__name__}: {exc}")
