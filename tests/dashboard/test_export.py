"""dashboard.export: file names, CSV and HTML bytes, and the server-side image path."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.export import (
    ExportUnavailable,
    csv_bytes,
    export_filename,
    html_bytes,
    plotly_config,
    render_image,
)
from storage.queries import QueryFilters


def test_file_names_carry_chart_filters_and_date() -> None:
    filters = QueryFilters(
        actors=("SRB", "KOS"),
        date_from=date(2025, 3, 1),
        date_to=date(2025, 4, 9),
        signals=("armed_clash",),
        feed_ids=(1, 2),
        text="Vučić / barricades",
    )
    name = export_filename("Tension index", filters, "csv", today=date(2025, 4, 10))
    assert name.startswith("tension-index_srb-kos_20250301_20250409_armed-clash_2-sources_")
    assert name.endswith("_2025-04-10.csv")
    assert "/" not in name and " " not in name
    plain = export_filename("news", QueryFilters(), "png", today=date(2025, 1, 2))
    assert plain == "news_2025-01-02.png"


def test_csv_is_exactly_the_frame() -> None:
    frame = pd.DataFrame({"actor": ["SRB", "KOS"], "title": ['Вучић, "quoted"', "x"]})
    data = csv_bytes(frame)
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back.equals(frame)


def test_html_is_standalone_plotly() -> None:
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name="line"))
    page = html_bytes(fig).decode("utf-8")
    assert page.lower().startswith("<!doctype html>")
    assert "Plotly.newPlot" in page
    # plotly.js itself is inlined (megabytes), so the file opens without a network.
    assert len(page) > 1_000_000 and '<script src="https://cdn.plot.ly' not in page


def test_modebar_saves_the_chosen_format() -> None:
    config = plotly_config("tension-index_2025-01-01", "svg")
    assert config["toImageButtonOptions"]["format"] == "svg"
    assert config["toImageButtonOptions"]["filename"] == "tension-index_2025-01-01"


def test_server_image_or_a_reason_in_words() -> None:
    fig = go.Figure(go.Bar(x=["a"], y=[1]))
    try:
        data = render_image(fig, "svg")
    except ExportUnavailable as exc:
        assert "Chromium" in str(exc)
        return
    assert data.lstrip().startswith(b"<svg") or b"<svg" in data[:500]


def test_unknown_image_format_is_refused() -> None:
    with pytest.raises(ExportUnavailable):
        render_image(go.Figure(), "exe")


def test_provenance_names_filters_time_articles_and_sample() -> None:
    from datetime import UTC, date, datetime

    import pandas as pd
    import plotly.graph_objects as go

    from dashboard.charts import Chart
    from dashboard.export import captioned, csv_frame, filters_text, provenance
    from storage.queries import QueryFilters

    data = pd.DataFrame({"day": ["2023-09-24"], "actor": ["KOS"], "smoothed": [3.0],
                         "items": [7]})
    chart = Chart("x", "t", go.Figure(), data)
    f = QueryFilters(actors=("SRB", "KOS"), date_from=date(2023, 9, 1), date_to=date(2023, 9, 30),
                     signals=("armed_clash",))
    text = provenance(chart, f, datetime(2026, 12, 3, 9, 5, tzinfo=UTC), sample=True)
    assert "actors Serbia, Kosovo" in text and "Armed clash" in text
    assert "generated 03 Dec 2026 09:05 UTC from 7 articles" in text
    assert text.endswith("SAMPLE DATA, not live news")
    assert "SAMPLE" not in provenance(chart, QueryFilters(), datetime.now(UTC), sample=False)
    assert "actors" not in filters_text(QueryFilters())
    fig = captioned(go.Figure(), "<b>x</b> " + text)
    (note,) = fig.layout.annotations
    assert note.text.startswith("&lt;b&gt;"), "the caption is escaped for Plotly"
    out = csv_frame(data)
    assert list(out.columns) == ["day", "actor", "actor name", "index (smoothed)", "articles"]


def test_dark_theme_charts_are_not_white_boxes() -> None:
    import plotly.graph_objects as go

    from dashboard.export import themed

    fig = go.Figure(layout={"template": "plotly_white"})
    assert themed(fig, "light") is fig
    dark = themed(fig, "dark")
    assert dark.layout.paper_bgcolor == "rgba(0,0,0,0)"
    assert dark.layout.template.layout.paper_bgcolor != fig.layout.template.layout.paper_bgcolor
    assert fig.layout.paper_bgcolor is None, "the light figure (for exports) is untouched"
