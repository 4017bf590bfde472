"""Actor: one actor's index against its baseline, the pairs it is part of, its signals, and
the articles behind any day."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import cache, charts, export, filters, pairs, views
from dashboard.labels import ACTOR_CODES, FOCAL_ACTORS, actor_name, actor_option, day_label
from storage.queries import has_items

url = cache.db_url()
stamp = cache.stamp(url)
chosen = filters.current(url)
views.live_header(url, "Actor", stamp)
if not has_items(url):
    views.empty_state(url, key="actor")
    st.stop()

# The page's own choice is in the URL too (?actor=KOS), validated by dashboard.filters.
if "actor_pick" not in st.session_state:
    wanted = filters.page_params().actor
    default = chosen.actors[0] if chosen.actors else FOCAL_ACTORS[0]
    st.session_state["actor_pick"] = wanted or default
actor = st.selectbox("Actor", list(ACTOR_CODES), key="actor_pick", format_func=actor_option)
st.query_params["actor"] = actor
one = replace(chosen, actors=(actor,))

index = cache.tension(url, one, stamp)
if index.empty or int(index["items"].sum()) == 0:
    st.info(f"No article names {actor_name(actor)} in the chosen dates and sources.")
elif float(index["raw"].abs().sum()) == 0.0:
    st.info(
        f"Articles name {actor_name(actor)} in the chosen dates, but none asserted an "
        "escalation or de-escalation signal, so its index stays at 0. They are listed below."
    )
else:
    points = export.show_chart(
        charts.index_band(index, actor, date_from=one.date_from, date_to=one.date_to),
        one,
        key="actor_band",
        selectable=True,
    )
    clicked = charts.clicked_point(points)
    # A clicked bar or point picks that day below (the picker is drawn after the chart, so
    # its state may still be set in this run); only a new click moves it.
    if clicked is not None and clicked != st.session_state.get("actor_clicked"):
        st.session_state["actor_clicked"] = clicked
        st.session_state["actor_day"] = clicked[1]
views.ignored_filters_note(chosen, {"actors", "feed_ids"}, "The index")
with st.expander("What the tension index means", icon="❓"):
    st.markdown(charts.INDEX_DEFINITION)

left, right = st.columns(2)
with left:
    # Only the pairs that occur, ranked, with their trend; a row opens the Pairs page.
    active = cache.active_pairs(url, one, stamp)
    st.markdown(f"**{actor_name(actor)} with other actors** (directed, most active first)")
    if active.empty:
        st.info(f"No statement or act between {actor_name(actor)} and another actor was scored.")
    else:
        picked_pair = pairs.pair_table(active, key="actor_pairs", height=300)
        st.caption("Select a pair to follow it both ways over time on the Pairs page.")
        if picked_pair is not None:
            st.switch_page("pages/pairs.py", query_params={"pair": "-".join(picked_pair)})
with right:
    mix = cache.signal_mix(url, one, stamp)
    if mix.empty:
        st.info("No signal was asserted about this actor in the chosen dates.")
    else:
        export.show_chart(
            charts.signal_breakdown(mix, actor=actor, date_from=one.date_from, date_to=one.date_to),
            one,
            key="actor_signals",
        )

st.subheader("The articles behind a day")
days = index.loc[index["items"] > 0, "day"] if not index.empty else pd.Series(dtype="object")
if days.empty:
    st.info("No day in the chosen range has articles naming this actor.")
else:
    options = sorted({d.date() for d in pd.to_datetime(days)}, reverse=True)
    busiest = index.loc[index["raw"].idxmax(), "day"].date()
    # The busiest day unless a click (or an earlier choice) picked one that has articles.
    if st.session_state.get("actor_day") not in options:
        st.session_state["actor_day"] = busiest if busiest in options else options[0]
    picked_day = st.selectbox(
        "Day",
        options,
        format_func=day_label,
        key="actor_day",
        help="Days with at least one article naming the actor; the busiest is preselected. "
        "A click on the chart picks its day.",
    )
    views.day_articles(url, actor, picked_day, one, stamp, key="actor")
