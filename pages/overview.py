"""Overview: what changed and where — actor cards, the index over time, signal mix, last 24 h."""

from dataclasses import replace
from datetime import datetime, timedelta

import streamlit as st

from dashboard import cache, changes, charts, export, filters, views
from dashboard.labels import FOCAL_ACTORS, actor_name
from storage.queries import has_items, latest_published

url = cache.db_url()
stamp = cache.stamp(url)
chosen = filters.current(url)
views.live_header(url, "Overview", stamp)
if not has_items(url):
    views.empty_state(url, key="overview")
    st.stop()

# With no actor chosen the Overview follows the focal six: sixteen lines are unreadable.
shown = chosen if chosen.actors else replace(chosen, actors=FOCAL_ACTORS)
index = cache.tension(url, shown, stamp)
now = cache.current_tension(url, shown, stamp)

_, _, first_day, latest_day = cache.options(url, stamp)
changes.show(url, chosen, latest_day, stamp, first_day)

with st.expander("What the tension index means", icon="❓"):
    st.markdown(charts.INDEX_DEFINITION)

st.subheader("Actors now")
# The index is the sum of every signal of the chosen actors' articles (scoring/INDEX.md).
views.ignored_filters_note(chosen, {"actors", "feed_ids"}, "The tension index (cards and chart)")
if now.empty:
    st.info("No scored articles name these actors in the chosen dates and sources.")
else:
    as_of = now["day"].max()
    st.caption(f"Index on {as_of:%d %b %Y} and its change over the 7 days before.")
    cards = st.columns(min(len(now), 6))
    for i, row in enumerate(now.itertuples()):
        # previous is NaN when the range is shorter than 7 days: no change to show.
        known = row.previous == row.previous
        change = f"{charts.index_text(row.change, True)} in 7 d" if known else None
        # A change that rounds to zero gets no red "up" arrow: nothing moved.
        flat = known and charts.index_text(row.change) == "0.0"
        with cards[i % len(cards)]:
            st.metric(
                actor_name(row.actor) + (" ▲ spike" if row.spike else ""),
                charts.index_text(row.current),
                delta="no change in 7 d" if flat else change,
                delta_color="off" if flat else "inverse",
                delta_arrow="off" if flat else "auto",
                border=True,
                help=f"{actor_name(row.actor)}: smoothed tension index (points/day). "
                "Up is more tension.",
            )

if index.empty:
    st.info("Nothing to chart for these filters.")
else:
    chart = charts.tension_lines(
        index,
        cache.hovers(url, shown, stamp),
        date_from=shown.date_from,
        date_to=shown.date_to,
    )
    points = export.show_chart(chart, shown, key="overview_index", selectable=True)
    clicked = charts.clicked_point(points)
    if clicked is None:
        st.caption("Click a point on a line for the articles behind that actor and day.")
    elif clicked[0] is not None:
        actor_clicked, day_clicked = clicked
        st.markdown(f"**Articles behind {actor_name(actor_clicked)} on "
                    f"{day_clicked:%d %b %Y}**")
        views.day_articles(url, actor_clicked, day_clicked, chosen, stamp, key="overview_click")

mix = cache.signal_mix(url, chosen, stamp)
subject = ", ".join(chosen.actors) if chosen.actors else "all actors"
if mix.empty:
    st.info("No signals were asserted in the chosen dates and sources.")
else:
    chart = charts.signal_mix(
        mix, date_from=chosen.date_from, date_to=chosen.date_to, subject=subject
    )
    export.show_chart(chart, chosen, key="overview_mix")
    views.ignored_filters_note(chosen, {"actors", "signals", "feed_ids"}, "The signal mix")

st.subheader("What changed in the last 24 hours")
# "Last 24 hours" ends at the newest item (or the end of the chosen dates), so an archive or
# the sample data still shows what its last day said.
newest = latest_published(url) or datetime.now()
end = newest
if chosen.date_to is not None:
    end = min(end, datetime.combine(chosen.date_to + timedelta(days=1), datetime.min.time()))
since = end - timedelta(hours=24)
# Bounded only when the chosen dates end before the newest item (a bound at the newest
# item would leave that item out), so no later story is listed under this heading.
top = cache.top_stories(url, since, 10, chosen, stamp, until=end if end < newest else None)
window = f"{since:%d %b %Y %H:%M} – {end:%d %b %Y %H:%M} UTC"
if top.empty:
    st.info(f"No story published {window}.")
else:
    st.caption(
        f"Top stories by score published {window}, with the phrases that scored them. "
        "Select a row for the article with its evidence."
    )
    picked = views.article_table(top, key="overview_top")
    export.csv_download(
        views.article_export_rows(top, cache.evidence(url, tuple(top["item_id"]), stamp)),
        label="CSV (these stories)",
        name="top-stories-24h",
        filters=chosen,
        key="overview_top_csv",
    )
    if picked is not None:
        views.evidence_panel(url, top, picked, stamp)
