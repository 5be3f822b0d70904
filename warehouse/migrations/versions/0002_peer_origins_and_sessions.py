"""Where each imported pack came from (a file or a hub) and when it was last fetched; the live sign-ins.

Derived where it can be: every peer imported before this revision came from a file (there was no hub), on the
day it was imported, so each gets that row; nothing needs the source files again.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _has(table: str) -> bool:
    # A warehouse made by a development build between 0001 and versions may have the table already (create_all
    # made it): adopted, it is kept as it is.
    return sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    origins = sa.table(
        "benchmark_peer_origins",
        sa.column("peer_id", sa.Integer()),
        sa.column("origin", sa.String()),
        sa.column("hub_url", sa.String()),
        sa.column("pulled_at", sa.DateTime()),
    )
    if not _has("benchmark_peer_origins"):
        op.create_table(
            "benchmark_peer_origins",
            sa.Column("peer_id", sa.Integer(), nullable=False),
            sa.Column("origin", sa.String(length=4), nullable=False),
            sa.Column("hub_url", sa.String(length=255), nullable=True),
            sa.Column("pulled_at", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(["peer_id"], ["benchmark_peers.peer_id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("peer_id"),
        )
    peers = sa.table("benchmark_peers", sa.column("peer_id", sa.Integer()), sa.column("imported_at", sa.DateTime()))
    op.execute(
        origins.insert().from_select(
            ["peer_id", "origin", "hub_url", "pulled_at"],
            sa.select(peers.c.peer_id, sa.literal("file"), sa.null(), peers.c.imported_at).where(
                peers.c.peer_id.not_in(sa.select(origins.c.peer_id))
            ),
        )
    )
    if not _has("signed_in_sessions"):
        op.create_table(
            "signed_in_sessions",
            sa.Column("sid", sa.String(length=43), nullable=False),
            sa.Column("started_at", sa.DateTime(), nullable=False),
            sa.Column("ends_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("sid"),
        )


def downgrade() -> None:
    op.drop_table("signed_in_sessions")
    op.drop_table("benchmark_peer_origins")
