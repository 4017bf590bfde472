"""Page queries against a generated 1M-item SQLite database, through ``storage.queries``.

Each query runs with the filters a page sends by default (the 30-day preset
ending on the newest day, the Overview's six focal actors, its 35 warm-up
days for the index baseline), once untimed, then ``--repeats`` times; the
figures are the median and p95 in milliseconds. Targets (issue 4): each
Overview query under 50 ms; the News page's filtered, searched, paged query
(page + total count) under 200 ms.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from bench.bigdb import BigDb, ensure
from bench.common import OUT_DIR, figure, info, repeat, summary
from storage import queries
from storage.queries import QueryFilters

__all__ = ["add_arguments", "database", "run"]

OVERVIEW_MS = 50.0
NEWS_MS = 200.0
# The Overview's default actors (dashboard.labels.FOCAL_ACTORS) and its baseline warm-up.
FOCAL = ("SRB", "KOS", "BIH", "RS", "MNE", "MKD")
WARMUP_DAYS = 35
# A query slower than this gets fewer repeats, so one slow query cannot stall the run.
_BUDGET_S = 3.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--items", type=int, default=1_000_000, help="items in the database")
    parser.add_argument("--days", type=int, default=1000, help="days the items span")
    parser.add_argument("--repeats", type=int, default=20, help="timed runs per query")


def database(args: argparse.Namespace) -> BigDb:
    """The cached generated database for ``args`` (built on first use; says how long it took)."""
    start = time.perf_counter()
    db = ensure(OUT_DIR, args.items, args.days)
    built = time.perf_counter() - start
    what = f"built in {built:.0f} s" if built > 1 else "cached"
    info(
        "queries",
        f"database {db.path.name} ({db.path.stat().st_size / 2**20:,.0f} MiB, {what})"
        f": {db.items:,} items over {db.days} days ending {db.latest_day}",
    )
    return db


def _measure(
    name: str, fn: Callable[[], object], repeats: int, target_ms: float | None, group: str
) -> float:
    start = time.perf_counter()
    fn()  # the untimed warm-up also tells how many repeats fit in the budget
    first = time.perf_counter() - start
    times = repeat(fn, max(2, min(repeats, int(_BUDGET_S / max(first, 1e-6)))), warmup=0)
    median, p95 = summary(times)
    target = f"target < {target_ms:.0f} ms; " if target_ms else ""
    figure(
        f"queries.{group}.{name}_ms",
        median * 1000,
        "ms median",
        f"{target}p95 {p95 * 1000:.1f} ms over {len(times)} runs",
    )
    return median


def run(args: argparse.Namespace) -> None:
    db = database(args)
    url = db.url
    last = db.latest_day
    month = QueryFilters(date_from=last - timedelta(days=29), date_to=last)
    focal = replace(month, actors=FOCAL)
    warm = replace(focal, date_from=month.date_from - timedelta(days=WARMUP_DAYS))
    since = datetime.combine(last + timedelta(days=1), datetime.min.time()) - timedelta(hours=24)
    overview: list[tuple[str, Callable[[], object]]] = [
        ("last_updated", lambda: queries.last_updated(url)),
        ("has_items", lambda: queries.has_items(url)),
        ("latest_day", lambda: queries.latest_day(url)),
        ("feed_options", lambda: queries.feed_options(url)),
        ("language_options", lambda: queries.language_options(url)),
        ("tension_by_actor_day", lambda: queries.tension_by_actor_day(url, warm)),
        ("top_titles_by_day", lambda: queries.top_titles_by_day(url, focal)),
        ("signal_mix_by_day", lambda: queries.signal_mix_by_day(url, month)),
        ("top_stories", lambda: queries.top_stories(url, since, 10, month)),
    ]
    total = sum(_measure(n, fn, args.repeats, OVERVIEW_MS, "overview") for n, fn in overview)
    figure(
        "queries.overview.all_ms",
        total * 1000,
        "ms",
        f"sum of the medians above: one uncached Overview's reads ({len(overview)} queries)",
    )

    other: list[tuple[str, Callable[[], object]]] = [
        (
            "tension_by_actor_day_all_time",
            lambda: queries.tension_by_actor_day(url, QueryFilters(actors=FOCAL)),
        ),
        (
            "signal_mix_by_day_1y",
            lambda: queries.signal_mix_by_day(url, replace(month, date_from=last - timedelta(365))),
        ),
        ("pair_matrix_30d", lambda: queries.pair_matrix(url, month)),
        ("actor_totals_30d", lambda: queries.actor_totals(url, month)),
        ("items_behind_srb_day", lambda: queries.items_behind(url, "SRB", last, month)),
        (
            "feed_health",
            lambda: queries.feed_health(url, now=datetime.combine(last, datetime.max.time())),
        ),
        (
            "fetch_runs_7d",
            lambda: queries.fetch_runs(
                url, datetime.combine(last, datetime.min.time()) - timedelta(days=7)
            ),
        ),
    ]
    for name, fn in other:
        _measure(name, fn, args.repeats, None, "other")

    searched = replace(month, actors=("KOS",), date_from=last - timedelta(days=89), text="Kurti")
    news_cases: list[tuple[str, QueryFilters, int]] = [
        ("unfiltered_p1", QueryFilters(), 1),
        ("30d_p1", month, 1),
        ("search_actor_90d_p3", searched, 3),
        ("search_signal_30d_p1", replace(month, text="protest", signals=("protest_unrest",)), 1),
        ("search_only_all_time_p1", QueryFilters(text="Dodik referendum"), 1),
        (
            "signal_direction_minscore_1y_p2",
            replace(
                month,
                date_from=last - timedelta(days=364),
                signals=("armed_clash",),
                direction="escalation",
                min_score=10.0,
            ),
            2,
        ),
        ("cyrillic_search_p1", replace(month, text="Вучић"), 1),
    ]
    worst = 0.0
    for name, filters, page in news_cases:

        def page_and_count(filters: QueryFilters = filters, page: int = page) -> None:
            queries.news_page(url, filters, page, 50)
            queries.news_count(url, filters)

        _measure(
            f"{name}.page",
            lambda f=filters, p=page: queries.news_page(url, f, p, 50),
            args.repeats,
            None,
            "news",
        )
        _measure(
            f"{name}.count",
            lambda f=filters: queries.news_count(url, f),
            args.repeats,
            None,
            "news",
        )
        worst = max(
            worst, _measure(f"{name}.page_and_count", page_and_count, args.repeats, NEWS_MS, "news")
        )
    figure(
        "queries.news.worst_page_and_count_ms",
        worst * 1000,
        "ms median",
        f"target < {NEWS_MS:.0f} ms; slowest of the {len(news_cases)} News cases above",
    )
