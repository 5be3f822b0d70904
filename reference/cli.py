"""``harbour reference``: rebuild the published reference figures that ship with Harbour."""

from __future__ import annotations

# Each command imports what it needs when it runs (pandas, Dash, plotly, the warehouse): `harbour --help` and a
# mistyped option answer at once, without loading the dashboard. These are the project's deliberate late imports.
import sys
from pathlib import Path

import click

from harbour.command_line import EXIT_REFUSED, HarbourGroup, echo


@click.group(cls=HarbourGroup)
def reference() -> None:
    """Published reference figures (the DfE's looked-after children who went missing), shipped with Harbour."""


@reference.command("build")
@click.option(
    "--from",
    "source",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    required=True,
    help="The folder of the DfE's CSV downloads, as published (a later year's download is read the same way).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Where to write the table (default: the one Harbour ships, reference/dfe_cla_missing.csv).",
)
def reference_build(source: Path, out: Path | None) -> None:
    """Build the tidy table of the DfE's published figures from its downloads: whole, or not at all."""
    from harbour.reference import dfe

    try:
        table, provenance = dfe.build(source)
    except (dfe.ReferenceError_, UnicodeDecodeError, OSError) as exc:
        echo(f"Refused: {str(exc).splitlines()[0][:300]}. Nothing was changed.", err=True)
        sys.exit(EXIT_REFUSED)
    dfe.write(table, provenance, out or dfe.TABLE)
    years = sorted({f.year for f in table})
    echo(
        f"Wrote {len(table):,} figures for {len({f.la_code for f in table} - {dfe.ENGLAND})} authorities and England, "
        f"years "
        f"ending 31 March {years[0]} to {years[-1]}, from {len(provenance)} files, to {out or dfe.TABLE}."
    )
