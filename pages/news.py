"""News: every stored item, newest first, paged — with search, filters, links and evidence."""

import math
from dataclasses import replace

import streamlit as st

from dashboard import cache, export, filters, views
from storage.queries import DIRECTIONS, has_items

PAGE_SIZE = 50
url = cache.db_url()
stamp = cache.stamp(url)
chosen = filters.current(url)
views.live_header(url, "News", stamp)
if not has_items(url):
    views.empty_state(url, key="news")
    st.stop()


# Page-level filters, seeded once from the URL (validated) and written back on every run.
if "news_q" not in st.session_state:
    wanted = filters.page_params()
    st.session_state["news_q"] = wanted.text
    st.session_state["news_dir"] = wanted.direction or "any"
    st.session_state["news_min"] = wanted.min_score

cols = st.columns([3, 1.2, 1])
query = cols[0].text_input(
    "Search titles and summaries",
    key="news_q",
    max_chars=filters.MAX_TEXT,
    placeholder="e.g. Vučić, Kurti, barricades, Додик",
    help="Every word must appear (as a word or word start); Cyrillic and Latin spellings "
    "and letters with or without diacritics find each other.",
)
direction = cols[1].selectbox("Direction", ["any", *DIRECTIONS], key="news_dir")
min_score = cols[2].number_input(
    "Minimum score",
    key="news_min",
    value=None,
    step=1.0,
    placeholder="any",
    min_value=-filters.MAX_SCORE,
    max_value=filters.MAX_SCORE,
)
for name, value in (("q", query.strip()), ("dir", "" if direction == "any" else direction)):
    if value:
        st.query_params[name] = value
    elif name in st.query_params:
        del st.query_params[name]
if min_score is not None:
    st.query_params["min"] = f"{min_score:g}"
elif "min" in st.query_params:
    del st.query_params["min"]

every_date = st.session_state.get("news_all_dates", False) and bool(query.strip())
wanted = replace(
    chosen,
    text=query.strip(),
    direction=None if direction == "any" else direction,
    min_score=min_score,
    **({"date_from": None, "date_to": None} if every_date else {}),
)
views.search_offers(url, query.strip(), chosen, wanted, stamp)
first, total = cache.news(url, wanted, 1, PAGE_SIZE, stamp)
pages = max(1, math.ceil(total / PAGE_SIZE))
page = 1
if pages > 1:
    page = st.number_input(
        f"Page (of {pages})", min_value=1, max_value=pages, value=1, step=1, key="news_page"
    )
rows = first if page == 1 else cache.news(url, wanted, int(page), PAGE_SIZE, stamp)[0]

if total == 0:
    st.info("No stored item matches these filters and words.")
    st.stop()
shown_from = (int(page) - 1) * PAGE_SIZE + 1
st.caption(
    f"{total} matching items, newest first; showing {shown_from}–{shown_from + len(rows) - 1}. "
    "Select a row to see why it scored what it did."
)
picked = views.article_table(rows, key="news_table", height=560)
export.csv_download(
    views.article_export_rows(*cache.news_export(url, wanted, stamp)),
    label=f"CSV (all {min(total, 10_000)} filtered rows)",
    name="news",
    filters=wanted,
    key="news_csv",
)
if total > 10_000:
    st.caption("The CSV holds the newest 10,000 matching rows; narrow the filters for the rest.")
if picked is not None:
    views.evidence_panel(url, rows, picked, stamp)
