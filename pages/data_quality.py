"""Data quality: load history, warnings by rule, completeness of optional fields, out-of-scope contacts."""

import dash
from dash import html

from components.chart import data_table
from components.format import num, pct
from components.shell import empty_warehouse, footnote, page_for
from etl.findings import RULES
from metrics.disclosure import FOOTNOTE, count, rate
from metrics.filters import Filters
from warehouse.current import current_facts, engine
from warehouse.queries import load_history, warnings_by_rule

dash.register_page(__name__, path="/data-quality", name="Data quality", title="Data quality · Harbour", order=6)


def layout(**_query):
    facts = current_facts()
    if facts.forces.empty:
        return empty_warehouse()
    eng = engine()
    history = load_history(eng)
    warnings = warnings_by_rule(eng)
    held = set(facts.forces["batch_id"]) if "batch_id" in facts.forces else set()
    history_rows = []
    for b in history.itertuples():
        rows = b.row_counts or {}
        history_rows.append([
            str(b.batch_id), b.loaded_at.strftime("%Y-%m-%d %H:%M UTC") if b.loaded_at else "–", b.outcome,
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
    scope_rows = []
    for code, name in zip(facts.forces["force_code"], facts.forces["force_name"]):
        mine = facts.children[facts.children["force_code"] == code]
        scope_rows.append([name, num(count(int((mine["period"] == "baseline").sum()))),
                           num(count(int((mine["period"] == "pilot").sum()))),
                           num(count(int((mine["period"] == "out_of_scope").sum())))])
    return page_for(
        facts, Filters(), "Data quality",
        "What was loaded, when, and how complete it is. Every load is recorded, refused ones too.",
        html.Section([html.H2("Load history"), data_table(
            "table-load-history", "Every load, newest first",
            ["Batch", "When", "Outcome", "Forces", "Files", "Contacts", "Placements", "Missing episodes", "Warnings",
             "Errors", "Held now"], history_rows)], className="chart"),
        html.Section([html.H2("Warnings by rule"),
                      html.P("Warnings do not stop a load; these belong to the loads whose data is held now."),
                      data_table("table-warnings", "Warnings of the data held now, by rule and file",
                                 ["Rule", "File", "Warnings"], rule_rows)], className="chart"),
        html.Section([html.H2("Completeness of optional fields"),
                      data_table("table-completeness", "Share of rows with a value, for every optional column",
                                 ["Column", "Batch", "Filled", "Rows", "Complete"], completeness_rows)], className="chart"),
        html.Section([html.H2("Contacts by period, and out of scope"),
                      html.P("Out-of-scope contacts fall outside both the baseline and the pilot; they are counted "
                             "here and used nowhere else."),
                      data_table("table-scope", "Children by period of first contact",
                                 ["Force", "Baseline", "Pilot", "Out of scope"], scope_rows)], className="chart"),
        footnote(FOOTNOTE),
        show_filters=False,
    )
