"""Overview: the headline figures with their baseline, change and interval, in plain words."""

from __future__ import annotations

from harbour.views.ask import Ask
from harbour.views.context import Context
from harbour.views.figures import headline_figure
from harbour.views.format import SUPPRESSED, hours, interval, is_value, num, p_value, pct, points, signed
from harbour.views.model import Cell, Panel, Table, View
from harbour.views.report import Report
from harbour.views.words import (
    attribution_sentence,
    compact,
    first_sentence,
    median_change,
    per_year,
    period_months,
    precision_sentences,
    rate_change,
    rate_shown,
)

RETENTION_NOTE = (
    "Retention: children placed who had not gone missing (an episode of type M) by 28 days after their "
    "first placement, over those followed for 28 days or who went missing by then; 95% Wilson interval. "
    "Differences: pilot minus baseline with Newcombe's hybrid score interval."
)


def short_finding(sentence: str) -> str:
    """The headline of a finding: what a slide title can hold (views.words.first_sentence)."""
    return first_sentence(sentence)


def count_change(baseline, pilot):
    """The change in a published count, or None where either side is suppressed or missing."""
    if not is_value(baseline) or not is_value(pilot):
        return None
    return pilot - baseline


def _count_words(label: str, unit: str, baseline, pilot, base_period: dict, pilot_period: dict) -> tuple[str, str]:
    """(the card's change, its sentence) for a count such as children or episodes. Periods of different lengths are
    compared per 12 months (metrics.md version 4): "-360 children" between 98 months and 22 said nothing about the
    pilot; the counts themselves stay in the card and the table."""
    change = count_change(baseline, pilot)
    months = (period_months(base_period), period_months(pilot_period))
    if change is not None and None not in months and months[0] != months[1] and min(months) > 0:
        yearly = (per_year(baseline, months[0]), per_year(pilot, months[1]))
        step = signed(yearly[1] - yearly[0], unit)
        return (
            f"{step} a year" if yearly[1] != yearly[0] else f"no change a year in {unit}",
            f"{label}: {num(yearly[0])} a year before the pilot, {num(yearly[1])} a year during it "
            f"({num(baseline)} in the baseline's {months[0]} months, {num(pilot)} in the pilot's {months[1]}); "
            f"compared per 12 months because the periods differ in length.",
        )
    span = (
        f" The baseline covers {months[0]} months and the pilot {months[1]}, so compare counts with care."
        if None not in months and months[0] != months[1]
        else ""
    )
    if change is None:
        why = "too few to show (c)" if SUPPRESSED in (baseline, pilot) else "no figure for one period"
        return (
            f"not shown: {why}",
            f"{label}: {num(baseline)} in the baseline and {num(pilot)} in the pilot; the change is not shown "
            f"because one of them is {why}.{span}",
        )
    return (
        signed(change, unit),
        f"{label}: {num(baseline)} in the baseline and {num(pilot)} in the pilot, {signed(change, unit)}.{span}",
    )


def _with_attribution(ctx: Context, sentence: str) -> str:
    """The retention headline and, where one was computed, what the attribution found (docs/metrics.md, "Verdicts")."""
    if ctx.doc.get("attribution") is None:
        return sentence
    change = ((ctx.comparison or {}).get("retention") or {}).get("28d") or {}
    return f"{sentence} {attribution_sentence(ctx.doc['attribution'], None, change)}"


def kpis(ctx: Context) -> list[dict]:
    base, pilot = ctx.periods["baseline"], ctx.periods["pilot"]
    comparison = ctx.comparison
    diff28 = (comparison.get("retention") or {}).get("28d")
    eb, ep = base["engagement"], pilot["engagement"]
    median_diff = comparison.get("engagement_median_difference_hours")
    bands = (ctx.band("baseline", "28d"), ctx.band("pilot", "28d"))
    retention_change = (
        f"{points(diff28['difference'])} points"
        if diff28 and is_value(diff28["difference"])
        else (
            "not shown: so few went missing that it would give their number away"
            if any(bands)
            else "not shown: too few children at risk in a period"
            if diff28
            else "not shown: a period has no placed child"
        )
    )
    children_change, children_sentence = _count_words(
        "Children first contacted", "children", base["children"], pilot["children"], base, pilot
    )
    episodes_change, episodes_sentence = _count_words(
        "Missing episodes after placement",
        "episodes",
        base["missing"]["episodes"],
        pilot["missing"]["episodes"],
        base,
        pilot,
    )
    return [
        {
            "id": "kpi-retention",
            "title": "Retained 28 days after placement",
            "pilot": rate_shown(pilot["retention"]["28d"]["rate"], bands[1]),
            "baseline": rate_shown(base["retention"]["28d"]["rate"], bands[0]),
            "change": retention_change,
            "sentence": _with_attribution(
                ctx,
                rate_change(
                    "28-day retention",
                    base["retention"]["28d"]["rate"],
                    pilot["retention"]["28d"]["rate"],
                    diff28,
                    bands,
                ),
            ),
            "notes": " ".join(precision_sentences(ctx.doc.get("precision"), ctx.doc.get("precision_reason"))),
        },
        {
            "id": "kpi-engagement",
            "title": "Median hours to first engagement",
            "pilot": hours(ep["median_hours"]),
            "baseline": hours(eb["median_hours"]),
            "change": (
                f"{median_diff:+.1f} h"
                if is_value(median_diff)
                else "not shown: fewer than 10 children with an engagement recorded in a period"
            ),
            "sentence": median_change(
                eb["median_hours"], ep["median_hours"], median_diff, comparison.get("engagement_p_value")
            ),
        },
        {
            "id": "kpi-children",
            "title": "Children first contacted",
            "pilot": num(pilot["children"]),
            "baseline": num(base["children"]),
            "change": children_change,
            "sentence": children_sentence,
        },
        {
            "id": "kpi-missing",
            "title": "Missing episodes after placement",
            "pilot": num(pilot["missing"]["episodes"]),
            "baseline": num(base["missing"]["episodes"]),
            "change": episodes_change,
            "sentence": episodes_sentence,
        },
    ]


def view(ctx: Context) -> View:
    base, pilot, comparison = ctx.periods["baseline"], ctx.periods["pilot"], ctx.comparison
    cards = kpis(ctx)
    b28, p28 = base["retention"]["28d"], pilot["retention"]["28d"]
    bw, pw = base["engagement"]["within_24h"], pilot["engagement"]["within_24h"]
    rows = [
        {
            "label": "28-day retention",
            "baseline": b28,
            "pilot": p28,
            "bands": {p: ctx.band(p, "28d") for p in ("baseline", "pilot")},
        },
        {"label": "Engaged within 24 hours", "baseline": bw, "pilot": pw},
    ]
    diff28 = (comparison.get("retention") or {}).get("28d") or {}
    wdiff = comparison.get("within_24h_difference") or {}
    median_diff = comparison.get("engagement_median_difference_hours")
    table_rows = [
        [
            "Retained 28 days after placement",
            ctx.banded("baseline", "28d"),
            ctx.banded("pilot", "28d"),
            Cell(diff28.get("difference"), "points"),
            Cell(diff28.get("ci_low"), "points"),
            Cell(diff28.get("ci_high"), "points"),
            diff28.get("p_value"),
        ],
        [
            "Engaged within 24 hours",
            bw["rate"],
            pw["rate"],
            Cell(wdiff.get("difference"), "points"),
            Cell(wdiff.get("ci_low"), "points"),
            Cell(wdiff.get("ci_high"), "points"),
            None,
        ],
        [
            "Median hours to first engagement",
            Cell(base["engagement"]["median_hours"], "hours"),
            Cell(pilot["engagement"]["median_hours"], "hours"),
            Cell(median_diff, "hours"),
            None,
            None,
            comparison.get("engagement_p_value"),
        ],
        [
            "Children first contacted",
            Cell(base["children"], "count"),
            Cell(pilot["children"], "count"),
            Cell(count_change(base["children"], pilot["children"]), "signed"),
            None,
            None,
            None,
        ],
        [
            "Missing episodes after placement",
            Cell(base["missing"]["episodes"], "count"),
            Cell(pilot["missing"]["episodes"], "count"),
            Cell(count_change(base["missing"]["episodes"], pilot["missing"]["episodes"]), "signed"),
            None,
            None,
            None,
        ],
    ]
    speaker = (
        f"28-day retention: baseline {pct(b28['rate'])} ({interval(b28['ci_low'], b28['ci_high'])}), pilot "
        f"{pct(p28['rate'])} ({interval(p28['ci_low'], p28['ci_high'])}); difference "
        f"{points(diff28.get('difference'))} points, 95% interval "
        f"{interval(diff28.get('ci_low'), diff28.get('ci_high'), points)}, {p_value(diff28.get('p_value'))}. "
        f"Engaged within 24 hours: {pct(bw['rate'])} then {pct(pw['rate'])}, difference "
        f"{points(wdiff.get('difference'))} points ({interval(wdiff.get('ci_low'), wdiff.get('ci_high'), points)}). "
        "What this does not show: why it changed. A before-after comparison shows what changed, not what caused it."
    )
    # The chart shows both rates: its title says both, so it never repeats the retention slide's title.
    finding = short_finding(cards[0]["sentence"])
    engaged = short_finding(rate_change("engagement within 24 hours", bw["rate"], pw["rate"], wdiff))
    if "cannot be" not in engaged:  # two verdicts in one title, each shorter; never one that cannot be shown
        finding = f"{compact(finding)}; {compact(engaged)}"
    panel = Panel(
        panel_id="overview-headline",
        title="Headline figures, baseline and pilot",
        finding=finding,
        summary=f"{cards[0]['sentence']} {cards[1]['sentence']}"
        + (
            f" {engaged[0].upper()}{engaged[1:]}{'' if engaged.endswith('.') else '.'}"
            if SUPPRESSED in (bw["rate"], pw["rate"])  # the chart lacks that dot: the words say why
            else ""
        ),
        figure=headline_figure(rows),
        table=Table(
            "table-overview",
            "Headline figures: baseline, pilot and the change (pilot minus baseline)",
            [
                "Measure",
                ("Baseline", "rate"),
                ("Pilot", "rate"),
                ("Change", "points"),
                ("Change 95% low", "points"),
                ("Change 95% high", "points"),
                ("p-value", "p"),
            ],
            table_rows,
        ),
        notes=[RETENTION_NOTE, ctx.audience.footnote],
        speaker_notes=speaker,
        open_table=False,
    )
    return ctx.view(
        "/", "Overview", f"Did the scheme keep more children in safe accommodation? {ctx.scope()}.", [panel], kpis=cards
    )


def build(ask: Ask, facts) -> View:
    return view(ask.context(facts))


REPORT = Report("/", "Overview", build, order=0, deck=True, warm=True)
