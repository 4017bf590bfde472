"""Map: the Western Balkans coloured by current tension, Kosovo as its own unit."""

from dataclasses import replace

import streamlit as st

from dashboard import cache, charts, export, filters, geo, views
from dashboard.labels import actor_name
from storage.queries import has_items

url = cache.db_url()
stamp = cache.stamp(url)
chosen = filters.current(url)
views.live_header(url, "Map", stamp)
if not has_items(url):
    views.empty_state(url, key="map")
    st.stop()

# The map always shows every mapped actor; the actor filter would only blank units out.
everyone = replace(chosen, actors=())
now = cache.current_tension(url, everyone, stamp)
shapes = geo.region_shapes()
if shapes:
    chart = charts.tension_map(
        shapes,
        now,
        points=geo.ENTITY_POINTS,
        as_of=now["day"].max().date() if not now.empty else chosen.date_to,
        source_note=geo.MAP_SOURCE,
    )
else:
    st.warning(
        "Country outlines are not installed on this server (they come with the geopandas 0.14 "
        "and pyshp packages), so each actor is shown as a marker at its capital instead."
    )
    chart = charts.tension_map(
        (),
        now,
        points=geo.CAPITALS,
        as_of=now["day"].max().date() if not now.empty else chosen.date_to,
    )
export.show_chart(chart, everyone, key="map")
with st.expander("What the tension index means", icon="❓"):
    st.markdown(charts.INDEX_DEFINITION)

st.subheader("Figures per actor")
if now.empty:
    st.info("No scored article in the chosen dates and sources.")
else:
    table = now.assign(actor_name=[actor_name(a) for a in now["actor"]])[
        ["actor", "actor_name", "current", "previous", "change", "spike"]
    ]
    st.caption(
        "Actors without a place on the map (NATO, the EU, the USA, Russia, …) are listed too."
    )
    st.dataframe(table.round(2), hide_index=True, key="map_table")
