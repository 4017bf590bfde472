"""Actor: one actor's index against its baseline, its directed pairs, its signals, and the
articles behind any day."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import cache, charts, export, filters, views
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
    export.show_chart(
        charts.index_band(index, actor, date_from=one.date_from, date_to=one.date_to),
        one,
        key="actor_band",
    )
with st.expander("What the tension index means", icon="❓"):
    st.markdown(charts.INDEX_DEFINITION)

left, right = st.columns(2)
with left:
    pairs = cache.pairs(url, one, stamp)
    if pairs.empty:
        st.info(f"No statement or act between {actor_name(actor)} and another actor was scored.")
    else:
        export.show_chart(
            charts.pair_heatmap(pairs, date_from=one.date_from, date_to=one.date_to),
            one,
            key="actor_pairs",
        )
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
    picked_day = st.selectbox(
        "Day",
        options,
        index=options.index(busiest) if busiest in options else 0,
        format_func=day_label,
        key="actor_day",
        help="Days with at least one article naming the actor; the busiest is preselected.",
    )
    items = cache.items_behind(url, actor, picked_day, one, stamp)
    st.caption(
        f"{len(items)} article{'' if len(items) == 1 else 's'} naming {actor_name(actor)} "
        f"published on {picked_day:%d %b %Y} "
        "(UTC), highest score first. Select one to see its evidence."
    )
    picked = views.article_table(items, key="actor_items")
    export.csv_download(
        views.article_rows(items),
        label="CSV (these articles)",
        name=f"articles-{actor}-{picked_day}",
        filters=one,
        key="actor_items_csv",
    )
    if picked is not None:
        views.evidence_panel(url, items, picked, stamp)
