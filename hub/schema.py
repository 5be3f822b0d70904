"""The hub's own database: participating forces, their public keys, tokens (hashes only), every accepted pack
(append-only) and the audit log of every write. Nothing child-level: a pack holds disclosure-controlled
aggregates only, checked against the pack schema before it is stored."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text

metadata = MetaData()

forces = Table(
    "hub_forces",
    metadata,
    Column("force_code", String(16), primary_key=True),
    Column("registered_at", DateTime, nullable=False),
)

# A force's signing keys. One is current (retired_at null); a rotation retires the old one and records which
# key signed the new one's announcement.
keys = Table(
    "hub_keys",
    metadata,
    Column("key_id", String(16), primary_key=True),
    Column("force_code", String(16), ForeignKey("hub_forces.force_code"), nullable=False),
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("public_pem", Text, nullable=False),
    Column("added_at", DateTime, nullable=False),
    Column("added_by", String(40), nullable=False),  # "operator" or "rotation signed by <old key id>"
    Column("retired_at", DateTime, nullable=True),
)

tokens = Table(
    "hub_tokens",
    metadata,
    Column("token_id", Integer, primary_key=True, autoincrement=True),
    Column("force_code", String(16), ForeignKey("hub_forces.force_code"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the token; the token is never stored
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
    Column("last_used_at", DateTime, nullable=True),
)

# Every accepted pack, never updated or deleted: the latest of a force is the one peers pull.
packs = Table(
    "hub_packs",
    metadata,
    Column("pack_id", Integer, primary_key=True, autoincrement=True),
    Column("force_code", String(16), ForeignKey("hub_forces.force_code"), nullable=False),
    Column("extract_month", String(7), nullable=False),
    Column("made", String(7), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("token_id", Integer, ForeignKey("hub_tokens.token_id"), nullable=False),
    Column("uploaded_at", DateTime, nullable=False),
    Column("body", Text, nullable=False),
)

audit = Table(
    "hub_audit",
    metadata,
    Column("entry_id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(40), nullable=False),  # "token 3 (BEDS)", "command line"
    Column("force_code", String(16), nullable=True),
    Column("action", String(32), nullable=False),
    Column("outcome", String(16), nullable=False),  # accepted, refused
    Column("status", Integer, nullable=True),  # the HTTP status answered, for the API's writes
    Column("detail", String(240), nullable=False),
    Column("remote", String(64), nullable=True),
)
