"""The warehouse as it was before schema versions (Harbour at commit 24ec189): every table, as made by
metadata.create_all. A warehouse made then is adopted at this revision (``harbour upgrade`` stamps it), never
rebuilt.

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
        "access_log",
        sa.Column("entry_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("person", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("path", sa.String(length=120), nullable=False),
        sa.Column("query", sa.String(length=500), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("download", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    op.create_table(
        "benchmark_peers",
        sa.Column("peer_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("force_code", sa.String(length=16), nullable=False),
        sa.Column("force_name", sa.String(length=80), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("made", sa.String(length=7), nullable=False),
        sa.Column("harbour_version", sa.String(length=20), nullable=False),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pack", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("peer_id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "load_batches",
        sa.Column("batch_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=True),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("forces", sa.JSON(), nullable=False),
        sa.Column("row_counts", sa.JSON(), nullable=False),
        sa.Column("warnings_count", sa.Integer(), nullable=False),
        sa.Column("errors_count", sa.Integer(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("completeness", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("batch_id"),
    )
    op.create_table(
        "trusted_keys",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("force_code", sa.String(length=16), nullable=False),
        sa.Column("public_pem", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key_id"),
    )
    op.create_table(
        "benchmark_peer_signers",
        sa.Column("peer_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["peer_id"], ["benchmark_peers.peer_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("peer_id"),
    )
    op.create_table(
        "forces",
        sa.Column("force_code", sa.String(length=16), nullable=False),
        sa.Column("force_name", sa.String(length=80), nullable=False),
        sa.Column("scheme_name", sa.String(length=120), nullable=True),
        sa.Column("pilot_start", sa.Date(), nullable=True),
        sa.Column("baseline_start", sa.Date(), nullable=False),
        sa.Column("extract_date", sa.Date(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["load_batches.batch_id"],
        ),
        sa.PrimaryKeyConstraint("force_code"),
    )
    op.create_table(
        "load_warnings",
        sa.Column("warning_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("file", sa.String(length=64), nullable=False),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.Column("column", sa.String(length=64), nullable=True),
        sa.Column("rule", sa.String(length=3), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["load_batches.batch_id"],
        ),
        sa.PrimaryKeyConstraint("warning_id"),
    )
    op.create_index(op.f("ix_load_warnings_batch_id"), "load_warnings", ["batch_id"], unique=False)
    op.create_table(
        "contacts",
        sa.Column("force_code", sa.String(length=16), nullable=False),
        sa.Column("contact_id", sa.String(length=64), nullable=False),
        sa.Column("child_key", sa.String(length=64), nullable=False),
        sa.Column("first_contact_at", sa.DateTime(), nullable=False),
        sa.Column("first_engagement_at", sa.DateTime(), nullable=True),
        sa.Column("pack_completed", sa.String(length=1), nullable=False),
        sa.Column("pack_submitted_at", sa.DateTime(), nullable=True),
        sa.Column("age_at_contact", sa.Integer(), nullable=True),
        sa.Column("age_disputed", sa.String(length=1), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("nationality", sa.String(length=3), nullable=False),
        sa.Column("contact_route", sa.String(length=20), nullable=False),
        sa.Column("interpreter_used", sa.String(length=1), nullable=False),
        sa.Column("trafficking_indicators", sa.String(length=1), nullable=False),
        sa.Column("nrm_referral", sa.String(length=1), nullable=False),
        sa.Column("missing_risk", sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(
            ["force_code"],
            ["forces.force_code"],
        ),
        sa.PrimaryKeyConstraint("force_code", "contact_id"),
        sa.UniqueConstraint("force_code", "child_key", name="uq_contacts_child"),
    )
    op.create_table(
        "day_precision",
        sa.Column("force_code", sa.String(length=16), nullable=False),
        sa.Column("la_codes", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["force_code"],
            ["forces.force_code"],
        ),
        sa.PrimaryKeyConstraint("force_code"),
    )
    op.create_table(
        "force_authorities",
        sa.Column("force_code", sa.String(length=16), nullable=False),
        sa.Column("la_code", sa.String(length=9), nullable=False),
        sa.Column("children", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["force_code"],
            ["forces.force_code"],
        ),
        sa.PrimaryKeyConstraint("force_code", "la_code"),
    )
    op.create_table(
        "ssda903_coverage",
        sa.Column("force_code", sa.String(length=16), nullable=False),
        sa.Column("la_code", sa.String(length=9), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("uasc_children", sa.Integer(), nullable=False),
        sa.Column("linked", sa.Integer(), nullable=False),
        sa.Column("with_pack", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["force_code"],
            ["forces.force_code"],
        ),
        sa.PrimaryKeyConstraint("force_code", "la_code", "month"),
    )
    op.create_table(
        "child_facts",
        sa.Column("force_code", sa.String(length=16), nullable=False),
        sa.Column("child_key", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=12), nullable=False),
        sa.Column("contact_month", sa.String(length=7), nullable=False),
        sa.Column("age_band", sa.String(length=7), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("nationality", sa.String(length=3), nullable=False),
        sa.Column("contact_route", sa.String(length=20), nullable=False),
        sa.Column("pack_completed", sa.Boolean(), nullable=False),
        sa.Column("placed", sa.Boolean(), nullable=False),
        sa.Column("followup_hours", sa.Float(), nullable=True),
        sa.Column("event", sa.Boolean(), nullable=True),
        sa.Column("obs_hours", sa.Float(), nullable=True),
        sa.Column("exit_reason", sa.String(length=20), nullable=True),
        sa.Column("engagement_hours", sa.Float(), nullable=True),
        sa.Column("missing_episodes", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["force_code", "child_key"],
            ["contacts.force_code", "contacts.child_key"],
        ),
        sa.PrimaryKeyConstraint("force_code", "child_key"),
    )
    op.create_index(op.f("ix_child_facts_period"), "child_facts", ["period"], unique=False)
    op.create_table(
        "episode_facts",
        sa.Column("force_code", sa.String(length=16), nullable=False),
        sa.Column("child_key", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hours_after_placement", sa.Float(), nullable=False),
        sa.Column("duration_hours", sa.Float(), nullable=True),
        sa.Column("harmed", sa.Boolean(), nullable=False),
        sa.Column("risk_grading", sa.String(length=6), nullable=False),
        sa.Column("return_interview_offered", sa.String(length=1), nullable=False),
        sa.Column("return_interview_accepted", sa.String(length=1), nullable=False),
        sa.ForeignKeyConstraint(
            ["force_code", "child_key"],
            ["contacts.force_code", "contacts.child_key"],
        ),
        sa.PrimaryKeyConstraint("force_code", "child_key", "seq"),
    )
    op.create_table(
        "missing_episodes",
        sa.Column("force_code", sa.String(length=16), nullable=False),
        sa.Column("episode_id", sa.String(length=64), nullable=False),
        sa.Column("child_key", sa.String(length=64), nullable=False),
        sa.Column("episode_type", sa.String(length=1), nullable=False),
        sa.Column("start_at", sa.DateTime(), nullable=False),
        sa.Column("end_at", sa.DateTime(), nullable=True),
        sa.Column("risk_grading", sa.String(length=6), nullable=False),
        sa.Column("outcome", sa.String(length=6), nullable=True),
        sa.Column("return_interview_offered", sa.String(length=1), nullable=False),
        sa.Column("return_interview_accepted", sa.String(length=1), nullable=False),
        sa.ForeignKeyConstraint(
            ["force_code", "child_key"],
            ["contacts.force_code", "contacts.child_key"],
        ),
        sa.PrimaryKeyConstraint("force_code", "episode_id"),
    )
    op.create_table(
        "placements",
        sa.Column("force_code", sa.String(length=16), nullable=False),
        sa.Column("placement_id", sa.String(length=64), nullable=False),
        sa.Column("child_key", sa.String(length=64), nullable=False),
        sa.Column("start_at", sa.DateTime(), nullable=False),
        sa.Column("end_at", sa.DateTime(), nullable=True),
        sa.Column("placement_type", sa.String(length=2), nullable=False),
        sa.Column("provider", sa.String(length=3), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["force_code", "child_key"],
            ["contacts.force_code", "contacts.child_key"],
        ),
        sa.PrimaryKeyConstraint("force_code", "placement_id"),
    )


def downgrade() -> None:
    op.drop_table("placements")
    op.drop_table("missing_episodes")
    op.drop_table("episode_facts")
    op.drop_table("child_facts")
    op.drop_table("ssda903_coverage")
    op.drop_table("force_authorities")
    op.drop_table("day_precision")
    op.drop_table("contacts")
    op.drop_table("load_warnings")
    op.drop_table("forces")
    op.drop_table("benchmark_peer_signers")
    op.drop_table("trusted_keys")
    op.drop_table("load_batches")
    op.drop_table("benchmark_peers")
    op.drop_table("access_log")
