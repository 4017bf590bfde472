"""Apply the Alembic migrations programmatically (used by `python -m storage migrate` and tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from storage.db import get_engine, redact, translate_errors
from storage.errors import DatabaseUnavailable, MigrationError

__all__ = ["migrate"]

_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema; safe to run repeatedly."""
    cfg = Config(str(_INI))
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent / "migrations"))
    cfg.attributes["db_url"] = url
    try:
        with translate_errors(url), get_engine(url).begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except DatabaseUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure inside a migration script
        raise MigrationError(f"migration failed on {redact(url)}: {exc}", url=redact(url)) from exc
