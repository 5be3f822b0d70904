"""Value for money: the model for the PCC's office, every input editable and printed beside it."""

from urllib.parse import parse_qsl, urlencode

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from components.chart import data_table
from components.format import interval, money, num, points
from components.ids import PAGES_LOCATION
from components.shell import empty_warehouse, footnote, page_for
from metrics.disclosure import FOOTNOTE, SUPPRESSED
from metrics.filters import Filters, resolve
from metrics.summary import build_summary
from metrics.value import COST_SOURCE, ValueInputs, value_for_money
from warehouse.current import current_facts

dash.register_page(__name__, path="/value", name="Value for money", title="Value for money · Harbour", order=5)

FIELDS = (("cost", "cost_per_investigation", "Cost of one missing-person investigation (£, 2011 prices)"),
          ("cost_low", "cost_low", "Low case cost (£, 2011 prices)"),
          ("uplift", "price_uplift", "Price uplift from 2011 to today (factor)"))


def _inputs(query: dict) -> ValueInputs:
    defaults = ValueInputs()
    values = {}
    for key, field, _ in FIELDS:
        try:
            value = float(query.get(key, getattr(defaults, field)))
            values[field] = value if 0 <= value < 1e7 else getattr(defaults, field)
        except (TypeError, ValueError):
            values[field] = getattr(defaults, field)
    return ValueInputs(**values)


def layout(**query):
    facts = current_facts()
    if facts.forces.empty:
        return empty_warehouse()
    filters = resolve(Filters.from_query(query), facts.forces)
    inputs = _inputs(query)
    doc = build_summary(facts.children, facts.episodes, facts.forces, filters=filters)
    comparison = doc["comparison"]
    diff = comparison["retention"]["28d"] if comparison else None
    at_risk = doc["periods"]["pilot"]["retention"]["28d"]["at_risk"]
    per_child = doc["periods"]["baseline"]["missing"]["episodes_per_child"]
    usable = diff and SUPPRESSED not in (diff["difference"], at_risk, per_child) and None not in (diff["difference"], per_child)
    model = value_for_money(diff, at_risk, per_child, inputs) if usable else None
    form = html.Section([
        html.H2("Inputs you can change"),
        html.Div([html.Label([label, dcc.Input(id=f"value-{key}", type="number", min=0, step="any",
                                               value=getattr(inputs, field))]) for key, field, label in FIELDS],
                 className="form-grid"),
        html.Button("Recalculate", id="value-apply", n_clicks=0, className="button primary", type="button"),
    ], className="chart")
    used = [
        ["Difference in 28-day retention, pilot minus baseline", f"{points(diff['difference'] if diff else None)} points"],
        ["Its 95% interval (Newcombe)", interval(diff["ci_low"], diff["ci_high"], points) + " points" if diff else "–"],
        ["Pilot children at risk at 28 days (rounded)", num(at_risk)],
        ["Missing episodes per child who went missing, baseline", num(per_child, 2)],
        ["Cost of one investigation", money(inputs.cost_per_investigation)],
        ["Low case cost", money(inputs.cost_low)],
        ["Price uplift", f"{inputs.price_uplift:g}"],
    ]
    if model:
        c, e, k = model["avoided_children"], model["avoided_episodes"], model["avoided_cost"]
        result_rows = [
            ["Children kept from going missing", num(c["low"], 1), num(c["central"], 1), num(c["high"], 1)],
            ["Missing episodes avoided", num(e["low"], 1), num(e["central"], 1), num(e["high"], 1)],
            ["Investigation cost avoided", money(k["low"]), money(k["central"]), money(k["high"])],
        ]
        sentence = (f"On these inputs the pilot avoided between {money(k['low'])} and {money(k['high'])} of missing-person "
                    f"investigations (central estimate {money(k['central'])}): about {num(e['central'], 0)} episodes "
                    f"among {num(c['central'], 0)} children. A range that includes zero or negative values means the "
                    f"data cannot rule out no saving.")
    else:
        result_rows = []
        sentence = ("The model cannot be computed for this selection: the 28-day difference or the baseline's "
                    "episodes per child is suppressed or undefined (too few children).")
    return page_for(
        facts, filters, "Value for money",
        "A model of the missing-person investigations the scheme may have avoided, shown as a range with its inputs.",
        form,
        html.Section([
            html.H2("Result", id="value-result-title"),
            html.P(sentence, className="chart-summary", id="value-sentence"),
            data_table("table-value-result", "Avoided children, episodes and cost (low, central, high)",
                       ["Measure", "Low", "Central", "High"], result_rows),
            data_table("table-value-inputs", "Every input of the model", ["Input", "Value"], used),
            footnote(
                "avoided children = (baseline not-retained rate at 28 days − pilot's) × pilot children at risk at 28 "
                "days, with the range from the Newcombe interval of the difference; avoided episodes = avoided children "
                "× the baseline's episodes per child who went missing; avoided cost = avoided episodes × the cost of one "
                "investigation × the uplift. The low case uses the low cost and the interval's lower end; the high case "
                "the standard cost and its upper end.",
                f"Costs: {COST_SOURCE}. A model, not an audit: it assumes every avoided missing episode would have "
                "needed an investigation at that cost.", FOOTNOTE),
        ], className="chart", id="value-result"),
    )


@callback(
    Output(PAGES_LOCATION, "search", allow_duplicate=True),
    Input("value-apply", "n_clicks"),
    State("value-cost", "value"), State("value-cost_low", "value"), State("value-uplift", "value"),
    State(PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)
def recalculate(n_clicks, cost, cost_low, uplift, search):
    if not n_clicks:
        return no_update
    query = dict(parse_qsl((search or "").lstrip("?")))
    for key, value in (("cost", cost), ("cost_low", cost_low), ("uplift", uplift)):
        if value is not None:
            query[key] = f"{float(value):g}"
    return "?" + urlencode(query, safe=",")


