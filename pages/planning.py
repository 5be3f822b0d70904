"""Planning a pilot: how long a scheme must run before its numbers could show the gain hoped for (docs/metrics.md,
"Precision", with the force's own numbers entered instead of read from records).

For a force without a scheme, or about to start one, with no records loaded at all: its children at risk a year,
its baseline's 28-day retention and how many children that rests on, and the gain it hopes for give the years of
pilot needed for an 80% chance of showing the gain, and the chance year by year. Nothing here is read from the
warehouse: the figures are the user's own inputs, so nothing needs disclosure control.
"""

from __future__ import annotations

from dataclasses import dataclass

from dash import Input, Output, State, callback

from harbour.components.forms import number_field, number_form, search_with
from harbour.components.ids import PAGES_LOCATION
from harbour.metrics.disclosure import power_shown
from harbour.metrics.precision import MOST_YEARS, TARGET, plan
from harbour.views import theme
from harbour.views.ask import Ask
from harbour.views.model import Panel, Table, View
from harbour.views.report import Report
from harbour.views.theme import figure, layout


@dataclass(frozen=True)
class Field:
    key: str  # the URL setting
    label: str
    unit: str
    help: str
    default: float
    low: float
    high: float
    step: float


FIELDS = (
    Field(
        "plan_per_year",
        "Children at risk a year",
        "children",
        "Children placed and followed for 28 days in a year, as the pilot would see them.",
        60,
        1,
        100_000,
        1,
    ),
    Field(
        "plan_rate",
        "Baseline 28-day retention",
        "%",
        "The share still in safe accommodation 28 days after placement before the scheme.",
        80,
        1,
        99,
        1,
    ),
    Field(
        "plan_base",
        "Children in the baseline",
        "children",
        "How many children at risk that baseline rate rests on.",
        150,
        10,
        1_000_000,
        1,
    ),
    Field(
        "plan_gain",
        "Hoped-for gain",
        "points",
        "The rise in 28-day retention the scheme is hoped to bring, in percentage points.",
        10,
        1,
        50,
        1,
    ),
)
SETTINGS = tuple(f.key for f in FIELDS)
METHOD = (
    "The chance of showing a gain is the power of a two-sided 5% test of the before-and-after difference in 28-day "
    "retention (normal approximation; docs/metrics.md, Precision): Phi(d / sqrt(p_b (1 - p_b) / n_b + p1 (1 - p1) / "
    "m) - 1.96), with p_b and n_b the baseline's rate and children, p1 = p_b + d, and m the pilot's children at risk "
    "(children a year × years). 80% is the usual bar. Years in steps of a quarter, up to 20."
)


def inputs_from(query: dict) -> tuple[dict, list[str]]:
    """The inputs from the URL (the defaults where absent), and a message for each value that could not be used."""
    values, problems = {}, []
    for f in FIELDS:
        raw = query.get(f.key)
        values[f.key] = f.default
        if raw in (None, ""):
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            problems.append(f"{f.label}: '{str(raw)[:20]}' is not a number; {f.default:g} is used.")
            continue
        if not (f.low <= value <= f.high) or value != value:
            problems.append(f"{f.label}: must be from {f.low:g} to {f.high:,.0f}; {f.default:g} is used.")
            continue
        values[f.key] = value
    if values["plan_rate"] + values["plan_gain"] > 100:
        problems.append(
            f"A gain of {values['plan_gain']:g} points on a baseline of {values['plan_rate']:g}% passes 100%; "
            f"the gain is taken as {100 - values['plan_rate']:g} points."
        )
        values["plan_gain"] = 100 - values["plan_rate"]
    return values, problems


def _years(y: float) -> str:
    return f"{y:g} year{'s' if y != 1 else ''}"


def view(values: dict, problems: list[str], synthetic: bool = False) -> View:
    per_year, rate, base, gain = (values[k] for k in SETTINGS)
    found = plan(per_year, rate / 100, int(base), gain / 100)
    by_year = found["by_year"]
    if found["never"]:
        sentence = (
            f"A {gain:g}-point gain could not be shown however long the pilot runs: the baseline holds only "
            f"{base:,.0f} children, and even an endless pilot would have a {power_shown(found['endless']) * 100:.0f}% "
            "chance of showing it. A longer or larger baseline (more quarters before the scheme) would."
        )
    elif found["years_needed"] is None:
        sentence = (
            f"A {gain:g}-point gain would take more than {MOST_YEARS:g} years of pilot to show with about "
            f"{per_year:,.0f} children at risk a year."
        )
    else:
        sentence = (
            f"With about {per_year:,.0f} children at risk a year and a baseline of {base:,.0f} children at "
            f"{rate:g}%, a {gain:g}-point gain needs about {_years(found['years_needed'])} of pilot to have an 80% "
            "chance of showing."
        )
    chances = dict(by_year)
    first, *rest = (power_shown(chances[y]) * 100 for y in (1, 2, 3))
    sentence += (
        f" The chance of showing it would be {first:.0f}% after 1 year of pilot, {rest[0]:.0f}% after 2 years and "
        f"{rest[1]:.0f}% after 3."
    )
    shown = [y for y, _ in by_year if y <= 10]
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": shown,
            "y": [power_shown(p) * 100 for y, p in by_year if y <= 10],
            "name": f"A {gain:g}-point gain",
            "line": {"color": theme.SERIES["blue"], "width": 3},
            "marker": {"symbol": "circle", "size": 7},
            "hovertemplate": "%{x} years: %{y:.0f}%<extra></extra>",
        }
    ]
    shapes = [theme.rule(y=TARGET * 100)]
    notes_on_chart = [
        {
            "text": "80%: the usual bar",
            "x": 0.01,
            "xref": "paper",
            "y": TARGET * 100,
            "xanchor": "left",
            "yanchor": "bottom",
            "showarrow": False,
        }
    ]
    if found["years_needed"] is not None and found["years_needed"] <= 10:
        shapes.append(theme.rule(x=found["years_needed"], dash="dash", width=1))
    fig = figure(
        data,
        layout(
            x_title="Years of pilot",
            y_title="Chance of showing the gain (%)",
            yaxis={"range": [0, 101]},
            shapes=shapes,
            annotations=notes_on_chart,
            showlegend=False,
        ),
    )
    rows = [[_years(y), power_shown(p)] for y, p in by_year if y in (0.5, 1, 1.5, 2, 3, 4, 5, 7, 10, 15, 20)]
    panel = Panel(
        panel_id="chart-planning",
        title=f"How long a pilot must run to show a {gain:g}-point gain",
        finding=sentence.split(": ")[0].split(". ")[0].rstrip("."),
        summary=sentence,
        figure=fig,
        table=Table(
            "table-planning",
            f"The chance of showing a {gain:g}-point gain, by years of pilot",
            ["Years of pilot", ("Chance of showing the gain", "rate")],
            rows,
        ),
        notes=[
            METHOD,
            "These are the figures you entered, not records: nothing here is read from the warehouse. What this "
            "cannot say is whether the scheme works; only how long its numbers would need to tell a gain of this "
            "size apart from chance.",
        ],
        speaker_notes=f"{sentence} {METHOD}",
    )
    return View(
        "/planning",
        "Planning a pilot",
        "How long a scheme must run before its numbers could show the gain hoped for: enter the force's own "
        "numbers; no records are needed.",
        [panel],
        synthetic,
        "the numbers entered above",
        problems,
        disclosure="none",
    )


def _id(f: Field) -> str:
    return f"plan-{f.key.removeprefix('plan_')}"


def controls(query: dict, facts=None) -> list:
    """The four inputs above the figures, from the URL."""
    values, _ = inputs_from(query)
    fields = [number_field(_id(f), f.label, f.unit, f.help, values[f.key], f.low, f.high, f.step) for f in FIELDS]
    return number_form("plan-form-title", "Your force's numbers", fields, "plan-apply", "Work it out")


@callback(
    Output(PAGES_LOCATION, "search", allow_duplicate=True),
    Input("plan-apply", "n_clicks"),
    [State(_id(f), "value") for f in FIELDS],
    State(PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)
def work_out(n_clicks, *values):
    *inputs, search = values
    return search_with(n_clicks, SETTINGS, inputs, search)


def build(ask: Ask, facts) -> View:
    synthetic = bool(facts is not None and len(facts.forces) and facts.synthetic)
    return view(*inputs_from(ask.query), synthetic=synthetic)


REPORT = Report(
    "/planning",
    "Planning a pilot",
    build,
    order=3.6,
    filtered=False,
    audiences=False,
    settings=SETTINGS,
    needs_data=False,
    controls=controls,
    nav_name="Planning",
)
