"""Errors raised by storage.

    StorageError                  base of everything storage raises
    ├── DatabaseUnavailable       the database cannot be opened, written or migrated
    └── MigrationError            a migration failed (the schema is left as it was)

SQLAlchemy and driver errors are translated to these at the boundary
(``storage.db``), so callers never catch a third-party type.
"""

from __future__ import annotations

__all__ = ["DatabaseUnavailable", "MigrationError", "StorageError"]


class StorageError(Exception):
    """Base class for storage errors; ``url`` is the database URL without password."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class DatabaseUnavailable(StorageError):
    """Raised when the database cannot be opened, is read-only, full or locked for too long."""


class MigrationError(StorageError):
    """Raised when applying migrations fails."""
