"""Chart display with its exports: CSV of the drawn data, standalone HTML, PNG/SVG.

The camera button in each chart's modebar saves in the format chosen in the
sidebar (browser-side, always works). A server-side PNG/SVG goes through
kaleido and a headless Chromium, which costs about a second per figure, so it
is rendered only when the user asks for it, and a missing Chromium is said in
words instead of a traceback. File names carry the chart, the filters and the
date.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.charts import Chart
from dashboard.sample import read_only
from storage import csv_bytes  # the product's one CSV writer (formula-safe)
from storage.queries import QueryFilters

__all__ = [
    "ExportUnavailable",
    "FORMAT_KEY",
    "IMAGE_FORMATS",
    "csv_bytes",
    "csv_download",
    "export_filename",
    "format_picker",
    "html_bytes",
    "image_format",
    "plotly_config",
    "render_image",
    "show_chart",
]

FORMAT_KEY = "export_format"
IMAGE_FORMATS = ("png", "svg")
_SLUG = re.compile(r"[^A-Za-z0-9]+")
# Export size in pixels: wide enough for a briefing page at print resolution.
IMAGE_WIDTH, IMAGE_HEIGHT, IMAGE_SCALE = 1200, 650, 2


class ExportUnavailable(RuntimeError):
    """Raised when a server-side image cannot be made (no Chromium, kaleido failure)."""


def _slug(value: str) -> str:
    return _SLUG.sub("-", value).strip("-").lower() or "chart"


def export_filename(
    chart_name: str, filters: QueryFilters, ext: str, today: date | None = None
) -> str:
    """``tension-index_srb-kos_2025-03-01_2025-04-09_..._2025-04-10.csv``: chart, filters, date."""
    parts = [_slug(chart_name)]
    if filters.actors:
        parts.append(_slug("-".join(filters.actors)))
    if filters.date_from or filters.date_to:
        parts.append(f"{filters.date_from or 'start'}_{filters.date_to or 'end'}".replace("-", ""))
    if filters.signals:
        parts.append(
            _slug("-".join(filters.signals))
            if len(filters.signals) <= 2
            else f"{len(filters.signals)}-signals"
        )
    if filters.feed_ids:
        parts.append(f"{len(filters.feed_ids)}-sources")
    if filters.languages:
        parts.append(_slug("-".join(filters.languages)))
    if filters.text.strip():
        parts.append("q-" + _slug(filters.text)[:30])
    parts.append((today or datetime.now(UTC).date()).isoformat())
    return "_".join(parts) + "." + ext.lstrip(".")


def html_bytes(figure: go.Figure) -> bytes:
    """A standalone HTML page of the figure with plotly.js inlined (opens offline)."""
    return figure.to_html(include_plotlyjs=True, full_html=True).encode("utf-8")


@st.cache_resource(show_spinner=False)
def _kaleido_ready() -> bool:
    """Start kaleido's browser once per server process; later images then take ~0.6 s."""
    import kaleido

    kaleido.start_sync_server(silence_warnings=True)
    return True


def render_image(figure: go.Figure, fmt: str) -> bytes:
    """PNG or SVG bytes of the figure via kaleido; ExportUnavailable with a reason otherwise."""
    if fmt not in IMAGE_FORMATS:
        raise ExportUnavailable(f"unknown image format {fmt!r}")
    try:
        _kaleido_ready()
        return figure.to_image(
            format=fmt, width=IMAGE_WIDTH, height=IMAGE_HEIGHT, scale=IMAGE_SCALE
        )
    except Exception as exc:  # noqa: BLE001 - kaleido and Chromium fail in many ways
        _kaleido_ready.clear()
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise ExportUnavailable(
            "the server could not draw the image (it needs kaleido and a Chromium browser "
            f"installed on the server): {reason}"
        ) from exc


def format_picker() -> str:
    """Sidebar choice of image format for the chart camera buttons and server-side export."""
    return st.sidebar.radio(
        "Image format for chart exports",
        IMAGE_FORMATS,
        key=FORMAT_KEY,
        horizontal=True,
        format_func=str.upper,
    )


def image_format() -> str:
    """The chosen image format (PNG until the user picks another)."""
    value = st.session_state.get(FORMAT_KEY, "png")
    return value if value in IMAGE_FORMATS else "png"


def plotly_config(filename_stem: str, fmt: str) -> dict[str, object]:
    """Modebar settings: the camera button saves ``fmt`` under our file name."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": fmt,
            "filename": filename_stem,
            "width": IMAGE_WIDTH,
            "height": IMAGE_HEIGHT,
            "scale": IMAGE_SCALE,
        },
    }


def csv_download(
    frame: pd.DataFrame, *, label: str, name: str, filters: QueryFilters, key: str
) -> None:
    """A CSV download button for exactly ``frame``."""
    st.download_button(
        label,
        data=csv_bytes(frame),
        file_name=export_filename(name, filters, "csv"),
        mime="text/csv",
        key=key,
        on_click="ignore",
        icon="📄",
    )


def show_chart(chart: Chart, filters: QueryFilters, key: str,
               selectable: bool = False) -> list:
    """Draw the chart, then its export buttons (CSV, HTML, PNG/SVG on demand).

    ``selectable``: a click on a point reruns the page and the selected points are
    returned (``charts.clicked_point`` reads them); otherwise the list is empty.
    """
    fmt = image_format()
    stem = export_filename(chart.name, filters, fmt).rsplit(".", 1)[0]
    event = st.plotly_chart(
        chart.figure, theme=None, key=f"{key}_chart", config=plotly_config(stem, fmt),
        on_select="rerun" if selectable else "ignore",
        selection_mode="points",
    )
    cols = st.columns(3)
    with cols[0]:
        csv_download(
            chart.data, label="CSV (chart data)", name=chart.name, filters=filters, key=f"{key}_csv"
        )
    with cols[1]:
        figure = chart.figure
        st.download_button(
            "HTML (interactive)",
            # Built only when clicked: inlining plotly.js makes each page ~5 MB.
            data=lambda: html_bytes(figure),
            file_name=export_filename(chart.name, filters, "html"),
            mime="text/html",
            key=f"{key}_html",
            on_click="ignore",
            icon="🌐",
        )
    # Drawing on the server starts a browser there: an action, so not on read-only servers.
    if not read_only():
        with cols[2]:
            _image_export(chart, filters, key, fmt)
    if not selectable or event is None:
        return []
    # Streamlit's state object allows both item and attribute access; read it as a mapping
    selection = event.get("selection") if hasattr(event, "get") else None
    points = selection.get("points") if hasattr(selection, "get") else None
    return list(points) if isinstance(points, list | tuple) else []


def _image_export(chart: Chart, filters: QueryFilters, key: str, fmt: str) -> None:
    # Keyed by the file name, so an image made before a filter change is not offered after it.
    ready_key = f"{key}_image_" + export_filename(chart.name, filters, fmt)
    if st.button(f"Make {fmt.upper()} on the server", key=f"{key}_{fmt}_make"):
        with st.spinner(f"Drawing {fmt.upper()}…"):
            try:
                st.session_state[ready_key] = render_image(chart.figure, fmt)
            except ExportUnavailable as exc:
                st.session_state.pop(ready_key, None)
                st.warning(
                    f"{fmt.upper()} export is not available: {exc}. The camera icon above "
                    f"the chart still saves a {fmt.upper()} from your browser."
                )
    data = st.session_state.get(ready_key)
    if data:
        st.download_button(
            f"Download {fmt.upper()}",
            data=data,
            file_name=export_filename(chart.name, filters, fmt),
            mime="image/png" if fmt == "png" else "image/svg+xml",
            key=f"{key}_{fmt}_download",
            on_click="ignore",
            icon="⬇️",
        )
