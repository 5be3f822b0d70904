"""Browser tests: the real `harbour serve` in a subprocess, driven by headless Chromium."""

import os
from pathlib import Path

import pytest

from ..support import demo_copy, require
from .servers import ROLES, make_driver, serving


@pytest.fixture(scope="session")
def warehouse_url(tmp_path_factory):
    return demo_copy(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="session")
def server(warehouse_url, tmp_path_factory):
    yield from serving(warehouse_url, tmp_path_factory.mktemp("server"))


@pytest.fixture(scope="session")
def suppression_server(warehouse_url, tmp_path_factory):
    """The same warehouse served by a force that chose version 3's suppression (HARBOUR_DISCLOSURE)."""
    yield from serving(
        warehouse_url, tmp_path_factory.mktemp("suppression"), settings={"HARBOUR_DISCLOSURE": "suppression"}
    )


@pytest.fixture(scope="session")
def internal_server(warehouse_url, tmp_path_factory):
    """The same warehouse served for one analyst: exact figures, marked OFFICIAL-SENSITIVE."""
    yield from serving(warehouse_url, tmp_path_factory.mktemp("internal"), "--audience", "internal")


@pytest.fixture(scope="session")
def driver():
    browser = make_driver()
    yield browser
    browser.quit()


@pytest.fixture
def projector_driver():
    """A browser of its own, opened at a projector's 1024 pixels."""
    browser = make_driver(1024, 1400)
    yield browser
    browser.quit()


@pytest.fixture(scope="session")
def axe_source():
    path = os.environ.get("HARBOUR_AXE_JS", "")
    require(bool(path) and Path(path).exists(), "axe-core (HARBOUR_AXE_JS)")
    return Path(path).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def provider():
    try:
        from oidc_provider_mock import User, run_server_in_thread
    except ImportError:
        require(False, "oidc-provider-mock (the test extra)")
    users = [
        User(sub=role, claims={"email": f"{role}@force.example", "roles": [claim]}) for role, claim in ROLES.items()
    ]
    with run_server_in_thread(user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def pytest_collection_modifyitems(items):
    """A browser test file keeps together on one worker: its server and its Chromium are started once for it."""
    here = Path(__file__).parent
    for item in items:
        path = Path(str(item.fspath))
        if path.parent == here:
            item.add_marker(pytest.mark.xdist_group(f"browser-{path.stem}"))
