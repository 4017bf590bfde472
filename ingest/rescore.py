"""Re-score stored items after a lexicon change: `python -m ingest.rescore [--db URL]`.

Lives beside the pipeline because it joins scoring and storage, which only the
orchestrator may do; `python -m scoring rescore` hands over to it. Each chunk
of items is re-scored in its own transaction; the daily aggregates are rebuilt
once at the end, in one transaction, so the dashboard never sees a half-rebuilt
index.
"""

from __future__ import annotations

import argparse
import os
import sys

from sqlalchemy import Engine, select

from scoring import load_lexicon, score_item
from storage import StorageError, get_engine, migrate, redact, resolve_db_url
from storage.db import write_transaction
from storage.models import Item
from storage.repository import rebuild_aggregates, replace_scores

__all__ = ["main", "rescore"]

CHUNK = 1000


def rescore(engine: Engine) -> tuple[int, str]:
    """Re-score every stored item with the current lexicon; returns (count, lexicon version)."""
    lexicon = load_lexicon()
    done, last_id = 0, 0
    while True:
        with engine.connect() as conn:
            query = select(Item.id, Item.title, Item.summary, Item.lang, Item.published_at)
            rows = conn.execute(query.where(Item.id > last_id).order_by(Item.id).limit(CHUNK)).all()
        if not rows:
            break
        last_id = rows[-1].id
        scored = [
            (r.id, score_item(r.title, r.summary, lang=r.lang, published=r.published_at,
                              lexicon=lexicon))
            for r in rows
        ]
        with write_transaction(engine) as conn:
            replace_scores(conn, scored)
        done += len(scored)
    with write_transaction(engine) as conn:
        rebuild_aggregates(conn)
    return done, lexicon.version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scoring rescore", description=__doc__)
    parser.add_argument("--db", help="database URL (default: $TENSION_DB_URL or data/tension.db)")
    args = parser.parse_args(argv)
    url = resolve_db_url(args.db, os.environ)
    try:
        migrate(url)
        count, version = rescore(get_engine(url))
    except StorageError as exc:
        print(f"error: database {redact(url)} unusable: {exc}", file=sys.stderr)
        return 2
    print(f"re-scored {count} items with lexicon {version}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
