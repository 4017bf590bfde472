"""Pieces every page shares: the live header, the empty state, article tables, evidence.

Article text only ever reaches the page as dataframe cells or escaped
Markdown (``dashboard.text``); links pass ``safe_url`` (http/https only);
sample items carry a "sample" mark wherever they appear.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime

import pandas as pd
import streamlit as st

from dashboard import cache
from dashboard.export import csv_download
from dashboard.filters import ACTORS_KEY
from dashboard.labels import SIGNAL_CODES, actor_name, signal_name
from dashboard.sample import load_sample_data, read_only
from dashboard.text import clip, escape_markdown, feed_title, highlight_markdown, safe_url
from scoring import named_in, reason_words
from storage import StorageError, redact
from storage.queries import QueryFilters

__all__ = [
    "DataUnavailable",
    "REFRESH_SECONDS",
    "article_export_rows",
    "article_rows",
    "ago",
    "article_table",
    "day_articles",
    "database_problem",
    "PROBLEM_SENTENCE",
    "empty_state",
    "error_boundary",
    "evidence_panel",
    "coverage_rows",
    "evidence_rows",
    "evidence_words",
    "feed_rows",
    "freshness",
    "ignored_filters_note",
    "live_header",
    "search_offers",
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


def ago(moment: datetime, now: datetime) -> str:
    """"just now", "4 min ago", "3 h ago", "2 days ago" (times naive in UTC or aware)."""
    def utc(value: datetime) -> datetime:
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value

    seconds = (utc(now) - utc(moment)).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


def freshness(stamp: str, newest: datetime | None, now: datetime) -> str:
    """The live header's line: when the data changed, how long ago, and the newest article."""
    if not stamp:
        return "No data yet"
    changed = datetime.fromisoformat(stamp)
    text = f"Updated {ago(changed, now)} ({_when(stamp)})"
    if newest is not None:
        text += f" · newest article {newest:%d %b %Y %H:%M} UTC"
    return text


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
        f"{freshness(latest, cache.newest_article(url, latest), datetime.now(UTC))} · "
        f"checked every {REFRESH_SECONDS} s, new items appear without reloading."
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
            "language": items["lang"].fillna("") if "lang" in items else "",
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
        out["evidence"] = [clip(evidence_words(e), 300) for e in items["evidence"]]
    return out


def article_export_rows(items: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """A full article CSV: the table's columns plus summary, language, actors by name and
    every counted signal with its phrase (``evidence``: evidence_for rows of the items)."""
    out = article_rows(items.drop(columns=["evidence"], errors="ignore"))
    out.insert(2, "summary", [clip(t, 1000) for t in items["summary"]])
    out.insert(5, "actors", [
        ", ".join(actor_name(a.strip()) for a in str(v or "").split(",") if a.strip())
        for v in items["actors"]
    ])
    by_item: dict[int, list[str]] = {}
    for r in evidence.itertuples():
        if not bool(r.negated) and _suppressed(r.suppressed_by) is None:
            by_item.setdefault(int(r.item_id), []).append(
                f'{signal_name(r.signal)}: "{clip(r.text, 120)}"')
    out["signals with their phrases"] = ["; ".join(by_item.get(int(i), []))
                                         for i in items["item_id"]]
    return out


# storage joins an item's phrases as 'code: "text"; code: "text"'
_EVIDENCE_CODE = re.compile(r'(?:^|(?<=; ))(' + "|".join(sorted(SIGNAL_CODES, key=len,
                                                                  reverse=True)) + r')(?=: ")')


def evidence_words(value: object) -> str:
    """Storage's evidence summary with signal names instead of codes."""
    text = value if isinstance(value, str) else ""
    return _EVIDENCE_CODE.sub(lambda m: signal_name(m.group(1)), text)


# On screen the link, score and evidence sit next to the title, where a reader looks
# (at 1400 px the grid is narrower than its columns); the CSV keeps article_rows' order.
# The date-estimated mark follows the source, so it pushes no earlier column out of view.
_SHOWN_ORDER = (
    "published (UTC)", "title", "link", "score", "signals", "evidence", "source", ESTIMATED,
    "language", "outlets", "sample",
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
    rows = list(getattr(getattr(event, "selection", None), "rows", None) or [])
    # The grid's selection is a row position; a live refresh that brings a new item moves
    # every row down. The article is remembered by id when the user picks it, so the open
    # evidence stays with the article, not with the position.
    seen, picked = f"{key}__rows", f"{key}__item"
    if rows != st.session_state.get(seen):
        st.session_state[seen] = rows
        st.session_state[picked] = (int(items.iloc[rows[0]]["item_id"])
                                    if rows and 0 <= rows[0] < len(items) else None)
    return st.session_state.get(picked)


def evidence_panel(url: str, items: pd.DataFrame, item_id: int, stamp: str) -> None:
    """One article with the phrases that scored it in bold (escaped), and the evidence rows."""
    match = items[items["item_id"] == item_id]
    if match.empty:
        st.caption("The selected article is no longer in this list (newer articles pushed "
                   "it out); select another.")
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
        counted, struck = _evidence_spans(ev)
        for field in ("title", "summary"):
            text = str(row[field] or "")
            if not text:
                continue
            spans = counted.get(field, [])
            body = highlight_markdown(text, spans, struck.get(field, []))
            st.markdown(f"**{body}**" if field == "title" and not spans else body)
        link = safe_url(row["url"])
        if link:
            st.link_button("Open the original article", link)
        if ev.empty:
            st.caption("No signal phrase matched in this article.")
        else:
            st.dataframe(evidence_rows(ev), hide_index=True, key=f"evidence_{item_id}")
            st.caption(
                "Bold phrases counted for a signal; struck-through phrases matched but did "
                "not count, with the reason beside them."
            )


def _suppressed(value: object) -> str | None:
    """The reason a match did not count, or None: an empty reason comes back from the
    database as None, NaN (pandas) or ""; none of them is a reason."""
    return value if isinstance(value, str) and value.strip() else None


def _evidence_spans(ev: pd.DataFrame) -> tuple[dict[str, list], dict[str, list]]:
    counted: dict[str, list] = {}
    struck: dict[str, list] = {}
    for r in ev.itertuples():
        reason = _suppressed(r.suppressed_by)
        if not bool(r.negated) and reason is None:
            counted.setdefault(r.field, []).append((int(r.start), int(r.end)))
        else:
            struck.setdefault(r.field, []).append(
                (int(r.start), int(r.end), reason_words(reason, bool(r.negated))))
    return counted, struck


def evidence_rows(ev: pd.DataFrame) -> pd.DataFrame:
    """The evidence table in words: signal names, who and whom by name, and whether and why
    not each phrase counted (no internal codes)."""
    def who(code: object) -> str:
        return actor_name(code) if isinstance(code, str) and code else ""

    counted = []
    for negated, reason, hedged in zip(ev["negated"], ev["suppressed_by"], ev["hedged"],
                                       strict=True):
        why = reason_words(_suppressed(reason), bool(negated))
        counted.append(f"no: {why}" if why else "yes, hedged (half weight)" if bool(hedged)
                       else "yes")
    return pd.DataFrame({
        "signal": [signal_name(s) for s in ev["signal"]],
        "phrase": [clip(t, 200) for t in ev["text"]],
        "who": [who(a) for a in ev["actor"]],
        "towards": [who(t) for t in ev["target"]],
        "in": ev["field"],
        "counted": counted,
        "points": ev["weight"].round(2),
    })


def day_articles(url: str, actor: str, day: date, filters: QueryFilters, stamp: str,
                 key: str, also: str | None = None) -> None:
    """The articles behind one actor's (or pair's) point on one day, selectable to their
    evidence, with their CSV: what a click on a chart point opens."""
    items = cache.items_behind(url, actor, day, filters, stamp, also=also)
    who = actor_name(actor) + (f" and {actor_name(also)}" if also else "")
    st.caption(
        f"{len(items)} article{'' if len(items) == 1 else 's'} naming {escape_markdown(who)} "
        f"published on {day:%d %b %Y} (UTC), highest score first. Select one to see its "
        "evidence."
    )
    if items.empty:
        return
    picked = article_table(items, key=f"{key}_items")
    csv_download(article_export_rows(items, cache.evidence(url, tuple(items["item_id"]), stamp)),
                 label="CSV (these articles)",
                 name=f"articles-{actor}{'-' + also if also else ''}-{day}", filters=filters,
                 key=f"{key}_csv")
    if picked is not None:
        evidence_panel(url, items, picked, stamp)


# Filter names as the sidebar shows them, for notes about the ones a chart ignores.
_FILTER_WORDS = {"signals": "Signals", "languages": "Languages", "feed_ids": "Sources",
                 "actors": "Actors"}


def ignored_filters_note(filters: QueryFilters, follows: set[str], what: str) -> None:
    """Say so when the user set a filter that ``what`` does not follow (honest filters).

    ``follows``: the QueryFilters fields the chart honours (dates always). Nothing is
    shown when every set filter is followed.
    """
    ignored = [name for name in ("actors", "signals", "languages", "feed_ids")
               if getattr(filters, name) and name not in follows]
    if ignored:
        names = " and ".join(_FILTER_WORDS[n] for n in ignored)
        st.caption(f"{what} does not follow the {names} filter{'s' if len(ignored) > 1 else ''}"
                   ": it counts every article of the chosen actors, dates and sources.")


def feed_rows(health: pd.DataFrame) -> pd.DataFrame:
    """The Sources table in words: titles, language, countries by name, rhythm, silence."""
    def countries(value: object) -> str:
        codes = [c.strip() for c in str(value or "").split(",") if c.strip()]
        return ", ".join(actor_name(c) for c in codes)

    def quiet(days: object, is_silent: bool) -> str:
        if days is None or (isinstance(days, float) and pd.isna(days)):
            return "no article yet"
        days = int(days)
        text = "today" if days == 0 else f"{days} day{'' if days == 1 else 's'} ago"
        return f"silent: newest {text}" if is_silent else f"newest {text}"

    return pd.DataFrame({
        "feed": [feed_title(t, n) for t, n in zip(health["title"], health["name"], strict=True)],
        "state": health["state"],
        "newest article": [quiet(d, bool(s)) for d, s in zip(health["silent_days"],
                                                              health["silent"], strict=True)],
        "active days of 28": health["active_days_28"],
        "fetched 24 h": health["fetched_24h"],
        "fetched 7 days": health["fetched_7d"],
        "language": health["lang"],
        "countries": [countries(c) for c in health["countries"]],
        "errors in a row": health["consecutive_errors"],
        "last success (UTC)": health["last_success_at"],
        "last poll (UTC)": health["last_polled_at"],
        "next poll (UTC)": health["next_poll_at"],
        "feed URL": health["url"],
        "sample": health["is_sample"],
    })


def coverage_rows(health: pd.DataFrame) -> pd.DataFrame:
    """Feeds and items fetched this week per country and per language: where we are blind."""
    rows = []
    for r in health.itertuples():
        codes = [c.strip() for c in str(r.countries or "").split(",") if c.strip()] or ["?"]
        for code in codes:
            rows.append(("country", actor_name(code) if code != "?" else "(not set)",
                         r.fetched_7d, bool(r.silent)))
        rows.append(("language", str(r.lang or "(not set)"), r.fetched_7d, bool(r.silent)))
    frame = pd.DataFrame(rows, columns=["by", "coverage of", "items fetched 7 days", "silent"])
    return (frame.groupby(["by", "coverage of"], as_index=False)
            .agg(feeds=("silent", "size"), silent_feeds=("silent", "sum"),
                 items=("items fetched 7 days", "sum"))
            .rename(columns={"silent_feeds": "silent feeds", "items": "items fetched 7 days"})
            .sort_values(["by", "items fetched 7 days"], ascending=[True, False],
                         ignore_index=True))


def _show_all_dates() -> None:
    st.session_state["news_all_dates"] = True


def _only_dates() -> None:
    st.session_state["news_all_dates"] = False


def _about(actors: list[str]) -> None:
    # a callback runs before the sidebar is drawn, so its widget state may be set here
    st.session_state[ACTORS_KEY] = actors
    st.session_state["news_q"] = ""
    st.session_state["news_all_dates"] = False


def search_offers(url: str, query: str, chosen: QueryFilters, wanted: QueryFilters,
                  stamp: str) -> None:
    """What a search may have meant: matches hidden by the dates, and the actor or place
    the words name ("Kosova" -> all items about Kosovo)."""
    if not query:
        return
    if wanted.date_from is None and (chosen.date_from or chosen.date_to):
        st.caption("Searching every date.")
        st.button("Back to the chosen dates", key="news_dates_back", on_click=_only_dates)
    elif chosen.date_from or chosen.date_to:
        every = cache.news_count(url, replace(wanted, date_from=None, date_to=None), stamp)
        inside = cache.news_count(url, wanted, stamp)
        if every > inside:
            st.info(f"{every - inside} more matching item{'' if every - inside == 1 else 's'} "
                    "outside the chosen dates.")
            st.button("Show all dates", key="news_all_dates_btn", on_click=_show_all_dates)
    actors, places = named_in(query)
    if actors and list(actors) != list(chosen.actors):
        names = ", ".join(actor_name(a) for a in actors)
        where = f" (the place{'s' if len(places) > 1 else ''} counting for it)" if places else ""
        st.button(f"All items about {names}{where}", key="news_about",
                  on_click=_about, args=(list(actors),),
                  help="Your words name this actor: list every item tagged with it instead of "
                  "the items containing the words.")
