"""Value for money: the model for the PCC's office, every input printed beside the result."""

from __future__ import annotations

from components.format import interval, money, num, points
from components.theme import figure, layout
from metrics.disclosure import FOOTNOTE, SUPPRESSED
from metrics.value import COST_SOURCE, ValueInputs, value_for_money
from reports.context import Context
from reports.model import Panel, Table, View

FIELDS = (("cost", "cost_per_investigation", "Cost of one missing-person investigation (£, 2011 prices)"),
          ("cost_low", "cost_low", "Low case cost (£, 2011 prices)"),
          ("uplift", "price_uplift", "Price uplift from 2011 to today (factor)"))
METHOD = ("avoided children = (baseline not-retained rate at 28 days − pilot's) × pilot children at risk at 28 days, with "
          "the range from the Newcombe interval of the difference; avoided episodes = avoided children × the baseline's "
          "episodes per child who went missing; avoided cost = avoided episodes × the cost of one investigation × the "
          "uplift. The low case uses the low cost and the interval's lower end; the high case the standard cost and its "
          "upper end.")


def inputs_from(query: dict) -> ValueInputs:
    defaults = ValueInputs()
    values = {}
    for key, field, _ in FIELDS:
        try:
            value = float(query.get(key, getattr(defaults, field)))
            values[field] = value if 0 <= value < 1e7 else getattr(defaults, field)
        except (TypeError, ValueError):
            values[field] = getattr(defaults, field)
    return ValueInputs(**values)


def view(ctx: Context, inputs: ValueInputs = ValueInputs()) -> View:
    comparison = ctx.doc["comparison"]
    diff = comparison["retention"]["28d"] if comparison else None
    at_risk = ctx.periods["pilot"]["retention"]["28d"]["at_risk"]
    per_child = ctx.periods["baseline"]["missing"]["episodes_per_child"]
    usable = diff and SUPPRESSED not in (diff["difference"], at_risk, per_child) and None not in (diff["difference"], per_child)
    model = value_for_money(diff, at_risk, per_child, inputs) if usable else None
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
                    f"investigations (central estimate {money(k['central'])}): a modelled {num(e['central'], 1)} episodes "
                    f"among {num(c['central'], 1)} children. A range that includes zero or negative values means the "
                    f"data cannot rule out no saving.")
        finding = f"Investigations avoided: {money(k['low'])} to {money(k['high'])} (central {money(k['central'])})"
        fig = figure([{
            "type": "scatter", "x": [k["central"]], "y": ["Investigation cost avoided"], "mode": "markers",
            "name": "Central estimate", "marker": {"size": 18, "color": "#0072B2", "symbol": "diamond"},
            "error_x": {"type": "data", "symmetric": False, "array": [k["high"] - k["central"]],
                        "arrayminus": [k["central"] - k["low"]], "thickness": 3, "width": 12, "color": "#0072B2"},
            "hovertemplate": "Central £%{x:,.0f}<extra></extra>"}],
            layout(height=280, x_title="£ (range: low case to high case)",
                   shapes=[{"type": "line", "x0": 0, "x1": 0, "y0": 0, "y1": 1, "yref": "paper",
                            "line": {"color": "#1b1b1b", "dash": "dot"}}]))
    else:
        result_rows, fig = [], None
        sentence = ("The model cannot be computed for this selection: the 28-day difference or the baseline's "
                    "episodes per child is suppressed or undefined (too few children).")
        finding = "Value for money: too few children to model"
    notes = [METHOD, f"Costs: {COST_SOURCE}. A model, not an audit: it assumes every avoided missing episode would have "
             "needed an investigation at that cost.", FOOTNOTE]
    result = Panel("value-result", "Avoided children, episodes and cost", finding, sentence, fig,
                   Table("table-value-result", "Avoided children, episodes and cost (low, central, high)",
                         ["Measure", "Low", "Central", "High"], result_rows), notes,
                   f"{sentence} Inputs: " + "; ".join(f"{a}: {b}" for a, b in used) + ". What this does not show: "
                   "harm avoided, or costs beyond the police investigation; it is a model, not an audit.", open_table=True)
    inputs_panel = Panel("value-inputs", "Every input of the model", "The model's inputs", "Every input of the model.",
                         None, Table("table-value-inputs", "Every input of the model", ["Input", "Value"], used), notes,
                         "Every input is printed so that the result can be checked by hand. What this does not show: "
                         "whether these inputs are right for your force; change them on the page.", open_table=True)
    return View("/value", "Value for money",
                "A model of the missing-person investigations the scheme may have avoided, shown as a range with its inputs.",
                [result, inputs_panel], ctx.synthetic, ctx.scope(), extract_date=ctx.extract_date(), scheme=ctx.scheme())
