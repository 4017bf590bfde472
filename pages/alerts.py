"""Alerts: the rules (switch on/off, send a test), the latest firings and the delivery log."""

import pandas as pd
import streamlit as st

from dashboard import alerts, cache, views
from dashboard.text import escape_markdown
from storage import queries

url = cache.db_url()
stamp = cache.stamp(url)
views.live_header(url, "Alerts", stamp)
st.caption(
    "Rules live in alerts.toml (or the file named by TENSION_ALERTS_FILE); "
    "`python -m alerts run` and every ingest round of `python -m ingest --watch` evaluate them."
)

listing = alerts.list_rules(url)
if not listing.ok:
    st.error(f"The alert rules cannot be used: {listing.message}")
    rules: list[dict] = []
else:
    rules = listing.data.get("rules", [])
    st.subheader("Rules")
    if not rules:
        st.info("The rules file holds no rule yet. The README says how to write one.")
    for rule in rules:
        cols = st.columns([4, 1, 1])
        cols[0].markdown(
            f"**{escape_markdown(rule['name'])}** — {rule['when']} on "
            f"{escape_markdown(rule['subject'])} · {rule['severity']} · to "
            f"{escape_markdown(', '.join(rule['channels']))} · last fired "
            f"{rule['last_fired_at'] or 'never'}"
        )
        on = cols[1].toggle("on", value=bool(rule["enabled"]), key=f"alert_on_{rule['name']}")
        if on != bool(rule["enabled"]):
            answer = alerts.switch_rule(url, rule["name"], on)
            (st.success if answer.ok else st.error)(answer.message)
        if cols[2].button("Test", key=f"alert_test_{rule['name']}", icon="📨"):
            answer = alerts.send_test(url, rule["name"])
            (st.success if answer.ok else st.error)(answer.message)

st.subheader("Latest firings")
firings = queries.alert_firings(url, limit=200)
if firings.empty:
    st.info("No rule has fired yet.")
else:
    shown = firings.drop(columns=["firing_id", "key", "message_key"]).assign(
        item_ids=[", ".join(map(str, ids)) for ids in firings["item_ids"]]
    )
    st.dataframe(
        shown,
        hide_index=True,
        key="alerts_firings",
        column_config={
            "fired_at": st.column_config.DatetimeColumn("fired (UTC)"),
            "why": st.column_config.TextColumn("why", width="large"),
            "item_ids": st.column_config.TextColumn("items behind it"),
        },
    )

st.subheader("Delivery log")
deliveries = queries.alert_deliveries(url, limit=200)
if deliveries.empty:
    st.info("Nothing was sent yet.")
else:
    st.dataframe(
        deliveries.drop(columns=["delivery_id"]).assign(
            last_error=deliveries["last_error"].where(pd.notna(deliveries["last_error"]), "")
        ),
        hide_index=True,
        key="alerts_deliveries",
        column_config={
            "created_at": st.column_config.DatetimeColumn("created (UTC)"),
            "not_before": st.column_config.DatetimeColumn("due (UTC)"),
            "sent_at": st.column_config.DatetimeColumn("sent (UTC)"),
        },
    )
