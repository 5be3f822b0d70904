"""Data quality: load history, warnings by rule, completeness of optional fields, out-of-scope contacts."""

from __future__ import annotations

import pandas as pd

from components.format import period_label, long_date, num, pct
from etl.findings import RULES
from metrics.disclosure import FOOTNOTE, count, rate
from metrics.monthly import quarter_of
from reports.model import Panel, Table, View


def view(facts, history: pd.DataFrame, warnings: pd.DataFrame, coverage: pd.DataFrame | None = None) -> View:
    held = set(facts.forces["batch_id"])
    history_rows = []
    for b in history.itertuples():
        rows = b.row_counts or {}
        history_rows.append([
            str(b.batch_id), f"{long_date(b.loaded_at.date())}, {b.loaded_at:%H:%M} UTC" if b.loaded_at else "–", b.outcome,
            ", ".join(b.forces or []) or "–", ", ".join(f["name"] for f in (b.files or [])) or "–",
            num(count(rows.get("contacts", 0))), num(count(rows.get("placements", 0))),
            num(count(rows.get("missing_episodes", 0))), num(count(b.warnings_count)), num(count(b.errors_count)),
            "yes" if b.batch_id in held else "no",
        ])
    rule_rows = [[f"{r.rule}: {RULES.get(r.rule, '')}", r.file, num(count(int(r.warnings)))] for r in warnings.itertuples()]
    completeness_rows = []
    for b in history[history["outcome"] == "loaded"].itertuples():
        if b.batch_id not in held or not b.completeness:
            continue
        for table, columns in b.completeness.items():
            for column, c in columns.items():
                share = rate(c["filled"], c["rows"])
                completeness_rows.append([f"{table}.{column}", str(b.batch_id), num(count(c["filled"])),
                                          num(count(c["rows"])), pct(share["rate"])])
    periods = facts.children.groupby(["force_code", "period"], observed=False).size()
    scope_rows = []
    for code, name in zip(facts.forces["force_code"], facts.forces["force_name"]):
        scope_rows.append([name] + [num(count(int(periods.get((code, p), 0)))) for p in ("baseline", "pilot", "out_of_scope")])
    notes = [FOOTNOTE]
    panels = [
        Panel("dq-history", "Load history", f"{len(history)} loads recorded", "Every load, newest first, refused ones too.",
              None, Table("table-load-history", "Every load, newest first",
                          ["Batch", "When", "Outcome", "Forces", "Files", "Contacts", "Placements", "Missing episodes",
                           "Warnings", "Errors", "Held now"], history_rows), notes, open_table=True),
        Panel("dq-warnings", "Warnings by rule", "Warnings of the data held now",
              "Warnings do not stop a load; these belong to the loads whose data is held now.", None,
              Table("table-warnings", "Warnings of the data held now, by rule and file", ["Rule", "File", "Warnings"],
                    rule_rows), notes, open_table=True),
        Panel("dq-completeness", "Completeness of optional fields", "How complete the optional fields are",
              "The share of rows with a value, for every optional column.", None,
              Table("table-completeness", "Share of rows with a value, for every optional column",
                    ["Column", "Batch", "Filled", "Rows", "Complete"], completeness_rows), notes, open_table=True),
        Panel("dq-scope", "Contacts by period, and out of scope", "Children by period of first contact",
              "Out-of-scope contacts fall outside both the baseline and the pilot; they are counted here and used nowhere else.",
              None, Table("table-scope", "Children by period of first contact", ["Force", "Baseline", "Pilot", "Out of scope"],
                          scope_rows), notes, open_table=True),
    ]
    if coverage is not None and len(coverage):
        panels.insert(0, _coverage_panel(facts, coverage, notes))
    return View("/data-quality", "Data quality", "What was loaded, when, and how complete it is.", panels,
                facts.synthetic, "every force in the warehouse",
                notices=["Who has seen which view, and what they downloaded: the access log, at /access-log."])


def _coverage_panel(facts, coverage: pd.DataFrame, notes: list[str]) -> Panel:
    """Did every child get the pack? Each authority's unaccompanied children in care (its SSDA903 return's
    UASC table), by quarter of first care episode, with how many had a contact with the force and a pack.
    Quarters, not months: a county authority takes a few such children a month, so nearly every monthly
    count would be suppressed."""
    names = dict(zip(facts.forces["force_code"], facts.forces["force_name"]))
    by_quarter = (coverage.assign(quarter=coverage["month"].map(lambda m: m if m == "unknown" else quarter_of(m)))
                  .groupby(["force_code", "la_code", "quarter"], sort=True)[["uasc_children", "linked", "with_pack"]]
                  .sum().reset_index())
    rows = []
    for (force, la), group in by_quarter.groupby(["force_code", "la_code"], sort=True):
        for r in [*group.itertuples(), None]:
            if r is None:  # the authority's total
                n, linked, packs, when = (int(group["uasc_children"].sum()), int(group["linked"].sum()),
                                          int(group["with_pack"].sum()), "All quarters")
            else:
                n, linked, packs = int(r.uasc_children), int(r.linked), int(r.with_pack)
                when = period_label(r.quarter) if r.quarter != "unknown" else "No care episode in the return"
            share = rate(packs, n)
            rows.append([names.get(force, force), la, when, num(count(n)), num(count(linked)), num(count(packs)),
                         pct(share["rate"])])
    return Panel("dq-coverage", "Coverage: did every child get the pack?", "Unaccompanied children in care, and how many had a pack",
                 "From each local authority's SSDA903 return: its unaccompanied children by quarter of their first care "
                 "episode (DECOM), how many had a first contact with the force, and how many had a completed pack.",
                 None, Table("table-coverage", "Unaccompanied children in each authority's care, by quarter",
                             ["Force", "Authority", "Quarter", "Unaccompanied children", "Had a contact", "Had a pack",
                              "Share with a pack"], rows), notes, open_table=True)
