"""DataFrame → Plotly figure builders, pure (no Streamlit, no database).

Each builder returns a ``Chart``: the figure plus exactly the rows it draws,
so the CSV export is the chart's data and nothing else. Titles say what is
plotted and over which dates; every actor keeps its colour from
``dashboard.labels``. Feed text in hovers goes through ``hover_text`` because
Plotly renders a few HTML tags in hover labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from dashboard.labels import actor_color, actor_name, signal_color, signal_name
from dashboard.text import hover_text

__all__ = [
    "Chart",
    "INDEX_DEFINITION",
    "MapShape",
    "clicked_point",
    "fetch_runs_chart",
    "index_band",
    "index_text",
    "pair_lines",
    "period_label",
    "signal_breakdown",
    "signal_mix",
    "spike_spans",
    "tension_lines",
    "tension_map",
]

INDEX_DEFINITION = (
    "**Tension index** (points per day): for each actor and day, the sum of the "
    "escalation scores of the articles naming the actor, a story carried by many "
    "outlets counting once. Scores follow the Goldstein conflict–cooperation scale "
    "(a typical escalation article scores 5–10, talks and agreements score below 0). "
    "The line is smoothed with an exponential decay (half-life 3 days); the "
    "**baseline** is the median of the 28 days before, the shaded **band** its "
    "usual spread, and a **spike** (▲) marks the first day the line stands far above "
    "the band (robust z ≥ 3.5 and at least 2 points per day); while it stays there the "
    "actor's chart shades the days."
)
TEMPLATE = "plotly_white"
# The map's colour scale tops out here (points per day, smoothed): fixed, so a colour means
# the same on every view; a spike needs at least 2 (scoring.index.MIN_LEVEL) and a crisis
# day of several serious stories reaches 15-20.
MAP_SCALE_MAX = 20.0
TENSION_SCALE = "YlOrRd"


@dataclass(frozen=True, eq=False)
class Chart:
    """A figure, the file-name stem for its exports, and the exact data it draws."""

    name: str
    title: str
    figure: go.Figure
    data: pd.DataFrame


@dataclass(frozen=True)
class MapShape:
    """One map unit: an actor code, its label and its outline rings as (lon, lat) pairs."""

    code: str
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]


def period_label(date_from: date | None, date_to: date | None) -> str:
    """'1 Mar 2025 – 9 Apr 2025' (or 'all dates'), for chart titles."""

    def fmt(d: date) -> str:
        return f"{d.day} {d:%b %Y}"

    if date_from and date_to:
        return f"{fmt(date_from)} – {fmt(date_to)}"
    if date_from:
        return f"since {fmt(date_from)}"
    if date_to:
        return f"until {fmt(date_to)}"
    return "all dates"


def index_text(value: float, signed: bool = False) -> str:
    """An index value with one decimal, never "-0.0" (decay leaves tiny negative remainders)."""
    rounded = round(float(value), 1) + 0.0
    return f"{rounded:+.1f}" if signed else f"{rounded:.1f}"


def _layout(fig: go.Figure, title: str, **extra: object) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        template=TEMPLATE,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        # Anchored by its top below the axis labels, a legend that wraps onto several
        # rows grows downwards into a margin Plotly makes for it, not up over the plot.
        legend={"orientation": "h", "yanchor": "top", "y": -0.14, "x": 0},
        hoverlabel={"align": "left"},
        **extra,
    )
    return fig


_DAY_MS = 86_400_000


def _time_axis(
    fig: go.Figure, date_from: date | None, date_to: date | None, bucket_ms: int
) -> None:
    """Bars one bucket wide and the axis over the chosen dates.

    Plotly sizes bars from the gaps between them, so a single day (or hour) of data
    would stretch into one wide block over an axis of milliseconds.
    """
    fig.update_traces(width=bucket_ms * 0.8, selector={"type": "bar"})
    fig.update_xaxes(type="date")
    if date_from and date_to:
        # Half a bucket of room on each side, so the first and last bars show whole.
        pad = pd.Timedelta(milliseconds=bucket_ms / 2)
        fig.update_xaxes(range=[pd.Timestamp(date_from) - pad, pd.Timestamp(date_to) + pad])


def _hover_lists(hovers: pd.DataFrame | None) -> dict[tuple[pd.Timestamp, str], str]:
    if hovers is None or hovers.empty:
        return {}
    out: dict[tuple[pd.Timestamp, str], str] = {}
    for (day, actor), group in hovers.groupby(["day", "actor"], sort=False):
        lines = [
            "• " + hover_text(t) + (" (sample)" if s else "") + (" (date estimated)" if e else "")
            for t, s, e in zip(
                group["title"],
                group["is_sample"],
                group.get("date_estimated", pd.Series(False, index=group.index)),
                strict=True,
            )
        ]
        out[(pd.Timestamp(day).normalize(), str(actor))] = "<br>".join(lines)
    return out


def clicked_point(points: object) -> tuple[str | None, date] | None:
    """(actor code or None, day) of the first selected point of a chart, else None.

    ``points``: the ``selection.points`` list Streamlit returns for ``on_select``. The
    actor is the last customdata column of the index charts' traces (None on charts of
    one actor); anything malformed counts as no selection.
    """
    if not isinstance(points, list | tuple) or not points:
        return None
    point = points[0]
    if not isinstance(point, dict):
        return None
    try:
        day = pd.Timestamp(point.get("x")).date()
    except (TypeError, ValueError):
        return None
    if pd.isna(day):
        return None
    custom = point.get("customdata")
    actor = custom[-1] if isinstance(custom, list | tuple) and custom else None
    return (actor if isinstance(actor, str) and actor else None), day


def _onsets(frame: pd.DataFrame) -> pd.Series:
    """Rows where a spike starts (``onset``; older frames without it: the first spike day
    of each run)."""
    if "onset" in frame.columns:
        return frame["onset"].astype(bool)
    spike = frame["spike"].astype(bool)
    return spike & ~spike.shift(1, fill_value=False)


def spike_spans(frame: pd.DataFrame) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """(first day, last day) of each run of spike days in one actor's index, in order."""
    spans: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    days = frame.sort_values("day")
    run_start = prev = None
    for day, spike in zip(days["day"], days["spike"].astype(bool), strict=True):
        if spike and run_start is None:
            run_start = day
        elif not spike and run_start is not None:
            spans.append((run_start, prev))
            run_start = None
        prev = day
    if run_start is not None:
        spans.append((run_start, prev))
    return spans


def tension_lines(
    index: pd.DataFrame,
    hovers: pd.DataFrame | None = None,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Chart:
    """The tension index over time, one line per actor, spikes as triangles.

    ``index``: tension_index output (day, actor, raw, smoothed, spike, items,
    stories …); ``hovers``: top_titles_by_day output (day, actor, title,
    is_sample) shown in the hover of that day.
    """
    title = f"Tension index by actor, {period_label(date_from, date_to)}"
    cols = ["day", "actor", "smoothed", "raw", "items", "stories", "spike"]
    data = index[cols].sort_values(["actor", "day"], kind="mergesort").reset_index(drop=True)
    tops = _hover_lists(hovers)
    fig = go.Figure()
    for actor, group in data.groupby("actor", sort=True):
        color = actor_color(str(actor))
        name = actor_name(str(actor))
        stories = [
            tops.get((pd.Timestamp(d).normalize(), str(actor)), "no scored story")
            for d in group["day"]
        ]
        fig.add_trace(
            go.Scatter(
                x=group["day"],
                y=group["smoothed"],
                mode="lines",
                name=name,
                line={"color": color, "width": 2},
                # the last column is the actor code: a clicked point names its actor
                customdata=list(
                    zip(group["raw"], group["items"], group["stories"], stories,
                        [str(actor)] * len(group), strict=True)
                ),
                hovertemplate=(
                    f"<b>{hover_text(name)}</b> %{{x|%d %b %Y}}<br>"
                    "index %{y:.1f} · day's score %{customdata[0]:.1f}<br>"
                    "%{customdata[1]} articles, %{customdata[2]} stories<br>"
                    "%{customdata[3]}<extra></extra>"
                ),
            )
        )
        spikes = group[_onsets(group)]
        if not spikes.empty:
            fig.add_trace(
                go.Scatter(
                    x=spikes["day"],
                    y=spikes["smoothed"],
                    mode="markers",
                    name=f"{name} spike",
                    showlegend=False,
                    marker={"symbol": "triangle-up", "size": 12, "color": color},
                    customdata=[[str(actor)]] * len(spikes),
                    hovertemplate=(
                        f"<b>Spike starts: {hover_text(name)}</b> %{{x|%d %b %Y}}<extra></extra>"
                    ),
                )
            )
    _layout(fig, title, yaxis_title="Tension index (points/day, smoothed)", hovermode="closest")
    peak = float(data["smoothed"].abs().max()) if not data.empty else 0.0
    if peak < 1.0:
        # Left to autorange, the decay of an old story (-0.01 …) fills the whole
        # height and a quiet month looks like a crisis; ±1 point shows it as flat.
        fig.update_yaxes(range=[-1.05, 1.05])
    return Chart("tension-index", title, fig, data)


def index_band(
    index: pd.DataFrame,
    actor: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Chart:
    """One actor's index against its baseline band: daily score bars, smoothed line, spikes."""
    name = actor_name(actor)
    title = f"{name}: tension index against its baseline, {period_label(date_from, date_to)}"
    cols = ["day", "raw", "smoothed", "baseline", "band_low", "band_high", "z", "spike"]
    data = index[index["actor"] == actor][cols].sort_values("day").reset_index(drop=True)
    color = actor_color(actor)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=data["day"],
            y=data["band_high"],
            mode="lines",
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=data["day"],
            y=data["band_low"],
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor="rgba(120,120,120,0.18)",
            name="usual range (baseline band)",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Bar(
            x=data["day"],
            y=data["raw"],
            name="day's score",
            marker={"color": color, "opacity": 0.3},
            hovertemplate="%{x|%d %b %Y}: day's score %{y:.1f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=data["day"],
            y=data["baseline"],
            mode="lines",
            name="baseline",
            line={"color": "#757575", "dash": "dash"},
            hovertemplate="baseline %{y:.1f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=data["day"],
            y=data["smoothed"],
            mode="lines",
            name="index (smoothed)",
            line={"color": color, "width": 2.5},
            hovertemplate="%{x|%d %b %Y}: index %{y:.1f}<extra></extra>",
        )
    )
    spikes = data[_onsets(data)]
    fig.add_trace(
        go.Scatter(
            x=spikes["day"],
            y=spikes["smoothed"],
            mode="markers",
            name="spike starts",
            marker={"symbol": "triangle-up", "size": 13, "color": color},
            hovertemplate="spike starts %{x|%d %b %Y}<extra></extra>",
        )
    )
    for first, last in spike_spans(data):
        # half a day either side, so a one-day spike is a visible band
        fig.add_vrect(x0=first - pd.Timedelta(hours=12), x1=last + pd.Timedelta(hours=12),
                      fillcolor=color, opacity=0.08, line_width=0, layer="below")
    _layout(fig, title, yaxis_title="points per day", barmode="overlay")
    return Chart(f"index-{actor}", title, fig, data)


# Daily bars over more than a few months are too thin to read; beyond this, weekly sums.
WEEKLY_AFTER_DAYS = 120


def signal_mix(
    mix: pd.DataFrame,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    subject: str = "all actors",
) -> Chart:
    """Asserted signals over time, stacked (``mix``: day, signal, count).

    Per day, or per week (weeks starting Monday) when the data spans more than
    ``WEEKLY_AFTER_DAYS`` days; the exported data is what is drawn.
    """
    data = mix[["day", "signal", "count"]].copy()
    span = (data["day"].max() - data["day"].min()).days if not data.empty else 0
    if date_from and date_to:
        span = max(span, (date_to - date_from).days)
    weekly = span > WEEKLY_AFTER_DAYS
    if weekly:
        data["day"] = data["day"].dt.to_period("W-SUN").dt.start_time
        data = data.groupby(["day", "signal"], as_index=False)["count"].sum()
        data = data.rename(columns={"day": "week"})
    unit = "week" if weekly else "day"
    title = f"Signal mix per {unit} ({subject}), {period_label(date_from, date_to)}"
    data.insert(2, "signal_name", [signal_name(s) for s in data["signal"]])
    fig = go.Figure()
    for signal, group in data.groupby("signal", sort=True):
        fig.add_trace(
            go.Bar(
                x=group[unit],
                y=group["count"],
                name=signal_name(str(signal)),
                marker={"color": signal_color(str(signal))},
                hovertemplate=(
                    f"{hover_text(signal_name(str(signal)))}: %{{y}} stories, "
                    + ("week of " if weekly else "")
                    + "%{x|%d %b %Y}<extra></extra>"
                ),
            )
        )
    _layout(
        fig,
        title,
        barmode="stack",
        showlegend=True,  # Plotly hides a one-trace legend; a lone bar must still say its signal
        yaxis_title=f"stories asserting the signal per {unit}",
    )
    # Week bars are drawn at their Monday; the padding keeps the first and last whole.
    _time_axis(fig, date_from, date_to, (7 if weekly else 1) * _DAY_MS)
    return Chart("signal-mix", title, fig, data.reset_index(drop=True))


def signal_breakdown(
    mix: pd.DataFrame,
    *,
    actor: str,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Chart:
    """Total stories per signal over the period, one bar each (largest on top)."""
    name = actor_name(actor)
    title = f"{name}: stories per signal, {period_label(date_from, date_to)}"
    if mix.empty:
        data = pd.DataFrame(columns=["signal", "signal_name", "count"])
    else:
        data = mix.groupby("signal", as_index=False)["count"].sum()
        data.insert(1, "signal_name", [signal_name(s) for s in data["signal"]])
        data = data.sort_values(["count", "signal"], ascending=[True, True], ignore_index=True)
    fig = go.Figure(
        go.Bar(
            x=data["count"],
            y=data["signal_name"],
            orientation="h",
            marker={"color": [signal_color(s) for s in data["signal"]]},
            hovertemplate="%{y}: %{x} stories<extra></extra>",
        )
    )
    _layout(fig, _two_lines(title), xaxis_title="stories asserting the signal", showlegend=False)
    return Chart(f"signals-{actor}", title, fig, data)


def pair_lines(
    index: pd.DataFrame,
    first: str,
    second: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Chart:
    """One pair both ways over time: the directed index ``first → second`` and back, each
    with its baseline (dotted) and a marker where a spike starts.

    ``index``: pair_index output (day, source, target, smoothed, baseline, spike, ...).
    """
    title = (f"{actor_name(first)} ↔ {actor_name(second)}: directed tension, "
             f"{period_label(date_from, date_to)}")
    cols = ["day", "source", "target", "raw", "smoothed", "baseline", "spike"]
    data = index[[c for c in cols if c in index.columns]].reset_index(drop=True)
    fig = go.Figure()
    for source, target in ((first, second), (second, first)):
        part = data[(data["source"] == source) & (data["target"] == target)]
        if part.empty:
            continue
        color = actor_color(source)
        label = f"{actor_name(source)} → {actor_name(target)}"
        fig.add_trace(go.Scatter(
            x=part["day"], y=part["smoothed"], mode="lines", name=label,
            line={"color": color, "width": 2.5},
            customdata=part[["raw"]].to_numpy(),
            hovertemplate=(f"<b>{hover_text(label)}</b> %{{x|%d %b %Y}}<br>"
                           "index %{y:.1f} · day's points %{customdata[0]:.1f}<extra></extra>"),
        ))
        fig.add_trace(go.Scatter(
            x=part["day"], y=part["baseline"], mode="lines", name=f"{label} baseline",
            line={"color": color, "width": 1, "dash": "dot"}, hoverinfo="skip",
        ))
        starts = part[_onsets(part)]
        if not starts.empty:
            fig.add_trace(go.Scatter(
                x=starts["day"], y=starts["smoothed"], mode="markers", showlegend=False,
                name=f"{label} spike starts",
                marker={"symbol": "triangle-up", "size": 12, "color": color},
                hovertemplate=f"spike starts: {hover_text(label)} %{{x|%d %b %Y}}<extra></extra>",
            ))
    _layout(fig, _two_lines(title), yaxis_title="points per day (smoothed)",
            hovermode="closest")
    return Chart(f"pair-{first}-{second}", title, fig, data)


def _two_lines(title: str) -> str:
    """A chart title with its date range on a second line, for half-width charts."""
    head, sep, period = title.rpartition(", ")
    return f"{head}<br><sup>{period}</sup>" if sep else title


def _centroid(ring: Sequence[tuple[float, float]]) -> tuple[float, float]:
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return sum(xs) / len(xs), sum(ys) / len(ys)


def tension_map(
    shapes: Sequence[MapShape],
    current: pd.DataFrame,
    *,
    points: Sequence[tuple[str, str, float, float]] = (),
    as_of: date | None = None,
    source_note: str = "",
    places: pd.DataFrame | None = None,
    period: str = "",
) -> Chart:
    """The region coloured by current tension, and the places the articles name.

    ``shapes``: polygons per actor; ``points``: (code, name, lon, lat) for
    actors drawn as a marker (an entity without a national outline, or every
    actor when no outlines are installed); ``current``: change_over output
    (actor, current, change, spike). Drawn on plain axes (longitude/latitude,
    aspect corrected) so no map tiles or downloads are needed. ``places``: (place_id,
    name, lon, lat, score, items) drawn as circles sized by the period's score, each
    point carrying its place id (a click opens its articles). The colour scale is fixed
    (0 to ``MAP_SCALE_MAX``), so a colour means the same on every view.
    """
    when = f"{as_of.day} {as_of:%b %Y}" if as_of else "latest day"
    title = f"Tension index by actor on {when}"
    values = current.set_index("actor") if not current.empty else pd.DataFrame()
    drawn_codes = [s.code for s in shapes] + [p[0] for p in points]
    rows = []
    for code in drawn_codes:
        has = code in values.index
        rows.append(
            {
                "actor": code,
                "name": actor_name(code),
                "current": float(values.at[code, "current"]) if has else 0.0,
                "change_7d": float(values.at[code, "change"]) if has else float("nan"),
                "spike": bool(values.at[code, "spike"]) if has else False,
            }
        )
    data = pd.DataFrame(rows, columns=["actor", "name", "current", "change_7d", "spike"])
    top = MAP_SCALE_MAX

    def color(value: float) -> str:
        return sample_colorscale(TENSION_SCALE, [min(max(value, 0.0) / top, 1.0)])[0]

    def hover(row: pd.Series) -> str:
        change = "n/a" if math.isnan(row["change_7d"]) else index_text(row["change_7d"], True)
        spike = " · SPIKE" if row["spike"] else ""
        return (
            f"<b>{hover_text(row['name'])}</b><br>index {index_text(row['current'])}"
            f"<br>7-day change {change}{spike}"
        )

    fig = go.Figure()
    by_code = data.set_index("actor")
    for shape in shapes:
        row = by_code.loc[shape.code]
        for i, ring in enumerate(shape.rings):
            fig.add_trace(
                go.Scatter(
                    x=[p[0] for p in ring],
                    y=[p[1] for p in ring],
                    mode="lines",
                    fill="toself",
                    fillcolor=color(row["current"]),
                    line={"color": "#424242", "width": 1},
                    name=shape.name,
                    legendgroup=shape.code,
                    showlegend=False,
                    hoveron="fills",
                    text=hover(row),
                    hoverinfo="text",
                    customdata=[shape.code] * len(ring) if i == 0 else None,
                )
            )
        ring = max(shape.rings, key=len)
        cx, cy = _centroid(ring)
        fig.add_trace(
            go.Scatter(
                x=[cx],
                y=[cy],
                mode="text",
                text=[f"<b>{shape.code}</b><br>{index_text(row['current'])}"],
                textfont={"size": 12, "color": "#111"},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    for code, _name, lon, lat in points:
        row = by_code.loc[code]
        fig.add_trace(
            go.Scatter(
                x=[lon],
                y=[lat],
                mode="markers+text",
                text=[f"{code} {index_text(row['current'])}"],
                textposition="top center",
                marker={
                    "size": 14 + 26 * min(max(row["current"], 0) / top, 1.0),
                    "color": color(row["current"]),
                    "line": {"color": "#424242", "width": 1},
                },
                hovertext=[hover(row)],
                hoverinfo="text",
                showlegend=False,
            )
        )
    if places is not None and not places.empty:
        biggest = max(1.0, float(places["score"].abs().max()))
        fig.add_trace(
            go.Scatter(
                x=places["lon"],
                y=places["lat"],
                mode="markers",
                name="places named",
                marker={
                    "size": [6 + 24 * min(abs(v) / biggest, 1.0) for v in places["score"]],
                    "color": "rgba(33, 33, 33, 0.55)",
                    "line": {"color": "#FFFFFF", "width": 1},
                },
                customdata=[[p] for p in places["place_id"]],
                hovertext=[
                    f"<b>{hover_text(n)}</b><br>{int(i)} article{'' if i == 1 else 's'}"
                    f"{' ' + hover_text(period) if period else ''} · {v:.1f} points"
                    "<br>click for the articles"
                    for n, i, v in zip(places["name"], places["items"], places["score"],
                                       strict=True)
                ],
                hoverinfo="text",
                showlegend=False,
            )
        )
    # An invisible trace carries the colour bar for the fills above.
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={
                "colorscale": TENSION_SCALE,
                "cmin": 0,
                "cmax": top,
                "color": [0],
                "showscale": True,
                "colorbar": {"title": {"text": "index"}},
            },
            hoverinfo="skip",
            showlegend=False,
        )
    )
    # Longitude degrees shrink with latitude; at ~43°N one degree of latitude is
    # 1/cos(43°) ≈ 1.37 times as long on the ground as one of longitude.
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / math.cos(math.radians(43)))
    _layout(fig, title, height=620)
    if source_note:
        fig.add_annotation(
            text=source_note,
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            showarrow=False,
            font={"size": 10, "color": "#616161"},
            xanchor="left",
            yanchor="bottom",
        )
    return Chart("tension-map", title, fig, data)


def fetch_runs_chart(runs: pd.DataFrame, *, since: date | None = None) -> Chart:
    """Polls per hour by outcome (stacked bars) and new items stored (line, right axis)."""
    title = f"Ingest runs per hour, {period_label(since, None)}"
    cols = ["at", "polls", "ok", "not_modified", "errors", "new", "duplicates"]
    data = runs[cols].reset_index(drop=True)
    fig = go.Figure()
    for col, label, color in (
        ("ok", "polls: new content", "#43A047"),
        ("not_modified", "polls: unchanged", "#90A4AE"),
        ("errors", "polls: failed", "#E53935"),
    ):
        fig.add_trace(go.Bar(x=data["at"], y=data[col], name=label, marker={"color": color}))
    fig.add_trace(
        go.Scatter(
            x=data["at"],
            y=data["new"],
            name="new items stored",
            mode="lines+markers",
            yaxis="y2",
            line={"color": "#1E88E5"},
        )
    )
    _layout(
        fig,
        title,
        barmode="stack",
        yaxis_title="polls",
        yaxis2={
            "title": {"text": "new items"},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
        },
    )
    fig.update_traces(width=3_600_000 * 0.8, selector={"type": "bar"})
    if since is not None and not data.empty:
        end = pd.Timestamp(data["at"].max()) + pd.Timedelta(hours=1)
        fig.update_xaxes(type="date", range=[pd.Timestamp(since), end])
    return Chart("ingest-runs", title, fig, data)
