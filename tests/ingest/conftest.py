"""Fixtures for the ingest step tests: feed files, local HTTP servers, fetch options.

``feed_server`` serves ``tests/data/feeds/*.xml`` from pytest-httpserver on
127.0.0.1. ``raw_server`` is a tiny threaded socket server for what Werkzeug
cannot do (trickled bodies, a listener that never accepts). Nothing here
touches the internet.
"""

from __future__ import annotations

import socket
import threading
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from ingest.fetch import FetchOptions

FEEDS_DIR = Path(__file__).resolve().parent.parent / "data" / "feeds"
CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"


@pytest.fixture
def feeds_dir() -> Path:
    return FEEDS_DIR


@pytest.fixture
def local_options() -> FetchOptions:
    """Options for fetching from 127.0.0.1 (private addresses allowed), short limits."""
    return FetchOptions(connect_timeout=2.0, timeout=5.0, allow_private=True)


@pytest.fixture
def feed_server(httpserver: HTTPServer) -> Callable[..., str]:
    """serve(name, path=None, content_type=..., headers=None) -> URL of that feed file."""

    def serve(
        name: str,
        path: str | None = None,
        content_type: str = "application/rss+xml",
        headers: dict[str, str] | None = None,
    ) -> str:
        route = path or f"/{name}"
        httpserver.expect_request(route).respond_with_data(
            (FEEDS_DIR / name).read_bytes(),
            content_type=content_type,
            headers=headers or {},
        )
        return httpserver.url_for(route)

    return serve


class RawServer:
    """Accepts connections on 127.0.0.1 and hands each socket to ``handler`` in a thread."""

    def __init__(self, handler: Callable[[socket.socket], None]) -> None:
        self._handler = handler
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/feed"

    def _serve(self) -> None:
        self._sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _addr = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)  # the request; its content does not matter here
                self._handler(conn)
            except OSError:
                pass  # the client gave up (that is what several tests provoke)

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(timeout=2)


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket], None]], RawServer]]:
    servers: list[RawServer] = []

    def start(handler: Callable[[socket.socket], None]) -> RawServer:
        server = RawServer(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def unaccepting_port() -> Iterator[int]:
    """A port whose accept queue is full, so a new connect never completes (no internet needed)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers: list[socket.socket] = []
    # Linux queues backlog+1 connections; fill the queue so later SYNs are dropped.
    for _ in range(8):
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)
    yield port
    for filler in fillers:
        filler.close()
    listener.close()


@pytest.fixture(scope="session")
def gzip_bomb() -> bytes:
    """1 GiB of zeros, gzip-compressed (about 1 MB), built in 1 MiB steps to bound memory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1 << 20)
    parts = [compressor.compress(block) for _ in range(1024)]
    parts.append(compressor.flush())
    return b"".join(parts)


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[Callable[[str], tuple[str, Path]]]:
    """start(cert_host) -> (https URL on 127.0.0.1 named "localhost", PEM file to trust).

    The certificate is self-signed for ``cert_host`` only (no IP address in it),
    made with the openssl command line at test time.
    """
    import shutil
    import ssl
    import subprocess
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            body = b'<rss version="2.0"><channel><title>tls</title></channel></rss>'
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    servers: list[ThreadingHTTPServer] = []

    def start(cert_host: str) -> tuple[str, Path]:
        cert, key = tmp_path / f"{cert_host}.pem", tmp_path / f"{cert_host}.key"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={cert_host}",
             "-addext", f"subjectAltName=DNS:{cert_host}"],
            check=True, capture_output=True,
        )
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"https://localhost:{server.server_address[1]}/feed", cert

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
