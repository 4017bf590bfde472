"""Keeping it: SQLAlchemy models, engine/session setup, migrations, writers and page queries.

Knows nothing of Streamlit or HTTP. Every CSV the product writes goes through
``csv_bytes`` / ``write_csv`` (formula-safe). Writers (``storage.repository``) are for
the ingest pipeline; pages read through ``storage.queries``.
"""

from storage.csvfile import csv_bytes, write_csv
from storage.db import data_dir, get_engine, redact, resolve_db_url, session_scope
from storage.errors import DatabaseUnavailable, MigrationError, StorageError
from storage.migrate import migrate

__all__ = [
    "DatabaseUnavailable",
    "MigrationError",
    "StorageError",
    "csv_bytes",
    "data_dir",
    "get_engine",
    "migrate",
    "redact",
    "resolve_db_url",
    "session_scope",
    "write_csv",
]
