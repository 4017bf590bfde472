"""Alerts: the firing log, one delivery per message and channel, each attempt, rule switches.

``alert_firings.key`` is unique: evaluation inserts a firing or skips it when the key
is there, so a restart or a second worker never records (and so never sends) it twice.
``alert_deliveries`` is unique per (message_key, channel) and carries a lease, so two
workers never send the same message at once. ``alert_attempts`` is the delivery log.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_firings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column("value", sa.Float()),
        sa.Column("baseline", sa.Float()),
        sa.Column("change_pct", sa.Float()),
        sa.Column("threshold", sa.Float()),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("item_ids", sa.Text(), nullable=False),
        sa.Column("fired_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("message_key", sa.String(length=300)),
        sa.UniqueConstraint("key", name="uq_alert_firings_key"),
    )
    op.create_index("ix_alert_firings_rule", "alert_firings", ["rule"])
    op.create_index("ix_alert_firings_fired_at", "alert_firings", ["fired_at"])
    op.create_index("ix_alert_firings_message_key", "alert_firings", ["message_key"])
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("message_key", sa.String(length=300), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("not_before", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime()),
        sa.Column("last_error", sa.Text()),
        sa.Column("lease_owner", sa.String(length=100)),
        sa.Column("lease_until", sa.DateTime()),
        sa.UniqueConstraint("message_key", "channel", name="uq_alert_delivery"),
    )
    op.create_index("ix_alert_deliveries_rule", "alert_deliveries", ["rule"])
    op.create_index("ix_alert_deliveries_status", "alert_deliveries", ["status"])
    op.create_table(
        "alert_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["alert_deliveries.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_alert_attempts_delivery_id", "alert_attempts", ["delivery_id"])
    op.create_table(
        "alert_rule_state",
        sa.Column("rule", sa.String(length=100), primary_key=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("alert_rule_state")
    op.drop_index("ix_alert_attempts_delivery_id", table_name="alert_attempts")
    op.drop_table("alert_attempts")
    op.drop_index("ix_alert_deliveries_status", table_name="alert_deliveries")
    op.drop_index("ix_alert_deliveries_rule", table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
    op.drop_index("ix_alert_firings_message_key", table_name="alert_firings")
    op.drop_index("ix_alert_firings_fired_at", table_name="alert_firings")
    op.drop_index("ix_alert_firings_rule", table_name="alert_firings")
    op.drop_table("alert_firings")
