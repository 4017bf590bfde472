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
from dataclasses import replace
from datetime import UTC, date, datetime

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import cache
from dashboard.charts import Chart, period_label
from dashboard.labels import actor_name, signal_name
from dashboard.sample import read_only
from dashboard.text import hover_text
from storage import csv_bytes  # the product's one CSV writer (formula-safe)
from storage.queries import QueryFilters

__all__ = [
    "ExportUnavailable",
    "CSV_WORDS",
    "captioned",
    "csv_frame",
    "filters_text",
    "provenance",
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
    "themed",
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


def filters_text(filters: QueryFilters) -> str:
    """The filters in words, for a caption: "actors Serbia, Kosovo · 1 Sep – 30 Sep 2023"."""
    parts = []
    if filters.actors:
        parts.append("actors " + ", ".join(actor_name(a) for a in filters.actors))
    parts.append(period_label(filters.date_from, filters.date_to))
    if filters.signals:
        parts.append("signals " + ", ".join(signal_name(s) for s in filters.signals))
    if filters.feed_ids:
        parts.append(f"{len(filters.feed_ids)} source{'' if len(filters.feed_ids) == 1 else 's'}")
    if filters.languages:
        parts.append("languages " + ", ".join(filters.languages))
    if filters.text.strip():
        parts.append(f'search "{filters.text.strip()[:40]}"')
    return " · ".join(parts)


def provenance(chart: Chart, filters: QueryFilters, now: datetime, sample: bool) -> str:
    """The caption every exported chart carries: what, which filters, when, from how many
    articles, and whether it is sample data."""
    data = chart.data
    count = ""
    if "items" in data.columns:
        n = int(pd.to_numeric(data["items"], errors="coerce").fillna(0).sum())
        count = f" from {n} article{'' if n == 1 else 's'}"
    elif "count" in data.columns:
        n = int(pd.to_numeric(data["count"], errors="coerce").fillna(0).sum())
        count = f" from {n} signal mention{'' if n == 1 else 's'}"
    text = (f"Balkan Tension Monitor · {filters_text(filters)} · generated "
            f"{now:%d %b %Y %H:%M} UTC{count}")
    return text + (" · SAMPLE DATA, not live news" if sample else "")


def captioned(figure: go.Figure, caption: str) -> go.Figure:
    """The figure with the caption line under the plot (a copy; the caption is escaped)."""
    fig = go.Figure(figure)
    bottom = (fig.layout.margin.b or 10) + 40
    fig.add_annotation(text=hover_text(caption, 300), xref="paper", yref="paper", x=0, y=0,
                       yshift=-bottom + 8, showarrow=False, xanchor="left", yanchor="bottom",
                       font={"size": 10, "color": "#616161"})
    fig.update_layout(margin={"b": bottom})
    return fig


# Chart data columns in the words the charts use (CSV headers match the picture).
CSV_WORDS = {
    "smoothed": "index (smoothed)", "raw": "day's score", "items": "articles",
    "stories": "stories", "spike": "in a spike", "onset": "spike starts",
    "baseline": "baseline", "band_low": "band low", "band_high": "band high",
    "z": "robust z", "count": "mentions", "weight": "points", "score": "points",
    "source": "from", "target": "towards", "change_7d": "7-day change", "current": "index",
    "previous": "index 7 days before", "change": "change",
}


def csv_frame(data: pd.DataFrame) -> pd.DataFrame:
    """A chart's data for its CSV: headers in the chart's words, actor codes with names."""
    out = data.copy()
    for col in ("actor", "source", "target"):
        if col in out.columns:
            out.insert(out.columns.get_loc(col) + 1, f"{col} name",
                       [actor_name(a) if isinstance(a, str) else "" for a in out[col]])
    if "signal" in out.columns:
        out["signal"] = [signal_name(v) if isinstance(v, str) else v for v in out["signal"]]
    return out.rename(columns={c: CSV_WORDS[c] for c in out.columns if c in CSV_WORDS})


def _theme() -> str:
    """The reader's theme ("light" or "dark"); light when the browser has not said."""
    try:
        kind = getattr(st.context.theme, "type", None)
    except Exception:  # noqa: BLE001 - no browser context (bare scripts, some tests)
        kind = None
    return "dark" if kind == "dark" else "light"


def themed(figure: go.Figure, theme: str) -> go.Figure:
    """The on-screen figure for the reader's theme: on a dark page a dark template on a
    transparent background, not a white box. Exports (HTML, PNG/SVG) stay light."""
    if theme != "dark":
        return figure
    fig = go.Figure(figure)
    fig.update_layout(template="plotly_dark", paper_bgcolor="rgba(0,0,0,0)",
                      plot_bgcolor="rgba(0,0,0,0)", font={"color": "#E0E0E0"})
    return fig


def _sample_present() -> bool:
    url = cache.db_url()
    feeds = cache.options(url, cache.stamp(url))[0]
    return bool(not feeds.empty and feeds["is_sample"].any())


def show_chart(chart: Chart, filters: QueryFilters, key: str,
               selectable: bool = False) -> list:
    """Draw the chart, then its export buttons (CSV, HTML, PNG/SVG on demand).

    ``selectable``: a click on a point reruns the page and the selected points are
    returned (``charts.clicked_point`` reads them); otherwise the list is empty.
    """
    fmt = image_format()
    stem = export_filename(chart.name, filters, fmt).rsplit(".", 1)[0]
    # The caption is part of the figure, so the camera button, the HTML and the server
    # image all carry it (provenance travels with the picture).
    chart = replace(chart, figure=captioned(
        chart.figure, provenance(chart, filters, datetime.now(UTC), _sample_present())))
    event = st.plotly_chart(
        themed(chart.figure, _theme()), theme=None, key=f"{key}_chart",
        config=plotly_config(stem, fmt),
        on_select="rerun" if selectable else "ignore",
        selection_mode="points",
    )
    # One export control per chart: the formats sit in one popover, not three buttons
    # stacked under every chart on a phone.
    menu = st.popover("Export", icon="⬇️")
    with menu:
        csv_download(
            csv_frame(chart.data), label="CSV (chart data)", name=chart.name, filters=filters,
            key=f"{key}_csv",
        )
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
        # Drawing on the server starts a browser there: an action, so not on read-only
        # servers.
        if not read_only():
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
