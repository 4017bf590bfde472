"""Full-text search over item titles and summaries.

SQLite: an FTS5 table kept in step with ``items`` by triggers (external
content, so the text is stored once). PostgreSQL: a GIN index over a
'simple' tsvector, which the News query uses through the same expression.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SQLITE_UP = [
    # remove_diacritics 2 makes "Vucic" find "Vučić"; unicode61 splits Cyrillic words too.
    """CREATE VIRTUAL TABLE items_fts USING fts5(
        title, summary, content='items', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER items_fts_ai AFTER INSERT ON items BEGIN
        INSERT INTO items_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary);
    END""",
    """CREATE TRIGGER items_fts_ad AFTER DELETE ON items BEGIN
        INSERT INTO items_fts(items_fts, rowid, title, summary)
        VALUES ('delete', old.id, old.title, old.summary);
    END""",
    """CREATE TRIGGER items_fts_au AFTER UPDATE OF title, summary ON items BEGIN
        INSERT INTO items_fts(items_fts, rowid, title, summary)
        VALUES ('delete', old.id, old.title, old.summary);
        INSERT INTO items_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary);
    END""",
    "INSERT INTO items_fts(items_fts) VALUES ('rebuild')",
]

_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS items_fts_au",
    "DROP TRIGGER IF EXISTS items_fts_ad",
    "DROP TRIGGER IF EXISTS items_fts_ai",
    "DROP TABLE IF EXISTS items_fts",
]

_PG_UP = [
    "CREATE INDEX ix_items_fts ON items USING gin "
    "(to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(summary, '')))",
]
_PG_DOWN = ["DROP INDEX IF EXISTS ix_items_fts"]


def _run(statements: list[str]) -> None:
    for sql in statements:
        op.execute(sql)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _run(_SQLITE_UP)
    elif op.get_bind().dialect.name == "postgresql":
        _run(_PG_UP)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _run(_SQLITE_DOWN)
    elif op.get_bind().dialect.name == "postgresql":
        _run(_PG_DOWN)
