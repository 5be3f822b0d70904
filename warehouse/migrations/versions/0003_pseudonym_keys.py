"""The check value of the pseudonym key that made the warehouse's pseudonyms.

Not derivable from stored rows (the key is kept outside the warehouse, as it must be): a warehouse upgraded to this
revision records it at its next load, and until then a restore cannot check it (and says so).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("pseudonym_keys"):  # made by a development build's create_all: kept
        return
    op.create_table(
        "pseudonym_keys",
        sa.Column("check_value", sa.String(length=32), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("first_used_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("check_value"),
    )


def downgrade() -> None:
    op.drop_table("pseudonym_keys")
