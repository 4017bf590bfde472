"""A full Overview rerun with ``streamlit.testing.v1.AppTest`` against the generated 1M database.

``app.py`` runs as a user's session would: sidebar filters, navigation, the
Overview page (the default). Figures: the first run (imports, engine, every
query uncached), reruns with Streamlit's data cache warm (what a user waits
for after clicking a widget that does not change the data asked for; target
< 0.7 s), and reruns with the cache cleared first (every query again).
"""

from __future__ import annotations

import argparse
import os
import time

from bench.common import PROJECT_ROOT, figure, info, summary
from bench.run_queries import add_arguments as add_db_arguments
from bench.run_queries import database

__all__ = ["add_arguments", "run"]

TARGET_S = 0.7


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_db_arguments(parser)
    parser.set_defaults(repeats=10)


def _describe(at) -> str:  # noqa: ANN001 - an AppTest
    return (
        f"{len(at.metric)} metric cards, {len(at.get('plotly_chart'))} charts, "
        f"{len(at.dataframe)} tables, {len(at.info)} info boxes"
    )


def _timed_run(at) -> float:  # noqa: ANN001 - an AppTest
    start = time.perf_counter()
    at.run()
    return time.perf_counter() - start


def run(args: argparse.Namespace) -> None:
    db = database(args)
    os.environ["TENSION_DB_URL"] = db.url
    # Bare-mode notices ("no runtime found") would bury the figures.
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=300)
    first = _timed_run(at)
    if at.exception:
        info("dashboard", "the Overview raised: " + "; ".join(e.message for e in at.exception))
        return
    info("dashboard", f"Overview rendered: {_describe(at)}")
    figure(
        "dashboard.overview_first_run_s",
        first,
        "s",
        "cold: imports, engine, every query; not a target",
    )
    warm = [_timed_run(at) for _ in range(args.repeats)]
    median, p95 = summary(warm)
    figure(
        "dashboard.overview_rerun_s",
        median,
        "s median",
        f"target < {TARGET_S} s; p95 {p95:.3f} s over {len(warm)} reruns, data cache warm",
    )
    cold = []
    for _ in range(max(3, args.repeats // 2)):
        st.cache_data.clear()
        cold.append(_timed_run(at))
    median, p95 = summary(cold)
    figure(
        "dashboard.overview_rerun_uncached_s",
        median,
        "s median",
        f"p95 {p95:.3f} s over {len(cold)} reruns with st.cache_data cleared before each",
    )
    if at.exception:
        info("dashboard", "a rerun raised: " + "; ".join(e.message for e in at.exception))
