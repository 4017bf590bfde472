"""Pairs: two actors' directed tension both ways over time, and the articles behind any day."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import cache, charts, export, filters, pairs, views
from dashboard.labels import ACTOR_CODES, actor_name, actor_option, day_label
from storage.queries import has_items

url = cache.db_url()
stamp = cache.stamp(url)
chosen = filters.current(url)
views.live_header(url, "Pairs", stamp)
if not has_items(url):
    views.empty_state(url, key="pairs")
    st.stop()

# The pair is in the URL too (?pair=SRB-KOS), validated against the known codes.
if "pair_first" not in st.session_state:
    first, second = pairs.parse_pair(st.query_params.get("pair"), ("SRB", "KOS"))
    st.session_state["pair_first"], st.session_state["pair_second"] = first, second

active = cache.active_pairs(url, replace(chosen, actors=()), stamp)
with st.expander("Most active pairs in the chosen dates (select one to follow it)",
                 expanded=False):
    if active.empty:
        st.info("No statement or act between two actors was scored in the chosen dates.")
    else:
        picked_pair = pairs.pair_table(active, key="pairs_ranked", height=320)
        # Only a new selection moves the pickers: a row that stays selected must not undo
        # a later choice in the pickers.
        if picked_pair is not None and picked_pair != st.session_state.get("pairs_applied"):
            st.session_state["pairs_applied"] = picked_pair
            st.session_state["pair_first"], st.session_state["pair_second"] = picked_pair

left, right = st.columns(2)
first = left.selectbox("From", list(ACTOR_CODES), key="pair_first", format_func=actor_option)
second = right.selectbox("Towards", list(ACTOR_CODES), key="pair_second",
                         format_func=actor_option)
if first == second:
    st.info("Pick two different actors to see the tension between them.")
    st.stop()
st.query_params["pair"] = f"{first}-{second}"

index = cache.pair_tension(url, first, second, chosen, stamp)
if index.empty or float(index["raw"].abs().sum()) == 0.0:
    st.info(f"No statement or act between {actor_name(first)} and {actor_name(second)} was "
            "scored in the chosen dates and sources.")
    st.stop()
export.show_chart(
    charts.pair_lines(index, first, second, date_from=chosen.date_from, date_to=chosen.date_to),
    chosen,
    key="pair_lines",
)

views.ignored_filters_note(replace(chosen, actors=()), {"feed_ids"}, "The pair index")
st.subheader("The articles behind a day")
days = index.loc[index["raw"] != 0, "day"]
options = sorted({d.date() for d in pd.to_datetime(days)}, reverse=True)
busiest = index.loc[index["raw"].abs().idxmax(), "day"].date()
picked_day = st.selectbox(
    "Day", options, index=options.index(busiest) if busiest in options else 0,
    format_func=day_label, key="pair_day",
    help="Days on which the pair had a scored statement or act; the busiest is preselected.",
)
views.day_articles(url, first, picked_day, replace(chosen, actors=()), stamp, key="pair",
                   also=second)
