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
    cols = st.columns(3)
    cols[0].metric("Feeds", len(health))
    cols[1].metric("Failing now", failing)
    cols[2].metric("Items in the last 7 days", int(health["items_7d"].sum()))
    shown = health.drop(columns=["feed_id", "title"]).rename(
        columns={"state": "state (in words)", "consecutive_errors": "errors in a row"}
    )
    st.dataframe(
        shown,
        hide_index=True,
        key="sources_health",
        column_config={
            "url": st.column_config.TextColumn("feed URL"),
            "last_success_at": st.column_config.DatetimeColumn("last success (UTC)"),
            "last_polled_at": st.column_config.DatetimeColumn("last poll (UTC)"),
            "next_poll_at": st.column_config.DatetimeColumn("next poll (UTC)"),
            "is_sample": st.column_config.CheckboxColumn("sample"),
        },
    )
    export.csv_download(
        shown, label="CSV (feed health)", name="feed-health", filters=chosen, key="sources_csv"
    )

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
