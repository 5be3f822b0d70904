"""The value-for-money model: every input explicit, the result a range (docs/metrics.md).

avoided children = (baseline not-retained rate at 28 days − pilot's) × pilot children at risk at
28 days, in whole children and never below zero, its range from the Newcombe interval of the
difference; avoided episodes = avoided children × the baseline's episodes per child who went
missing; avoided cost = avoided episodes × the cost of one investigation × the price uplift;
net = avoided cost − the scheme's cost; return per pound = avoided cost ÷ the scheme's cost.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from harbour.metrics.disclosure import half_away

COST_SOURCE = (
    "Shalev Greene and Pakes, 'The cost of missing person investigations', University of Portsmouth, 2012 (2011 prices)"
)
# ONS Consumer Prices Index, all items (series D7BT, 2015 = 100), annual averages.
CPI_2011, CPI_LATEST, CPI_LATEST_YEAR = 93.4, 133.9, 2024
DEFAULT_UPLIFT = half_away(CPI_LATEST / CPI_2011, 3)
DEFLATOR_SOURCE = (
    f"2011 prices brought to {CPI_LATEST_YEAR} prices with the ONS Consumer Prices Index (series D7BT, "
    f"2015 = 100; annual averages {CPI_2011} in 2011 and {CPI_LATEST} in {CPI_LATEST_YEAR}), a factor of "
    f"{DEFAULT_UPLIFT}"
)
COST_PER_PACK = 120.0
SCHEME_COST_SOURCE = (
    f"Harbour's placeholder, not a published figure: £{COST_PER_PACK:,.0f} per pack completed in the "
    "pilot (about three hours of an officer's time at £40 an hour, at "
    f"{CPI_LATEST_YEAR} prices); replace it with the scheme's own cost (staff time, training, "
    "printing)"
)


@dataclass(frozen=True)
class ValueInputs:
    cost_per_investigation: float = 2415.80  # a medium-risk investigation, GBP at 2011 prices
    cost_low: float = 1325.44  # the low case, GBP at 2011 prices
    price_uplift: float = DEFAULT_UPLIFT  # 2011 prices to today's
    scheme_cost: float | None = None  # GBP at today's prices; None: packs completed x COST_PER_PACK


def default_scheme_cost(packs_completed: int) -> float:
    return float(packs_completed) * COST_PER_PACK


def whole_children(value: float) -> int:
    """Avoided children are whole children, and never fewer than none."""
    return max(0, int(half_away(value, 0)))


def value_for_money(
    comparison_28d: dict,
    pilot_at_risk_28d: int,
    baseline_episodes_per_child: float | None,
    inputs: ValueInputs,
    scheme_cost: float,
) -> dict | None:
    """Avoided children, episodes and cost, the net and the return per pound, each as low, central, high.

    ``comparison_28d``: the pilot-minus-baseline 28-day retention difference with its Newcombe
    interval (equal to baseline minus pilot not-retained rate). None where it cannot be computed.
    """
    diff = comparison_28d.get("difference") if comparison_28d else None
    if diff is None or baseline_episodes_per_child is None:
        return None
    low, high = comparison_28d["ci_low"], comparison_28d["ci_high"]
    modelled = {"low": low * pilot_at_risk_28d, "central": diff * pilot_at_risk_28d, "high": high * pilot_at_risk_28d}
    children = {k: whole_children(v) for k, v in modelled.items()}
    episodes = {k: v * baseline_episodes_per_child for k, v in children.items()}
    unit = {"low": inputs.cost_low, "central": inputs.cost_per_investigation, "high": inputs.cost_per_investigation}
    cost = {k: episodes[k] * unit[k] * inputs.price_uplift for k in episodes}
    net = {k: v - scheme_cost for k, v in cost.items()}
    per_pound = {k: (v / scheme_cost if scheme_cost else None) for k, v in cost.items()}
    return {
        "inputs": {
            **asdict(inputs),
            "scheme_cost": scheme_cost,
            "retention_difference_28d": diff,
            "difference_ci_low": low,
            "difference_ci_high": high,
            "pilot_at_risk_28d": pilot_at_risk_28d,
            "baseline_episodes_per_child": baseline_episodes_per_child,
        },
        "no_benefit_possible": low <= 0,
        "harm_possible": low < 0,
        "avoided_children": children,
        "avoided_episodes": episodes,
        "avoided_cost": cost,
        "net": net,
        "return_per_pound": per_pound,
        "source": COST_SOURCE,
    }
