"""dashboard.text: feed strings shown as text, never markup — with real sanitizer vectors."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from dashboard.text import clip, escape_markdown, highlight_markdown, hover_text, safe_url

VECTORS = Path(__file__).resolve().parents[3] / "shared/corpora/miniflux/sanitizer_vectors.jsonl"
STREAMLIT_MARKUP = [
    ":red[x]",
    ":blue-background[owned]",
    ":material/warning: alarm",
    "$$x^2$$ and $y$",
    "[a](javascript:alert(1))",
    "<script>alert(1)</script>",
    "![img](https://evil.example/x.png)",
    "# heading\n- list\n> quote\n    code",
    "**bold** _em_ ~~strike~~ `code`",
    "<img src=x onerror=alert(1)>",
    "&lt;b&gt;entity&lt;/b&gt;",
]


def _vectors() -> list:
    # Read at collection for parametrize: where ../shared is missing, one placeholder case
    # carries the mark that skips it (or fails it in CI) with the folder named.
    if not VECTORS.exists():
        return [pytest.param("", marks=pytest.mark.shared(VECTORS), id="shared-vectors")]
    lines = VECTORS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["input"] for line in lines if line.strip()]


def _unescape(md: str) -> str:
    return re.sub(r"\\(.)", r"\1", md)


def _assert_inert(md: str) -> None:
    # Every ASCII punctuation character is escaped, so nothing can open markup.
    i = 0
    while i < len(md):
        ch = md[i]
        if ch == "\\":
            assert i + 1 < len(md) and md[i + 1] in string.punctuation, md
            i += 2
            continue
        assert ch not in string.punctuation, (ch, md)
        assert ch not in "\n\r", md
        i += 1


@pytest.mark.parametrize("value", STREAMLIT_MARKUP + _vectors())
def test_escaped_markdown_is_inert_and_keeps_the_text(value: str) -> None:
    md = escape_markdown(value, limit=100_000)
    _assert_inert(md)
    assert _unescape(md) == clip(value, limit=100_000)


@pytest.mark.shared(VECTORS)
def test_sanitizer_corpus_is_read() -> None:
    assert len(_vectors()) > 100


def test_highlight_bolds_spans_and_escapes_the_rest() -> None:
    text = "Serbia *raises* army :red[readiness] near Kosovo"
    md = highlight_markdown(text, [(7, 15), (100, 120), (30, 20)])
    assert md.startswith("Serbia **\\*raises\\***")
    body = md.replace("**", "")
    _assert_inert(body)
    assert _unescape(body) == text


def test_highlight_merges_overlapping_spans() -> None:
    md = highlight_markdown("abc def ghi", [(0, 5), (4, 7)])
    assert md == "**abc def** ghi"


def test_hover_text_escapes_html() -> None:
    assert hover_text("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    assert len(hover_text("x" * 500)) <= 120


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://sample.example/a?b=1", True),
        ("http://example.org/", True),
        ("javascript:alert(1)", False),
        ("JAVASCRIPT:alert(1)", False),
        ("data:text/html;base64,PHNjcmlwdD4=", False),
        ("vbscript:msgbox(1)", False),
        ("//evil.example/x", False),
        ("https://exa mple.org", False),
        ("https://example.org/\x00", False),
        ("ftp://example.org/file", False),
        ("", False),
        (None, False),
    ],
)
def test_only_http_links_pass(url: str | None, ok: bool) -> None:
    assert safe_url(url) == (url if ok else None)


def test_clip_removes_controls_and_bidi_overrides() -> None:
    assert clip("a\u202eb\x07c\n\nd") == "abc d"
    assert clip("x" * 50, limit=10) == "x" * 9 + "…"


def test_struck_spans_carry_their_reason_and_bold_wins_on_overlap() -> None:
    from dashboard.text import highlight_markdown

    text = "Serbia denies troops at the border after the match"
    out = highlight_markdown(text, [(0, 6)], [(14, 20, "denied"), (45, 50, "sport"), (2, 5, "x")])
    assert out.startswith("**Serbia**"), "a counted phrase stays bold under a struck one"
    assert "~~troops~~ *(denied)*" in out
    assert "~~match~~ *(sport)*" in out
    hostile = highlight_markdown("a :red[b] c", [], [(2, 9, "*oops*")])
    assert ":red[" not in hostile and "\\*oops\\*" in hostile, "notes are escaped too"
