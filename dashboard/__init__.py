"""Shared UI for the Streamlit pages: filters, cached reads, figure builders, exports, safe text.

Kept out of ``pages/`` so Streamlit never offers these modules as pages.
Reads go through ``storage.queries`` only; nothing here builds SQL.
"""

from dashboard import alerts, cache, charts, export, filters, geo, labels, sample, text, views

__all__ = [
    "alerts", "cache", "charts", "export", "filters", "geo", "labels", "sample", "text", "views",
]
