"""What every ``harbour`` command shares: exit codes, the warehouse option, and opening the warehouse with one
clear line instead of a traceback. ``cli`` (the top-level group) and each part's own commands (``exchange.cli``)
use it, so neither imports the other's helpers.
"""

from __future__ import annotations

import sys

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from harbour import logs, settings
from harbour.untrusted import terminal_text
from harbour.warehouse.engine import engine_for
from harbour.warehouse.migrate import NotCurrent

EXIT_REFUSED = 1
EXIT_USAGE = 2


def echo(message="", err: bool = False, nl: bool = True) -> None:
    """click.echo for everything a command prints: names and values from bundles, packs and hubs are untrusted, so
    control characters never reach the terminal (untrusted.terminal_text)."""

    click.echo(terminal_text(message), err=err, nl=nl)


def _progress(message: str) -> None:
    """Progress for a person at a terminal; silence when output is piped or captured."""
    if sys.stderr.isatty():
        echo(message, err=True)


def _engine(url: str | None):

    try:
        return engine_for(settings.warehouse_url(url))
    except NotCurrent as exc:
        raise click.ClickException(f"{exc} (warehouse {_redact(settings.warehouse_url(url))})") from None
    except (SQLAlchemyError, OSError) as exc:
        problem = warehouse_problem(exc)
        raise click.ClickException(f"{problem} (warehouse {_redact(settings.warehouse_url(url))})") from None
    except (ValueError, ImportError) as exc:
        raise click.ClickException(
            f"cannot open the warehouse {_redact(settings.warehouse_url(url))}: "
            f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        ) from None


def _disclosure() -> str:
    """The deployment's disclosure method (HARBOUR_DISCLOSURE), or one line saying what it may be."""
    try:
        return settings.disclosure_method()
    except settings.BadSetting as exc:
        raise click.ClickException(str(exc)) from None


def _redact(url: str) -> str:

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unreadable URL)"


def warehouse_problem(exc: BaseException) -> str | None:
    """One line that says what went wrong with the warehouse, or None when ``exc`` is not such a problem.
    Never the statement's parameters or any row: only the driver's first line, matched to a cause."""

    if not isinstance(exc, (SQLAlchemyError, OSError)):
        return None
    detail = str(getattr(exc, "orig", None) or exc).splitlines()[0] if str(exc) else type(exc).__name__
    lowered = detail.lower()
    if "locked" in lowered or "could not obtain lock" in lowered:
        return (
            f"the warehouse is locked by another process (another load?); waited "
            f"{settings.lock_timeout_seconds():g} s. Nothing was changed: try again when it has finished."
        )
    if "disk is full" in lowered or "no space left" in lowered or "disk full" in lowered:
        return "the disk that holds the warehouse is full. Nothing was changed: free some space and try again."
    if "readonly" in lowered or "read-only" in lowered or "read only" in lowered:
        return "the warehouse is read-only here. Nothing was changed: use a warehouse this user may write to."
    if "unable to open" in lowered or "connection" in lowered or "could not connect" in lowered:
        return f"cannot open the warehouse: {detail[:160]}"
    return f"the warehouse failed ({type(exc).__name__}): {detail[:160]}"


class HarbourGroup(click.Group):
    """The command group: a warehouse that is locked, full, read-only or unreachable ends a command with
    one clear line and exit 1, never a traceback or a row of data."""

    def format_commands(self, ctx, formatter) -> None:
        """Each command with the whole first sentence of its help, wrapped, never cut off with '...'."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx):
        if settings.get("HARBOUR_LOG_FORMAT"):  # a command's log lines (a load's) only when asked for
            logs.configure()
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - the edge: turn a warehouse failure into one line
            problem = warehouse_problem(exc)
            if problem is None:
                raise
            echo(f"Error: {problem}", err=True)
            sys.exit(EXIT_REFUSED)


warehouse_option = click.option(
    "--warehouse",
    "warehouse",
    metavar="URL",
    default=None,
    help="SQLAlchemy URL of the warehouse (default: HARBOUR_WAREHOUSE, or harbour.sqlite in the data folder).",
)
