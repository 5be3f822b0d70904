"""Facts derived again from the rows the warehouse stores, by this Harbour's derivation (etl.derive), for every
force whose facts another version derived: what `harbour upgrade` does after its migrations, in one transaction
under the warehouse's write lock, so that a fix to the derivation reaches warehouses loaded before it."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, delete, select, update

from harbour.etl.derive import derivation_version, derive_facts
from harbour.etl.pseudonymise import DEMO_KEY, Pseudonymiser
from harbour.warehouse import schema
from harbour.warehouse.bulk import insert_frame
from harbour.warehouse.connect import locked_transaction


def _frame(conn, table, codes: list[str]) -> pd.DataFrame:
    rows = conn.execute(select(table).where(table.c.force_code.in_(codes))).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in table.columns])


class KeyNeeded(RuntimeError):
    """The facts must be derived again, and their record keys need the pseudonym key that made the warehouse."""


def _pseudonymiser(conn, key: bytes | None) -> Pseudonymiser:
    """The pseudonymiser of the key that made the warehouse's pseudonyms (its check value is stored): the demo's
    public key for the synthetic demo, else ``key`` (HARBOUR_PSEUDONYM_KEY)."""
    held = set(conn.execute(select(schema.pseudonym_keys.c.check_value)).scalars())
    for candidate in (key, DEMO_KEY):
        if candidate and (not held or Pseudonymiser(candidate).key_check() in held):
            return Pseudonymiser(candidate)
    raise KeyNeeded(
        "the facts must be derived again with their record keys, which need the pseudonym key that made this "
        "warehouse's pseudonyms: set HARBOUR_PSEUDONYM_KEY to it" + (" (the one set is another key)" if key else "")
    )


def rederive(engine: Engine, key: bytes | None = None) -> list[str]:
    """Re-derive the facts of every force whose batch was derived by other code, in a transaction of its own under
    the write lock; the forces re-derived."""
    with locked_transaction(engine) as conn:
        return rederive_on(conn, key)


def rederive_on(conn, key: bytes | None = None) -> list[str]:
    """``rederive`` inside the caller's transaction (harbour upgrade's, after its migrations). ``key``: the
    pseudonym key (HARBOUR_PSEUDONYM_KEY), for the record keys; the demo's own is known."""
    current = derivation_version()
    batches = schema.load_batches
    stale = conn.execute(
        select(schema.forces.c.force_code, schema.forces.c.batch_id)
        .join(batches, batches.c.batch_id == schema.forces.c.batch_id)
        .where((batches.c.derivation.is_(None)) | (batches.c.derivation != current))
    ).all()
    if not stale:
        return []
    codes = sorted({code for code, _ in stale})
    pseudonymiser = _pseudonymiser(conn, key)
    forces = _frame(conn, schema.forces, codes).drop(columns=["batch_id", "content_sha256"])
    contacts = _frame(conn, schema.contacts, codes)
    placements = _frame(conn, schema.placements, codes)
    episodes = _frame(conn, schema.missing_episodes, codes)
    day_forces = set(
        conn.execute(
            select(schema.day_precision.c.force_code).where(schema.day_precision.c.force_code.in_(codes))
        ).scalars()
    )
    _, child_facts, episode_facts = derive_facts(
        forces, contacts, placements, episodes, day_forces=day_forces, record_key=pseudonymiser.record_key
    )
    for table in (schema.episode_facts, schema.child_facts):
        conn.execute(delete(table).where(table.c.force_code.in_(codes)))
    insert_frame(conn, schema.child_facts, child_facts)
    insert_frame(conn, schema.episode_facts, episode_facts)
    conn.execute(update(batches).where(batches.c.batch_id.in_({b for _, b in stale})).values(derivation=current))
    return codes
