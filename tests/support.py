"""What the tests share besides fixtures: the demo warehouses, built once per test process and copied for each
test that asks, and the rule that a missing component fails under CI.

A demo is the same file whatever test asks for it (its seed fixes every child), so each process builds each demo
once, with the real `harbour demo` command, and hands every test a copy of its own to read or change."""

from __future__ import annotations

import atexit
import io
import os
import random
import shutil
import socket
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from harbour.cli import main
from harbour.metrics.filters import AGE_BANDS, CONTACT_ROUTES, SEXES, Filters
from harbour.warehouse import current
from harbour.warehouse.engine import engine_for
from harbour.warehouse.queries import facts

TEST_KEY = b"test-key-not-secret-but-long-enough-for-real-bundles"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
_MASTERS: dict[tuple[str, tuple[str, ...]], Path] = {}
PORTS_EACH = 1_500  # up to 8 workers, each with its own range, all below the kernel's ephemeral range (32768 up)


def free_port() -> int:
    """A loopback port no one holds, from a range of this test worker's own, below the kernel's range for outgoing
    connections: two workers (pytest-xdist) never pick the same port in the moment between picking and binding."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    low = 20_000 + (index % 8) * PORTS_EACH
    candidates = list(range(low, low + PORTS_EACH))
    random.shuffle(candidates)
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free loopback port from {low} to {low + PORTS_EACH - 1}")


def require(condition: bool, what: str) -> None:
    """Skip when a component is missing on a developer's machine; fail under CI=true."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is missing, and CI=true: .ci/run should have provided it")
    pytest.skip(f"{what} is missing")


def demo_copy(folder: Path, scale: str = "pilot", *options: str, name: str = "demo.sqlite") -> str:
    """The URL of a SQLite copy, in ``folder``, of the demo of ``scale`` (with `harbour demo`'s further
    ``options``, a seed say), built once per process."""
    key = (scale, options)
    if key not in _MASTERS:
        folder_of_master = tempfile.mkdtemp(prefix=f"harbour-demo-{scale}-")
        atexit.register(shutil.rmtree, folder_of_master, True)  # gone with the test process, not left in /tmp
        master = Path(folder_of_master) / "demo.sqlite"
        result = CliRunner().invoke(main, ["demo", "--scale", scale, *options, "--warehouse", f"sqlite:///{master}"])
        assert result.exit_code == 0, result.output
        _MASTERS[key] = master
    folder.mkdir(parents=True, exist_ok=True)
    # SQLite's own backup: the copy holds what the write-ahead log holds too, as one consistent file.
    with closing(sqlite3.connect(_MASTERS[key])) as source, closing(sqlite3.connect(folder / name)) as copy:
        source.backup(copy)
    return f"sqlite:///{folder / name}"


def built_demo(folder: Path, scale: str = "pilot"):
    """(url, facts) of a copy of the synthetic demo in ``folder``, made the current warehouse of this process."""
    url = demo_copy(folder, scale)
    current.use(url)
    return url, facts(engine_for(url))


def blank_png(figure, fmt="png", width=1280, height=560, scale=1.0) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (max(1, int(width * scale)), max(1, int(height * scale))), "white").save(buffer, "PNG")
    return buffer.getvalue()


def publication_views(facts) -> list[Filters]:
    children = facts.children
    forces = list(facts.forces["force_code"])[:6]
    nationalities = list(children["nationality"].value_counts().index[:4])
    out = [Filters()]
    for force in [None, *forces]:
        base = Filters() if force is None else Filters(force=(force,))
        out.append(base)
        out += [Filters(**{**base.__dict__, "sex": (s,)}) for s in SEXES]
        out += [Filters(**{**base.__dict__, "age_band": (a,)}) for a in AGE_BANDS]
        out += [Filters(**{**base.__dict__, "nationality": (n,)}) for n in nationalities]
        out += [Filters(**{**base.__dict__, "contact_route": (r,)}) for r in CONTACT_ROUTES[:4]]
        out += [Filters(**{**base.__dict__, "sex": ("F",), "age_band": ("16-17",)})]
    return list(dict.fromkeys(out))
