import os
import subprocess
from pathlib import Path

import pytest

from harbour.etl.pseudonymise import Pseudonymiser
from harbour.warehouse.engine import make_engine, ensure_schema

TEST_KEY = b"test-key-not-secret-but-long-enough-for-real-bundles"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def built_demo(folder: Path, scale: str = "pilot"):
    """(url, facts) of a synthetic demo built in ``folder``, made the current warehouse of this process."""
    from click.testing import CliRunner

    from harbour.cli import main
    from harbour.warehouse import current
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts

    url = f"sqlite:///{folder / 'demo.sqlite'}"
    result = CliRunner().invoke(main, ["demo", "--scale", scale, "--warehouse", url])
    assert result.exit_code == 0, result.output
    current.use(url)
    return url, facts(engine_for(url))


def require(condition: bool, what: str) -> None:
    """Skip when a component is missing on a developer's machine; fail under CI=true."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is missing, and CI=true: .ci/run should have provided it")
    pytest.skip(f"{what} is missing")


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
