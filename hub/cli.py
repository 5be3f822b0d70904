"""``harbour hub``: run a benchmarking hub and manage who takes part (keys, tokens)."""

from __future__ import annotations

# Each command imports what it needs when it runs (pandas, Dash, plotly, the warehouse): `harbour --help` and a
# mistyped option answer at once, without loading the dashboard. These are the project's deliberate late imports.
import sys
from pathlib import Path

import click

from harbour import settings
from harbour.command_line import EXIT_REFUSED, HarbourGroup, _redact, echo

hub_warehouse_option = click.option(
    "--warehouse",
    "warehouse",
    metavar="URL",
    default=None,
    help="SQLAlchemy URL of the hub's own database (default: HARBOUR_HUB_WAREHOUSE, or hub.sqlite in the data folder).",
)


@click.group(cls=HarbourGroup)
def hub() -> None:
    """A benchmarking hub: forces publish their signed packs to it and pull their peers'."""


def _engine(warehouse: str | None):
    from sqlalchemy.exc import SQLAlchemyError

    from harbour.command_line import warehouse_problem
    from harbour.hub.store import engine_for
    from harbour.warehouse.migrate import NotCurrent

    url = settings.hub_warehouse_url(warehouse)
    try:
        return engine_for(url)
    except NotCurrent as exc:
        raise click.ClickException(f"{exc} (hub database {_redact(url)})") from None
    except (SQLAlchemyError, OSError) as exc:
        raise click.ClickException(f"{warehouse_problem(exc)} (hub database {_redact(url)})") from None


def _refused(refusal) -> None:
    echo(f"Refused: {refusal.message}.", err=True)
    sys.exit(EXIT_REFUSED)


@hub.command("register")
@click.option("--force", "force", metavar="CODE", required=True, help="The force the key signs for.")
@click.option(
    "--key",
    "key_path",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    required=True,
    help="The force's public key (CODE-public.pem from `harbour benchmark keygen`).",
)
@click.option(
    "--replace",
    is_flag=True,
    help="Replace the force's current key (only when its private key was lost; "
    "a force rotates its own key with `harbour benchmark rotate-key`).",
)
@hub_warehouse_option
def hub_register(force: str, key_path: Path, replace: bool, warehouse: str | None) -> None:
    """Register a force's public key: the hub accepts only packs signed by it."""
    from harbour.hub.store import Refused, register

    if key_path.stat().st_size > 10_000:
        echo("Refused: the file is too large to be a public key.", err=True)
        sys.exit(EXIT_REFUSED)
    try:
        kid, fp = register(_engine(warehouse), force, key_path.read_bytes(), replace)
    except Refused as refusal:
        _refused(refusal)
    echo(
        f"Registered key {kid} for {force.strip().upper()}, fingerprint {fp}. Tell the force's peers this "
        "fingerprint out of band: they check the hub's copy against it."
    )


@hub.command("token")
@click.option("--force", "force", metavar="CODE", required=True, help="The force the token uploads for.")
@click.option("--days", type=click.IntRange(1, 3660), default=365, show_default=True, help="How long the token lasts.")
@hub_warehouse_option
def hub_token(force: str, days: int, warehouse: str | None) -> None:
    """Make a new token for a force; it is printed once, and only its hash is kept."""
    from harbour.hub.store import Refused, issue_token

    try:
        token, token_id, expires = issue_token(_engine(warehouse), force, days)
    except Refused as refusal:
        _refused(refusal)
    echo(token)
    echo(
        f"Token {token_id} for {force.strip().upper()}, expires {expires:%Y-%m-%d}. It is shown only now: "
        "give it to the force's admin over a secure channel (they set HARBOUR_HUB_TOKEN to it).",
        err=True,
    )


@hub.command("revoke")
@click.option("--force", "force", metavar="CODE", required=True, help="The force whose tokens to revoke.")
@hub_warehouse_option
def hub_revoke(force: str, warehouse: str | None) -> None:
    """Revoke every live token of a force, at once."""
    from harbour.hub.store import Refused, revoke

    try:
        count = revoke(_engine(warehouse), force)
    except Refused as refusal:
        _refused(refusal)
    echo(f"Revoked {count} token{'s' if count != 1 else ''} of {force.strip().upper()}.")


@hub.command("upgrade")
@hub_warehouse_option
def hub_upgrade(warehouse: str | None) -> None:
    """Bring the hub's database to this Harbour's schema: adopt one made before schema versions, apply what is
    pending, in one transaction, after a backup of a SQLite file."""
    from sqlalchemy.exc import SQLAlchemyError

    from harbour.command_line import warehouse_problem
    from harbour.warehouse import migrate
    from harbour.warehouse.engine import make_engine

    url = settings.hub_warehouse_url(warehouse)
    engine = make_engine(url)
    try:
        done = migrate.upgrade(engine, migrate.HUB)
    except migrate.NotCurrent as exc:
        echo(f"Refused: {exc}. Nothing was changed.", err=True)
        sys.exit(EXIT_REFUSED)
    except (SQLAlchemyError, OSError) as exc:
        echo(
            f"Error: {warehouse_problem(exc) or type(exc).__name__}; the upgrade was rolled back, nothing was "
            f"changed (hub database {_redact(url)}).",
            err=True,
        )
        sys.exit(EXIT_REFUSED)
    finally:
        engine.dispose()
    if done.before == done.after:
        echo(f"The hub database is at schema revision {done.after} already. Nothing to do.")
        return
    was = "made before schema versions" if done.before is None else f"at revision {done.before}"
    kept = f"; the backup taken first is {done.backup}" if done.backup else ""
    echo(f"Upgraded the hub database from {was} to revision {done.after}{kept}.")


@hub.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Any but loopback needs sign-in for the operator's pages (HARBOUR_OIDC_ISSUER).",
)
@click.option("--port", type=int, default=8060, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="gunicorn worker processes.")
@hub_warehouse_option
def hub_serve(host: str, port: int, workers: int, warehouse: str | None) -> None:
    """Serve the hub (its API under /api/v1/ and its operator's pages) with gunicorn."""
    from harbour import access

    url = settings.hub_warehouse_url(warehouse)
    from harbour.untrusted import loopback

    exposed = not loopback(host)
    problem = access.refusal(exposed)
    if problem:
        echo(f"Harbour refuses to start: {problem}", err=True)
        sys.exit(3)
    _engine(warehouse)  # the database answers and has its tables, before any worker starts
    from harbour import logs

    logs.configure()  # in the arbiter, before the workers are forked: each inherits it
    from gunicorn.app.base import BaseApplication

    class HubServer(BaseApplication):
        def load_config(self):
            for key, value in {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": 4,
                "timeout": 30,
                "graceful_timeout": 10,
                "keepalive": 5,
                "accesslog": None,
                "control_socket_disable": True,
            }.items():
                self.cfg.set(key, value)

        def load(self):
            from harbour.hub.app import create_hub

            return create_hub(url, exposed).server

    echo(f"Harbour hub on http://{host}:{port}/ (API under /api/v1/; database {_redact(url)}).", err=True)
    HubServer().run()
