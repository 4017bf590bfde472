"""Pieces every page shares: the live header, the empty state, article tables, evidence.

Article text only ever reaches the page as dataframe cells or escaped
Markdown (``dashboard.text``); links pass ``safe_url`` (http/https only);
sample items carry a "sample" mark wherever they appear.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import pandas as pd
import streamlit as st

from dashboard import cache
from dashboard.labels import signal_name
from dashboard.sample import load_sample_data, read_only
from dashboard.text import clip, escape_markdown, highlight_markdown, safe_url
from storage import StorageError, redact

__all__ = [
    "DataUnavailable",
    "REFRESH_SECONDS",
    "article_rows",
    "article_table",
    "database_problem",
    "PROBLEM_SENTENCE",
    "empty_state",
    "error_boundary",
    "evidence_panel",
    "live_header",
]

# How often an open page asks the database whether anything new arrived.
REFRESH_SECONDS = 30
_SEEN = "_seen_stamp"
# The column (and CSV header) marking an item whose feed gave no usable date.
ESTIMATED = "date estimated"

# What a page catches when the database cannot be read (storage translates driver errors).
DataUnavailable = StorageError
# The one sentence a reader sees when something unforeseen fails; the details go to the log.
PROBLEM_SENTENCE = (
    "Something went wrong while drawing this view; the details are in the server log. "
    "Try other filters, or reload the page."
)
_log = logging.getLogger("dashboard")


@contextmanager
def error_boundary(where: str) -> Iterator[None]:
    """Run a page (or fragment) so that no exception reaches the reader as a traceback.

    A database that cannot be read is explained in words (``database_problem``);
    anything else shows ``PROBLEM_SENTENCE`` and logs the traceback server-side.
    Streamlit's own stop and rerun signals are not exceptions and pass through.
    """
    try:
        yield
    except StorageError as exc:
        _log.warning("database problem while drawing %s: %s", where, exc)
        database_problem(exc)
    except Exception:  # noqa: BLE001 - the boundary: whatever is left is logged, not shown
        _log.exception("unexpected error while drawing %s", where)
        st.error(PROBLEM_SENTENCE)


def database_problem(exc: StorageError) -> None:
    """Explain in words that the database cannot be read, without a traceback."""
    where = exc.url or redact(cache.db_url())
    st.error(
        f"The database at {escape_markdown(where)} cannot be read: "
        f"{escape_markdown(str(exc))}. If this is a new installation, "
        "create it with `make migrate` (or `python -m storage migrate`) and start the ingest "
        "loop; if it is busy or unreachable, this page will work again once it answers."
    )


def _when(stamp: str) -> str:
    if not stamp:
        return "never"
    return f"{datetime.fromisoformat(stamp):%d %b %Y, %H:%M} UTC"


def live_header(url: str, title: str, stamp: str) -> None:
    """Page title, when the data last changed, and a watcher that reruns on new data."""
    st.title(title)
    st.session_state.setdefault(_SEEN, stamp)
    _watch(url)


@st.fragment(run_every=REFRESH_SECONDS)
def _watch(url: str) -> None:
    # Runs on its own every REFRESH_SECONDS; only a changed stamp costs a full rerun,
    # and because every cached query is keyed on the stamp, that rerun reads fresh data.
    # A fragment rerun happens outside app.py's boundary, so it carries its own.
    with error_boundary("the refresh check"):
        _check(url)


def _check(url: str) -> None:
    latest = cache.stamp(url)
    if latest != st.session_state.get(_SEEN):
        st.session_state[_SEEN] = latest
        st.rerun(scope="app")
    st.caption(
        f"Data last updated: {_when(latest)} · checked every {REFRESH_SECONDS} s, "
        "new items appear without reloading."
    )


def empty_state(url: str, key: str) -> None:
    """Say in words that nothing is stored, and offer to load the bundled sample data."""
    if read_only():
        st.info("No news items are stored yet. This dashboard is read-only; check back later.")
        return
    st.info(
        "No news items are stored yet. Start the ingest loop (`make run` or "
        "`python -m ingest --watch`) to collect the configured feeds, or load the bundled "
        "sample data to look around. Sample items are marked as sample everywhere."
    )
    if st.button("Load the bundled sample data", key=f"{key}_load_sample", type="primary"):
        with st.spinner("Loading the sample data…"):
            result = load_sample_data(url)
        if result.ok:
            st.success(result.message)
            st.rerun()
        else:
            st.error(result.message)


def article_rows(items: pd.DataFrame) -> pd.DataFrame:
    """The columns an article table shows (and its CSV holds): text clipped, http(s) links."""
    out = pd.DataFrame(
        {
            "published (UTC)": items["published_at"],
            "title": [clip(t, 300) for t in items["title"]],
            "source": [
                clip(s, 80) + (" (sample)" if sample else "")
                for s, sample in zip(items["source"], items["is_sample"], strict=True)
            ],
            "score": items["score"].round(1),
            "signals": [
                ", ".join(signal_name(s.strip()) for s in v.split(",") if s.strip())
                for v in items["signals"]
            ],
            "sample": items["is_sample"].astype(bool),
            "link": [safe_url(u) for u in items["url"]],
            # The feed gave no usable date, so "published" is when the item was fetched.
            ESTIMATED: (
                items["date_estimated"].astype(bool)
                if "date_estimated" in items
                else pd.Series(False, index=items.index)
            ),
        }
    )
    if "outlets" in items:
        out.insert(4, "outlets", items["outlets"])
    if "evidence" in items:
        out["evidence"] = [clip(e, 300) for e in items["evidence"]]
    return out


# On screen the link, score and evidence sit next to the title, where a reader looks
# (at 1400 px the grid is narrower than its columns); the CSV keeps article_rows' order.
# The date-estimated mark follows the source, so it pushes no earlier column out of view.
_SHOWN_ORDER = (
    "published (UTC)", "title", "link", "score", "signals", "evidence", "source", ESTIMATED,
    "outlets", "sample",
)  # fmt: skip
# Rows of Streamlit's grid are 35 px; a short list gets a short table, not blank rows.
_ROW_PX = 35


def article_table(items: pd.DataFrame, key: str, *, height: int | None = None) -> int | None:
    """Articles as a table (text in cells, http(s) links only); returns the selected item id."""
    rows = article_rows(items)
    fits = (len(rows) + 1) * _ROW_PX + 3
    event = st.dataframe(
        rows,
        key=key,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        height=min(height, fits) if height else "auto",
        column_order=[c for c in _SHOWN_ORDER if c in rows.columns],
        column_config={
            "published (UTC)": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm"),
            "title": st.column_config.TextColumn("title", width="large"),
            "signals": st.column_config.TextColumn("signals", width="medium"),
            "link": st.column_config.LinkColumn("link", display_text="open ↗", width="small"),
            "sample": st.column_config.CheckboxColumn(
                "sample", help="From the bundled sample data, not a live feed"
            ),
            ESTIMATED: st.column_config.CheckboxColumn(
                ESTIMATED,
                help="The feed gave no usable date: the time shown is when it was fetched, "
                "and the article counts on that day",
            ),
            "score": st.column_config.NumberColumn(
                "score", help="Escalation score of the article (Goldstein-based points)"
            ),
        },
    )
    rows = getattr(getattr(event, "selection", None), "rows", None) or []
    if rows and 0 <= rows[0] < len(items):
        return int(items.iloc[rows[0]]["item_id"])
    return None


def _named(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def evidence_panel(url: str, items: pd.DataFrame, item_id: int, stamp: str) -> None:
    """One article with the phrases that scored it in bold (escaped), and the evidence rows."""
    match = items[items["item_id"] == item_id]
    if match.empty:
        return
    row = match.iloc[0]
    ev = cache.evidence(url, (int(item_id),), stamp)
    sample = " · sample data" if bool(row["is_sample"]) else ""
    if bool(row.get("date_estimated", False)):
        sample += " · date estimated (the feed gave none; this is when it was fetched)"
    with st.container(border=True):
        st.caption(
            escape_markdown(
                f"{row['source']} · {row['published_at']:%d %b %Y %H:%M} UTC · "
                f"score {row['score']:.1f} · {row['direction']}{sample}"
            )
        )
        for field in ("title", "summary"):
            text = str(row[field] or "")
            if not text:
                continue
            spans = [
                (int(r.start), int(r.end))
                for r in ev.itertuples()
                # Only a named suppressor counts (a missing value is NaN, which is truthy).
                if r.field == field and not r.negated and not _named(r.suppressed_by)
            ]
            body = highlight_markdown(text, spans)
            st.markdown(f"**{body}**" if field == "title" and not spans else body)
        link = safe_url(row["url"])
        if link:
            st.link_button("Open the original article", link)
        if ev.empty:
            st.caption("No signal phrase matched in this article.")
        else:
            shown = ev.assign(signal=[signal_name(s) for s in ev["signal"]])[
                ["signal", "text", "actor", "target", "field", "negated", "weight", "suppressed_by"]
            ]
            st.dataframe(shown, hide_index=True, key=f"evidence_{item_id}")
            st.caption(
                "Bold phrases asserted a signal; negated or suppressed matches are listed "
                "but did not count."
            )
