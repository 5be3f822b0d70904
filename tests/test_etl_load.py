"""Loads are whole or nothing, idempotent, replace a force's data, and keep demo and real apart.
These run on SQLite and on PostgreSQL."""

import pytest
from sqlalchemy import func, select

from harbour.etl import load as etl_load
from harbour.etl.load import LoadRefused, load_bundle, warehouse_holds
from harbour.etl.pseudonymise import DEMO_KEY, Pseudonymiser
from harbour.warehouse import schema

from . import bundles


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in schema.FORCE_TABLES}


def test_load_writes_raw_rows_and_facts(engine, tmp_path, pseudonymiser):
    result = load_bundle(engine, [bundles.write(tmp_path / "b", bundles.base())], pseudonymiser)
    assert result.outcome == "loaded"
    # The base bundle's contacts name no local authority (la_code blank): no force_authorities row.
    assert _counts(engine) == {
        "episode_facts": 1,
        "child_facts": 2,
        "missing_episodes": 1,
        "placements": 2,
        "contacts": 2,
        "forces": 1,
        "day_precision": 0,
        "ssda903_coverage": 0,
        "force_authorities": 0,
    }


def test_reloading_the_same_content_is_a_no_op(engine, tmp_path, pseudonymiser):
    folder = bundles.write(tmp_path / "b", bundles.base())
    first = load_bundle(engine, [folder], pseudonymiser)
    again = load_bundle(engine, [folder], pseudonymiser)
    assert again.outcome == "unchanged" and again.batch_id == first.batch_id
    assert "already loaded" in again.summary_line()
    with engine.connect() as conn:
        outcomes = (
            conn.execute(select(schema.load_batches.c.outcome).order_by(schema.load_batches.c.batch_id)).scalars().all()
        )
    assert outcomes == ["loaded", "unchanged"]
    assert _counts(engine)["contacts"] == 2


def test_a_new_extract_replaces_everything_held_for_the_force(engine, tmp_path, pseudonymiser):
    load_bundle(engine, [bundles.write(tmp_path / "a", bundles.base())], pseudonymiser)
    tables = bundles.base()
    tables["contacts"] = tables["contacts"][:1]
    tables["placements"] = tables["placements"][:1]
    result = load_bundle(engine, [bundles.write(tmp_path / "b", tables)], pseudonymiser)
    assert result.outcome == "loaded"
    assert _counts(engine)["contacts"] == 1 and _counts(engine)["child_facts"] == 1


def test_a_failure_mid_load_leaves_the_warehouse_as_it_was(engine, tmp_path, pseudonymiser, monkeypatch):
    load_bundle(engine, [bundles.write(tmp_path / "a", bundles.base())], pseudonymiser)
    before = _counts(engine)
    with engine.connect() as conn:
        batches_before = conn.execute(select(func.count()).select_from(schema.load_batches)).scalar()
    original = etl_load._insert_rows

    def failing(conn, table, rows):
        if table is schema.episode_facts:  # after the old rows were deleted and most new ones inserted
            raise RuntimeError("disk full (injected)")
        original(conn, table, rows)

    monkeypatch.setattr(etl_load, "_insert_rows", failing)
    tables = bundles.base()
    tables["contacts"].append({**tables["contacts"][1], "contact_id": "C-3", "child_id": "AB-003"})
    with pytest.raises(RuntimeError, match="injected"):
        load_bundle(engine, [bundles.write(tmp_path / "b", tables)], pseudonymiser)
    assert _counts(engine) == before
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.load_batches)).scalar() == batches_before


def test_a_refused_bundle_is_recorded_and_changes_no_data(engine, tmp_path, pseudonymiser):
    load_bundle(engine, [bundles.write(tmp_path / "a", bundles.base())], pseudonymiser)
    before = _counts(engine)
    tables = bundles.base()
    tables["contacts"][0]["sex"] = "X"
    with pytest.raises(LoadRefused):
        load_bundle(engine, [bundles.write(tmp_path / "b", tables)], pseudonymiser)
    assert _counts(engine) == before
    with engine.connect() as conn:
        last = (
            conn.execute(select(schema.load_batches).order_by(schema.load_batches.c.batch_id.desc())).mappings().first()
        )
    assert last["outcome"] == "refused" and last["errors_count"] == 1


def _synthetic(tables):
    for force in tables["forces"]:
        force["synthetic"] = "Y"
    return tables


def test_real_data_is_refused_into_a_demo_warehouse_unless_replace_demo(engine, tmp_path, pseudonymiser):
    demo = _synthetic(bundles.base())
    demo["forces"][0]["force_code"] = "DEMOSHIRE"
    for table in ("contacts", "placements", "missing_episodes"):
        for row in demo[table]:
            row["force_code"] = "DEMOSHIRE"
    load_bundle(engine, [bundles.write(tmp_path / "demo", demo)], Pseudonymiser(DEMO_KEY))
    assert warehouse_holds(engine) == "synthetic"
    real = bundles.write(tmp_path / "real", bundles.base())
    with pytest.raises(LoadRefused, match="--replace-demo"):
        load_bundle(engine, [real], pseudonymiser)
    assert warehouse_holds(engine) == "synthetic"
    load_bundle(engine, [real], pseudonymiser, replace_demo=True)
    assert warehouse_holds(engine) == "real"
    with engine.connect() as conn:
        assert conn.execute(select(schema.forces.c.force_code)).scalars().all() == ["TESTSHIRE"]
    with pytest.raises(LoadRefused, match="holds real data"):
        load_bundle(engine, [bundles.write(tmp_path / "demo2", demo)], Pseudonymiser(DEMO_KEY))


def test_a_bundle_mixing_synthetic_and_real_forces_is_refused(engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    tables["forces"].append({**tables["forces"][0], "force_code": "OTHER", "synthetic": "Y"})
    with pytest.raises(LoadRefused, match="mixes synthetic"):
        load_bundle(engine, [bundles.write(tmp_path / "b", tables)], pseudonymiser)
