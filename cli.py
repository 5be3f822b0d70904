"""The ``harbour`` command: load, demo, summary, serve.

Settings are read from the environment here, at the edge (see settings.py). Bad input ends with
a clear message and an exit code, never a traceback: 0 done, 1 refused or failed, 2 usage.
"""

from __future__ import annotations

# Each command imports what it needs when it runs (pandas, Dash, plotly, the warehouse): `harbour --help` and a
# mistyped option answer at once, without loading the dashboard. These are the project's deliberate late imports.
import json
import signal
import sys
import tempfile
import time
from pathlib import Path

import click

from harbour import settings
from harbour.command_line import (
    EXIT_REFUSED,
    EXIT_USAGE,
    HarbourGroup,
    _disclosure,
    _engine,
    _progress,
    _redact,
    echo,
    warehouse_option,
    warehouse_problem,  # noqa: F401  (warehouse_problem: for callers of cli)
)
from harbour.files import write_whole
from harbour.metrics.filters import FILTERS


@click.group(cls=HarbourGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Harbour: outcomes of police schemes for unaccompanied migrant children."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@warehouse_option
@click.option(
    "--replace-demo", is_flag=True, help="Remove the synthetic demo from the warehouse before loading real data."
)
@click.option(
    "--report",
    "report",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write every error and warning to this CSV file (file, row, column, rule, kind, message).",
)
def load(paths: tuple[Path, ...], warehouse: str | None, replace_demo: bool, report: Path | None) -> None:
    """Load a bundle: a folder of the four CSVs, or one XLSX workbook.

    Needs HARBOUR_PSEUDONYM_KEY. Exit 0 when loaded or already loaded, 1 when refused.
    """
    from harbour.etl.load import LoadRefused, load_bundle
    from harbour.etl.pseudonymise import MissingKey, Pseudonymiser

    try:
        pseudonymiser = Pseudonymiser(settings.pseudonym_key())
    except MissingKey as exc:
        echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    for path in paths:
        if not path.exists():
            echo(f"Error: {path} does not exist.", err=True)
            sys.exit(EXIT_USAGE)
    engine = _engine(warehouse)
    _progress(f"Reading and checking {', '.join(str(p) for p in paths)} …")
    started = time.perf_counter()
    from harbour.etl.findings import write_report

    try:
        result = load_bundle(engine, list(paths), pseudonymiser, replace_demo=replace_demo)
    except LoadRefused as exc:
        echo(exc.report(), err=True)
        if report is not None:
            n = write_report(exc.findings, report)
            echo(f"The {n} findings are also in {report}.", err=True)
        echo(exc.message)
        sys.exit(EXIT_REFUSED)
    if report is not None:
        write_report(result.warnings, report)
    for warning in result.warnings[:20]:
        echo(f"warning: {warning.file} {warning.line().strip()}", err=True)
    if len(result.warnings) > 20:
        echo(f"warning: … and {len(result.warnings) - 20} more (see the data-quality page)", err=True)
    echo(f"{result.summary_line()} ({time.perf_counter() - started:.1f} s)")


def _warm(audience: str = "publication") -> str:
    """Draw every force's default pages into the page cache (the app must exist)."""
    from harbour.metrics.disclosure import INTERNAL, publication
    from harbour.warehouse.current import current_facts
    from harbour.web.warm import warm

    _progress("Drawing every force's default pages, so that nobody waits for them …")
    drawn, seconds = warm(current_facts(), INTERNAL if audience == "internal" else publication())
    return f"{drawn} default pages ready in the page cache ({seconds:.1f} s)."


@main.command("upgrade")
@warehouse_option
def upgrade_command(warehouse: str | None) -> None:
    """Bring the warehouse to this Harbour's schema: adopt one made before schema versions, then apply every
    pending migration, in one transaction; a SQLite file is backed up first."""
    from sqlalchemy.exc import SQLAlchemyError

    from harbour.etl.rederive import KeyNeeded, rederive, rederive_on
    from harbour.warehouse.engine import make_engine
    from harbour.warehouse.migrate import NotCurrent, upgrade

    url = settings.warehouse_url(warehouse)
    engine = make_engine(url)
    try:
        rederived: list[str] = []
        key = settings.pseudonym_key()
        done = upgrade(engine, after=lambda conn: rederived.extend(rederive_on(conn, key)))
        rederived = rederived or rederive(engine, key)
    except (NotCurrent, KeyNeeded) as exc:
        echo(f"Refused: {exc}. Nothing was changed.", err=True)
        sys.exit(EXIT_REFUSED)
    except (SQLAlchemyError, OSError) as exc:
        echo(
            f"Error: {warehouse_problem(exc) or type(exc).__name__}; the upgrade was rolled back, nothing was "
            f"changed (warehouse {_redact(url)}).",
            err=True,
        )
        sys.exit(EXIT_REFUSED)
    finally:
        engine.dispose()
    again = (
        f" Derived the facts of {len(rederived)} force{'s' if len(rederived) != 1 else ''} again from the stored "
        "rows, as this Harbour derives them."
        if rederived
        else ""
    )
    if done.before == done.after:
        echo(f"The warehouse is at schema revision {done.after} already.{again or ' Nothing to do.'}")
        return
    was = "made before schema versions" if done.before is None else f"at revision {done.before}"
    kept = f"; the backup taken first is {done.backup}" if done.backup else ""
    echo(f"Upgraded the warehouse from {was} to revision {done.after}{kept}.{again}")


@main.command("backup")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The file to write (never overwritten): a SQLite copy, or pg_dump's custom format on PostgreSQL.",
)
@warehouse_option
def backup_command(out: Path, warehouse: str | None) -> None:
    """Back up the warehouse (with its keyring, peers and access log) while it serves and loads."""
    from harbour.warehouse.backup import BackupProblem, backup

    try:
        echo(backup(settings.warehouse_url(warehouse), out))
    except (BackupProblem, OSError) as exc:
        echo(f"Refused: {exc}. Nothing was written.", err=True)
        sys.exit(EXIT_REFUSED)


@main.command("restore")
@click.argument("backup_file", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False))
@warehouse_option
def restore_command(backup_file: Path, warehouse: str | None) -> None:
    """Replace the warehouse with a backup, whole, after checking it (a Harbour warehouse, a known schema, and
    HARBOUR_PSEUDONYM_KEY the key that made its pseudonyms)."""
    from harbour.etl.pseudonymise import Pseudonymiser
    from harbour.warehouse.backup import BackupProblem, restore
    from harbour.warehouse.engine import engine_for

    key = settings.pseudonym_key()
    try:
        words = restore(backup_file, settings.warehouse_url(warehouse), Pseudonymiser(key).key_check() if key else None)
    except (BackupProblem, OSError) as exc:
        echo(f"Refused: {exc}. The warehouse is as it was.", err=True)
        sys.exit(EXIT_REFUSED)
    engine_for.cache_clear()
    echo(words)


@main.command("warm")
@click.option(
    "--audience",
    type=click.Choice(["publication", "internal"]),
    default="publication",
    show_default=True,
    help="Whose pages to draw: publication figures, or one analyst's exact ones.",
)
@warehouse_option
def warm_command(audience: str, warehouse: str | None) -> None:
    """Draw every force's default pages into the page cache (after a load, before the first visitor).

    `harbour serve`, and gunicorn through gunicorn.conf.py, start this behind them as they start.
    """
    from harbour.warehouse import current

    url = settings.warehouse_url(warehouse)
    _engine(url)
    current.use(url)
    from harbour.app import create_app

    create_app(exposed=False)
    echo(_warm(audience))


def build_demo(engine, seed: int, scale: str, exchange: bool = True) -> object:
    """The synthetic demo, loaded; the pilot demo with its synthetic exchange (``exchange``): signed packs of
    forces without a scheme, trusted and stored, so that its attribution can answer."""
    from harbour.etl.demo import generate, write_bundle
    from harbour.etl.load import load_bundle
    from harbour.etl.pseudonymise import DEMO_KEY, Pseudonymiser

    _progress(f"Generating the synthetic {scale} demo (seed {seed}) …")
    rows = generate(seed=seed, scale=scale)
    with tempfile.TemporaryDirectory(prefix="harbour-demo-") as folder:
        write_bundle(rows, Path(folder))
        _progress("Loading it through the loader (which validates it) …")
        result = load_bundle(engine, [Path(folder)], Pseudonymiser(DEMO_KEY))
    if exchange and scale == "pilot" and result.outcome == "loaded":
        from harbour.etl.demo_exchange import publish

        _progress("Publishing its synthetic exchange: signed packs of forces without a scheme …")
        publish(engine, seed, settings.disclosure_method(), keep=_kept_for_this_code)
    return result


def _kept_for_this_code(name: str, make):
    """``make()``'s result kept in the view cache (where there is one) under ``name`` and this code's fingerprint."""
    from harbour.views.store import code_fingerprint, remember

    return remember(f"{name}-{code_fingerprint()}", make, kind="kept")


@main.command()
@click.option(
    "--seed",
    default=2017,
    show_default=True,
    type=int,
    help="Seed of the generator: the same seed gives the same bundle.",
)
@click.option(
    "--scale",
    type=click.Choice(["pilot", "national"]),
    default="pilot",
    show_default=True,
    help="pilot: the lead force and five others (six in all) over two years; national: 43 forces over 10 years.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Only write the bundle's CSVs to this folder; load nothing.",
)
@click.option(
    "--placements",
    "placements",
    type=click.Choice(["tables", "ssda903"]),
    default="tables",
    show_default=True,
    help="With --out: write placements and missing episodes as the standard's tables, or as each force's "
    "local authority's SSDA903 return (ssda903/<la_code>/).",
)
@click.option(
    "--exchange/--no-exchange",
    default=True,
    show_default=True,
    help="With the pilot demo: also publish its synthetic exchange (16 fictional forces without a scheme, as "
    "signed packs trusted in the warehouse's keyring), the comparison forces its attribution rests on.",
)
@warehouse_option
def demo(seed: int, scale: str, out: Path | None, placements: str, exchange: bool, warehouse: str | None) -> None:
    """Generate a synthetic demonstration bundle and load it (or only write it with --out)."""
    from harbour.etl.demo import generate, write_bundle, write_ssda903_bundle
    from harbour.etl.load import LoadRefused

    if placements == "ssda903" and out is None:
        raise click.UsageError("--placements ssda903 writes a bundle: give --out DIR, then load it with harbour load")
    if out is not None:
        rows = generate(seed=seed, scale=scale)
        if placements == "ssda903":
            write_ssda903_bundle(rows, out, seed)
            echo(
                f"Wrote a synthetic {scale} bundle with SSDA903 returns to {out}: {len(rows.forces)} forces, "
                f"{len(rows.contacts)} contacts; placements and missing episodes in {out / 'ssda903'}."
            )
            return
        write_bundle(rows, out)
        echo(
            f"Wrote a synthetic {scale} bundle to {out}: {len(rows.forces)} forces, {len(rows.contacts)} contacts, "
            f"{len(rows.placements)} placements, {len(rows.missing_episodes)} missing episodes."
        )
        return
    engine = _engine(warehouse)
    started = time.perf_counter()
    try:
        result = build_demo(engine, seed, scale, exchange)
    except LoadRefused as exc:
        echo(exc.report(), err=True)
        echo(exc.message)
        sys.exit(EXIT_REFUSED)
    echo(f"{result.summary_line()} ({time.perf_counter() - started:.1f} s)")


def filter_options(command):
    """The filter bar's filters besides the force (which each command offers in its own words) as options, from the
    one filter table (harbour.metrics.filters.FILTERS)."""
    for f in reversed(FILTERS[1:]):
        command = click.option(f.option, f.name, default=None, help=f.help)(command)
    return command


def _filters(exact: bool = True, **options):
    """The filters the options name, refused in words where one is not valid; without ``exact`` (the publication
    audience), months in whole periods only (docs/metrics.md version 4)."""
    from harbour.metrics.filters import WHOLE_PERIODS_RULE, Filters

    if not exact and (options.get("month_from") or options.get("month_to")):
        raise click.UsageError(f"--month-from and --month-to need --exact: {WHOLE_PERIODS_RULE}; use --period")

    query = {k: v for k, v in options.items() if v}
    filters = Filters.from_query(query)
    period = [p for p in Filters.problems(query) if p.startswith("period ")]
    if period:
        raise click.UsageError(f"--{period[0]}")
    quarters = [p for p in Filters.problems(query) if "quarter" in p]
    if quarters:
        raise click.UsageError(f"--{quarters[0].replace('month from', 'month-from').replace('month to', 'month-to')}")
    for key, value in query.items():
        given = [v for v in str(value).split(",") if v.strip()]
        if len(given) > 1:
            raise click.UsageError(
                f"--{key.replace('_', '-')} takes one value, or none for all (a list would let two views be subtracted)"
            )
        kept = getattr(filters, key)
        if (isinstance(kept, tuple) and len(kept) != len(given)) or (not isinstance(kept, tuple) and kept is None):
            raise click.UsageError(f"--{key.replace('_', '-')} {value!r} is not valid (see --help)")
    return filters


@main.command()
@click.option(
    "--force",
    "force",
    metavar="CODE",
    default=None,
    help="One force (default: the lead force, as the pages and the slides; ALL pools every force).",
)
@click.option("--exact", is_flag=True, help="Exact figures, without disclosure control: for internal analysis only.")
@filter_options
@warehouse_option
def summary(force: str | None, exact: bool, warehouse: str | None, **filter_values) -> None:
    """Print the summary JSON document of docs/metrics.md."""
    filters = _filters(exact, **filter_values)
    from harbour.metrics.summary import build_summary
    from harbour.warehouse.queries import facts

    engine = _engine(warehouse)
    f = facts(engine)
    if f.forces.empty:
        echo("Error: the warehouse is empty. Load a bundle (harbour load) or build the demo (harbour demo).", err=True)
        sys.exit(EXIT_REFUSED)
    if force is None:  # the lead force, as the pages and `harbour slides` default to (metrics.filters.resolve)
        from harbour.metrics.filters import Filters, resolve

        force = (resolve(Filters(), f.forces).force or ("ALL",))[0]
    if force is not None:
        force = force.strip().upper()
        if force == "ALL":  # the pages' word for every force pooled
            force = None
        elif force not in set(f.forces["force_code"]):
            known = ", ".join(f.forces["force_code"])
            echo(f"Error: no force {force!r} in the warehouse (it holds: {known}).", err=True)
            sys.exit(EXIT_USAGE)
    from harbour.exchange import comparisons

    doc = build_summary(
        f.children,
        f.episodes,
        f.forces,
        force=force,
        filters=filters,
        exact=exact,
        method=_disclosure(),
        packs=comparisons.of(f),
    )
    echo(json.dumps(doc, indent=2, ensure_ascii=False))


@main.command()
@click.option(
    "--force", "force", metavar="CODE", default=None, help="One force (default: the lead force; ALL pools every force)."
)
@click.option(
    "--page",
    default=None,
    metavar="PATH",
    help="One page's deck (any page but the access log: /, /retention, /benchmark, ...), or the "
    "benchmarking deck (/benchmark); default: the standard deck.",
)
@click.option(
    "--peers",
    default=None,
    metavar="CODES",
    help="With --page /benchmark: the peer group, force codes separated by commas.",
)
@click.option(
    "--compare",
    type=click.Choice(["pilot", "baseline"]),
    default="pilot",
    show_default=True,
    help="With --page /benchmark: the period the forces are compared in (--period is the filters' whole period).",
)
@filter_options
@click.option(
    "--exact",
    is_flag=True,
    help="Exact figures for internal use, marked OFFICIAL-SENSITIVE on every slide (default: publication).",
)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The .pptx file to write.")
@warehouse_option
def slides(
    force: str | None,
    page: str | None,
    peers: str | None,
    compare: str,
    exact: bool,
    out: Path,
    warehouse: str | None,
    **filter_values,
) -> None:
    """Write a conference slide deck (PowerPoint) of the figures, disclosure-controlled unless --exact."""
    from harbour.metrics.disclosure import INTERNAL, publication
    from harbour.pages.registry import deck_pages
    from harbour.render import slides as deck_maker
    from harbour.warehouse import current
    from harbour.warehouse.queries import facts
    from harbour.web.build import build, standard_views

    filters = _filters(exact, **filter_values)
    engine = _engine(warehouse)
    current.use(settings.warehouse_url(warehouse))
    f = facts(engine)
    if f.forces.empty:
        echo("Error: the warehouse is empty. Load a bundle (harbour load) or build the demo (harbour demo).", err=True)
        sys.exit(EXIT_REFUSED)
    query = filters.to_query()
    if force:
        query["force"] = force.strip().upper()
        if query["force"] != "ALL" and query["force"] not in set(f.forces["force_code"]):
            echo(f"Error: no force {query['force']!r} in the warehouse.", err=True)
            sys.exit(EXIT_USAGE)
    if page is not None and page not in deck_pages():
        raise click.UsageError(
            f"--page {page[:40]!r} is not a page with a deck (these have: {', '.join(deck_pages())})"
        )
    if page == "/benchmark":
        if exact:
            raise click.UsageError("benchmarking shows publication figures only: leave out --exact")
        group = [c.strip().upper() for c in (peers or "").split(",") if c.strip()]
        unknown = [c for c in group if c not in set(f.forces["force_code"])]
        if unknown:
            raise click.UsageError(
                f"--peers: no force {unknown[0][:40]!r} in the warehouse "
                f"(it holds: {', '.join(f.forces['force_code'])})"
            )
        query.update({"peers": ",".join(group), "bench_period": compare})
    elif peers:
        raise click.UsageError("--peers is for the benchmarking deck (--page /benchmark)")
    from harbour.render.images import NoBrowser, browser

    try:
        browser()  # before any work: without one, say so at once
    except NoBrowser as exc:
        echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_REFUSED)
    started = time.perf_counter()
    _progress("Rendering the charts …")
    audience = INTERNAL if exact else publication()
    views = [build(page, query, f, audience)] if page else standard_views(query, f, audience)
    title = (
        deck_maker.deck_title(views[0]) if page else (views[0].scheme or "Outcomes for unaccompanied migrant children")
    )
    content = deck_maker.deck(views, title)
    write_whole(out, content, mode=None)
    from pptx import Presentation

    count = len(Presentation(out).slides)
    label = " of synthetic demonstration data" if any(v.synthetic for v in views) else ""
    marking = f"; exact figures, marked {audience.marking}" if exact else ""
    echo(f"Wrote {out}: {count} slides{label}{marking} ({time.perf_counter() - started:.1f} s).")


from harbour.exchange.cli import benchmark  # noqa: E402  (the exchange's own commands)
from harbour.hub.cli import hub  # noqa: E402  (the benchmarking hub's commands)
from harbour.reference.cli import reference  # noqa: E402  (the reference figures' own commands)

main.add_command(benchmark)
main.add_command(hub)
main.add_command(reference)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8050, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--audience",
    type=click.Choice(["publication", "internal"]),
    default="publication",
    show_default=True,
    help="publication: disclosure-controlled figures. internal: exact figures marked OFFICIAL-SENSITIVE, "
    "for one analyst on this machine (loopback address only).",
)
@warehouse_option
def serve(host: str, port: int, audience: str, warehouse: str | None) -> None:
    """Serve the dashboard; on an empty warehouse, first build the synthetic demo."""
    from harbour import access
    from harbour.etl.load import warehouse_holds
    from harbour.warehouse import current
    from harbour.web.request import AUDIENCE_CONFIG

    exposed = host not in access.LOOPBACK_HOSTS
    if settings.debug() and exposed:
        raise click.UsageError(
            "HARBOUR_DEBUG=1 runs Werkzeug's debugger, which runs code for whoever reaches it: "
            "it serves only a loopback address (127.0.0.1)."
        )
    if audience == "internal" and exposed:
        raise click.UsageError(
            "--audience internal serves exact figures to one analyst on this machine: it binds "
            "only a loopback address (127.0.0.1). Share publication figures instead."
        )
    if problem := access.refusal(exposed):  # before anything is built
        raise click.UsageError(problem)
    if audience == "internal" and access.mode() != "local":
        raise click.UsageError(
            "--audience internal is for one analyst on their own machine, without sign-in; with "
            "sign-in, analysts switch to exact figures on the pages."
        )

    url = settings.warehouse_url(warehouse)
    engine = _engine(url)
    if warehouse_holds(engine) == "empty":
        echo("The warehouse is empty: building the synthetic demo first …")
        result = build_demo(engine, 2017, "pilot")
        echo(result.summary_line())
    current.use(url)
    from harbour import logs, security
    from harbour.app import create_app

    logs.configure()  # a server's lines: one per request (an app made in a test or a command logs nothing)

    security.quiet_dev_server()
    app = create_app(exposed=exposed)
    app.server.config[AUDIENCE_CONFIG] = audience
    from harbour.web.warm import start_background, stop_background

    # The default pages are drawn behind the server, which answers at once; the warm-up ends when the server does.
    warming = start_background(audience, url, echo)
    from harbour.render.images import start_in_background as start_images

    start_images()  # Kaleido's browser, so that the first image is as quick as the rest
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so that the clean-up below runs on SIGTERM too
    figures = "exact figures, OFFICIAL-SENSITIVE" if audience == "internal" else "publication figures"
    echo(
        f"Serving Harbour on http://{host}:{port}/ ({figures}; warehouse {_redact(url)}); drawing every force's "
        "default pages behind it. Ctrl+C stops it."
    )
    # The line above says where it serves, once: not Dash's "Dash is running" (printed and logged, so twice) nor
    # Flask's banner beneath it.
    import logging

    import flask.cli

    logging.getLogger("dash.dash").setLevel(logging.WARNING)
    flask.cli.show_server_banner = lambda *args, **kwargs: None
    try:
        app.run(host=host, port=port, debug=settings.debug())
    finally:
        stop_background(warming)


if __name__ == "__main__":  # pragma: no cover
    main()
