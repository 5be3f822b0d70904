"""Data quality: load history, warnings by rule, completeness of optional fields, out-of-scope contacts."""

from __future__ import annotations

import pandas as pd

from harbour.etl.findings import RULES
from harbour.metrics.disclosure import PUBLICATION, SUPPRESSION, Audience, partings
from harbour.metrics.monthly import quarter_of
from harbour.metrics.perturbation import KEY_SPACE, Cell
from harbour.views.ask import Ask
from harbour.views.format import long_date, num, pct, period_label
from harbour.views.model import Panel, Table, View
from harbour.views.report import Report
from harbour.warehouse.current import engine
from harbour.warehouse.queries import coverage, load_history, warnings_by_rule

ROWS_ROUNDED = (
    "Counts of rows loaded, of findings and of a return's children are not cells of children's records, so they "
    "are rounded as version 3 rounds them: 1 to 7 shown as c, others to the nearest 5."
)


def view(
    facts,
    history: pd.DataFrame,
    warnings: pd.DataFrame,
    coverage: pd.DataFrame | None = None,
    audience: Audience = PUBLICATION,
) -> View:
    """The page for ``audience``: publication counts rounded as every published count is; the internal audience (an
    analyst with the right to exact figures) sees the loader's exact numbers, marked OFFICIAL-SENSITIVE (the
    load history said 625 where the loader had said 623)."""
    held = set(facts.forces["batch_id"])
    notes = [audience.footnote]
    # Rows loaded, findings and returns' tables carry no record keys: under perturbation they keep version 3's
    # rounding, and the page says so; its children by period are cells like every other page's.
    rows_audience = Audience(audience.name, method=SUPPRESSION) if audience.perturbing else audience
    row_notes = notes + [ROWS_ROUNDED] if audience.perturbing else notes
    panels = [
        _history_panel(history, held, rows_audience, row_notes),
        _warnings_panel(warnings, rows_audience, row_notes),
        _completeness_panel(history, held, rows_audience, row_notes),
        _scope_panel(facts, audience, notes),
    ]
    if coverage is not None and len(coverage):
        panels.insert(0, _coverage_panel(facts, coverage, row_notes, rows_audience))
    return View(
        "/data-quality",
        "Data quality",
        "What was loaded, when, and how complete it is.",
        panels,
        facts.synthetic,
        "every force in the warehouse",
        notices=["Who has seen which view, and what they downloaded: the access log, at /access-log."],
        marking=audience.marking,
        disclosure=audience.disclosure,
    )


def _history_panel(history: pd.DataFrame, held: set, audience: Audience, notes: list[str]) -> Panel:
    """Every load, newest first, refused ones too, and whether its data is held now."""
    rows = []
    for b in history.itertuples():
        counts = b.row_counts or {}
        rows.append(
            [
                str(b.batch_id),
                f"{long_date(b.loaded_at.date())}, {b.loaded_at:%H:%M} UTC" if b.loaded_at else "–",
                b.outcome,
                ", ".join(b.forces or []) or "–",
                ", ".join(f["name"] for f in (b.files or [])) or "–",
                num(audience.count(counts.get("contacts", 0))),
                num(audience.count(counts.get("placements", 0))),
                num(audience.count(counts.get("missing_episodes", 0))),
                num(audience.count(b.warnings_count)),
                num(audience.count(b.errors_count)),
                "yes" if b.batch_id in held else "no",
            ]
        )
    return Panel(
        panel_id="dq-history",
        title="Load history",
        finding=f"{len(history)} load{'s' if len(history) != 1 else ''} recorded",
        summary=(
            "Every load, newest first, refused ones too, with the loader's exact numbers of rows."
            if audience.exact
            else "Every load, newest first, refused ones too. Its rows of children's records are rounded to the "
            "nearest 5, c for 1 to 7: the loader's own message, and this page's exact figures, give the exact "
            "numbers."
        ),
        figure=None,
        table=Table(
            "table-load-history",
            "Every load, newest first",
            [
                "Batch",
                "When",
                "Outcome",
                "Forces",
                "Files",
                "Contacts",
                "Placements",
                "Missing episodes",
                "Warnings",
                "Errors",
                "Held now",
            ],
            rows,
        ),
        notes=notes,
        open_table=True,
    )


def _warnings_panel(warnings: pd.DataFrame, audience: Audience, notes: list[str]) -> Panel:
    """The warnings of the loads whose data is held now, by rule and file."""
    rows = [
        [f"{r.rule}: {RULES.get(r.rule, '')}", r.file, num(audience.count(int(r.warnings)))]
        for r in warnings.itertuples()
    ]
    return Panel(
        panel_id="dq-warnings",
        title="Warnings by rule",
        finding="Warnings of the data held now",
        summary="Warnings do not stop a load; these belong to the loads whose data is held now.",
        figure=None,
        table=Table(
            "table-warnings", "Warnings of the data held now, by rule and file", ["Rule", "File", "Warnings"], rows
        ),
        notes=notes,
        open_table=True,
    )


def _completeness_panel(history: pd.DataFrame, held: set, audience: Audience, notes: list[str]) -> Panel:
    """The share of rows with a value, for every optional column of the loads held now."""
    rows = []
    for b in history[history["outcome"] == "loaded"].itertuples():
        if b.batch_id not in held or not b.completeness:
            continue
        for table, columns in b.completeness.items():
            for column, c in columns.items():
                if table == "forces":  # rows of forces, not of children: nothing to protect, shown exactly
                    filled, rows_, share = (
                        num(c["filled"]),
                        num(c["rows"]),
                        pct(c["filled"] / c["rows"], 0) if c["rows"] else "–",
                    )
                else:
                    filled, rows_, share = (
                        num(audience.count(c["filled"])),
                        num(audience.count(c["rows"])),
                        pct(audience.rate(c["filled"], c["rows"])["rate"]),
                    )
                rows.append([f"{table}.{column}", str(b.batch_id), filled, rows_, share])
    return Panel(
        panel_id="dq-completeness",
        title="Completeness of optional fields",
        finding="How complete the optional fields are",
        summary="The share of rows with a value, for every optional column.",
        figure=None,
        table=Table(
            "table-completeness",
            "Share of rows with a value, for every optional column",
            ["Column", "Batch", "Filled", "Rows", "Complete"],
            rows,
        ),
        notes=notes,
        open_table=True,
    )


def _scope_panel(facts, audience: Audience, notes: list[str]) -> Panel:
    """Children of each force by period of first contact, out of scope included."""
    children = facts.children.assign(
        recorded=facts.children["engagement_hours"].notna(), placed=facts.children["placed"].astype(bool)
    )
    by = children.groupby(["force_code", "period"], observed=False).agg(
        n=("placed", "size"), placed=("placed", "sum"), recorded=("recorded", "sum")
    )

    cells = {}
    if audience.perturbing:  # each force's and period's children as one cell, summed in one pass
        keyed = children.assign(_key=children["record_key"], _none=children["record_key"].isna()).groupby(
            ["force_code", "period"], observed=False
        )
        sums = keyed.agg(n=("placed", "size"), key=("_key", "sum"), missing=("_none", "any"))
        cells = {
            index: Cell(int(r["n"]), None if r["missing"] else int(r["key"]) % KEY_SPACE)
            for index, r in sums.iterrows()
        }

    def shown(code, period):
        if audience.perturbing:
            return audience.count(cells.get((code, period), Cell(0, 0)))
        if (code, period) not in by.index:
            return audience.count(0)
        r = by.loc[(code, period)]
        n = int(r["n"])
        if audience.exact or period == "out_of_scope" or audience.withheld:
            return audience.count(n)
        # A period's children as the force's summary publishes them (one number per measure: partings).
        return partings(n, int(r["placed"]), int(r["recorded"]))[0][0]

    rows = [
        [name] + [num(shown(code, p)) for p in ("baseline", "pilot", "out_of_scope")]
        for code, name in zip(facts.forces["force_code"], facts.forces["force_name"])
    ]
    return Panel(
        panel_id="dq-scope",
        title="Contacts by period, and out of scope",
        finding="Children by period of first contact",
        summary="Out-of-scope contacts fall outside both the baseline and the pilot; they are counted here and "
        "used nowhere else.",
        figure=None,
        table=Table(
            "table-scope", "Children by period of first contact", ["Force", "Baseline", "Pilot", "Out of scope"], rows
        ),
        notes=notes,
        open_table=True,
    )


def _coverage_panel(facts, coverage: pd.DataFrame, notes: list[str], audience: Audience = PUBLICATION) -> Panel:
    """Did every child get the pack? Each authority's unaccompanied children in care (its SSDA903 return's
    UASC table), by quarter of first care episode, with how many had a contact with the force and a pack.
    Quarters, not months: a county authority takes a few such children a month, so nearly every monthly
    count would be suppressed."""
    names = dict(zip(facts.forces["force_code"], facts.forces["force_name"]))
    by_quarter = (
        coverage.assign(quarter=coverage["month"].map(lambda m: m if m == "unknown" else quarter_of(m)))
        .groupby(["force_code", "la_code", "quarter"], sort=True)[["uasc_children", "linked", "with_pack"]]
        .sum()
        .reset_index()
    )
    rows = []
    for (force, la), group in by_quarter.groupby(["force_code", "la_code"], sort=True):
        for r in [*group.itertuples(), None]:
            if r is None:  # the authority's total
                n, linked, packs, when = (
                    int(group["uasc_children"].sum()),
                    int(group["linked"].sum()),
                    int(group["with_pack"].sum()),
                    "All quarters",
                )
            else:
                n, linked, packs = int(r.uasc_children), int(r.linked), int(r.with_pack)
                when = period_label(r.quarter) if r.quarter != "unknown" else "No care episode in the return"
            share = audience.rate(packs, n)
            rows.append(
                [
                    names.get(force, force),
                    la,
                    when,
                    num(audience.count(n)),
                    num(audience.count(linked)),
                    num(audience.count(packs)),
                    pct(share["rate"]),
                ]
            )
    return Panel(
        panel_id="dq-coverage",
        title="Coverage: did every child get the pack?",
        finding="Unaccompanied children in care, and how many had a pack",
        summary="From each local authority's SSDA903 return: its unaccompanied children by quarter of their first care "
        "episode (DECOM), how many had a first contact with the force, and how many had a completed pack.",
        figure=None,
        table=Table(
            "table-coverage",
            "Unaccompanied children in each authority's care, by quarter",
            [
                "Force",
                "Authority",
                "Quarter",
                "Unaccompanied children",
                "Had a contact",
                "Had a pack",
                "Share with a pack",
            ],
            rows,
        ),
        notes=notes,
        open_table=True,
    )


def build(ask: Ask, facts) -> View:
    return view(facts, load_history(engine()), warnings_by_rule(engine()), coverage(engine()), ask.audience)


# Data quality reads the load history and the access log itself: both change between loads, so it is not cached.
REPORT = Report("/data-quality", "Data quality", build, order=7, role="admin", filtered=False, cached=False)
