"""Each force's count of the benchmark packs it has signed: advanced with every signed pack, which carries it, so
that a hub and a peer take a pack only when it is newer than the one they hold (no rollback, no replay).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("pack_sequences"):  # made by a development build's create_all: kept
        return
    op.create_table(
        "pack_sequences",
        sa.Column("force_code", sa.String(length=16), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("force_code"),
    )


def downgrade() -> None:
    op.drop_table("pack_sequences")
