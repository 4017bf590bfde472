"""Feed bytes to ``ParsedFeed`` with feedparser; no network, no database.

feedparser only ever sees bytes we already hold (never a URL or a ``str``,
which it may treat as a path or URL), together with the response headers under
lowercase names so it can use the charset and the base URL.

``bozo`` means "ill-formed", not "unusable": a bozo feed that still yields
entries keeps them and carries the problem as ``warning``. A document with no
entries is an error when feedparser reports a fatal problem (``FeedParseError``)
or does not recognise any feed format at all (``NotAFeed``, e.g. an HTML page).

Before feedparser runs, entity declarations in the DOCTYPE are checked:
external entities (SYSTEM/PUBLIC), parameter entities, entities whose
replacement text refers to other entities (the "billion laughs" shape) and
entities whose total expansion would exceed the document's own size are
removed. What stays is what feedparser itself keeps (plain text or a single
character reference), now also bounded in total size.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin
from xml.parsers import expat

import feedparser

from ingest.errors import FeedParseError, NotAFeed

__all__ = ["EntrySplit", "ParsedFeed", "parse_feed", "split_entries"]

# A declared entity may expand to at most this many characters in total, or to
# the document's own length if that is larger (linear growth, never quadratic).
_EXPANSION_FLOOR = 64 * 1024
_CHAR_REF = re.compile(r"&#(?:[0-9]+|x[0-9a-fA-F]+);")


@dataclass(frozen=True)
class ParsedFeed:
    """One parsed document: feed-level facts and feedparser's entry dicts."""

    title: str
    link: str | None
    language: str | None
    version: str  # feedparser's format name ("rss20", "atom10", "rss10", ...); "" if unknown
    entries: tuple[Mapping[str, Any], ...]
    warning: str | None
    bozo: bool


def parse_feed(
    body: bytes,
    headers: Mapping[str, str] | None = None,
    base_url: str | None = None,
) -> ParsedFeed:
    """Parse feed bytes; raise ``FeedParseError`` (or ``NotAFeed``) when nothing usable is in it."""
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError("parse_feed takes bytes; feedparser would treat a str as a URL or path")
    data = bytes(body)
    if not data.strip():
        raise FeedParseError(base_url, "empty document")

    response_headers = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
    # Without a type feedparser flags every document (NonXMLContentType); a local
    # file has none. application/xml (unlike text/xml) lets the XML declaration
    # or BOM decide the charset.
    given_type = response_headers.get("content-type", "")
    response_headers.setdefault("content-type", "application/xml")
    if base_url:
        declared = response_headers.get("content-location")
        response_headers["content-location"] = urljoin(base_url, declared) if declared else base_url

    data, entity_warning = _neutralise_entities(data)
    try:
        result = feedparser.parse(data, response_headers=response_headers)
    # feedparser reports problems through `bozo`; anything it raises instead is a
    # bug triggered by hostile input (e.g. RecursionError), and still only this feed's problem.
    except Exception as exc:  # noqa: BLE001
        raise FeedParseError(base_url, f"parser crashed: {type(exc).__name__}: {exc}") from exc

    bozo = bool(result.get("bozo"))
    problem = result.get("bozo_exception") if bozo else None
    warnings = [w for w in (entity_warning, _describe(problem)) if w]
    warning = "; ".join(warnings) or None
    entries = tuple(result.get("entries") or ())
    version = str(result.get("version") or "")
    if not entries:
        if not version:
            detail = f"content-type {given_type}" if given_type else "no RSS/Atom/RDF root"
            raise NotAFeed(base_url, detail)
        if bozo:
            raise FeedParseError(base_url, _describe(problem) or "ill-formed feed")
    feed = result.get("feed") or {}
    return ParsedFeed(
        title=str(feed.get("title") or ""),
        link=feed.get("link") or None,
        language=feed.get("language") or None,
        version=version,
        entries=entries,
        warning=warning,
        bozo=bozo or entity_warning is not None,
    )


def _describe(problem: object) -> str | None:
    if problem is None:
        return None
    text = str(problem).strip()
    return f"{type(problem).__name__}: {text}" if text else type(problem).__name__


# --------------------------------------------------------------------------- splitting


# Where entries live, per format: (root, parent of the entries or None if the root
# itself, entry). Names are expat's "namespace local" form; plain RSS has no namespace.
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns# RDF"
_ENTRY_LAYOUTS = (
    ("rss", "channel", "item"),
    (_RDF, None, "http://purl.org/rss/1.0/ item"),
    (_RDF, None, "http://my.netscape.com/rdf/simple/0.9/ item"),
    ("http://www.w3.org/2005/Atom feed", None, "http://www.w3.org/2005/Atom entry"),
)


@dataclass(frozen=True, slots=True)
class EntrySplit:
    """A well-formed feed cut at its entries: each piece is a whole document of its own.

    A piece is the head (everything before the first entry: prolog, root and
    channel start tags, channel metadata), a run of consecutive entries, and the
    tail (from the closing tag of the entries' parent on), so feedparser reads
    each piece's entries exactly as it reads them in the whole document.
    """

    body: bytes
    starts: tuple[int, ...]  # byte offset of each entry's start tag
    tail: int  # byte offset of the closing tag of the entries' parent

    def __len__(self) -> int:
        return len(self.starts)

    def piece(self, first: int, stop: int) -> bytes:
        """The document holding entries ``first`` to ``stop - 1`` (and whatever lies between)."""
        end = self.starts[stop] if stop < len(self.starts) else self.tail
        head = self.body[: self.starts[0]]
        return b"".join((head, self.body[self.starts[first] : end], self.body[self.tail :]))


def split_entries(body: bytes) -> EntrySplit | None:
    """Find the entries of an RSS 2.0, RSS 1.0/0.90 or Atom 1.0 document; ``None`` if unsure.

    Used to parse a large feed in pieces. Anything unusual returns ``None`` so the
    caller parses the whole document as usual: a document expat cannot read
    (ill-formed, or an encoding it lacks), one not starting with ASCII markup
    (UTF-16/32), a DOCTYPE (entities are handled on the whole document), entries
    under more than one parent, or no entries at all.
    """
    data = bytes(body)
    if not data.lstrip(b" \t\r\n").removeprefix(b"\xef\xbb\xbf").startswith(b"<"):
        return None
    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list[str] = []
    starts: list[int] = []
    layout: list[tuple[str, str | None, str]] = []
    parent_depth = [-1]  # depth of the entries' parent once known
    tail = [-1]
    mixed = [False]

    def start(name: str, _attrs: object) -> None:
        depth = len(stack)
        if depth == 0:
            layout.extend(lay for lay in _ENTRY_LAYOUTS if lay[0] == name)
        elif layout and depth <= 2:
            for _root, parent, entry in layout:
                want = 1 if parent is None else 2
                if depth != want or name != entry or (parent is not None and stack[1] != parent):
                    continue
                if tail[0] >= 0 or (parent_depth[0] >= 0 and parent_depth[0] != want - 1):
                    mixed[0] = True  # a second channel, or entries at two levels
                parent_depth[0] = want - 1
                starts.append(parser.CurrentByteIndex)
                break
        stack.append(name)

    def end(_name: str) -> None:
        stack.pop()
        if len(stack) == parent_depth[0] and tail[0] < 0:
            tail[0] = parser.CurrentByteIndex

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    # ExpatError: ill-formed, or an encoding expat cannot map; the whole document
    # then goes to feedparser, which has its own fallbacks.
    except (expat.ExpatError, ValueError):
        return None
    if not starts or mixed[0] or tail[0] < starts[-1] or b"<!DOCTYPE" in data[: starts[0]]:
        return None
    return EntrySplit(data, tuple(starts), tail[0])


# --------------------------------------------------------------------------- entity guard


def _neutralise_entities(data: bytes) -> tuple[bytes, str | None]:
    """Remove dangerous entity declarations from the prolog; return (bytes, warning)."""
    codec = _codec_for(data)
    # latin-1 maps bytes 1:1, so for ASCII-compatible encodings the round trip is exact.
    text = data.decode(codec, errors="replace") if codec != "latin-1" else data.decode("latin-1")
    prolog = text[: _prolog_end(text)]
    if "<!ENTITY" not in prolog:
        return data, None

    declarations = list(_entity_declarations(prolog))
    unsafe: dict[str, str] = {}  # declaration text -> why
    safe: list[tuple[str, str, str]] = []  # (declaration, name, value)
    for decl, name, parameter, value in declarations:
        if parameter:
            unsafe[decl] = f"{name} (parameter entity)"
        elif value is None:
            unsafe[decl] = f"{name} (external)"
        elif "%" in value or "&" in _CHAR_REF.sub("", value):
            unsafe[decl] = f"{name} (refers to other entities)"
        else:
            safe.append((decl, name, value))
    body_text = text[len(prolog):]
    expansion = sum(len(value) * body_text.count(f"&{name};") for _d, name, value in safe)
    if expansion > max(_EXPANSION_FLOOR, len(text)):
        for decl, name, _value in safe:
            unsafe[decl] = f"{name} (expansion too large)"
    if not unsafe:
        return data, None

    cleaned = prolog
    for decl in unsafe:
        cleaned = cleaned.replace(decl, "")
    # References to removed parameter entities would now point at nothing.
    for decl, name, parameter, _value in declarations:
        if parameter and decl in unsafe:
            cleaned = cleaned.replace(f"%{name};", "")
    names = sorted(set(unsafe.values()))
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    out = (cleaned + body_text).encode(codec, errors="replace")
    return out, f"removed unsafe entity declarations: {shown}"


def _codec_for(data: bytes) -> str:
    head = data[:4]
    if head.startswith((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")):
        return "utf-32"
    if head.startswith((b"\xfe\xff", b"\xff\xfe")):
        return "utf-16"
    if head.startswith(b"\x00<") or head.startswith(b"\x00\x00\x00<"):
        return "utf-32-be" if head.startswith(b"\x00\x00") else "utf-16-be"
    if head.startswith(b"<\x00"):
        return "utf-32-le" if head.startswith(b"<\x00\x00\x00") else "utf-16-le"
    return "latin-1"


def _prolog_end(text: str) -> int:
    """Index of the first element's ``<``: skips PIs, comments and the DOCTYPE (with subset)."""
    i, n = 0, len(text)
    while i < n:
        j = text.find("<", i)
        if j < 0:
            return n
        if text.startswith("<?", j):
            k = text.find("?>", j + 2)
            i = n if k < 0 else k + 2
        elif text.startswith("<!--", j):
            k = text.find("-->", j + 4)
            i = n if k < 0 else k + 3
        elif text.startswith("<!DOCTYPE", j):
            i = _doctype_end(text, j + 9)
        else:
            return j
    return n


def _doctype_end(text: str, i: int) -> int:
    depth, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            k = text.find(ch, i + 1)
            i = n if k < 0 else k + 1
            continue
        if text.startswith("<!--", i):
            k = text.find("-->", i + 4)
            i = n if k < 0 else k + 3
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(0, depth - 1)
        elif ch == ">" and depth == 0:
            return i + 1
        i += 1
    return n


_DECL_HEAD = re.compile(r"<!ENTITY\s+(%\s+)?([^\s\"'>%]+)\s*")


def _entity_declarations(prolog: str) -> list[tuple[str, str, bool, str | None]]:
    """(declaration text, name, is_parameter, replacement text or None if external)."""
    found: list[tuple[str, str, bool, str | None]] = []
    for match in _DECL_HEAD.finditer(prolog):
        i = match.end()
        value: str | None = None
        if i < len(prolog) and prolog[i] in "\"'":
            k = prolog.find(prolog[i], i + 1)
            if k < 0:
                k = len(prolog) - 1
            value = prolog[i + 1 : k]
            i = k + 1
        # Find the closing ">" outside quotes (external ids are quoted too).
        while i < len(prolog) and prolog[i] != ">":
            if prolog[i] in "\"'":
                k = prolog.find(prolog[i], i + 1)
                i = len(prolog) if k < 0 else k + 1
            else:
                i += 1
        found.append((prolog[match.start() : i + 1], match.group(2), bool(match.group(1)), value))
    return found
