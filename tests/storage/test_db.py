"""URL resolution, engine pragmas, migrations and error translation."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from storage import DatabaseUnavailable, get_engine, migrate, resolve_db_url
from storage.db import DEFAULT_DB_PATH, redact, translate_errors
from tests.conftest import use_postgres


def test_cli_value_wins_over_environment() -> None:
    env = {"TENSION_DB_URL": "sqlite:///env.db"}
    assert resolve_db_url("sqlite:///cli.db", env) == "sqlite:///cli.db"


def test_environment_wins_over_default() -> None:
    assert resolve_db_url(None, {"TENSION_DB_URL": "sqlite:///env.db"}) == "sqlite:///env.db"


def test_default_is_sqlite_in_data_folder() -> None:
    url = resolve_db_url(None, {})
    assert url == f"sqlite:///{DEFAULT_DB_PATH}"
    assert DEFAULT_DB_PATH.parent.name == "data"


def test_blank_environment_value_is_ignored() -> None:
    assert resolve_db_url(None, {"TENSION_DB_URL": "  "}) == f"sqlite:///{DEFAULT_DB_PATH}"


def test_redact_hides_password() -> None:
    shown = redact("postgresql+psycopg://user:s3cret@db.example:5432/x")
    assert "s3cret" not in shown and "user" in shown


def test_migrations_create_every_table(db_url: str) -> None:
    tables = set(inspect(get_engine(db_url)).get_table_names())
    for name in (
        "feeds",
        "items",
        "scores",
        "evidence",
        "item_signals",
        "item_actors",
        "stories",
        "story_bands",
        "fetch_log",
        "daily_actor",
        "daily_signal",
        "daily_pair",
        "daily_actor_all",
        "daily_signal_all",
        "alert_firings",
        "alert_deliveries",
        "alert_attempts",
        "alert_rule_state",
        "alembic_version",
    ):
        assert name in tables


def test_migrate_twice_is_a_no_op(db_url: str) -> None:
    migrate(db_url)
    with get_engine(db_url).connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0005"


@pytest.mark.skipif(use_postgres(), reason="SQLite pragmas")
def test_sqlite_pragmas_are_set(db_url: str) -> None:
    with get_engine(db_url).connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


@pytest.mark.skipif(use_postgres(), reason="file permissions are a SQLite matter")
@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_database_is_a_clear_error(db_url: str) -> None:
    path = Path(db_url.removeprefix("sqlite:///"))
    path.chmod(stat.S_IRUSR)
    with pytest.raises(DatabaseUnavailable), translate_errors(db_url):
        with get_engine(db_url).begin() as conn:
            conn.execute(text("INSERT INTO feeds (name, url) VALUES ('x', 'y')"))


def test_unusable_database_path_is_translated(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be")
    with pytest.raises(DatabaseUnavailable):
        migrate(f"sqlite:///{tmp_path}/blocker/x.db")


@pytest.mark.skipif(use_postgres(), reason="SQLite read-only open mode")
def test_read_only_open_is_a_clear_error(db_url: str) -> None:
    path = db_url.removeprefix("sqlite:///")
    ro = f"sqlite:///file:{path}?mode=ro&uri=true"
    with pytest.raises(DatabaseUnavailable, match="readonly|read-only"), translate_errors(ro):
        with get_engine(ro).begin() as conn:
            conn.execute(text("INSERT INTO feeds (name, url) VALUES ('x', 'y')"))
