"""Record keys for cell-key perturbation (docs/metrics.md version 4): a column on each child's and each counted
episode's facts. The keys themselves are made from the pseudonym key, which the warehouse never holds, so this
revision adds the columns and `harbour upgrade` fills them when it derives the facts again with the key.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    for table in ("child_facts", "episode_facts"):
        if "record_key" in {c["name"] for c in inspector.get_columns(table)}:  # a development build's create_all
            continue
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("record_key", sa.Integer(), nullable=True))


def downgrade() -> None:
    for table in ("child_facts", "episode_facts"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("record_key")
