"""Server-side PNG/SVG export of a Plotly figure with kaleido and Debian's /usr/bin/chromium.

Figures: a cold ``write_image`` (kaleido starts a browser for the call), then
exports after ``kaleido.start_sync_server()`` (one browser kept open), per
figure. The chart is the Overview's shape: six actor lines over 90 days.
If kaleido or the browser fails, the reason is printed instead of a figure.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

from bench.common import figure, info, summary

__all__ = ["add_arguments", "run", "sample_figure"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeats", type=int, default=5, help="warm exports per format")


def sample_figure():  # noqa: ANN201 - a plotly Figure (plotly imported lazily)
    """Six lines of 90 daily points, titled and labelled like the Overview's index chart."""
    import plotly.graph_objects as go

    rng = random.Random(5)
    days = [date(2025, 8, 23) + timedelta(days=i) for i in range(90)]
    fig = go.Figure()
    for actor in ("SRB", "KOS", "BIH", "RS", "MNE", "MKD"):
        level = rng.uniform(5, 30)
        values = []
        for _ in days:
            level = max(0.0, level + rng.gauss(0, 3))
            values.append(level)
        fig.add_scatter(x=days, y=values, mode="lines", name=actor)
    fig.update_layout(
        title="Tension index by actor, 23 Aug – 20 Nov 2025",
        xaxis_title="day",
        yaxis_title="index (points/day)",
        width=1000,
        height=500,
    )
    return fig


def _export(fig, path: Path) -> float:  # noqa: ANN001 - a plotly Figure
    start = time.perf_counter()
    fig.write_image(str(path))
    seconds = time.perf_counter() - start
    if not path.exists() or path.stat().st_size == 0:
        raise RuntimeError(f"{path.name} was not written")
    return seconds


def run(args: argparse.Namespace) -> None:
    browser = shutil.which("chromium") or "/usr/bin/chromium"
    info("export", f"browser {browser} ({'found' if Path(browser).exists() else 'missing'})")
    try:
        import kaleido
    except ImportError as exc:
        info("export", f"kaleido is not installed: {exc}")
        return
    # plotly warns on every export through the server that its kaleido options are unused.
    warnings.filterwarnings("ignore", message="The kopts argument is ignored")
    fig = sample_figure()
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        folder = Path(tmp)
        try:
            for fmt in ("png", "svg"):
                figure(
                    f"export.cold_write_image_{fmt}_s",
                    _export(fig, folder / f"cold.{fmt}"),
                    "s",
                    "a browser started for this one call",
                )
        except Exception as exc:  # noqa: BLE001 - report any kaleido/browser failure as text
            info("export", f"cold export failed: {type(exc).__name__}: {exc}")
            return
        try:
            start = time.perf_counter()
            kaleido.start_sync_server(silence_warnings=True)
            # The server starts its browser lazily, on the first export.
            _export(fig, folder / "first.png")
            figure(
                "export.start_sync_server_and_first_png_s",
                time.perf_counter() - start,
                "s",
                "one-off per process, e.g. on the first export button",
            )
        except Exception as exc:  # noqa: BLE001
            info("export", f"kaleido.start_sync_server failed: {type(exc).__name__}: {exc}")
            return
        try:
            for fmt in ("png", "svg"):
                times = [_export(fig, folder / f"warm{i}.{fmt}") for i in range(args.repeats)]
                median, p95 = summary(times)
                figure(
                    f"export.warm_write_image_{fmt}_s",
                    median,
                    "s median",
                    f"after start_sync_server; p95 {p95:.3f} s over {len(times)} exports",
                )
        except Exception as exc:  # noqa: BLE001
            info("export", f"warm export failed: {type(exc).__name__}: {exc}")
        finally:
            kaleido.stop_sync_server(silence_warnings=True)
