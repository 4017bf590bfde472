"""Balkan Tension Monitor — Streamlit entry point: page setup, shared sidebar filters, navigation.

``streamlit run app.py`` serves the dashboard against ``TENSION_DB_URL`` (or
data/tension.db). The pages live in ``pages/``; shared UI in ``dashboard/``.
"""

import streamlit as st

from dashboard import cache, export, filters, views

st.set_page_config(
    page_title="Balkan Tension Monitor", page_icon=":material/monitoring:", layout="wide"
)

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/actor.py", title="Actor", icon=":material/flag:"),
    st.Page("pages/news.py", title="News", icon=":material/newspaper:"),
    st.Page("pages/map.py", title="Map", icon=":material/map:"),
    st.Page("pages/sources.py", title="Sources", icon=":material/rss_feed:"),
    st.Page("pages/alerts.py", title="Alerts", icon=":material/notifications:"),
]

page = st.navigation(PAGES)
try:
    filters.sidebar(cache.db_url())
except views.DataUnavailable as exc:
    views.database_problem(exc)
    st.stop()
export.format_picker()
page.run()
