"""Places: the gazetteer places each scored item names, for maps and place filters.

The scorer reports ``places`` (ids of scoring/data/places.toml) with every score; one
row per item and place, replaced with the item's other score rows on a re-score.
Items stored before this revision get their rows when they are re-scored
(``python -m scoring rescore``): the migration cannot run the scorer.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_places",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("item_id", "place_id"),
    )
    op.create_index("ix_item_places_place_id", "item_places", ["place_id"])


def downgrade() -> None:
    op.drop_index("ix_item_places_place_id", table_name="item_places")
    op.drop_table("item_places")
