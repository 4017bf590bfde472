"""Generated RSS 2.0 documents and a tiny local HTTP server to serve them from 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

from bench.textgen import GeneratedItem

__all__ = ["rss_document", "serve_bytes"]


def _slug(title: str) -> str:
    kept = "".join(ch if ch.isalnum() else "-" for ch in title.lower()[:60])
    return "-".join(part for part in kept.split("-") if part)


def rss_document(items: Iterable[GeneratedItem], outlet: str = "Balkan Wire (bench)") -> bytes:
    """An RSS 2.0 feed with one <item> per generated item, each with a guid, link and date."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>',
        f"<title>{escape(outlet)}</title><link>https://wire.example.org/</link>",
        "<description>Generated Western Balkan news for benchmarks</description>",
        "<language>en</language>",
    ]
    for n, item in enumerate(items):
        link = f"https://wire.example.org/{item.published:%Y/%m/%d}/{_slug(item.title)}-{n}"
        parts.append(
            f"<item><title>{escape(item.title)}</title><link>{link}</link>"
            f'<guid isPermaLink="false">bench-{n}</guid>'
            f"<pubDate>{format_datetime(item.published)}</pubDate>"
            f"<description>{escape(item.summary)}</description></item>"
        )
    parts.append("</channel></rss>\n")
    return "\n".join(parts).encode("utf-8")


@contextmanager
def serve_bytes(body: bytes, content_type: str = "application/rss+xml") -> Iterator[str]:
    """Serve ``body`` at http://127.0.0.1:PORT/feed.xml while the block runs; yields the URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    finally:
        server.shutdown()
        server.server_close()
