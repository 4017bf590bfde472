"""Command line for the database: apply migrations, print counts."""

from __future__ import annotations

import argparse
import json
import os
import sys

from sqlalchemy import func, select

from storage.db import get_engine, redact, resolve_db_url, translate_errors
from storage.errors import StorageError
from storage.migrate import migrate
from storage.models import Feed, FetchLog, Item, Story

__all__ = ["main"]


def _stats(url: str) -> dict[str, int]:
    with translate_errors(url), get_engine(url).connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(model)).scalar_one()
            for name, model in (
                ("feeds", Feed),
                ("items", Item),
                ("stories", Story),
                ("fetches", FetchLog),
            )
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storage", description=__doc__)
    parser.add_argument("command", choices=["migrate", "stats"])
    parser.add_argument("--db", help="database URL (default: $TENSION_DB_URL or data/tension.db)")
    args = parser.parse_args(argv)
    url = resolve_db_url(args.db, os.environ)
    try:
        if args.command == "migrate":
            migrate(url)
            print(f"migrated {redact(url)}")
        else:
            print(json.dumps(_stats(url)))
    except StorageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
