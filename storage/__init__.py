"""Keeping it: SQLAlchemy models, engine/session setup, migrations, writers and page queries.

Knows nothing of Streamlit or HTTP. Writers (``storage.repository``) are for
the ingest pipeline; pages read through ``storage.queries``.
"""

from storage.db import get_engine, redact, resolve_db_url, session_scope
from storage.errors import DatabaseUnavailable, MigrationError, StorageError
from storage.migrate import migrate

__all__ = [
    "DatabaseUnavailable",
    "MigrationError",
    "StorageError",
    "get_engine",
    "migrate",
    "redact",
    "resolve_db_url",
    "session_scope",
]
