"""Load a bundle into the warehouse: whole or not at all, in one transaction.

``load_bundle`` reads, validates, pseudonymises and derives, then replaces everything held for
the bundle's forces. A refused bundle writes only its refusal record; a failure part-way
through rolls the transaction back, leaving the warehouse as it was.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select

from harbour import logs
from harbour.etl.derive import derivation_version, derive_facts
from harbour.etl.extract import read_bundle
from harbour.etl.findings import Finding, format_findings, ordered, totals
from harbour.etl.pseudonymise import Pseudonymiser
from harbour.etl.validate import ValidBundle, validate
from harbour.warehouse import schema
from harbour.warehouse.bulk import insert_frame
from harbour.warehouse.connect import locked_transaction

log = logging.getLogger(__name__)


class LoadRefused(Exception):
    """The bundle was not loaded; ``findings`` lists every error (and warning) found."""

    def __init__(self, message: str, findings: list[Finding] | None = None):
        super().__init__(message)
        self.message = message
        self.findings = findings or []

    def report(self) -> str:
        """The errors, its first line leading with the first cause (the whole-file problems come first)."""
        errors = [f for f in self.findings if f.is_error]
        if not errors:
            return self.message
        first = ordered(errors)[0]
        place = "" if first.row is None else f" row {first.row}" + (f", column {first.column}" if first.column else "")
        found = {k: v for k, v in totals(self.findings).items() if k[1].startswith("E")}
        n = sum(found.values())
        heading = (
            f"Refused: {first.file}{place}: {first.message} ({n} error{'s' if n != 1 else ''} in all; "
            "nothing was loaded.)"
        )
        return format_findings(errors, heading, found)


@dataclass
class LoadResult:
    outcome: str  # loaded | unchanged
    batch_id: int
    forces: list[str]
    row_counts: dict[str, int]
    warnings: list[Finding] = field(default_factory=list)
    synthetic: bool = False

    def summary_line(self) -> str:
        rows = ", ".join(f"{n} {t}" for t, n in self.row_counts.items())
        forces = ", ".join(self.forces)
        kind = "synthetic " if self.synthetic else ""
        if self.outcome == "unchanged":
            return (
                f"Unchanged: this {kind}bundle for {forces} was already loaded (batch {self.batch_id}); "
                "nothing was written."
            )
        return f"Loaded {kind}bundle for {forces} as batch {self.batch_id}: {rows}; {len(self.warnings)} warnings."


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def warehouse_holds(bind) -> str:
    """``empty``, ``synthetic`` or ``real``: what the warehouse holds (never both); ``bind`` is an engine or a
    connection inside a load's transaction."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return warehouse_holds(conn)
    rows = bind.execute(select(schema.forces.c.synthetic, func.count()).group_by(schema.forces.c.synthetic)).all()
    kinds = {bool(s) for s, _ in rows}
    if not kinds:
        return "empty"
    return "synthetic" if kinds == {True} else "real"


def _insert_rows(conn, table, frame: pd.DataFrame) -> None:
    """One bulk insert (COPY or executemany); a seam tests use to inject a failure mid-load."""
    insert_frame(conn, table, frame)


def _refusal(engine: Engine, raw_files, forces, row_counts, findings, content_sha256) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(schema.load_batches).values(
                loaded_at=_now(),
                outcome="refused",
                content_sha256=content_sha256,
                files=raw_files,
                forces=forces,
                row_counts=row_counts,
                warnings_count=sum(n for (_, rule), n in totals(findings).items() if not rule.startswith("E")),
                errors_count=sum(n for (_, rule), n in totals(findings).items() if rule.startswith("E")),
                synthetic=False,
                completeness=None,
            )
        )


def load_bundle(
    engine: Engine, paths: list[Path], pseudonymiser: Pseudonymiser, replace_demo: bool = False
) -> LoadResult:
    """Load one bundle (:func:`_load`), leaving one log line of its outcome (logs.load_line)."""

    started = time.perf_counter()
    try:
        result = _load(engine, paths, pseudonymiser, replace_demo)
    except LoadRefused:
        logs.load_line("refused", None, time.perf_counter() - started, None)
        raise
    logs.load_line(result.outcome, result.batch_id, time.perf_counter() - started, result.synthetic)
    return result


def _load(engine: Engine, paths: list[Path], pseudonymiser: Pseudonymiser, replace_demo: bool) -> LoadResult:
    """Load one bundle, as its steps: read, validate (cells, the merge of returns, the rules), refuse what may
    not be loaded, derive the facts, then check the warehouse and write in one transaction that holds the
    warehouse's load lock, so that two loads at once run one after the other and each checks what the other left."""
    raw = read_bundle([Path(p) for p in paths])
    valid = validate(raw, pseudonymiser)
    force_codes = sorted({str(c) for c in valid.forces["force_code"].dropna()})
    _refuse_errors(engine, raw, valid, force_codes)
    synthetic = _synthetic_or_refuse(valid, pseudonymiser)
    forces, child_facts, episode_facts = derive_facts(
        valid.forces,
        valid.contacts,
        valid.placements,
        valid.episodes,
        day_forces=set(valid.day_precision),
        record_key=pseudonymiser.record_key,
    )
    with load_lock(engine) as conn:
        holds = _refuse_mixing(conn, synthetic, replace_demo)
        removing_demo = replace_demo and holds == "synthetic" and not synthetic
        _same_key_or_refuse(conn, pseudonymiser, synthetic, removing_demo)
        unchanged = _unchanged(conn, raw, valid, force_codes, synthetic)
        if unchanged is not None:
            return unchanged
        batch_id = _write(conn, raw, valid, forces, child_facts, episode_facts, force_codes, synthetic, removing_demo)
    return LoadResult("loaded", batch_id, force_codes, valid.row_counts(), valid.warnings, synthetic)


def load_lock(engine: Engine):
    """The warehouse's write lock, for one transaction (warehouse.engine.locked_transaction)."""

    return locked_transaction(engine)


def _refuse_errors(engine: Engine, raw, valid: ValidBundle, force_codes: list[str]) -> None:
    """A bundle with any error is refused whole; the refusal is recorded in the load history."""
    if valid.errors:
        _refusal(engine, raw.files, force_codes, valid.row_counts(), valid.findings, raw.content_sha256)
        n = valid.error_count
        raise LoadRefused(
            f"Refused: the bundle has {n} error{'s' if n != 1 else ''}; nothing was loaded.", valid.findings
        )


def _synthetic_or_refuse(valid: ValidBundle, pseudonymiser: Pseudonymiser) -> bool:
    """Whether the bundle is the synthetic demo; a bundle that mixes both, or real data under a weak key, is refused."""
    synthetic_flags = set(valid.forces["synthetic"])
    if len(synthetic_flags) > 1:
        raise LoadRefused(
            "Refused: the bundle mixes synthetic (synthetic = Y) and real forces; "
            "a warehouse holds one or the other, never both. Nothing was loaded."
        )
    synthetic = synthetic_flags == {"Y"}
    if not synthetic and (weakness := pseudonymiser.weakness()):
        # The pseudonyms so far lived only in memory: nothing was stored under the weak key.
        raise LoadRefused(f"Refused: {weakness}\nNothing was loaded.")
    return synthetic


def _refuse_mixing(conn, synthetic: bool, replace_demo: bool) -> str:
    """What the warehouse holds; refused when this bundle would mix the demo with real data."""
    holds = warehouse_holds(conn)
    if holds == "synthetic" and not synthetic and not replace_demo:
        raise LoadRefused(
            "Refused: this warehouse holds the synthetic demo. Load real data into a new "
            "warehouse, or add --replace-demo to remove the demo first. Nothing was loaded."
        )
    if holds == "real" and synthetic:
        raise LoadRefused(
            "Refused: this warehouse holds real data; the synthetic demo is never mixed "
            "with it. Use another warehouse (--warehouse) for the demo. Nothing was loaded."
        )
    return holds


def _same_key_or_refuse(conn, pseudonymiser: Pseudonymiser, synthetic: bool, removing_demo: bool) -> None:
    """The pseudonym key must be the one that made the warehouse's pseudonyms (recorded by its check value, which
    this load records when none is); another key would give the same child a second pseudonym."""
    table = schema.pseudonym_keys
    if removing_demo:
        conn.execute(delete(table))
    held = set(conn.execute(select(table.c.check_value)).scalars())
    mine = pseudonymiser.key_check()
    if held and mine not in held:
        raise LoadRefused(
            "Refused: HARBOUR_PSEUDONYM_KEY is not the key that made this warehouse's pseudonyms, so "
            "the same child would get a second pseudonym. Set the key the earlier loads used. "
            "Nothing was loaded."
        )
    if not held:
        conn.execute(insert(table).values(check_value=mine, synthetic=synthetic, first_used_at=_now()))


def _unchanged(conn, raw, valid: ValidBundle, force_codes: list[str], synthetic: bool) -> LoadResult | None:
    """The result of loading content the warehouse already holds for the same forces (recorded, nothing
    changed), or None when the bundle is new."""
    content = raw.content_sha256
    batches = schema.load_batches
    held = conn.execute(
        select(
            schema.forces.c.force_code, schema.forces.c.content_sha256, schema.forces.c.batch_id, batches.c.derivation
        ).join(batches, batches.c.batch_id == schema.forces.c.batch_id)
    ).all()
    # The same content derived by other code is not unchanged: it is loaded again, and derived as this code does.
    same = {
        code: batch for code, sha, batch, derivation in held if sha == content and derivation == derivation_version()
    }
    if not (force_codes and set(same) == set(force_codes) and len({*same.values()}) == 1):
        return None
    conn.execute(
        insert(schema.load_batches).values(
            loaded_at=_now(),
            outcome="unchanged",
            content_sha256=content,
            files=raw.files,
            forces=force_codes,
            row_counts=valid.row_counts(),
            warnings_count=0,
            errors_count=0,
            synthetic=synthetic,
            completeness=None,
        )
    )
    return LoadResult("unchanged", next(iter(same.values())), force_codes, valid.row_counts(), [], synthetic)


def _write(
    conn, raw, valid: ValidBundle, forces, child_facts, episode_facts, force_codes, synthetic: bool, remove_demo: bool
) -> int:
    batch_id = conn.execute(
        insert(schema.load_batches).values(
            loaded_at=_now(),
            outcome="loaded",
            content_sha256=raw.content_sha256,
            files=raw.files,
            forces=force_codes,
            row_counts=valid.row_counts(),
            warnings_count=len(valid.warnings),
            errors_count=0,
            synthetic=synthetic,
            completeness=valid.completeness,
            derivation=derivation_version(),
        )
    ).inserted_primary_key[0]
    for table in schema.FORCE_TABLES:
        condition = None if remove_demo else table.c.force_code.in_(force_codes)
        conn.execute(delete(table) if condition is None else delete(table).where(condition))
    f = forces.assign(synthetic=forces["synthetic"] == "Y", batch_id=batch_id, content_sha256=raw.content_sha256)
    _insert_rows(conn, schema.forces, f)
    for table, frame in (
        (schema.contacts, valid.contacts),
        (schema.placements, valid.placements),
        (schema.missing_episodes, valid.episodes),
        (schema.child_facts, child_facts),
        (schema.episode_facts, episode_facts),
    ):
        _insert_rows(conn, table, frame)
    _insert_rows(
        conn,
        schema.day_precision,
        pd.DataFrame(
            [(force, ",".join(sorted(set(codes)))) for force, codes in valid.day_precision.items()],
            columns=["force_code", "la_codes"],
        ),
    )
    _insert_rows(conn, schema.force_authorities, _authorities(valid.contacts))
    _insert_rows(
        conn,
        schema.ssda903_coverage,
        pd.DataFrame(
            valid.coverage, columns=["force_code", "la_code", "month", "uasc_children", "linked", "with_pack"]
        ),
    )
    _insert_rows(
        conn,
        schema.load_warnings,
        pd.DataFrame(
            [(batch_id, w.file, w.row, w.column, w.rule, w.message[:300]) for w in valid.warnings],
            columns=["batch_id", "file", "row", "column", "rule", "message"],
        ).astype({"row": "Int64"}),
    )
    return batch_id


def _authorities(contacts: pd.DataFrame) -> pd.DataFrame:
    """Each force's local authorities (la_code) by number of its children."""
    named = contacts[contacts["la_code"].notna()] if "la_code" in contacts else contacts.iloc[0:0]
    if named.empty:
        return pd.DataFrame(columns=["force_code", "la_code", "children"])
    return (
        named.groupby(["force_code", "la_code"])["child_key"]
        .nunique()
        .rename("children")
        .reset_index()
        .astype({"children": int})
    )
