"""Map: the Western Balkans coloured by current tension (Kosovo as its own unit) and the places
the chosen articles name, each clickable to its articles."""

from dataclasses import replace

import pandas as pd
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

# With actors chosen, only they are coloured (the others stay at 0, grey-white) and only
# the places of articles naming them are drawn: the map follows the actor filter.
everyone = replace(chosen, actors=())
now = cache.current_tension(url, chosen, stamp)
named = geo.place_points(cache.place_totals(url, chosen, stamp))
period = charts.period_label(chosen.date_from, chosen.date_to)
shapes = geo.region_shapes()
if shapes:
    chart = charts.tension_map(
        shapes,
        now,
        points=geo.ENTITY_POINTS,
        as_of=now["day"].max().date() if not now.empty else chosen.date_to,
        source_note=geo.MAP_SOURCE,
        places=named,
        period=period,
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
        places=named,
        period=period,
    )
points = export.show_chart(chart, chosen, key="map", selectable=True)
st.caption("Circles are the towns, crossings and regions the chosen articles name, sized by "
           f"their score in {period}; click one for its articles. Colours run on a fixed "
           f"scale from 0 to {charts.MAP_SCALE_MAX:.0f} points per day.")
views.ignored_filters_note(chosen, {"actors", "feed_ids"}, "The colour of each unit")
place = geo.clicked_place(points)
if place is not None:
    info = geo.place_name(place)
    st.subheader(f"Articles naming {info}")
    items = cache.items_at_place(url, place, chosen, stamp)
    st.caption(f"{len(items)} article{'' if len(items) == 1 else 's'} in {period}, highest "
               "score first. Select one to see its evidence.")
    picked = views.article_table(items, key="map_place_items")
    if picked is not None:
        views.evidence_panel(url, items, picked, stamp)
with st.expander("What the tension index means", icon="❓"):
    st.markdown(charts.INDEX_DEFINITION)

st.subheader("Figures per actor")
if now.empty:
    st.info("No scored article in the chosen dates and sources.")
else:
    table = pd.DataFrame({
        "actor": [actor_name(a) for a in now["actor"]],
        "index": now["current"].round(2),
        "index 7 days before": now["previous"].round(2),
        "change in 7 days": now["change"].round(2),
        "in a spike": now["spike"].astype(bool),
    })
    st.caption(
        "Actors without a place on the map (NATO, the EU, the USA, Russia, …) are listed too."
    )
    st.dataframe(table, hide_index=True, key="map_table")
