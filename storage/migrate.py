"""Apply the Alembic migrations programmatically (used by `python -m storage migrate` and tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from storage.db import get_engine, redact, translate_errors
from storage.errors import DatabaseUnavailable, MigrationError

__all__ = ["migrate"]

_INI = Path(__file__).resolve().parent.parent / "alembic.ini"
# Any fixed number works, as long as nothing else in the database uses it.
_LOCK_KEY = 0x7E_45_10_4E


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema; safe to run repeatedly."""
    cfg = Config(str(_INI))
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent / "migrations"))
    cfg.attributes["db_url"] = url
    engine = get_engine(url)
    try:
        # Several workers may start at once on a fresh database: one migrates, the
        # others wait for it and then find nothing to do. SQLite: the write lock taken
        # up front (BEGIN IMMEDIATE); PostgreSQL: a transaction-scoped advisory lock.
        with translate_errors(url), engine.execution_options(sqlite_immediate=True).begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except DatabaseUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure inside a migration script
        raise MigrationError(f"migration failed on {redact(url)}: {exc}", url=redact(url)) from exc
