"""Value for money: the model for the PCC's office, every input printed beside the result."""

from __future__ import annotations

from dataclasses import dataclass

from dash import Input, Output, State, callback

from harbour.components.forms import number_field, number_form, search_with
from harbour.components.ids import PAGES_LOCATION
from harbour.metrics.disclosure import SUPPRESSED
from harbour.metrics.value import (
    COST_SOURCE,
    DEFLATOR_SOURCE,
    SCHEME_COST_SOURCE,
    ValueInputs,
    default_scheme_cost,
    value_for_money,
)
from harbour.pages.attribution import precision_panel
from harbour.views import theme
from harbour.views.ask import Ask
from harbour.views.context import Context
from harbour.views.format import display, is_value, money, num
from harbour.views.model import Cell, Panel, Table, View
from harbour.views.report import Report
from harbour.views.theme import figure, layout


@dataclass(frozen=True)
class Field:
    key: str  # the URL parameter
    attribute: str  # ValueInputs' field
    label: str
    unit: str
    help: str


FIELDS = (
    Field(
        "cost",
        "cost_per_investigation",
        "Cost of one missing-person investigation",
        "£ at 2011 prices",
        "A medium-risk investigation: £2,415.80 (Shalev Greene and Pakes, University of Portsmouth, 2012).",
    ),
    Field(
        "cost_low",
        "cost_low",
        "Low-case cost of one investigation",
        "£ at 2011 prices",
        "Used for the low end of the range: £1,325.44 in the same study.",
    ),
    Field(
        "uplift",
        "price_uplift",
        "Price uplift from 2011 prices",
        "factor",
        "Brings 2011 prices to today's. Default: the ONS Consumer Prices Index, 2011 to 2024.",
    ),
    Field(
        "scheme_cost",
        "scheme_cost",
        "Cost of the scheme over the pilot",
        "£ at today's prices",
        "Staff time, training and printing. Blank: a placeholder of £120 per pack completed; use your own figure.",
    ),
)
LIMITS = {"cost": 1e6, "cost_low": 1e6, "uplift": 100.0, "scheme_cost": 1e9}
METHOD = (
    "Avoided children = (baseline not-retained rate at 28 days − pilot's) × pilot children at risk at 28 days, "
    "in whole children and never fewer than none, with the range from the Newcombe interval of the difference; "
    "avoided episodes = avoided children × the baseline's episodes per child who went missing; avoided cost = "
    "avoided episodes × the cost of one investigation × the price uplift. The low case uses the low cost and the "
    "interval's lower end; the high case the standard cost and its upper end. Net = avoided cost − the scheme's "
    "cost; return per pound = avoided cost ÷ the scheme's cost."
)


def inputs_from(query: dict) -> tuple[ValueInputs, list[str]]:
    """The model's inputs from the URL, and a message for each value that was not a usable number."""
    defaults = ValueInputs()
    values, problems = {}, []
    for f in FIELDS:
        raw = query.get(f.key)
        if raw in (None, ""):
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            problems.append(f"{f.label}: '{str(raw)[:20]}' is not a number; the default is used.")
            continue
        if not (0 <= value <= LIMITS[f.key]) or value != value:
            problems.append(f"{f.label}: must be between 0 and {LIMITS[f.key]:,.0f}; the default is used.")
            continue
        values[f.attribute] = value
    return ValueInputs(
        **{
            **{k: getattr(defaults, k) for k in ("cost_per_investigation", "cost_low", "price_uplift", "scheme_cost")},
            **values,
        }
    ), problems


def _scheme_cost(ctx: Context, inputs: ValueInputs) -> tuple[float, str]:
    if inputs.scheme_cost is not None:
        return inputs.scheme_cost, "as entered"
    packs = ctx.audience.count(ctx.cell("pilot", lambda g: g["pack_completed"].to_numpy(dtype=bool)))
    if packs == SUPPRESSED:
        return 0.0, "not assumed: too few packs to show; enter the scheme's real cost"
    return default_scheme_cost(packs), f"assumed: {num(packs)} packs at £120 each; enter the scheme's real cost"


def view(ctx: Context, inputs: ValueInputs = ValueInputs(), problems: list[str] | None = None) -> View:

    comparison = ctx.doc["comparison"]
    figures = _figures(ctx, inputs, comparison["retention"]["28d"] if comparison else None)
    notes = [
        METHOD,
        f"Costs: {COST_SOURCE}. Prices: {DEFLATOR_SOURCE}. Scheme cost: {SCHEME_COST_SOURCE}. A model, "
        "not an audit: it assumes every avoided missing episode would have needed an investigation at that cost.",
        ctx.audience.footnote,
    ]
    panels = []
    attributed = ctx.doc.get("attribution")
    if attributed and is_value(attributed.get("effect")):  # the scheme's own effect first, where there is one
        change = {k: attributed[k] for k in ("ci_low", "ci_high")} | {"difference": attributed["effect"]}
        panels.append(_result_panel(_figures(ctx, inputs, change), notes, ATTRIBUTABLE))
    panels += [
        _result_panel(figures, notes, BEFORE_AFTER if panels else None),
        _inputs_panel(figures["used"], notes),
        precision_panel(ctx),
    ]
    return ctx.view(
        "/value",
        "Value for money",
        "A model of the missing-person investigations the scheme may have avoided, shown as a range with its inputs.",
        panels,
        problems or [],
    )


# What a result rests on: the scheme's attributable effect (against forces without a scheme), or the whole
# before-and-after difference (which credits the scheme with any change that happened everywhere).
ATTRIBUTABLE = {
    "id": "value-attributable",
    "title": "Avoided children, episodes and cost: the scheme's own effect",
    "basis": "the effect attributable to the scheme against forces without one",
    "label": "Attributable effect",
}
BEFORE_AFTER = {
    "id": "value-result",
    "title": "Avoided children, episodes and cost: the whole before-and-after change",
    "basis": "the whole before-and-after difference, which credits the scheme with any change that happened everywhere",
    "label": "Difference",
}


def _figures(ctx: Context, inputs: ValueInputs, diff: dict | None) -> dict:
    """What the model rests on: the change in 28-day retention (``diff``: difference, ci_low, ci_high), the pilot's
    children at risk, the baseline's episodes per child, the scheme's cost and its basis, each input as a row, and
    the model (None where it cannot be computed)."""
    at_risk = ctx.periods["pilot"]["retention"]["28d"]["at_risk"]
    per_child = ctx.periods["baseline"]["missing"]["episodes_per_child"]
    scheme_cost, scheme_basis = _scheme_cost(ctx, inputs)
    usable = (
        diff
        and is_value(diff["difference"])
        and is_value(at_risk)
        and is_value(per_child)
        and all(is_value(diff[k]) for k in ("ci_low", "ci_high"))
    )
    model = value_for_money(diff, at_risk, per_child, inputs, scheme_cost) if usable else None
    used = [
        [
            "Difference in 28-day retention, pilot minus baseline (points)",
            Cell(diff["difference"] if diff else None, "points"),
        ],
        ["Its 95% interval, low (points)", Cell(diff["ci_low"] if diff else None, "points")],
        ["Its 95% interval, high (points)", Cell(diff["ci_high"] if diff else None, "points")],
        ["Pilot children at risk at 28 days", Cell(at_risk, "count")],
        ["Missing episodes per child who went missing, baseline", Cell(per_child, "ratio")],
        ["Cost of one investigation (2011 prices)", Cell(inputs.cost_per_investigation, "money2")],
        ["Low-case cost (2011 prices)", Cell(inputs.cost_low, "money2")],
        ["Price uplift from 2011 prices", Cell(inputs.price_uplift, "number")],
        [f"Cost of the scheme ({scheme_basis})", Cell(scheme_cost, "money")],
    ]
    return {"model": model, "scheme_cost": scheme_cost, "used": used}


def _result_panel(figures: dict, notes: list[str], basis: dict | None = None) -> Panel:
    """Avoided children, episodes and cost, low, central and high, with the net and the return per pound, on
    ``basis`` (ATTRIBUTABLE or BEFORE_AFTER; None: the before-and-after difference, with no attribution beside it)."""
    model, scheme_cost, used = figures["model"], figures["scheme_cost"], figures["used"]
    if model:
        c, e, k, n, r = (
            model[key] for key in ("avoided_children", "avoided_episodes", "avoided_cost", "net", "return_per_pound")
        )
        result_rows = [
            [
                "Children kept from going missing",
                Cell(c["low"], "count"),
                Cell(c["central"], "count"),
                Cell(c["high"], "count"),
            ],
            [
                "Missing episodes avoided",
                Cell(e["low"], "ratio"),
                Cell(e["central"], "ratio"),
                Cell(e["high"], "ratio"),
            ],
            [
                "Investigation cost avoided",
                Cell(k["low"], "money"),
                Cell(k["central"], "money"),
                Cell(k["high"], "money"),
            ],
            [
                "Net of the scheme's cost",
                Cell(n["low"], "money"),
                Cell(n["central"], "money"),
                Cell(n["high"], "money"),
            ],
            [
                "Return per pound spent",
                Cell(r["low"], "money2"),
                Cell(r["central"], "money2"),
                Cell(r["high"], "money2"),
            ],
        ]
        caveat = ""
        if model["harm_possible"]:
            caveat = (
                " The interval of the difference includes no benefit and even harm, so the low case is no "
                "child kept from going missing: the data cannot rule out that the scheme avoided nothing."
            )
        elif model["no_benefit_possible"]:
            caveat = (
                " The interval of the difference reaches no benefit, so the low case is no child kept from going "
                "missing."
            )
        per_pound = (
            f"; every £1 spent returned between {money2(r['low'])} and {money2(r['high'])} "
            f"(central {money2(r['central'])})"
            if r["central"] is not None
            else ""
        )
        sentence = (
            f"On these inputs the model's count of children kept from going missing is {c['central']} (range "
            f"{c['low']} to {c['high']}), avoiding a modelled {num(e['central'], 1)} missing episodes and between "
            f"{money(k['low'])} and {money(k['high'])} of investigations (central {money(k['central'])}). Net of "
            f"the scheme's cost of {money(scheme_cost)}: {money(n['central'])}{per_pound}.{caveat}"
        )
        # The title leads with the net, which a loss shows as one; the gross saving follows ("Investigations
        # avoided: £0 to £83,142" stood over a net of -£8,372).
        finding = (
            f"Net of the scheme's cost: {money(n['central'])} (range {money(n['low'])} to {money(n['high'])}); "
            f"investigations avoided {money(k['central'])}"
        )
        if basis is not None:
            sentence = f"On {basis['basis']}: {sentence[0].lower()}{sentence[1:]}"
        if basis is not ATTRIBUTABLE:
            # A before-and-after figure lifted onto a slide of its own must say what it rests on ("Net of the
            # scheme's cost: £17,463" followed "No saving can be shown yet" and stood alone).
            finding = f"If the whole before-and-after change were the scheme's: {finding[0].lower()}{finding[1:]}"
            if basis is None:
                sentence += (
                    " This rests on the before-and-after difference alone: no comparison with forces without a "
                    "scheme supports it as the scheme's own effect. Exact figures, a longer pilot or several "
                    "forces pooled would narrow it."
                )
        if basis is ATTRIBUTABLE and model["no_benefit_possible"]:
            # The verdict rule: the attributable effect's interval includes zero, so no saving can be shown yet.
            finding = (
                f"No saving can be shown yet: the scheme's own effect could be none (investigations avoided "
                f"{money(k['low'])} to {money(k['high'])})"
            )
            sentence = (
                "No saving can be shown yet: the interval of the effect attributable to the scheme includes no "
                "effect at all. " + sentence
            )
        fig = figure(
            [
                {
                    "type": "scatter",
                    "x": [k["central"], n["central"]],
                    "y": ["Investigation cost avoided", "Net of the scheme's cost"],
                    "mode": "markers",
                    "name": "Central estimate",
                    "marker": {"size": 18, "color": theme.SERIES["blue"], "symbol": "diamond"},
                    "error_x": {
                        "type": "data",
                        "symmetric": False,
                        "array": [k["high"] - k["central"], n["high"] - n["central"]],
                        "arrayminus": [k["central"] - k["low"], n["central"] - n["low"]],
                        "thickness": 3,
                        "width": 12,
                        "color": theme.SERIES["blue"],
                    },
                    "hovertemplate": "%{y}: central £%{x:,.0f}<extra></extra>",
                }
            ],
            layout(
                height=320,
                x_title="£ (range: low case to high case)",
                shapes=[theme.rule(x=0)],
            ),
        )
    else:
        result_rows, fig = [], None
        sentence = (
            "The model cannot be computed for this selection: the 28-day difference, its interval or the "
            "baseline's episodes per child is not published (c: too few children, or so few went missing that "
            "it would give their number away) or is undefined. What would let it be modelled: the exact figures "
            "(for people entitled to them), several forces pooled, a longer pilot, or publishing by perturbation "
            "(HARBOUR_DISCLOSURE=perturbation), which shows small counts with a little noise instead of c."
        )
        finding = "Value for money: cannot be modelled on the published figures"
    ids = basis or {"id": "value-result", "title": "Avoided children, episodes and cost"}
    table_id = "table-" + ids["id"]
    return Panel(
        panel_id=ids["id"],
        title=ids["title"],
        finding=finding,
        summary=sentence,
        figure=fig,
        table=Table(
            table_id,
            "Avoided children, episodes and cost (low, central, high)"
            + (f", on {basis['basis'].split(',')[0]}" if basis else ""),
            ["Measure", ("Low", "money"), ("Central", "money"), ("High", "money")],
            result_rows,
        ),
        notes=notes,
        speaker_notes=f"{sentence} Inputs: "
        + "; ".join(f"{row[0]}: {_show(row[1])}" for row in used)
        + ". What this does not show: harm avoided, or costs beyond the police investigation; it is a model, "
        "not an audit.",
        open_table=True,
    )


def _inputs_panel(used: list[list], notes: list[str]) -> Panel:
    """Every input of the model, printed so that the result can be checked by hand."""
    return Panel(
        panel_id="value-inputs",
        title="Every input of the model",
        finding="The model's inputs",
        summary="Every input of the model.",
        figure=None,
        table=Table("table-value-inputs", "Every input of the model", ["Input", ("Value", "number")], used),
        notes=notes,
        speaker_notes="Every input is printed so that the result can be checked by hand. What this "
        "does not show: whether these inputs are right for your force; change them on the page.",
        open_table=True,
    )


def money2(value) -> str:
    return "–" if value is None else f"£{value:,.2f}"


def _show(cell: Cell) -> str:

    return display(cell.kind, cell.value)


def controls(query: dict, facts=None) -> list:
    """The form above the figures, drawn from the URL's inputs."""
    inputs, _ = inputs_from(query)
    fields = [number_field(f"value-{f.key}", f.label, f.unit, f.help, getattr(inputs, f.attribute)) for f in FIELDS]
    return number_form("value-form-title", "Inputs you can change", fields, "value-apply", "Recalculate")


@callback(
    Output(PAGES_LOCATION, "search", allow_duplicate=True),
    Input("value-apply", "n_clicks"),
    [State(f"value-{f.key}", "value") for f in FIELDS],
    State(PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)
def recalculate(n_clicks, *values):
    *inputs, search = values
    return search_with(n_clicks, [f.key for f in FIELDS], inputs, search)


def build(ask: Ask, facts) -> View:
    return view(ask.context(facts), *inputs_from(ask.query))


VALUE_SETTINGS = ("cost", "cost_low", "uplift", "scheme_cost")
REPORT = Report(
    "/value", "Value for money", build, order=5, settings=VALUE_SETTINGS, deck=True, warm=True, controls=controls
)
