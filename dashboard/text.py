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

__all__ = ["MAX_CHARS", "clip", "escape_markdown", "highlight_markdown", "hover_text", "safe_url"]

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


def highlight_markdown(value: str | None, spans: list[tuple[int, int]]) -> str:
    """Escaped Markdown of ``value`` with the given character spans in bold.

    Spans are offsets into the original string (as the scorer reports them);
    overlapping or out-of-range spans are merged or clipped, never trusted.
    """
    text = _visible(value or "")
    marks: list[tuple[int, int]] = []
    for start, end in sorted((int(a), int(b)) for a, b in spans):
        start, end = max(0, start), min(len(text), end)
        if start >= end:
            continue
        if marks and start <= marks[-1][1]:
            marks[-1] = (marks[-1][0], max(marks[-1][1], end))
        else:
            marks.append((start, end))
    out: list[str] = []
    pos = 0
    for start, end in marks:
        out.append(_escape(_SPACES.sub(" ", text[pos:start])))
        inner = _SPACES.sub(" ", text[start:end])
        core = inner.strip()
        # Emphasis must not start or end with a space, so spaces move outside the stars.
        lead = " " if inner[:1] == " " else ""
        trail = " " if inner[-1:] == " " else ""
        out.append(f"{lead}**{_escape(core)}**{trail}" if core else inner)
        pos = end
    out.append(_escape(_SPACES.sub(" ", text[pos:])))
    joined = "".join(out).strip()
    return joined if len(joined) <= 4 * MAX_CHARS else escape_markdown(text)


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
