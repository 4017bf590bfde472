"""`python -m bench` at tiny sizes: each benchmark runs and prints its figure lines.

Behaviour only — no figure is compared with a target here (speed is for
`make bench` to print). The generated benchmark database is also checked
against the repository's own aggregate rebuild, so the query benchmark
measures a database the real code could have written.
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bench.bigdb import build
from storage import get_engine
from storage.db import dispose_engine, write_transaction
from storage.repository import rebuild_aggregates

ROOT = Path(__file__).resolve().parent.parent
FIGURE = re.compile(r"^(?P<name>[a-z_.0-9]+) (?P<value>-?[0-9.]+|inf) ", re.MULTILINE)

pytestmark = pytest.mark.slow


def run_bench(tmp_path: Path, *argv: str, timeout: float = 240) -> dict[str, float]:
    """Run `python -m bench ARGV` with its output folder in tmp_path; return its figures."""
    env = {**os.environ, "TENSION_BENCH_OUT": str(tmp_path / "out")}
    env.pop("TENSION_DB_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "bench", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert f"== {argv[0]} ==" in done.stdout and "cores" in done.stdout  # the machine line
    return {m["name"]: float(m["value"]) for m in FIGURE.finditer(done.stdout)}


def _positive(figures: dict[str, float], *names: str) -> None:
    for name in names:
        assert name in figures, f"{name} missing from {sorted(figures)}"
        assert figures[name] > 0 and math.isfinite(figures[name]), (name, figures[name])


def test_ingest_prints_end_to_end_stages_and_rss(tmp_path: Path) -> None:
    figures = run_bench(tmp_path, "ingest", "--items", "200", "--cli")
    _positive(
        figures,
        "ingest.end_to_end_items_per_s",
        "ingest.cli_file_items_per_s",
        *(f"ingest.stage.{s}_items_per_s" for s in ("parse", "normalise", "score", "store")),
        "ingest.stages_sum_items_per_s",
        "ingest.peak_rss_mib",
    )
    assert (tmp_path / "out" / "ingest-feed-200.xml").read_bytes().count(b"<item>") == 200


def test_ingest_profile_lists_functions(tmp_path: Path) -> None:
    env = {**os.environ, "TENSION_BENCH_OUT": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "ingest", "--items", "50", "--profile"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "top functions by cumulative" in done.stdout
    assert "ingest_feed" in done.stdout


def test_scoring_prints_both_rates(tmp_path: Path) -> None:
    figures = run_bench(tmp_path, "scoring", "--items", "300", "--newslike", "100")
    _positive(figures, "scoring.items_per_s", "scoring.newslike_items_per_s")


def test_queries_print_overview_and_news_timings_and_cache_the_database(tmp_path: Path) -> None:
    args = ("queries", "--items", "1500", "--days", "15", "--repeats", "3")
    figures = run_bench(tmp_path, *args)
    _positive(
        figures,
        "queries.overview.tension_by_actor_day_ms",
        "queries.overview.signal_mix_by_day_ms",
        "queries.overview.top_stories_ms",
        "queries.overview.all_ms",
        "queries.news.search_actor_90d_p3.page_and_count_ms",
        "queries.news.worst_page_and_count_ms",
    )
    built = list((tmp_path / "out").glob("queries-1500-15d-*.db"))
    assert len(built) == 1
    stamp = built[0].stat().st_mtime_ns
    run_bench(tmp_path, *args)  # the second run reuses the cached file
    assert built[0].stat().st_mtime_ns == stamp


def test_dashboard_prints_rerun_time(tmp_path: Path) -> None:
    figures = run_bench(tmp_path, "dashboard", "--items", "1500", "--days", "15", "--repeats", "2")
    _positive(
        figures,
        "dashboard.overview_first_run_s",
        "dashboard.overview_rerun_s",
        "dashboard.overview_rerun_uncached_s",
    )


def test_startup_prints_time_to_healthy(tmp_path: Path) -> None:
    figures = run_bench(tmp_path, "startup", "--repeats", "1")
    _positive(figures, "startup.streamlit_run_to_healthy_s")


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian's chromium")
def test_export_prints_cold_and_warm_times(tmp_path: Path) -> None:
    figures = run_bench(tmp_path, "export", "--repeats", "1")
    _positive(
        figures,
        "export.cold_write_image_png_s",
        "export.cold_write_image_svg_s",
        "export.warm_write_image_png_s",
        "export.warm_write_image_svg_s",
    )


def test_unknown_benchmark_is_refused(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "nonsense"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "choose from" in done.stderr


def _daily(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as db:
        return {
            table: sorted(
                tuple(round(v, 6) if isinstance(v, float) else v for v in row)
                for row in db.execute(f"SELECT * FROM {table}")  # noqa: S608
            )
            for table in ("daily_actor", "daily_signal", "daily_pair")
        }


def test_generated_database_aggregates_match_the_repository_rebuild(tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    # Evidence for every day, so the repository's rebuild sees all the weights it needs.
    build(path, 1200, days=10, evidence_days=10, log=False)
    generated = _daily(path)
    assert all(generated.values())
    url = f"sqlite:///{path}"
    try:
        with write_transaction(get_engine(url)) as conn:
            rebuild_aggregates(conn)
    finally:
        dispose_engine(url)
    assert _daily(path) == generated
    with sqlite3.connect(path) as db:
        items, signals = db.execute(
            "SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM item_signals)"
        ).fetchone()
        found = db.execute("SELECT count(*) FROM items_fts WHERE items_fts MATCH 'kosovo'")
        assert found.fetchone()[0] > 0  # the full-text index was rebuilt after the load
    assert items == 1200 and signals > items
