"""Balkan Tension Monitor — Streamlit entry point: page setup, shared sidebar filters, navigation.

``streamlit run app.py`` serves the dashboard against ``TENSION_DB_URL`` (or
data/tension.db). The pages live in ``pages/``; shared UI in ``dashboard/``.
"""

import streamlit as st

from dashboard import cache, export, filters, views

st.set_page_config(
    page_title="Balkan Tension Monitor", page_icon="📈", layout="wide"
)

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon="🏠", default=True),
    st.Page("pages/actor.py", title="Actor", icon="🚩"),
    st.Page("pages/pairs.py", title="Pairs", icon="↔️"),
    st.Page("pages/news.py", title="News", icon="📰"),
    st.Page("pages/map.py", title="Map", icon="🗺️"),
    st.Page("pages/sources.py", title="Sources", icon="📡"),
    st.Page("pages/alerts.py", title="Alerts", icon="🔔"),
]

page = st.navigation(PAGES)
# The error boundary: a database that cannot be read is said in words, anything else in one
# plain sentence with the traceback in the server log — never on the page.
ready = False
with views.error_boundary("the sidebar filters"):
    filters.sidebar(cache.db_url())
    export.format_picker()
    ready = True
if not ready:
    st.stop()
with views.error_boundary(page.title):
    page.run()
