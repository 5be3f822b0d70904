"""Retention: Kaplan-Meier curves, retention at each horizon, the pilot-baseline differences."""

import dash

from components.chart import chart, data_table
from components.figures import horizon_figure, km_figure
from components.format import interval, num, p_value, pct, points
from components.shell import empty_warehouse, page_for
from components.words import rate_change
from metrics import HORIZONS
from metrics.disclosure import FOOTNOTE, disclose_curve
from metrics.filters import Filters, resolve
from metrics.retention import km_curve
from metrics.summary import build_summary, cohorts
from warehouse.current import current_facts

dash.register_page(__name__, path="/retention", name="Retention", title="Retention · Harbour", order=1)

HORIZON_LABELS = {"24h": "24 hours", "72h": "72 hours", "7d": "7 days", "28d": "28 days", "90d": "90 days"}
DEFINITION = ("Retention: of children placed, those who had not gone missing (a missing episode of type M; "
              "'away' episodes are not counted) by the horizon after their first placement, over those followed "
              "to the horizon or who went missing by then. Follow-up ends at the extract date or when a child left "
              "care for another reason (assessed as an adult, transferred, returned to family, reached 18).")
KM_NOTE = ("Kaplan-Meier survival over all placed children, with 95% intervals from Greenwood's variance on the "
           "log(-log) scale. The curve is drawn from its values every 24 hours, rounded to whole percentage points, "
           "and stops where fewer than 10 children remain at risk.")


def layout(**query):
    facts = current_facts()
    if facts.forces.empty:
        return empty_warehouse()
    filters = resolve(Filters.from_query(query), facts.forces)
    doc = build_summary(facts.children, facts.episodes, facts.forces, filters=filters)
    groups = cohorts(facts.children, filters)
    periods = doc["periods"]
    curves = {}
    for name in ("baseline", "pilot"):
        placed_n = int(groups[name]["placed"].sum())
        curves[name] = disclose_curve(km_curve(groups[name]), placed_n) if placed_n else None
    comparison = doc["comparison"]
    rows, table_rows = [], []
    for label, title in HORIZON_LABELS.items():
        for name in ("baseline", "pilot"):
            h = periods[name]["retention"][label]
            rows.append({"period": name, "horizon": title, **{k: h[k] for k in ("rate", "ci_low", "ci_high")}})
        b, p = periods["baseline"]["retention"][label], periods["pilot"]["retention"][label]
        diff = comparison["retention"][label] if comparison else None
        table_rows.append([
            title, num(b["at_risk"]), pct(b["rate"]), interval(b["ci_low"], b["ci_high"]), pct(b["km"]),
            num(p["at_risk"]), pct(p["rate"]), interval(p["ci_low"], p["ci_high"]), pct(p["km"]),
            points(diff["difference"]) if diff else "–",
            interval(diff["ci_low"], diff["ci_high"], points) if diff else "–",
            p_value(diff["p_value"]) if diff else "–",
        ])
    d28 = comparison["retention"]["28d"] if comparison else None
    headline = rate_change("28-day retention", periods["baseline"]["retention"]["28d"]["rate"],
                           periods["pilot"]["retention"]["28d"]["rate"], d28)
    logrank = p_value(comparison["logrank_p"]) if comparison else "–"
    km_rows = []
    for name, curve in curves.items():
        if curve is None or curve.empty:
            continue
        for r in curve.itertuples():
            if r.hours in (0, 24, 72, 168, 336, 672, 1344, 2160):
                km_rows.append([f"{name.title()}, day {int(r.hours // 24)}", pct(r.km), interval(r.km_ci_low, r.km_ci_high),
                                num(r.n_at_risk)])
    km_summary = _km_summary(curves, logrank)
    return page_for(
        facts, filters, "Retention in safe accommodation",
        "How many children stayed in their placement, rather than going missing, and for how long.",
        chart("chart-km", "Children not yet missing, by days since first placement", km_figure(curves), km_summary,
              data_table("table-km", "Kaplan-Meier survival at selected days (published values)",
                         ["Period and day", "Survival", "95% interval", "Children at risk"], km_rows),
              [KM_NOTE, f"Log-rank test of the two curves: {logrank}.", FOOTNOTE]),
        chart("chart-horizons", "Retention at each horizon", horizon_figure(rows), headline,
              data_table("table-horizons", "Retention at each horizon: baseline, pilot and the difference",
                         ["Horizon", "Baseline at risk", "Baseline retained", "Baseline 95% interval", "Baseline KM",
                          "Pilot at risk", "Pilot retained", "Pilot 95% interval", "Pilot KM",
                          "Difference (points)", "Difference 95% interval", "Fisher's exact p"], table_rows),
              [DEFINITION, "Rates with 95% Wilson intervals; differences are pilot minus baseline with Newcombe's "
               "hybrid score interval and Fisher's exact test, two-sided.", FOOTNOTE], open_table=True),
    )


def _km_summary(curves, logrank: str) -> str:
    parts = []
    for name, curve in curves.items():
        if curve is None or curve.empty:
            parts.append(f"The {name} curve is not shown: fewer than 10 children were placed.")
            continue
        at28 = curve[curve["hours"] == 672]
        if len(at28):
            parts.append(f"{name.title()}: {pct(at28['km'].iloc[0])} had not gone missing 28 days after placement.")
        else:
            last = curve.iloc[-1]
            parts.append(f"{name.title()}: the curve stops at day {int(last['hours'] // 24)} "
                         f"({pct(last['km'])}), where fewer than 10 children remain at risk.")
    parts.append(f"Log-rank test: {logrank}.")
    return " ".join(parts)
