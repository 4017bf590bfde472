"""Safe display of feed-derived strings: escaped Markdown, plain hover text, http(s) links only.

Anything a feed wrote (titles, summaries, source and feed names, evidence)
reaches the page only as plain text: through ``st.text``, dataframe cells, or
Markdown in which every punctuation character is backslash-escaped, so
neither HTML, Markdown links, ``$$`` maths nor Streamlit directives such as
``:red[...]`` can take effect.
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from urllib.parse import urlsplit

__all__ = [
    "MAX_CHARS", "clip", "escape_markdown", "feed_title", "highlight_markdown", "hover_text",
    "safe_url",
]

# A feed can send a megabyte of "summary"; nobody reads more than this on a card.
MAX_CHARS = 2000

# CommonMark lets any ASCII punctuation be backslash-escaped, and an escaped
# character is always literal text: no emphasis, link, HTML, maths or directive.
_PUNCTUATION = frozenset(string.punctuation)
_SPACES = re.compile(r"\s+")


def _visible(value: str) -> str:
    """Drop control and format characters (bidi overrides, zero-width joiners)."""
    return "".join(
        ch for ch in value if unicodedata.category(ch) not in {"Cc", "Cf"} or ch in "\t\n"
    )


def clip(value: str | None, limit: int = MAX_CHARS) -> str:
    """Plain text on one line, at most ``limit`` characters (an ellipsis marks a cut)."""
    text = _SPACES.sub(" ", _visible(value or "")).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _escape(text: str) -> str:
    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in text)


def escape_markdown(value: str | None, limit: int = MAX_CHARS) -> str:
    """``value`` as Markdown that renders as exactly its text.

    Whitespace collapses to single spaces (so no line can start a heading,
    list, quote or code block) and every ASCII punctuation character is
    backslash-escaped.
    """
    return _escape(clip(value, limit))


def highlight_markdown(
    value: str | None,
    spans: list[tuple[int, int]],
    struck: list[tuple[int, int, str]] | None = None,
) -> str:
    """Escaped Markdown of ``value``: ``spans`` in bold, ``struck`` spans struck through and
    followed by their note in italics ("~~ready for war~~ *(denied)*").

    Spans are offsets into the original string (as the scorer reports them); overlapping
    or out-of-range spans are merged or clipped, never trusted. Where a bold and a struck
    span overlap, bold wins: the phrase counted.
    """
    text = _visible(value or "")
    n = len(text)
    # one style per character: 0 plain, 1 struck (with its note), 2 bold
    style = [0] * n
    notes: dict[int, str] = {}
    for start, end, note in sorted((int(a), int(b), str(c)) for a, b, c in (struck or [])):
        for i in range(max(0, start), min(n, end)):
            if style[i] == 0:
                style[i] = 1
                notes.setdefault(i, note)
    for start, end in spans:
        for i in range(max(0, int(start)), min(n, int(end))):
            style[i] = 2
    out: list[str] = []
    i = 0
    while i < n:
        j = i
        # a run: one style, and for struck text one note
        while j < n and style[j] == style[i] and (style[i] != 1 or notes[j] == notes[i]):
            j += 1
        chunk = _SPACES.sub(" ", text[i:j])
        if style[i] == 0:
            out.append(_escape(chunk))
        else:
            core = chunk.strip()
            lead = " " if chunk[:1] == " " else ""
            trail = " " if chunk[-1:] == " " else ""
            if not core:
                out.append(chunk)
            elif style[i] == 2:
                # Emphasis must not start or end with a space, so spaces move outside.
                out.append(f"{lead}**{_escape(core)}**{trail}")
            else:
                out.append(f"{lead}~~{_escape(core)}~~ *({_escape(notes[i])})*{trail}")
        i = j
    joined = "".join(out).strip()
    return joined if len(joined) <= 4 * MAX_CHARS else escape_markdown(text)


def feed_title(title: object, name: object) -> str:
    """What a feed is called on screen: its own title, else its configured name."""
    for value in (title, name):
        if isinstance(value, str) and value.strip():
            return clip(value, 120)
    return "(unnamed feed)"


def hover_text(value: str | None, limit: int = 120) -> str:
    """Text for Plotly hover labels, which understand a few HTML tags: entity-escaped."""
    return html.escape(clip(value, limit), quote=True)


def safe_url(value: object) -> str | None:
    """``value`` if it is an absolute http(s) URL without spaces or control characters."""
    # A missing link arrives from pandas as None or NaN (a float), not only as "".
    if not isinstance(value, str) or not value:
        return None
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return value
