"""A hub's database as it was before schema versions (the hub of session 6): every table, as made by
metadata.create_all. A hub database made then is adopted at this revision (``harbour hub upgrade`` stamps it).

Revision ID: 0001
Revises: (none)
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_audit",
        sa.Column("entry_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("force_code", sa.String(length=16), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=240), nullable=False),
        sa.Column("remote", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    op.create_table(
        "hub_forces",
        sa.Column("force_code", sa.String(length=16), nullable=False),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("force_code"),
    )
    op.create_table(
        "hub_keys",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("force_code", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("public_pem", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.String(length=40), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["force_code"],
            ["hub_forces.force_code"],
        ),
        sa.PrimaryKeyConstraint("key_id"),
        sa.UniqueConstraint("fingerprint"),
    )
    op.create_table(
        "hub_tokens",
        sa.Column("token_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("force_code", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["force_code"],
            ["hub_forces.force_code"],
        ),
        sa.PrimaryKeyConstraint("token_id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "hub_packs",
        sa.Column("pack_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("force_code", sa.String(length=16), nullable=False),
        sa.Column("extract_month", sa.String(length=7), nullable=False),
        sa.Column("made", sa.String(length=7), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["force_code"],
            ["hub_forces.force_code"],
        ),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["hub_tokens.token_id"],
        ),
        sa.PrimaryKeyConstraint("pack_id"),
    )


def downgrade() -> None:
    op.drop_table("hub_packs")
    op.drop_table("hub_tokens")
    op.drop_table("hub_keys")
    op.drop_table("hub_forces")
    op.drop_table("hub_audit")
