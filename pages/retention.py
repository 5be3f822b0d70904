"""Retention: estimated survival (Kaplan-Meier) curves, retention at each horizon, the differences."""

from __future__ import annotations

from harbour.metrics.retention import km_curve
from harbour.pages.attribution import precision_panel
from harbour.views.ask import Ask
from harbour.views.context import Context
from harbour.views.figures import horizon_figure, km_figure
from harbour.views.format import interval, is_value, num, p_value, pct, points
from harbour.views.model import Cell, Panel, Table, View
from harbour.views.report import Report
from harbour.views.words import first_sentence, rate_change, rate_shown

HORIZON_LABELS = {"24h": "24 hours", "72h": "72 hours", "7d": "7 days", "28d": "28 days", "90d": "90 days"}
# Estimated survival is tabled between the horizons, so that each horizon has one number: its rate.
KM_TABLE_DAYS = (2, 5, 14, 21, 42, 60)
WEEK_DAYS = tuple(7 * week for week in range(1, 14))  # the life table's weeks, under perturbation
DEFINITION = (
    "Retention: of children placed, those who had not gone missing (a missing episode of type M; "
    "'away' episodes are not counted) by the horizon after their first placement, over those followed "
    "to the horizon or who went missing by then. Follow-up ends at the extract date or when a child left "
    "care for another reason (assessed as an adult, transferred, returned to family, reached 18)."
)
KM_NOTE = (
    "Estimated survival (Kaplan-Meier) over all placed children, with 95% intervals from Greenwood's variance "
    "on the log(-log) scale. It shows when children went missing; for the share retained at 24 hours, 72 "
    "hours, 7, 28 and 90 days, use the retention rates. The curve is drawn from its values every 24 hours and "
    "stops where fewer than 10 children remain at risk; a point where one to seven children had gone missing by then "
    "is c, "
    "a gap in the curve (its value would give their number away)."
)
KM_NOTE_PERTURBED = (
    "Estimated survival over all placed children, from a weekly life table of perturbed counts (the children still "
    "at risk at the start of each week after placement, and those who first went missing in it), with 95% intervals "
    "from Greenwood's variance on the log(-log) scale. It shows when children went missing; for the share retained "
    "at 24 hours, 72 hours, 7, 28 and 90 days, use the retention rates. The curve stops before the first week with "
    "fewer than 10 children at risk."
)
CAVEAT = (
    "What this does not show: why retention changed. Children in the two periods may differ, and other things "
    "changed at the same time; small numbers make the intervals wide."
)


def _published(curve):
    """The curve's points that have a value (not c: see metrics.disclosure.disclose_curve)."""
    if curve is None or curve.empty:
        return curve
    return curve[[not isinstance(v, str) for v in curve["km"]]]


def most_missing_by(curve) -> int | None:
    """The first day by which at least half of the curve's whole fall had happened: when most of the
    children who went missing (within the curve's follow-up) did so. None for a curve that never falls, and where
    a c point comes first (the fall happened where the curve may not show it: "within 82 days" was only the first
    day shown after a gap)."""
    shown = _published(curve)
    if shown is None or shown.empty:
        return None
    fall = 1.0 - float(shown["km"].iloc[-1])
    if fall <= 0:
        return None
    for hours, km in zip(curve["hours"], curve["km"]):
        if isinstance(km, str):
            return None
        if 1.0 - float(km) >= fall / 2:
            return max(1, int(round(hours / 24)))
    return None


def _last_shared_day(curves) -> tuple[float, float] | None:
    """Both periods' published values at the last point where both curves have one."""
    if any(_published(c) is None or _published(c).empty for c in curves.values()):
        return None
    baseline, pilot = (_published(curves[n]).set_index("hours")["km"] for n in ("baseline", "pilot"))
    shared = sorted(set(baseline.index) & set(pilot.index))
    # The last shared point where the two differ (the very last may be equal, rounded to whole points).
    differing = [h for h in shared if float(baseline[h]) != float(pilot[h])]
    at = differing[-1] if differing else shared[-1] if shared else None
    return (float(baseline[at]), float(pilot[at])) if at is not None else None


def _km_finding(curves, logrank_p) -> str:
    """What the curves show, in words their figures hold: whether they differ by more than chance (the log-rank
    test) and which lies higher, never a value at a horizon (that is the retention rate's, metrics.md)."""
    shown = {name: c for name, c in curves.items() if c is not None and not c.empty}
    if not shown:
        return "The share still in safe accommodation cannot be shown: fewer than 10 children were placed"
    if len(shown) == 1:
        name = next(iter(shown))
        return (
            f"The share still in safe accommodation, day by day, {'before' if name == 'baseline' else 'during'} "
            f"the pilot only: the other period has fewer than 10 children placed"
        )
    test = p_value(logrank_p) if is_value(logrank_p) else "no test of the curves"
    pair = _last_shared_day(curves)
    if is_value(logrank_p) and logrank_p < 0.05 and pair and pair[0] != pair[1]:
        return (
            f"Children stayed in safe accommodation longer {'during' if pair[1] > pair[0] else 'before'} the pilot "
            f"than {'before' if pair[1] > pair[0] else 'during'} it ({test})"
        )
    if is_value(logrank_p) and logrank_p < 0.05:  # a real difference, whichever curve the points cannot show
        return (
            f"How long children stayed in safe accommodation: the periods differ by more than chance ({test}), but "
            "the points that can be shown do not say which lies higher"
        )
    return f"How long children stayed in safe accommodation: no clear difference between the periods ({test})"


def _km_summary(curves, logrank: str) -> str:
    parts = []
    for name, curve in curves.items():
        if curve is None or curve.empty:
            parts.append(f"The {name} curve is not shown: fewer than 10 children were placed.")
            continue
        shown = _published(curve)
        if shown.empty:
            parts.append(f"The {name} curve is c throughout: one to seven children went missing over its follow-up.")
            continue
        # Its value on the last day the table gives, a day between the horizons: at a horizon the retention rate
        # is the figure, and the two differ ("77% by day 90" beside a 90-day retention of 76%).
        tabled = shown[[int(h // 24) in KM_TABLE_DAYS and h % 24 == 0 for h in shown["hours"]]]
        day = most_missing_by(curve)
        hidden = len(shown) < len(curve)
        when = (
            f"half of its fall came within {day} day{'s' if day != 1 else ''}"
            if day
            else "when most of its fall came is not shown: too few had gone missing by then (c)"
            if hidden
            else "it never falls"
        )
        value = (
            f"the share still in safe accommodation is {pct(tabled.iloc[-1]['km'])} by day "
            f"{int(tabled.iloc[-1]['hours'] // 24)}; "
            if len(tabled)
            else ""
        )
        parts.append(f"{name.title()}: {value}{when}.")
    parts.append(f"Whether the two curves differ by more than chance: {logrank}.")
    return " ".join(parts)


def _km_rows(curves, days=KM_TABLE_DAYS) -> list[list]:
    rows = []
    for day in days:
        row = [day]  # a number, so that a spreadsheet can sort and chart it
        for name in ("baseline", "pilot"):
            curve = curves.get(name)
            at = curve[curve["hours"] == day * 24] if curve is not None and not curve.empty else None
            if at is None or not len(at):
                row += [None, None, None, None]
            else:
                r = at.iloc[0]
                row += [r["km"], r["km_ci_low"], r["km_ci_high"], r["n_at_risk"]]
        rows.append(row)
    return rows


def view(ctx: Context) -> View:
    return ctx.view(
        "/retention",
        "Retention in safe accommodation",
        "How many children stayed in their placement, rather than going missing, and for how long.",
        [_horizon_panel(ctx), _km_panel(ctx), precision_panel(ctx)],
    )


def _horizon_panel(ctx: Context) -> Panel:
    """Retention at every horizon, both periods, with the differences and their tests."""
    periods, comparison, audience = ctx.periods, ctx.doc["comparison"], ctx.audience
    rows, table_rows, notes = [], [], []
    for label, title in HORIZON_LABELS.items():
        b, p = periods["baseline"]["retention"][label], periods["pilot"]["retention"][label]
        diff = comparison["retention"][label] if comparison else {}
        for name, h in (("baseline", b), ("pilot", p)):
            rows.append(
                {
                    "period": name,
                    "horizon": title,
                    "band": ctx.band(name, label),
                    **{k: h[k] for k in ("rate", "ci_low", "ci_high")},
                }
            )
            table_rows.append(
                [title, name.title(), h["at_risk"], ctx.banded(name, label), h["ci_low"], h["ci_high"], None]
            )
        table_rows.append(
            [
                title,
                "Difference (points)",
                None,
                Cell(diff.get("difference"), "points"),
                Cell(diff.get("ci_low"), "points"),
                Cell(diff.get("ci_high"), "points"),
                diff.get("p_value"),
            ]
        )
        notes.append(
            f"{title}: baseline {rate_shown(b['rate'], ctx.band('baseline', label))} "
            f"({interval(b['ci_low'], b['ci_high'])}, {num(b['at_risk'])} at risk), "
            f"pilot {rate_shown(p['rate'], ctx.band('pilot', label))} ({interval(p['ci_low'], p['ci_high'])}, "
            f"{num(p['at_risk'])} at risk)"
            + (
                f"; difference {points(diff['difference'])} points "
                f"({interval(diff['ci_low'], diff['ci_high'], points)}), "
                f"{p_value(diff['p_value'])}."
                if diff
                else "."
            )
        )
    d28 = comparison["retention"]["28d"] if comparison else None
    headline = rate_change(
        "28-day retention",
        periods["baseline"]["retention"]["28d"]["rate"],
        periods["pilot"]["retention"]["28d"]["rate"],
        d28,
        (ctx.band("baseline", "28d"), ctx.band("pilot", "28d")),
    )
    finding = first_sentence(headline)
    return Panel(
        panel_id="chart-horizons",
        title="Retention at each horizon",
        finding=finding,
        summary=headline,
        figure=horizon_figure(rows),
        table=Table(
            "table-horizons",
            "Retention at each horizon: baseline, pilot and the difference (pilot minus baseline)",
            [
                "Horizon",
                "Period",
                ("At risk", "count"),
                ("Retained", "rate"),
                ("95% low", "rate"),
                ("95% high", "rate"),
                ("p (could the difference be chance?)", "p"),
            ],
            table_rows,
        ),
        notes=[
            DEFINITION,
            "Rates with 95% Wilson intervals; differences are pilot minus baseline with Newcombe's "
            "hybrid score interval and Fisher's exact test, two-sided.",
            audience.footnote,
        ],
        speaker_notes=" ".join(notes) + " " + CAVEAT,
        open_table=True,
    )


def _km_panel(ctx: Context) -> Panel:
    """The estimated survival (Kaplan-Meier) curves of both periods, with the log-rank test."""
    comparison, audience = ctx.doc["comparison"], ctx.audience
    curves = {}
    for name in ("baseline", "pilot"):
        placed_n = int(ctx.groups[name]["placed"].sum())
        # The wider views' curves: a point one small step from theirs is c (filters that cannot be subtracted).
        wider = [km_curve(w[name]) for w in ctx.wider if int(w[name]["placed"].sum())]
        curves[name] = (
            audience.curve(km_curve(ctx.groups[name]), placed_n, wider, cohort=ctx.groups[name]) if placed_n else None
        )
    logrank = p_value(comparison["logrank_p"]) if comparison else "–"
    km_summary = _km_summary(curves, logrank)
    return Panel(
        panel_id="chart-km",
        title="The share still in safe accommodation, by days since first placement",
        finding=_km_finding(curves, comparison["logrank_p"] if comparison else None),
        summary=km_summary,
        figure=km_figure(curves),
        table=Table(
            "table-km",
            "Still in safe accommodation at the end of each week after placement"
            if audience.perturbing
            else "Still in safe accommodation on days between the retention horizons",
            [
                ("Day", "day"),
                ("Baseline: still in safe accommodation", "rate"),
                ("Baseline 95% low", "rate"),
                ("Baseline 95% high", "rate"),
                ("Baseline at risk", "count"),
                ("Pilot: still in safe accommodation", "rate"),
                ("Pilot 95% low", "rate"),
                ("Pilot 95% high", "rate"),
                ("Pilot at risk", "count"),
            ],
            _km_rows(curves, WEEK_DAYS if audience.perturbing else KM_TABLE_DAYS),
        ),
        notes=[
            KM_NOTE_PERTURBED if audience.perturbing else KM_NOTE,
            f"Log-rank test of the two curves: {logrank}.",
            audience.footnote,
        ],
        speaker_notes=f"{km_summary} {CAVEAT}",
    )


def build(ask: Ask, facts) -> View:
    return view(ask.context(facts, attribution=False))


REPORT = Report("/retention", "Retention", build, order=1, deck=True, warm=True)
