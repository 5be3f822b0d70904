"""SQLAlchemy Core tables of the warehouse.

Raw tables hold a bundle as loaded (child_id already replaced by ``child_key``, its keyed
pseudonym). ``child_facts`` and ``episode_facts`` are derived once at load time so that no page
recomputes anything from the raw rows.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

load_batches = Table(
    "load_batches",
    metadata,
    Column("batch_id", Integer, primary_key=True, autoincrement=True),
    Column("loaded_at", DateTime, nullable=False),
    Column("outcome", String(16), nullable=False),  # loaded | refused | unchanged
    Column("content_sha256", String(64)),
    Column("files", JSON, nullable=False),  # [{"name", "sha256", "bytes"}]
    Column("forces", JSON, nullable=False),  # [force_code]
    Column("row_counts", JSON, nullable=False),  # {table: rows}
    Column("warnings_count", Integer, nullable=False, default=0),
    Column("errors_count", Integer, nullable=False, default=0),
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("completeness", JSON),  # {table: {column: share filled}}
    # The version of the code that derived the batch's facts (etl.derive.derivation_version); None: unknown, made
    # before versions were kept. `harbour upgrade` re-derives every force whose batch's differs from this code's.
    Column("derivation", String(16)),
)

load_warnings = Table(
    "load_warnings",
    metadata,
    Column("warning_id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", Integer, ForeignKey("load_batches.batch_id"), nullable=False, index=True),
    Column("file", String(64), nullable=False),
    Column("row", Integer),
    Column("column", String(64)),
    Column("rule", String(3), nullable=False),
    Column("message", String(300), nullable=False),
)

forces = Table(
    "forces",
    metadata,
    Column("force_code", String(16), primary_key=True),
    Column("force_name", String(80), nullable=False),
    Column("scheme_name", String(120)),
    Column("pilot_start", Date),
    Column("baseline_start", Date, nullable=False),  # the default is resolved at load
    Column("extract_date", Date, nullable=False),
    Column("synthetic", Boolean, nullable=False),
    Column("batch_id", Integer, ForeignKey("load_batches.batch_id"), nullable=False),
    Column("content_sha256", String(64), nullable=False),
)

contacts = Table(
    "contacts",
    metadata,
    Column("force_code", String(16), ForeignKey("forces.force_code"), primary_key=True),
    Column("contact_id", String(64), primary_key=True),
    Column("child_key", String(64), nullable=False),
    Column("first_contact_at", DateTime, nullable=False),
    Column("first_engagement_at", DateTime),
    Column("pack_completed", String(1), nullable=False),
    Column("pack_submitted_at", DateTime),
    Column("age_at_contact", Integer),
    Column("age_disputed", String(1), nullable=False),
    Column("sex", String(1), nullable=False),
    Column("nationality", String(3), nullable=False),
    Column("contact_route", String(20), nullable=False),
    Column("interpreter_used", String(1), nullable=False),
    Column("trafficking_indicators", String(1), nullable=False),
    Column("nrm_referral", String(1), nullable=False),
    Column("missing_risk", String(6), nullable=False),
    UniqueConstraint("force_code", "child_key", name="uq_contacts_child"),
)

_child_fk = ForeignKeyConstraint(["force_code", "child_key"], ["contacts.force_code", "contacts.child_key"])

placements = Table(
    "placements",
    metadata,
    Column("force_code", String(16), primary_key=True),
    Column("placement_id", String(64), primary_key=True),
    Column("child_key", String(64), nullable=False),
    Column("start_at", DateTime, nullable=False),
    Column("end_at", DateTime),
    Column("placement_type", String(2), nullable=False),
    Column("provider", String(3)),
    Column("end_reason", String(20)),
    ForeignKeyConstraint(["force_code", "child_key"], ["contacts.force_code", "contacts.child_key"]),
)

missing_episodes = Table(
    "missing_episodes",
    metadata,
    Column("force_code", String(16), primary_key=True),
    Column("episode_id", String(64), primary_key=True),
    Column("child_key", String(64), nullable=False),
    Column("episode_type", String(1), nullable=False),
    Column("start_at", DateTime, nullable=False),
    Column("end_at", DateTime),
    Column("risk_grading", String(6), nullable=False),
    Column("outcome", String(6)),
    Column("return_interview_offered", String(1), nullable=False),
    Column("return_interview_accepted", String(1), nullable=False),
    ForeignKeyConstraint(["force_code", "child_key"], ["contacts.force_code", "contacts.child_key"]),
)

child_facts = Table(
    "child_facts",
    metadata,
    Column("force_code", String(16), primary_key=True),
    Column("child_key", String(64), primary_key=True),
    Column("period", String(12), nullable=False, index=True),  # baseline | pilot | out_of_scope
    Column("contact_month", String(7), nullable=False),  # UK local YYYY-MM of first contact
    Column("age_band", String(7), nullable=False),
    Column("sex", String(1), nullable=False),
    Column("nationality", String(3), nullable=False),
    Column("contact_route", String(20), nullable=False),
    Column("pack_completed", Boolean, nullable=False),
    Column("placed", Boolean, nullable=False),
    Column("followup_hours", Float),  # C
    Column("event", Boolean),  # an observed missing event, T <= C
    Column("obs_hours", Float),  # min(T, C)
    Column("exit_reason", String(20)),
    Column("engagement_hours", Float),  # E
    Column("missing_episodes", Integer),  # type-M episodes in [t0, t0 + C]
    Column("record_key", Integer),  # cell-key perturbation's record key (never exported, shown or logged)
    ForeignKeyConstraint(["force_code", "child_key"], ["contacts.force_code", "contacts.child_key"]),
)

episode_facts = Table(
    "episode_facts",
    metadata,
    Column("force_code", String(16), primary_key=True),
    Column("child_key", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True),  # the child's nth counted episode
    Column("hours_after_placement", Float, nullable=False),
    Column("duration_hours", Float),  # null while open
    Column("harmed", Boolean, nullable=False),
    Column("risk_grading", String(6), nullable=False),
    Column("return_interview_offered", String(1), nullable=False),
    Column("return_interview_accepted", String(1), nullable=False),
    Column("record_key", Integer),  # cell-key perturbation's record key (never exported, shown or logged)
    ForeignKeyConstraint(["force_code", "child_key"], ["contacts.force_code", "contacts.child_key"]),
)

benchmark_peers = Table(
    "benchmark_peers",
    metadata,
    Column("peer_id", Integer, primary_key=True, autoincrement=True),
    Column("force_code", String(16), nullable=False),
    Column("force_name", String(80), nullable=False),
    Column("imported_at", DateTime, nullable=False),
    Column("made", String(7), nullable=False),  # YYYY-MM
    Column("harbour_version", String(20), nullable=False),
    Column("source_name", String(255), nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("pack", JSON, nullable=False),
)

# The append-only access log: who saw which view, with which filters, for which audience, and what they
# downloaded. Harbour only ever inserts into it.
access_log = Table(
    "access_log",
    metadata,
    Column("entry_id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("person", String(120), nullable=False),
    Column("role", String(16), nullable=False),
    Column("path", String(120), nullable=False),
    Column("query", String(500), nullable=False),
    Column("audience", String(16), nullable=False),
    Column("download", String(255), nullable=True),
)

# The keyring: public keys of the forces whose signed benchmark packs this warehouse trusts.
trusted_keys = Table(
    "trusted_keys",
    metadata,
    Column("key_id", String(16), primary_key=True),
    Column("force_code", String(16), nullable=False),
    Column("public_pem", Text, nullable=False),
    Column("added_at", DateTime, nullable=False),
)

# Who signed each imported pack: key_id None for a pack imported with --unsigned (marked on the page).
benchmark_peer_signers = Table(
    "benchmark_peer_signers",
    metadata,
    Column("peer_id", Integer, ForeignKey("benchmark_peers.peer_id", ondelete="CASCADE"), primary_key=True),
    Column("key_id", String(16), nullable=True),
)

# Where each imported pack came from: a file (source_name is its name) or a hub (its URL), and when it was last
# fetched (a pull that finds the same pack again moves pulled_at on). A peer without a row here was imported
# from a file before this table existed.
benchmark_peer_origins = Table(
    "benchmark_peer_origins",
    metadata,
    Column("peer_id", Integer, ForeignKey("benchmark_peers.peer_id", ondelete="CASCADE"), primary_key=True),
    Column("origin", String(4), nullable=False),  # file | hub
    Column("hub_url", String(255), nullable=True),
    Column("pulled_at", DateTime, nullable=False),
)

# Every live sign-in (access.py): a session cookie signs in only while its id is here (until sign-out or the ID
# token's expiry). A hub keeps the same table on its own database.
signed_in_sessions = Table(
    "signed_in_sessions",
    metadata,
    Column("sid", String(43), primary_key=True),
    Column("started_at", DateTime, nullable=False),
    Column("ends_at", DateTime, nullable=False),
)

# The check value of the pseudonym key that made the warehouse's pseudonyms (etl.pseudonymise.key_check): a load
# or a restore with another key is refused, since the same child would get two pseudonyms.
pseudonym_keys = Table(
    "pseudonym_keys",
    metadata,
    Column("check_value", String(32), primary_key=True),
    Column("synthetic", Boolean, nullable=False),
    Column("first_used_at", DateTime, nullable=False),
)

# Each force's count of the benchmark packs it has signed (exchange: a pack is newer only with a greater one).
pack_sequences = Table(
    "pack_sequences",
    metadata,
    Column("force_code", String(16), primary_key=True),
    Column("last_sequence", Integer, nullable=False),
)

# Tables holding a force's data, in the order they are deleted (children before parents).
# Version 2: what came from local authorities' SSDA903 returns.
day_precision = Table(
    "day_precision",
    metadata,
    # A force whose placements and missing episodes came from SSDA903 returns: known to the day only.
    Column("force_code", String(16), ForeignKey("forces.force_code"), primary_key=True),
    Column("la_codes", String(400), nullable=False),  # the authorities, comma-separated
)

ssda903_coverage = Table(
    "ssda903_coverage",
    metadata,
    # The scheme's coverage: an authority's unaccompanied children by month of first DECOM, how many
    # had a contact with the force, and how many a completed pack. Counts only.
    Column("force_code", String(16), ForeignKey("forces.force_code"), primary_key=True),
    Column("la_code", String(9), primary_key=True),
    Column("month", String(7), primary_key=True),  # YYYY-MM, or "unknown" (no episode in the return)
    Column("uasc_children", Integer, nullable=False),
    Column("linked", Integer, nullable=False),
    Column("with_pack", Integer, nullable=False),
)

force_authorities = Table(
    "force_authorities",
    metadata,
    # The local authorities a force's bundle names (contacts.la_code), by number of its children: which
    # authorities' published DfE figures its pages set beside its own. Counts only.
    Column("force_code", String(16), ForeignKey("forces.force_code"), primary_key=True),
    Column("la_code", String(9), primary_key=True),
    Column("children", Integer, nullable=False),
)

FORCE_TABLES = (
    episode_facts,
    child_facts,
    missing_episodes,
    placements,
    contacts,
    day_precision,
    ssda903_coverage,
    force_authorities,
    forces,
)
