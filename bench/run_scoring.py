"""Scorer throughput on one core.

Figures:
- ``scoring.items_per_s``: the scorer's own benchmark (``python -m scoring bench``,
  called in-process): 100,000 generated ~70-word items, word salad with
  lexicon phrases sprinkled in;
- ``scoring.newslike_items_per_s``: ``score_item`` on items from ``bench.textgen``
  (wire-copy-like sentences that name actors and events in most sentences, so
  more matches, attributions and negation scopes per item than the salad).
"""

from __future__ import annotations

import argparse
import io
import re
import time

from bench.common import figure, info
from bench.textgen import news_items
from scoring import load_lexicon, score_item
from scoring.cli import main as scoring_main

__all__ = ["add_arguments", "run"]

TARGET = 20_000.0
_RATE = re.compile(r"([\d,]+) items/s")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--items", type=int, default=100_000, help="items for the scorer's own benchmark"
    )
    parser.add_argument(
        "--newslike", type=int, default=20_000, help="news-like generated items to score"
    )


def run(args: argparse.Namespace) -> None:
    lexicon = load_lexicon()
    out = io.StringIO()
    scoring_main(["bench", "--n", str(args.items)], out=out)
    text = out.getvalue().strip()
    info("scoring", f"python -m scoring bench --n {args.items}: {text}")
    match = _RATE.search(text)
    if match:
        figure(
            "scoring.items_per_s",
            float(match.group(1).replace(",", "")),
            "items/s",
            f"target >= {TARGET:,.0f}; one core, {args.items} items, scorer's own generator",
        )
    else:
        info("scoring.items_per_s", "could not read a rate from the scorer's bench output")

    items = [(i.title, i.summary, i.lang) for i in news_items(args.newslike, seed=11)]
    start = time.perf_counter()
    signals = 0
    for title, summary, lang in items:
        signals += len(score_item(title, summary, lang=lang, lexicon=lexicon).signals)
    seconds = time.perf_counter() - start
    figure(
        "scoring.newslike_items_per_s",
        len(items) / seconds,
        "items/s",
        f"target >= {TARGET:,.0f}; {len(items)} news-like items (60-80 words), "
        f"{signals / max(len(items), 1):.1f} signals/item, {seconds:.2f} s",
    )
