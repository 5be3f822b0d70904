"""The version of the code that derived each batch's facts: the first change to a table that exists.

Left empty for the batches already loaded (their code is not known): `harbour upgrade` then re-derives their facts
from the stored rows with this Harbour's derivation, and records it. Nothing needs the source bundles again.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "derivation" in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("load_batches")}:
        return  # made by a development build's create_all: kept
    with op.batch_alter_table("load_batches") as batch:  # SQLite rebuilds the table; PostgreSQL alters it
        batch.add_column(sa.Column("derivation", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("load_batches") as batch:
        batch.drop_column("derivation")
