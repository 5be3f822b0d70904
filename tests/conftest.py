"""Fixtures for every test: a view cache of the run's own, the pseudonymiser, and empty warehouses on SQLite and
PostgreSQL."""

import os

import pytest

from harbour.etl.pseudonymise import Pseudonymiser
from harbour.warehouse.engine import ensure_schema, make_engine

from .hubs import copy_sqlite, enrol, harbour, hub_database, keygen, renamed_demo, serving_hub
from .support import TEST_KEY, require


def pytest_collection_modifyitems(items):
    """The slow tests first: handed to the workers before the rest, they run beside them rather than alone at the
    end of the run."""
    items.sort(key=lambda item: (item.get_closest_marker("slow") is None, "national" not in item.nodeid))


@pytest.fixture(scope="session", autouse=True)
def view_cache(tmp_path_factory):
    """Every test run has a view cache of its own (servers started by the tests inherit it)."""
    folder = tmp_path_factory.mktemp("view-cache")
    previous = os.environ.get("HARBOUR_CACHE_DIR")
    os.environ["HARBOUR_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("HARBOUR_CACHE_DIR", None)
    else:
        os.environ["HARBOUR_CACHE_DIR"] = previous


@pytest.fixture
def pseudonymiser():
    return Pseudonymiser(TEST_KEY)


def _postgres_url() -> str | None:
    return os.environ.get("HARBOUR_TEST_POSTGRES_URL") or None


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """A fresh, empty warehouse on SQLite and on PostgreSQL (the one .ci/run starts)."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
        ensure_schema(eng)
        yield eng
        eng.dispose()
        return
    url = _postgres_url()
    require(url is not None, "PostgreSQL (HARBOUR_TEST_POSTGRES_URL)")
    import sqlalchemy as sa

    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"harbour_test_{os.getpid()}_{abs(hash(request.node.nodeid)) % 10**8}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    eng = make_engine(sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False))
    ensure_schema(eng)
    yield eng
    eng.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    ensure_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def harbours(tmp_path_factory):
    """Two Harbours' warehouses as built once (tests work on copies) and each force's key pair."""
    folder = tmp_path_factory.mktemp("harbours")
    elmshire = f"sqlite:///{folder / 'elmshire.sqlite'}"
    assert harbour("demo", "--no-exchange", "--warehouse", elmshire).exit_code == 0  # its peers: the hub's alone
    westmere = renamed_demo(folder, {"ELMSHIRE": "WESTMERE"}, seed=7, prefix="W_")
    return {
        "ELMSHIRE": elmshire,
        "WESTMERE": westmere,
        "keys": {"ELMSHIRE": keygen("ELMSHIRE", folder), "WESTMERE": keygen("WESTMERE", folder)},
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def exchange(request, harbours, tmp_path):
    """A hub on its own database with both forces enrolled, served by gunicorn; copies of both warehouses."""
    name = f"harbour_hub_{request.node.name[-40:].replace('[', '_').replace(']', '').replace('-', '_').lower()}"
    with hub_database(request.param, tmp_path, name) as hub_db:
        tokens = {code: enrol(hub_db, code, harbours["keys"][code]["public"]) for code in ("ELMSHIRE", "WESTMERE")}
        log = tmp_path / "hub.log"
        with serving_hub(hub_db, log, HARBOUR_HUB_RATE="100/second;3000/minute") as base:
            yield {
                "base": base,
                "hub_db": hub_db,
                "tokens": tokens,
                "keys": harbours["keys"],
                "log": log,
                "ELMSHIRE": copy_sqlite(harbours["ELMSHIRE"], tmp_path, "elmshire"),
                "WESTMERE": copy_sqlite(harbours["WESTMERE"], tmp_path, "westmere"),
            }
