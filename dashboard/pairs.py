"""Pairs: the directed actor pairs that occur, as a ranked list with a sparkline each.

Replaces the who-vs-whom matrix, whose cells were almost all empty: only pairs that
occur in the chosen dates are listed, most active first, and a selected row is the pair
the Pairs page follows over time.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.labels import ACTOR_CODES, actor_name

__all__ = ["parse_pair", "pair_rows", "pair_table"]


def parse_pair(value: object, default: tuple[str, str]) -> tuple[str, str]:
    """``"SRB-KOS"`` from a URL into two distinct known actor codes, else ``default``."""
    parts = str(value or "").upper().replace("~", "-").split("-")
    if len(parts) == 2 and parts[0] != parts[1] and all(p in ACTOR_CODES for p in parts):
        return parts[0], parts[1]
    return default


def pair_rows(pairs: pd.DataFrame) -> pd.DataFrame:
    """The table an analyst reads: names in words, the period's points, a daily trend."""
    return pd.DataFrame({
        "from": [actor_name(a) for a in pairs["source"]],
        "towards": [actor_name(a) for a in pairs["target"]],
        "points": pairs["score"].round(1),
        "statements and acts": pairs["count"].astype(int),
        "active days": pairs["days"].astype(int),
        "trend": list(pairs["series"]),
    })


def pair_table(pairs: pd.DataFrame, key: str, height: int | None = None) -> tuple[str, str] | None:
    """The ranked pairs as a selectable table; returns the selected (source, target)."""
    event = st.dataframe(
        pair_rows(pairs),
        key=key,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        height=height or "auto",
        column_config={
            "points": st.column_config.NumberColumn(
                "points", help="Summed weight of the statements and acts from one towards "
                "the other (positive: tension, negative: cooperation)"),
            "trend": st.column_config.LineChartColumn("trend (daily points)", width="medium"),
        },
    )
    rows = getattr(getattr(event, "selection", None), "rows", None) or []
    if rows and 0 <= rows[0] < len(pairs):
        row = pairs.iloc[rows[0]]
        return str(row["source"]), str(row["target"])
    return None
