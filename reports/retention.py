"""Retention: Kaplan-Meier curves, retention at each horizon, the pilot-baseline differences."""

from __future__ import annotations

from components.figures import horizon_figure, km_figure
from components.format import interval, num, p_value, pct, points
from components.words import rate_change
from metrics.disclosure import FOOTNOTE, disclose_curve
from metrics.retention import km_curve
from reports.context import Context
from reports.model import Panel, Table, View

HORIZON_LABELS = {"24h": "24 hours", "72h": "72 hours", "7d": "7 days", "28d": "28 days", "90d": "90 days"}
DEFINITION = ("Retention: of children placed, those who had not gone missing (a missing episode of type M; "
              "'away' episodes are not counted) by the horizon after their first placement, over those followed "
              "to the horizon or who went missing by then. Follow-up ends at the extract date or when a child left "
              "care for another reason (assessed as an adult, transferred, returned to family, reached 18).")
KM_NOTE = ("Kaplan-Meier survival over all placed children, with 95% intervals from Greenwood's variance on the "
           "log(-log) scale. The curve is drawn from its values every 24 hours, rounded to whole percentage points, "
           "and stops where fewer than 10 children remain at risk.")
CAVEAT = ("What this does not show: why retention changed. Children in the two periods may differ, and other things "
          "changed at the same time; small numbers make the intervals wide.")


def view(ctx: Context) -> View:
    periods, comparison = ctx.periods, ctx.doc["comparison"]
    curves = {}
    for name in ("baseline", "pilot"):
        placed_n = int(ctx.groups[name]["placed"].sum())
        curves[name] = disclose_curve(km_curve(ctx.groups[name]), placed_n) if placed_n else None
    rows, table_rows, notes = [], [], []
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
        notes.append(f"{title}: baseline {pct(b['rate'])} ({interval(b['ci_low'], b['ci_high'])}, {num(b['at_risk'])} at risk), "
                     f"pilot {pct(p['rate'])} ({interval(p['ci_low'], p['ci_high'])}, {num(p['at_risk'])} at risk)"
                     + (f"; difference {points(diff['difference'])} points ({interval(diff['ci_low'], diff['ci_high'], points)}), "
                        f"{p_value(diff['p_value'])}." if diff else "."))
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
    km_panel = Panel(
        "chart-km", "Children not yet missing, by days since first placement", _km_finding(curves),
        km_summary, km_figure(curves),
        Table("table-km", "Kaplan-Meier survival at selected days (published values)",
              ["Period and day", "Survival", "95% interval", "Children at risk"], km_rows),
        [KM_NOTE, f"Log-rank test of the two curves: {logrank}.", FOOTNOTE],
        f"{km_summary} {CAVEAT}")
    horizon_panel = Panel(
        "chart-horizons", "Retention at each horizon", headline.split(";")[0], headline, horizon_figure(rows),
        Table("table-horizons", "Retention at each horizon: baseline, pilot and the difference",
              ["Horizon", "Baseline at risk", "Baseline retained", "Baseline 95% interval", "Baseline KM",
               "Pilot at risk", "Pilot retained", "Pilot 95% interval", "Pilot KM",
               "Difference (points)", "Difference 95% interval", "Fisher's exact p"], table_rows),
        [DEFINITION, "Rates with 95% Wilson intervals; differences are pilot minus baseline with Newcombe's "
         "hybrid score interval and Fisher's exact test, two-sided.", FOOTNOTE],
        " ".join(notes) + " " + CAVEAT, open_table=True)
    return View("/retention", "Retention in safe accommodation",
                "How many children stayed in their placement, rather than going missing, and for how long.",
                [km_panel, horizon_panel], ctx.synthetic, ctx.scope(), extract_date=ctx.extract_date(), scheme=ctx.scheme())


def _km_finding(curves) -> str:
    values = {}
    for name, curve in curves.items():
        at28 = curve[curve["hours"] == 672] if curve is not None and not curve.empty else None
        values[name] = pct(at28["km"].iloc[0]) if at28 is not None and len(at28) else "c"
    return f"Not yet missing 28 days after placement: {values['baseline']} before the pilot, {values['pilot']} during it"


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
