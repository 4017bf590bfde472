"""Sources: the health of every feed, ingest runs over time, and a way to poll now."""

from datetime import UTC, datetime, timedelta

import streamlit as st

from dashboard import cache, charts, export, filters, views
from dashboard.sample import poll_now, read_only

url = cache.db_url()
stamp = cache.stamp(url)
chosen = filters.current(url)
views.live_header(url, "Sources", stamp)

health = cache.feed_health(url, stamp)
if health.empty:
    st.info("No feed is known yet: the feed list (feeds.toml) is read by the first ingest run.")
    views.empty_state(url, key="sources")
else:
    failing = int((health["consecutive_errors"] > 0).sum())
    silent = int(health["silent"].sum())
    cols = st.columns(4)
    cols[0].metric("Feeds", len(health))
    cols[1].metric("Failing now", failing)
    cols[2].metric("Silent", silent, help="Working, but the newest article is older than "
                   "three of the feed's usual gaps between active days.")
    cols[3].metric("Items fetched in the last 24 h", int(health["fetched_24h"].sum()))
    shown = views.feed_rows(health)
    st.dataframe(
        shown,
        hide_index=True,
        key="sources_health",
        column_config={
            "feed URL": st.column_config.TextColumn("feed URL"),
            "last success (UTC)": st.column_config.DatetimeColumn("last success (UTC)"),
            "last poll (UTC)": st.column_config.DatetimeColumn("last poll (UTC)"),
            "next poll (UTC)": st.column_config.DatetimeColumn("next poll (UTC)"),
            "sample": st.column_config.CheckboxColumn("sample"),
        },
    )
    export.csv_download(
        shown, label="CSV (feed health)", name="feed-health", filters=chosen, key="sources_csv"
    )
    st.caption("Feed health covers every configured feed: the sidebar filters do not apply "
               "on this page.")
    st.subheader("Coverage")
    st.dataframe(views.coverage_rows(health), hide_index=True, key="sources_coverage")

# A public read-only deployment (TENSION_READONLY=1) offers no action at all.
if not read_only() and st.button("Poll every feed now", icon="🔄", key="sources_poll"):
    result = poll_now(url)
    (st.success if result.ok else st.info if result.busy else st.error)(result.message)

st.subheader("Ingest runs")
since = datetime.now(UTC) - timedelta(days=14)
runs = cache.fetch_runs(url, since.replace(minute=0, second=0, microsecond=0), stamp)
if runs.empty:
    st.info("No ingest run in the last 14 days.")
else:
    export.show_chart(charts.fetch_runs_chart(runs, since=since.date()), chosen, key="sources_runs")
recent = cache.recent_fetches(url, stamp)
if not recent.empty:
    st.caption("The latest polls, newest first.")
    st.dataframe(recent, hide_index=True, key="sources_recent")
