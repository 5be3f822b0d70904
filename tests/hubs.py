"""What the exchange's tests share: a real hub under gunicorn (`harbour hub serve`) on a loopback port, on SQLite
or on a database of its own on the PostgreSQL that .ci/run starts, and Harbours that hold other forces."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from harbour.cli import main

from .support import free_port, require

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def hub_database(kind: str, folder: Path, name: str):
    """The URL of an empty hub database: a SQLite file in ``folder``, or a new PostgreSQL database ``name``."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'{name}.sqlite'}"
        return
    url = os.environ.get("HARBOUR_TEST_POSTGRES_URL")
    require(bool(url), "PostgreSQL (HARBOUR_TEST_POSTGRES_URL)")
    import sqlalchemy as sa

    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        from harbour.hub.store import engine_for

        engine_for.cache_clear()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def wait_for_hub(base: str, seconds: float = 60) -> None:
    """Until the hub's API answers (401 without a token is an answer)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/api/v1/keys", timeout=2)
        except urllib.error.HTTPError as error:
            if error.code == 401:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the hub at {base} did not answer within {seconds} s")


@contextlib.contextmanager
def serving_hub(database_url: str, log: Path, **env):
    """`harbour hub serve` in a subprocess (gunicorn) on a free loopback port; yields its base URL."""
    port = free_port()
    handle = log.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "harbour.cli", "hub", "serve", "--port", str(port), "--warehouse", database_url],
        cwd=ROOT,
        # Tests that send failing requests on purpose raise the per-address limit on failures, unless they test it.
        env={**os.environ, "HARBOUR_HUB_FAILED_RATE": "1000/minute", **env},
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_hub(base)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        handle.close()


def renamed_demo(folder: Path, codes: dict[str, str], seed: int, prefix: str) -> str:
    """A warehouse of another Harbour: the synthetic demo with its forces renamed (``codes`` maps some demo codes
    to new ones; the rest get ``prefix``), so that no force is held by two of the tests' Harbours."""
    from harbour.etl.demo import generate, write_bundle
    from harbour.etl.load import load_bundle
    from harbour.etl.pseudonymise import DEMO_KEY, Pseudonymiser
    from harbour.warehouse.engine import engine_for

    rows = generate(seed=seed)
    names = {}
    for row in rows.forces:
        new = codes.get(row["force_code"], (prefix + row["force_code"])[:16])
        names[row["force_code"]] = new
        row["force_name"] = new.replace("_", " ").title() + " Police (fictional)"
    for table in (rows.forces, rows.contacts, rows.placements, rows.missing_episodes):
        for row in table:
            row["force_code"] = names[row["force_code"]]
    url = f"sqlite:///{folder / f'{prefix.lower()}harbour.sqlite'}"
    load_bundle(engine_for(url), [write_bundle(rows, folder / f"{prefix.lower()}bundle")], Pseudonymiser(DEMO_KEY))
    return url


def harbour(*args: str, env: dict | None = None):
    """`harbour ARGS` in this process (Click's runner), as a person would type it; the result."""
    return CliRunner(env=env).invoke(main, list(args))


def api(
    base: str, method: str, path: str, token: str | None = None, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, dict, dict]:
    """One raw HTTP call to a hub: (status, JSON body or {}, response headers)."""
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=body, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}"), dict(response.headers)
    except urllib.error.HTTPError as error:
        with error:
            raw = error.read()
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = {"raw": raw[:200].decode("utf-8", "replace")}
            return error.code, parsed, dict(error.headers)


def copy_sqlite(url: str, folder: Path, name: str) -> str:
    """A copy of a SQLite warehouse (through SQLite's backup API, so nothing in its WAL is left behind)."""
    import sqlite3

    source = sqlite3.connect(url.removeprefix("sqlite:///"))
    target_path = folder / f"{name}.sqlite"
    target = sqlite3.connect(target_path)
    with target:
        source.backup(target)
    source.close()
    target.close()
    return f"sqlite:///{target_path}"


def keygen(code: str, folder: Path) -> dict:
    """A force's key pair as `harbour benchmark keygen` makes it, and the fingerprint it printed."""
    import re

    result = harbour("benchmark", "keygen", "--force", code, "--out", str(folder))
    assert result.exit_code == 0, result.output
    fingerprint = re.search(r"fingerprint ([0-9a-f]{64})", result.output).group(1)
    return {
        "private": folder / f"{code}-private.pem",
        "public": folder / f"{code}-public.pem",
        "fingerprint": fingerprint,
    }


def enrol(hub_db: str, code: str, public: Path) -> str:
    """The hub operator's part for one force: register its key and make its token; the token."""
    result = harbour("hub", "register", "--force", code, "--key", str(public), "--warehouse", hub_db)
    assert result.exit_code == 0, result.output
    result = harbour("hub", "token", "--force", code, "--warehouse", hub_db)
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[0]


def post_huge(base: str, path: str, token: str, size: int) -> tuple[int, bytes]:
    """POST a body of ``size`` bytes as an attacker would, reading the hub's answer even when it closes the
    connection before the body is through (as it should): (status, the answer's bytes)."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n".encode()
        )
        chunk, sent = b" " * 2**20, 0
        try:
            while sent < size:
                conn.sendall(chunk[: size - sent])
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        try:
            while b"\r\n\r\n" not in answer or len(answer) < 64:
                part = conn.recv(65536)
                if not part:
                    break
                answer += part
        except (ConnectionResetError, TimeoutError):
            pass
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, answer


def publish(ex, code):
    return harbour(
        "benchmark",
        "publish",
        "--hub",
        ex["base"],
        "--token",
        ex["tokens"][code],
        "--force",
        code,
        "--key",
        str(ex["keys"][code]["private"]),
        "--warehouse",
        ex[code],
    )


def trust(ex, who, peer, fingerprint=None):
    return harbour(
        "benchmark",
        "trust",
        "--from-hub",
        ex["base"],
        "--force",
        peer,
        "--fingerprint",
        fingerprint or ex["keys"][peer]["fingerprint"],
        "--warehouse",
        ex[who],
        env={"HARBOUR_HUB_TOKEN": ex["tokens"][who]},
    )


def pull(ex, who, base=None):
    return harbour(
        "benchmark",
        "pull",
        "--hub",
        base or ex["base"],
        "--warehouse",
        ex[who],
        env={"HARBOUR_HUB_TOKEN": ex["tokens"][who]},
    )


def peer_warehouse(tmp_path, seed: int) -> str:
    """Another force's warehouse: the synthetic demo with its forces renamed (NORTH-ELMSHIRE and so on), so
    that ELMSHIRE's pack is a peer there, not a second copy of a force it holds."""
    from harbour.etl.demo import generate, write_bundle
    from harbour.etl.load import load_bundle
    from harbour.etl.pseudonymise import DEMO_KEY, Pseudonymiser
    from harbour.warehouse.engine import engine_for

    rows = generate(seed=seed)
    for table in (rows.forces, rows.contacts, rows.placements, rows.missing_episodes):
        for row in table:
            row["force_code"] = "N_" + row["force_code"][:14]
    for row in rows.forces:
        row["force_name"] = "North " + row["force_name"]
    url = f"sqlite:///{tmp_path / f'peer-{seed}.sqlite'}"
    load_bundle(engine_for(url), [write_bundle(rows, tmp_path / f"peer-{seed}")], Pseudonymiser(DEMO_KEY))
    return url
