"""Was it the scheme? The selected force's quarterly 28-day retention against forces that had no scheme in the
same quarters, what the model attributes to the scheme, the placebo test, and what the force's numbers can show
at all (docs/metrics.md, version 3: "Attribution" and "Precision").

Honours the cohort's filters (age band, sex, nationality, contact route) on every force's children; ignores
the months of first contact (the model compares whole quarters of each force's own periods), and says so.
"""

from __future__ import annotations

from harbour.exchange.comparisons import of
from harbour.metrics.attribution import counterfactual
from harbour.metrics.disclosure import hidden_if, hidden_with, perturbed_rate
from harbour.metrics.precision import GAINS, never_possible, power, precision
from harbour.metrics.retention import horizon_counts
from harbour.views import theme
from harbour.views.ask import Ask
from harbour.views.context import Context
from harbour.views.format import is_value, long_date, period_label, plotly_text, points
from harbour.views.model import Cell, Panel, Table, View
from harbour.views.report import Report
from harbour.views.theme import PERIOD_STYLE, figure, layout
from harbour.views.words import (
    as_large_count,
    attribution_notes,
    attribution_sentence,
    clear,
    first_sentence,
    precision_sentences,
)

MODEL_NOTE = (
    "Quarterly 28-day retention by quarter of first contact, complete quarters only. A binomial model with "
    "a level for every force and every quarter, and the scheme's effect on the force's pilot quarters "
    "(quasi-binomial standard errors, never below binomial); the effect is the average, in points, over the "
    "force's pilot children. Placebo test: each comparison force in turn treated as if its scheme had "
    "started when this force's did."
)
CANNOT = (
    "What this does not show, and cannot rule out: anything else that changed in this force, and not in the "
    "others, when its scheme began (a new placement provider, a change of recording, a different mix of children)."
)
POWER_NOTE = (
    "Power: the chance that a two-sided 5% test of the before-and-after difference shows a real gain of "
    "that size (normal approximation), with the baseline as it is and the pilot's children at risk growing "
    "at its rate so far. 80% is the usual bar."
)


def view(ctx: Context) -> View:
    found, reason = ctx.attributed or (None, "attribution is for one force at a time: choose a force in the filters")
    published = ctx.doc.get("attribution")
    notices = []
    if ctx.filters.month_from or ctx.filters.month_to:
        notices.append(
            "This page ignores the months of first contact in the filters: attribution compares whole "
            "quarters of each force's own baseline and pilot. The other filters apply to every force."
        )
    notices += exchange_notices(ctx, found)
    panels = (
        [
            _quarterly_panel(ctx, found, published),
            _placebo_panel(ctx, found, published),
            _sources_panel(ctx, found),
        ]
        if found is not None
        else [_none_panel(ctx, reason)]
    )
    panels.append(precision_panel(ctx))
    return ctx.view(
        "/attribution",
        "Was it the scheme?",
        "How much of the change in 28-day retention stands out against forces without a scheme over the "
        "same quarters, and how large a change these numbers could show at all.",
        panels,
        notices,
    )


def _change(ctx: Context) -> dict | None:
    """The before-and-after change in 28-day retention as published (pilot less baseline, with its interval)."""
    return ((ctx.comparison or {}).get("retention") or {}).get("28d")


def names_of(ctx: Context, found: dict | None) -> dict:
    """Every force's name by code: the warehouse's and the comparison forces' from packs."""
    names = dict(zip(ctx.facts.forces["force_code"], ctx.facts.forces["force_name"]))
    for source in (found or {}).get("comparator_sources") or []:
        names.setdefault(source["force"], source["name"])
    return names


def exchange_notices(ctx: Context, found: dict | None) -> list[str]:
    """What a filtered view leaves out (a pack holds a whole force's counts) and which packs cannot serve."""
    out = []
    comparisons = of(ctx.facts)
    unused = (found or {}).get("packs_unused")
    if unused:
        used = ", ".join(s["name"] for s in found["comparator_sources"]) or "none"
        out.append(
            f"With the cohort filter, attribution compares only forces whose records are in this warehouse "
            f"({used}): the {unused['forces']} forces from packs publish whole forces' counts only, and filtered "
            "and whole-force counts are never mixed. Clear the cohort filter to compare with them too."
        )
    if comparisons is not None and comparisons.unusable:
        shown = "; ".join(f"{name}: {why}" for name, why in comparisons.unusable[:6])
        more = len(comparisons.unusable) - 6
        out.append("Packs that cannot serve attribution: " + shown + (f"; and {more} more" if more > 0 else "") + ".")
    return out


def _sources_panel(ctx: Context, found: dict) -> Panel:
    """Each comparison force, and where its counts came from."""
    sources = found.get("comparator_sources") or []
    packed = sum(1 for s in sources if s["source"] == "pack")
    own = len(sources) - packed
    summary = (
        f"The {len(sources)} comparison forces: {own} from this warehouse's own records and {packed} from signed "
        "packs of the exchange, each verified against the key this warehouse trusts for its force. A pack's counts "
        "are that force's published figures (perturbed, or c under suppression: a c quarter is left out)."
    )
    return Panel(
        panel_id="attribution-sources",
        title="The forces compared, and where their counts came from",
        finding=f"{len(sources)} forces without a scheme: {own} from this warehouse, {packed} from signed packs",
        summary=summary,
        figure=None,
        table=Table(
            "table-attribution-sources",
            "Each comparison force and the source of its quarterly counts",
            ["Force", "Counts from", "Extract", "Signed by key"],
            [
                [
                    s["name"],
                    "a signed pack" if s["source"] == "pack" else "this warehouse",
                    long_date(s["extract_date"]) if s["extract_date"] else "",
                    (s["signer_fingerprint"] or "")[:16],
                ]
                for s in sources
            ],
        ),
        slide_table=Table(
            "table-attribution-sources-slide",
            "The comparison forces by the source of their counts",
            ["Counts from", "Forces"],
            _grouped(sources),
        ),
        notes=[summary, ctx.audience.footnote],
        speaker_notes=summary
        + " Signers' keys: "
        + "; ".join(f"{s['name']}: {s['signer_fingerprint']}" for s in sources if s["source"] == "pack")
        + ".",
        open_table=True,
    )


def _grouped(sources: list[dict]) -> list[list[str]]:
    """One row a source (this warehouse; the signed packs of one extract date), naming its forces: what a slide holds
    (the page's table gives each force's row and its signer's key)."""
    groups: dict[str, list[str]] = {}
    for s in sources:
        where = (
            f"Signed packs, extract {long_date(s['extract_date'])}"
            if s["source"] == "pack"
            else "This warehouse's own records"
        )
        groups.setdefault(where, []).append(s["name"])
    return [[f"{where} ({len(names)})", ", ".join(names)] for where, names in groups.items()]


def _every_quarter(first: str, last: str) -> list[str]:
    """Every quarter label from ``first`` to ``last`` ('2016-Q4' ...), so that a quarter used for no force (the one
    a scheme began part-way through) shows as a gap, not as two quarters side by side."""
    year, q = int(first[:4]), int(first[-1])
    out = []
    while f"{year}-Q{q}" <= last:
        out.append(f"{year}-Q{q}")
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out


def _none_panel(ctx: Context, reason: str) -> Panel:
    sentence = attribution_sentence(None, reason, _change(ctx))
    return Panel(
        panel_id="attribution-none",
        title="The scheme against forces without one",
        finding=first_sentence(sentence),
        summary=sentence,
        figure=None,
        table=Table("table-attribution-none", "Why there is no attribution", ["Reason"], [[reason]]),
        notes=[MODEL_NOTE],
        speaker_notes=f"{sentence} {CANNOT}",
        open_table=True,
    )


def _rate(audience, retained: int, at_risk: int):
    """A quarter's rate; under perturbation the model's rows are the perturbed counts themselves (attribution on
    published counts), so their rate is taken as it stands."""
    if audience.perturbing:
        return perturbed_rate(int(retained), int(at_risk))["rate"]
    return audience.rate(int(retained), int(at_risk))["rate"]


def _count(audience, n: int):
    """A quarter's count as suppression publishes it (under perturbation the table gives rates alone)."""
    return audience.count(int(n))


def _quarterly_panel(ctx: Context, found: dict, published: dict) -> Panel:
    """The force's quarterly rate beside each comparison force's and theirs pooled, and the band of what its
    pilot quarters would have been had it moved like them."""
    audience = ctx.audience
    rows = found["_rows"]
    treated = found["_treated"]
    names = names_of(ctx, found)
    present = sorted({r["quarter"] for r in rows})
    quarters = _every_quarter(present[0], present[-1]) if present else []
    mine = {r["quarter"]: r for r in rows if r["force_code"] == treated}
    pooled = {
        q: [
            sum(r[k] for r in rows if r["quarter"] == q and r["force_code"] != treated) for k in ("retained", "at_risk")
        ]
        for q in quarters
    }
    hidden = not is_value(published.get("effect"))  # the force's quarters hold fewer than 10 at risk in all
    band = {c["quarter"]: c for c in counterfactual(found)}
    cf = {
        q: {
            k: hidden_if(hidden, v if v is None else round(v, 2))
            for k, v in c.items()
            if k in ("without", "without_low", "without_high")
        }
        for q, c in band.items()
    }

    def scaled(v):
        return v * 100 if is_value(v) else None

    x = [period_label(q) for q in quarters]
    data = []
    for code in found["comparator_forces"]:
        theirs = {r["quarter"]: r for r in rows if r["force_code"] == code}
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": x,
                "name": "Each force without a scheme",
                "legendgroup": "each",
                "showlegend": False,
                "y": [
                    scaled(_rate(audience, theirs[q]["retained"], theirs[q]["at_risk"])) if q in theirs else None
                    for q in quarters
                ],
                "connectgaps": False,
                "line": {"color": theme.SERIES["grey"], "width": 1},
                "opacity": 0.45,
                "text": [plotly_text(names.get(code, code))] * len(x),
                "hovertemplate": "%{text} %{x}: %{y:.0f}%<extra></extra>",
            }
        )
    pilot_x = [period_label(q) for q in quarters if q in band]
    if not hidden and pilot_x:
        lows = [cf[q]["without_low"] * 100 for q in quarters if q in band]
        highs = [cf[q]["without_high"] * 100 for q in quarters if q in band]
        # The band and its line are one entry of the legend: "had it moved like them", with its 95% band.
        data += [
            {
                "type": "scatter",
                "mode": "lines",
                "x": pilot_x,
                "y": highs,
                "line": {"width": 0},
                "showlegend": False,
                "hoverinfo": "skip",
                "legendgroup": "without",
            },
            {
                "type": "scatter",
                "mode": "lines",
                "x": pilot_x,
                "y": lows,
                "fill": "tonexty",
                "fillcolor": "rgba(0, 114, 178, 0.15)",
                "line": {"width": 0},
                "showlegend": False,
                "hoverinfo": "skip",
                "legendgroup": "without",
            },
            {
                "type": "scatter",
                "mode": "lines",
                "x": pilot_x,
                "y": [cf[q]["without"] * 100 for q in quarters if q in band],
                "name": "Had it moved like them (95% band)",
                "legendgroup": "without",
                "line": {"color": theme.SERIES["blue"], "dash": "dot", "width": 2},
                "hovertemplate": "%{x}: %{y:.0f}% had it moved like the others<extra></extra>",
            },
        ]
    data.append(
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": x,
            "name": "Without a scheme, pooled",
            "y": [scaled(_rate(audience, *pooled[q])) if pooled[q][1] else None for q in quarters],
            "connectgaps": False,
            "line": {"color": theme.INK, "dash": "dash", "width": 2},
            "marker": {"symbol": "diamond", "size": 8},
            "hovertemplate": "Pooled %{x}: %{y:.0f}%<extra></extra>",
        }
    )
    style = PERIOD_STYLE["pilot"]
    data.append(
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": x,
            "name": plotly_text(names.get(treated, treated)),
            "y": [
                scaled(_rate(audience, mine[q]["retained"], mine[q]["at_risk"])) if q in mine else None
                for q in quarters
            ],
            "line": {"color": style["color"], "width": 3},
            "marker": {"symbol": style["symbol"], "size": 10},
            "hovertemplate": "%{x}: %{y:.0f}%<extra></extra>",
        }
    )
    first_pilot = min(band) if band else None
    shapes = [theme.rule(x=period_label(first_pilot), width=1)] if first_pilot else []
    notes = (
        [
            {
                # The model's first pilot quarter is the first whole one: a line labelled "Pilot begins" at Q4 2017
                # said so of a pilot that began on 1 August 2017.
                "text": f" First whole pilot quarter (the pilot began {_began(ctx, treated)})",
                "x": period_label(first_pilot),
                "y": 0.02,
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
            }
        ]
        if first_pilot
        else []
    )
    # Three entries, one row even in a projector's type; the thin grey lines are named in the notes.
    fig = figure(
        data,
        layout(
            y_title="Retained 28 days after placement (%)",
            yaxis={"range": [0, 101]},
            xaxis={"type": "category"},
            shapes=shapes,
            annotations=notes,
            height=480,
        ),
    )
    # Under perturbation the quarters' rates without their counts: a quarter's children at risk beside its rate
    # give its children not retained, and runs of quarters of 1 (a 1 is always published as 1) beside the period's
    # count gave each 1 back (the perturbation attack found them on both demos).
    counted = not audience.perturbing
    table_rows = []
    for q in present:
        m = mine.get(q)
        c = cf.get(q, {})
        table_rows.append(
            [
                period_label(q),
                "pilot" if q in band else "baseline",
                _rate(audience, m["retained"], m["at_risk"]) if m else None,
                *([_count(audience, m["at_risk"]) if m else None] if counted else []),
                _rate(audience, *pooled[q]),
                *([_count(audience, pooled[q][1])] if counted else []),
                c.get("without"),
                c.get("without_low"),
                c.get("without_high"),
            ]
        )
    sentence = attribution_sentence(published, None, _change(ctx))
    technical = attribution_notes(published)
    comparators = ", ".join(names.get(c, c) for c in found["comparator_forces"])
    skipped = [period_label(q) for q in quarters if q not in set(present)]
    gap = (
        f" {', '.join(skipped)}: used for no force (a scheme began part-way through it, or no child was at risk)."
        if skipped
        else ""
    )
    finding = (
        f"About {points(published['effect'])} points of the change stand out as the scheme's"
        if is_value(published.get("effect")) and clear(published["ci_low"], published["ci_high"])
        else "No clear effect beyond the change in forces without a scheme"
    )
    return Panel(
        panel_id="chart-attribution",
        title=f"28-day retention by quarter, against {found['comparators']} forces without a scheme",
        finding=finding,
        summary=sentence,
        figure=fig,
        table=Table(
            "table-attribution",
            "28-day retention by quarter: the force, the forces without a scheme pooled, "
            "and the force had it moved like them",
            [
                "Quarter",
                "Period",
                ("Force", "rate"),
                *([("Force at risk", "count")] if counted else []),
                ("Without a scheme, pooled", "rate"),
                *([("Pooled at risk", "count")] if counted else []),
                ("Had it moved like them", "rate"),
                ("95% low", "rate"),
                ("95% high", "rate"),
            ],
            table_rows,
        ),
        notes=[
            MODEL_NOTE + gap,
            *([technical] if technical else []),
            f"Forces without a scheme in these quarters (each a thin grey line): {comparators}.",
            CANNOT,
            audience.footnote,
        ],
        speaker_notes=f"{sentence} {technical} The comparison forces: {comparators}. {CANNOT}",
    )


def _began(ctx: Context, force: str) -> str:
    """The force's pilot start, as "1 Aug 2017"."""
    start = ctx.facts.forces.set_index("force_code").at[force, "pilot_start"]
    return f"{start.day} {start.strftime('%b %Y')}" if start is not None else "–"


def _placebo_panel(ctx: Context, found: dict, published: dict) -> Panel:
    """Each comparison force's effect had its scheme started when this force's did, beside this force's own: how
    often a change this large arises in a force without a scheme."""
    audience = ctx.audience
    names = names_of(ctx, found)
    hidden = not is_value(published.get("effect"))
    treated = found["_treated"]
    j = found["comparators"]

    def shown(v):
        return hidden_if(hidden, None if v is None else (round(v, 2) if not audience.exact else v))

    # (name, the change shown, this force?, as large as this force's either way: by the fitted values, the rule the
    # placebo p counts by, so that the table's "yes" rows are the k of the words; a refit with no finite estimate
    # counts as as large)
    effect = found["effect"]
    effects = [
        (names.get(code, code), shown(e), False, e is None or abs(e) >= abs(effect))
        for code, e in ((code, found["_placebo"][code]) for code in found["comparator_forces"])
    ]
    this = f"{names.get(treated, treated)} (its scheme)"
    effects.append((this, shown(effect), True, None))
    # Force names are a bundle's or a pack's text: escaped wherever Plotly reads them (tables and words by Dash).
    effects.sort(key=lambda e: e[1] if is_value(e[1]) else 0)
    drawn = [e for e in effects if is_value(e[1])]
    size = abs(published["effect"]) * 100 if not hidden else None
    fig = None
    if drawn and not hidden:
        band = [
            {
                "type": "rect",
                "x0": -size,
                "x1": size,
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "fillcolor": "rgba(0, 0, 0, 0.06)",
                "line": {"width": 0},
                "layer": "below",
            },
            *(theme.rule(x=x, dash="dash", width=1) for x in ((-size, size) if size else ())),
            theme.rule(x=0),
        ]
        fig = figure(
            [
                {
                    "type": "scatter",
                    "mode": "markers",
                    "x": [e[1] * 100 for e in drawn],
                    "y": [plotly_text(e[0]) for e in drawn],
                    "marker": {
                        "size": [16 if e[2] else 10 for e in drawn],
                        "symbol": ["square" if e[2] else "circle" for e in drawn],
                        "color": [PERIOD_STYLE["pilot"]["color"] if e[2] else theme.SERIES["grey"] for e in drawn],
                    },
                    "text": ["this force, its scheme" if e[2] else "as if it had started a scheme then" for e in drawn],
                    "hovertemplate": "%{y}: %{x:+.0f} points (%{text})<extra></extra>",
                    "showlegend": False,
                }
            ],
            layout(
                height=max(320, 26 * len(drawn) + 140),
                # Every force named, however short the chart (a slide's height dropped every other name).
                yaxis={
                    "tickmode": "array",
                    "tickvals": [plotly_text(e[0]) for e in drawn],
                    "ticktext": [plotly_text(e[0]) for e in drawn],
                    "tickfont": {"size": 15},  # a row a force: 18 of them fit a slide's chart at this size
                },
                x_title="Change in 28-day retention had each started a scheme then (points)",
                margin={"l": 300, "r": 20, "t": 50, "b": 60},
                shapes=band,
                annotations=[
                    {
                        "text": f"as large as this force's, either way (±{size:.0f} points, dashed)",
                        "x": 0,
                        "y": 1,
                        "yref": "paper",
                        "xanchor": "center",
                        "yanchor": "bottom",
                        "showarrow": False,
                    }
                ],
            ),
        )
    k = as_large_count(published) if not hidden else None
    if hidden:
        summary = "Not shown: too few children at risk (c)."
        finding = "Not shown: too few children (c)"
    else:
        finding = (
            f"In none of the {j} forces without a scheme did a change this large arise by chance"
            if k == 0
            else f"In {k} of the {j} forces without a scheme a change this large arose by chance"
        )
        summary = (
            f"Had each of the {j} forces without a scheme started one when this force did, "
            f"{'none' if k == 0 else k} of them would show a change at least as large as this force's. Sizes are "
            "compared both ways: a fall as large as this force's change counts as large as a rise (outside the "
            f"dashed lines). With {j} forces, the least this can say is that 1 force in {j + 1} would show such a "
            "change by chance."
        )
    technical = attribution_notes(published)
    return Panel(
        panel_id="chart-placebo",
        title="Had each force without a scheme started one when this force did",
        finding=finding,
        summary=summary,
        figure=fig,
        table=Table(
            "table-placebo",
            "Change in 28-day retention had each force started a scheme when this force did",
            ["Force", "Role", ("Change (points)", "points"), "As large as this force's, either way"],
            [
                [
                    e[0].removesuffix(" (its scheme)"),
                    "this force: its scheme" if e[2] else "as if it had started a scheme then",
                    e[1],
                    "" if e[2] or hidden else ("yes" if is_value(e[1]) else "yes (no estimate)") if e[3] else "no",
                ]
                for e in effects
            ],
        ),
        notes=[
            "The placebo test: each comparison force in turn is treated as if its scheme had started when this "
            "force's did, the same model fitted on the comparison forces alone; the placebo p-value is the share of "
            "forces (this one included) whose change is at least as large as this force's, either way. With few "
            "forces it cannot be small. A refit with no finite estimate counts as at least as large.",
            *([technical] if technical else []),
            audience.footnote,
        ],
        speaker_notes=f"{summary} {technical} {CANNOT}",
    )


def exact_precision(ctx: Context):
    """(the force's exact precision, reason) from its cohorts: the words need whether a gain could ever show."""
    forces = ctx.forces
    if len(forces) != 1:
        return None, "precision is for one force at a time"
    row = forces.iloc[0]
    b = horizon_counts(ctx.groups["baseline"], 672.0)
    p = horizon_counts(ctx.groups["pilot"], 672.0)
    start = row["pilot_start"] if hasattr(row["pilot_start"], "year") else None
    return precision(b["at_risk"], b["retained"], p["at_risk"], start, row["extract_date"])


def precision_panel(ctx: Context) -> Panel:
    """What these numbers can show: the gain detectable now, the power now for 5, 10 and 15 points, the years of
    pilot each would need, and a chart of power against years of pilot."""
    audience = ctx.audience
    exact, reason = exact_precision(ctx)
    published = ctx.doc.get("precision") if ctx.doc.get("precision") is not None else None
    never = {f"{d:.2f}": never_possible(exact, f"{d:.2f}") for d in GAINS} if exact else {}
    lines = precision_sentences(published, ctx.doc.get("precision_reason") or reason, never)
    fig, rows = None, []
    if published is not None and is_value(published.get("baseline_rate")):
        years = [y / 4 for y in range(1, 41)]
        p_b, n_b, k = exact["baseline_rate"], exact["baseline_at_risk"], exact["per_year"]
        data = []
        colours = (theme.SERIES["blue"], theme.SERIES["vermillion"], theme.SERIES["green"])
        symbols = ("circle", "square", "diamond")
        for d, colour, symbol in zip(GAINS, colours, symbols):
            values = [power(d, p_b, n_b, k * y) for y in years]
            shown = [round(v * 100) if not audience.exact else v * 100 for v in values]
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "x": years,
                    "y": shown,
                    "name": f"A {d * 100:.0f}-point gain",
                    "line": {"color": colour, "width": 3},
                    "marker": {"symbol": symbol, "size": 7, "maxdisplayed": 12},
                    "hovertemplate": f"{d * 100:.0f} points, %{{x}} years: %{{y:.0f}}%<extra></extra>",
                }
            )
        fig = figure(
            data,
            layout(
                x_title="Years of pilot",
                y_title="Chance of showing the gain (%)",
                yaxis={"range": [0, 101]},
                shapes=[theme.rule(y=80)],
                annotations=[
                    {
                        "text": "80%",
                        "x": 1,
                        "xref": "paper",
                        "y": 80,
                        "xanchor": "right",
                        "yanchor": "bottom",
                        "showarrow": False,
                    }
                ],
            ),
        )
    if published is not None:
        for d in GAINS:
            gain = f"{d:.2f}"
            years_needed = (
                published["years_needed"].get(gain) if isinstance(published.get("years_needed"), dict) else None
            )
            words = (
                f"{years_needed:g} year{'s' if years_needed != 1 else ''}"
                if is_value(years_needed)
                else "never with this baseline"
                if never.get(gain)
                else hidden_with(published.get("detectable_now"), "more than 20 years")
            )
            rows.append([f"{d * 100:.0f} points", published["power_now"].get(gain), words])
    now = published.get("detectable_now") if published else None
    return Panel(
        panel_id="chart-precision",
        title="What these numbers can show",
        finding=first_sentence(lines[0]),
        summary=" ".join(lines),
        figure=fig,
        table=Table(
            "table-precision",
            "Power now, and the years of pilot each gain would need",
            ["Gain in 28-day retention", ("Power now", "rate"), "Years of pilot needed for 80%"],
            rows + ([["Smallest gain these numbers can show now", Cell(now, "rate"), ""]] if published else []),
        ),
        notes=[POWER_NOTE, audience.footnote],
        speaker_notes=" ".join(lines) + " What this does not show: whether the scheme works; only how large a change "
        "these numbers could tell apart from chance.",
    )


def build(ask: Ask, facts) -> View:
    return view(ask.context(facts))


# Filters: the cohort's apply to every force; the months do not (the page says so).
REPORT = Report("/attribution", "Attribution", build, order=3.5, deck=True, warm=True)
