"""fetch_feed / read_local against real local servers on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import gzip
import socket
import time
import tracemalloc
import zlib
from datetime import UTC, datetime

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from ingest.errors import (
    BlockedAddress,
    EmptyBody,
    FeedGone,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NetworkError,
    NotAFeed,
    TooLarge,
    TooManyRedirects,
    UnsupportedScheme,
)
from ingest.fetch import (
    DEFAULT_USER_AGENT,
    FetchOptions,
    fetch_feed,
    is_blocked_address,
    parse_retry_after,
    read_local,
)
from ingest.parse import parse_feed

pytestmark = pytest.mark.timeout(60)


# --------------------------------------------------------------------------- success and caching


def test_200_returns_body_validators_and_sends_identity(
    httpserver: HTTPServer, feeds_dir, local_options
):
    body = (feeds_dir / "rss20_en.xml").read_bytes()
    httpserver.expect_request("/feed").respond_with_data(
        body,
        content_type="application/rss+xml; charset=utf-8",
        headers={"ETag": '"v1"', "Last-Modified": "Wed, 31 May 2023 12:00:00 GMT"},
    )
    result = fetch_feed(httpserver.url_for("/feed"), options=local_options)

    assert result.status == 200
    assert result.body == body
    assert result.not_modified is False
    assert result.etag == '"v1"'
    assert result.last_modified == "Wed, 31 May 2023 12:00:00 GMT"
    assert result.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert all(name == name.lower() for name in result.headers)
    assert result.permanent_redirect is None
    assert result.final_url == httpserver.url_for("/feed")
    request, _response = httpserver.log[0]
    assert request.headers["User-Agent"] == DEFAULT_USER_AGENT
    assert "application/rss+xml" in request.headers["Accept"]
    assert "application/atom+xml" in request.headers["Accept"]
    assert "If-None-Match" not in request.headers


def test_304_sends_validators_and_is_not_an_error(httpserver: HTTPServer, local_options):
    sent_date = "Wed, 31 May 2023 12:00:00 GMT"
    # The handler only matches when both validators arrive; otherwise the server answers 500.
    httpserver.expect_request(
        "/feed", headers={"If-None-Match": '"v1"', "If-Modified-Since": sent_date}
    ).respond_with_response(Response(status=304, headers={"ETag": '"v1"'}))

    result = fetch_feed(
        httpserver.url_for("/feed"), etag='"v1"', last_modified=sent_date, options=local_options
    )
    assert result.not_modified is True
    assert result.status == 304
    assert result.body == b""
    assert result.etag == '"v1"'
    assert result.last_modified == sent_date  # kept: the 304 did not send a new one


def test_expires_zero_drops_unreliable_validators(httpserver: HTTPServer, local_options):
    httpserver.expect_request("/feed").respond_with_data(
        b"<rss/>", headers={"ETag": '"x"', "Expires": "0"}
    )
    result = fetch_feed(httpserver.url_for("/feed"), options=local_options)
    assert result.etag is None and result.last_modified is None


def test_host_header_names_the_host_not_the_connected_ip(httpserver: HTTPServer, local_options):
    # fetch connects to the checked IP; the server must still see the original host name.
    url = httpserver.url_for("/feed").replace("127.0.0.1", "localhost")
    host = f"localhost:{httpserver.port}"
    httpserver.expect_request("/feed", headers={"Host": host}).respond_with_data(b"<rss/>")
    assert fetch_feed(url, options=local_options).body == b"<rss/>"


# --------------------------------------------------------------------------- redirects


@pytest.mark.parametrize(("status", "permanent"), [(301, True), (308, True), (302, False),
                                                   (307, False), (303, False)])
def test_redirects_followed_and_only_301_308_are_permanent(
    httpserver: HTTPServer, local_options, status, permanent
):
    target = httpserver.url_for("/new")
    httpserver.expect_request("/old").respond_with_response(
        Response(status=status, headers={"Location": "/new"})
    )
    httpserver.expect_request("/new").respond_with_data(b"<rss/>")
    result = fetch_feed(httpserver.url_for("/old"), options=local_options)
    assert result.body == b"<rss/>"
    assert result.final_url == target
    assert result.redirects == (target,)
    assert result.permanent_redirect == (target if permanent else None)


def test_permanent_redirect_stops_at_first_temporary_hop(httpserver: HTTPServer, local_options):
    httpserver.expect_request("/a").respond_with_response(
        Response(status=301, headers={"Location": "/b"})
    )
    httpserver.expect_request("/b").respond_with_response(
        Response(status=302, headers={"Location": "/c"})
    )
    httpserver.expect_request("/c").respond_with_data(b"<rss/>")
    result = fetch_feed(httpserver.url_for("/a"), options=local_options)
    assert result.final_url == httpserver.url_for("/c")
    assert result.permanent_redirect == httpserver.url_for("/b")


def test_redirect_loop_stops_at_the_limit(httpserver: HTTPServer):
    httpserver.expect_request("/a").respond_with_response(
        Response(status=302, headers={"Location": "/b"})
    )
    httpserver.expect_request("/b").respond_with_response(
        Response(status=302, headers={"Location": "/a"})
    )
    options = FetchOptions(max_redirects=3, allow_private=True, timeout=5)
    with pytest.raises(TooManyRedirects) as info:
        fetch_feed(httpserver.url_for("/a"), options=options)
    assert info.value.limit == 3
    assert len(info.value.chain) == 5  # the start plus four Location targets
    assert len(httpserver.log) == 4  # max_redirects + 1 requests, then stop


def test_redirect_to_other_scheme_is_refused(httpserver: HTTPServer, local_options):
    httpserver.expect_request("/feed").respond_with_response(
        Response(status=302, headers={"Location": "file:///etc/passwd"})
    )
    with pytest.raises(UnsupportedScheme) as info:
        fetch_feed(httpserver.url_for("/feed"), options=local_options)
    assert info.value.scheme == "file"


# --------------------------------------------------------------------------- status errors


@pytest.mark.parametrize("status", [403, 404, 500, 502])
def test_error_statuses_raise_with_the_status(httpserver: HTTPServer, local_options, status):
    httpserver.expect_request("/feed").respond_with_data(b"nope", status=status)
    with pytest.raises(HTTPStatusError) as info:
        fetch_feed(httpserver.url_for("/feed"), options=local_options)
    assert info.value.status == status
    assert info.value.retry_after is None


def test_410_is_feed_gone(httpserver: HTTPServer, local_options):
    httpserver.expect_request("/feed").respond_with_data(b"gone", status=410)
    with pytest.raises(FeedGone) as info:
        fetch_feed(httpserver.url_for("/feed"), options=local_options)
    assert info.value.status == 410
    assert info.value.url == httpserver.url_for("/feed")


def test_429_carries_retry_after_seconds(httpserver: HTTPServer, local_options):
    httpserver.expect_request("/feed").respond_with_data(
        b"slow down", status=429, headers={"Retry-After": "120"}
    )
    with pytest.raises(HTTPStatusError) as info:
        fetch_feed(httpserver.url_for("/feed"), options=local_options)
    assert info.value.status == 429
    assert info.value.retry_after == 120.0


def test_503_carries_retry_after_http_date(httpserver: HTTPServer, local_options):
    httpserver.expect_request("/feed").respond_with_data(
        b"later", status=503, headers={"Retry-After": "Fri, 31 Dec 2100 23:59:59 GMT"}
    )
    with pytest.raises(HTTPStatusError) as info:
        fetch_feed(httpserver.url_for("/feed"), options=local_options)
    assert info.value.status == 503
    assert info.value.retry_after is not None and info.value.retry_after > 365 * 24 * 3600


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 60.0),
        ("Wed, 21 Oct 2015 07:26:00 GMT", 0.0),  # in the past: no wait
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value, expected):
    now = datetime(2015, 10, 21, 7, 27, tzinfo=UTC)
    assert parse_retry_after(value, now=now) == expected


def test_empty_200_body_is_an_error(httpserver: HTTPServer, local_options):
    httpserver.expect_request("/feed").respond_with_data(b"", status=200)
    with pytest.raises(EmptyBody):
        fetch_feed(httpserver.url_for("/feed"), options=local_options)


# --------------------------------------------------------------------------- time limits


def test_connect_timeout(unaccepting_port):
    options = FetchOptions(connect_timeout=0.5, timeout=5, allow_private=True)
    with pytest.raises(FetchTimeout) as info:
        fetch_feed(f"http://127.0.0.1:{unaccepting_port}/feed", options=options)
    assert info.value.phase == "connect"
    assert isinstance(info.value.__cause__, httpx.ConnectTimeout)


def test_slow_body_hits_the_total_deadline(raw_server):
    def trickle(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                     b"Content-Length: 100000\r\n\r\n<rss>")
        for _ in range(200):  # one byte every 50 ms: never idle long enough for a read timeout
            conn.sendall(b" ")
            time.sleep(0.05)

    server = raw_server(trickle)
    options = FetchOptions(connect_timeout=1, timeout=1.0, allow_private=True)
    with pytest.raises(FetchTimeout) as info:
        fetch_feed(server.url, options=options)
    assert info.value.phase == "total"


def test_stalled_body_hits_the_total_deadline(raw_server):
    def stall(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n<rs")
        time.sleep(5)

    server = raw_server(stall)
    options = FetchOptions(connect_timeout=1, timeout=0.5, allow_private=True)
    with pytest.raises(FetchTimeout) as info:
        fetch_feed(server.url, options=options)
    assert info.value.phase == "total"


# --------------------------------------------------------------------------- size limits


def test_oversized_body_with_content_length(httpserver: HTTPServer):
    httpserver.expect_request("/feed").respond_with_data(b"x" * 5000)
    options = FetchOptions(max_body_bytes=1000, allow_private=True, timeout=5)
    with pytest.raises(TooLarge) as info:
        fetch_feed(httpserver.url_for("/feed"), options=options)
    assert info.value.limit == 1000


def test_oversized_body_without_content_length(raw_server):
    def unbounded(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        for _ in range(100):
            conn.sendall(b"y" * 1024)

    server = raw_server(unbounded)
    options = FetchOptions(max_body_bytes=10_000, allow_private=True, timeout=5)
    with pytest.raises(TooLarge):
        fetch_feed(server.url, options=options)


def test_body_exactly_at_the_cap_is_accepted(httpserver: HTTPServer):
    httpserver.expect_request("/feed").respond_with_data(b"z" * 1000)
    options = FetchOptions(max_body_bytes=1000, allow_private=True, timeout=5)
    assert len(fetch_feed(httpserver.url_for("/feed"), options=options).body) == 1000


# --------------------------------------------------------------------------- compression


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as many servers send
    ],
)
def test_compressed_body_is_decoded(httpserver: HTTPServer, feeds_dir, local_options,
                                    encoding, compress):
    body = (feeds_dir / "rss20_en.xml").read_bytes()
    httpserver.expect_request("/feed").respond_with_data(
        compress(body), headers={"Content-Encoding": encoding}
    )
    result = fetch_feed(httpserver.url_for("/feed"), options=local_options)
    assert result.body == body
    assert "content-encoding" not in result.headers
    request, _ = httpserver.log[0]
    assert request.headers["Accept-Encoding"] == "gzip, deflate"


def test_concatenated_gzip_members(httpserver: HTTPServer, local_options):
    httpserver.expect_request("/feed").respond_with_data(
        gzip.compress(b"<rss>") + gzip.compress(b"</rss>"), headers={"Content-Encoding": "gzip"}
    )
    assert fetch_feed(httpserver.url_for("/feed"), options=local_options).body == b"<rss></rss>"


def test_gzip_bomb_stops_at_the_cap_with_bounded_memory(httpserver: HTTPServer, gzip_bomb):
    httpserver.expect_request("/feed").respond_with_data(
        gzip_bomb, headers={"Content-Encoding": "gzip"}
    )
    options = FetchOptions(allow_private=True, timeout=30)  # default 15 MiB cap
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge) as info:
            fetch_feed(httpserver.url_for("/feed"), options=options)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.limit == 15 * 1024 * 1024
    # 1 GiB inflated would need 1 GiB; we hold at most about the cap plus one chunk.
    assert peak < 3 * options.max_body_bytes


def test_corrupt_gzip_is_a_fetch_error(httpserver: HTTPServer, local_options):
    httpserver.expect_request("/feed").respond_with_data(
        b"\x1f\x8b\x08\x00garbage-not-deflate", headers={"Content-Encoding": "gzip"}
    )
    with pytest.raises(FetchError) as info:
        fetch_feed(httpserver.url_for("/feed"), options=local_options)
    assert "compressed" in info.value.reason


def test_truncated_gzip_is_a_fetch_error(httpserver: HTTPServer, local_options):
    httpserver.expect_request("/feed").respond_with_data(
        gzip.compress(b"<rss>" * 1000)[:-20], headers={"Content-Encoding": "gzip"}
    )
    with pytest.raises(FetchError, match="ended early"):
        fetch_feed(httpserver.url_for("/feed"), options=local_options)


def test_unsupported_content_encoding(httpserver: HTTPServer, local_options):
    httpserver.expect_request("/feed").respond_with_data(b"xx", headers={"Content-Encoding": "br"})
    with pytest.raises(FetchError, match="unsupported content encoding"):
        fetch_feed(httpserver.url_for("/feed"), options=local_options)


# --------------------------------------------------------------------------- end to end content


def test_wrong_content_type_still_parses(feed_server, local_options):
    url = feed_server("rss20_en.xml", content_type="text/html; charset=utf-8")
    result = fetch_feed(url, options=local_options)
    parsed = parse_feed(result.body, result.headers, base_url=result.final_url)
    assert len(parsed.entries) == 3


def test_windows_1251_charset_from_http_header(feed_server, local_options):
    url = feed_server("rss_windows1251.xml",
                      content_type="application/rss+xml; charset=windows-1251")
    result = fetch_feed(url, options=local_options)
    parsed = parse_feed(result.body, result.headers, base_url=result.final_url)
    assert parsed.entries[0]["title"] == "Протести на северу Косова"
    assert not parsed.bozo


def test_html_page_instead_of_feed(feed_server, local_options):
    url = feed_server("html_page.xml", content_type="text/html; charset=utf-8")
    result = fetch_feed(url, options=local_options)
    with pytest.raises(NotAFeed) as info:
        parse_feed(result.body, result.headers, base_url=result.final_url)
    assert info.value.url == url
    assert info.value.reason.startswith("not a feed")


# --------------------------------------------------------------------------- SSRF and schemes


def test_allow_private_trusts_the_feeds_host_and_port_only(httpserver: HTTPServer):
    # Another port on the same trusted host is another service: checked again, refused.
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        port = other.getsockname()[1]
        target = f"http://127.0.0.1:{port}/admin"
        httpserver.expect_request("/feed").respond_with_response(
            Response(status=302, headers={"Location": target})
        )
        options = FetchOptions(allow_private=True, timeout=5)
        with pytest.raises(BlockedAddress) as info:
            fetch_feed(httpserver.url_for("/feed"), options=options)
    assert info.value.url == target
    # The same host and port stays trusted.
    httpserver.expect_request("/moved").respond_with_response(
        Response(status=301, headers={"Location": httpserver.url_for("/feed2")})
    )
    httpserver.expect_request("/feed2").respond_with_data(
        b"<rss version='2.0'><channel><title>t</title></channel></rss>",
        content_type="application/rss+xml",
    )
    assert fetch_feed(httpserver.url_for("/moved"), options=options).status == 200


def test_private_address_refused_by_default(httpserver: HTTPServer):
    httpserver.expect_request("/feed").respond_with_data(b"<rss/>")
    for url in (httpserver.url_for("/feed"),
                httpserver.url_for("/feed").replace("127.0.0.1", "localhost")):
        with pytest.raises(BlockedAddress) as info:
            fetch_feed(url)
        assert is_blocked_address(info.value.address)
    assert len(httpserver.log) == 0  # refused before any connection was made


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
     "0.0.0.0", "224.0.0.1", "255.255.255.255", "240.0.0.1", "::1", "::", "fe80::1",
     "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "not-an-ip"],
)
def test_non_public_addresses_are_blocked(address):
    assert is_blocked_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2001:4860:4860::8888",
                                     "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert not is_blocked_address(address)


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "file:///etc/passwd",
                                 "gopher://example.org/"])
def test_only_http_and_https(url):
    with pytest.raises(UnsupportedScheme):
        fetch_feed(url)


def test_unresolvable_host_is_a_fetch_error():
    options = FetchOptions(timeout=3)
    with pytest.raises(FetchError) as info:
        fetch_feed("http://no-such-host.invalid/feed", options=options)
    assert not isinstance(info.value, HTTPStatusError)


def test_refused_connection_is_a_network_error(local_options):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens here now
    with pytest.raises(FetchError) as info:
        fetch_feed(f"http://127.0.0.1:{port}/feed", options=local_options)
    assert isinstance(info.value, NetworkError)
    assert info.value.__cause__ is not None


# --------------------------------------------------------------------------- local files


def test_read_local_reads_file(feeds_dir):
    path = feeds_dir / "rss_iso8859_2.xml"
    result = read_local(path)
    assert result.body == path.read_bytes()
    assert result.final_url == str(path)
    parsed = parse_feed(result.body, result.headers)
    assert parsed.entries[0]["title"] == "Šef diplomatije: Ćirilica i latinica, đaci i žene"


def test_read_local_limits(tmp_path):
    big = tmp_path / "big.xml"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(TooLarge):
        read_local(big, max_body_bytes=1000)
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    with pytest.raises(EmptyBody):
        read_local(empty)
    with pytest.raises(FetchError, match="cannot read"):
        read_local(tmp_path / "missing.xml")


# --------------------------------------------------------------------------- TLS


def test_https_verifies_the_host_name_while_connecting_to_the_checked_ip(https_server):
    # The certificate names only "localhost"; the connection goes to 127.0.0.1.
    # Success proves TLS used the host name (SNI + verification), not the IP.
    url, cert = https_server("localhost")
    options = FetchOptions(allow_private=True, timeout=10, ca_file=str(cert))
    result = fetch_feed(url, options=options)
    assert result.status == 200
    assert b"<title>tls</title>" in result.body


def test_https_with_a_certificate_for_another_host_fails(https_server):
    url, cert = https_server("other.example")
    options = FetchOptions(allow_private=True, timeout=10, ca_file=str(cert))
    with pytest.raises(NetworkError, match="cannot connect"):
        fetch_feed(url, options=options)


def test_https_with_an_untrusted_certificate_fails(https_server):
    url, _cert = https_server("localhost")
    with pytest.raises(NetworkError):
        fetch_feed(url, options=FetchOptions(allow_private=True, timeout=10))
