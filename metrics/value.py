"""The value-for-money model: every input explicit, the result a range (shared/metrics.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

COST_SOURCE = ("Shalev Greene and Pakes, 'The cost of missing person investigations', "
               "University of Portsmouth, 2012 (2011 prices)")


@dataclass(frozen=True)
class ValueInputs:
    cost_per_investigation: float = 2415.80  # a medium-risk investigation, GBP at 2011 prices
    cost_low: float = 1325.44  # the low case, GBP at 2011 prices
    price_uplift: float = 1.0  # brings 2011 prices to today's; the user sets it


def value_for_money(comparison_28d: dict, pilot_at_risk_28d: int, baseline_episodes_per_child: float | None,
                    inputs: ValueInputs = ValueInputs()) -> dict | None:
    """Avoided children, episodes and cost, each as (low, central, high).

    ``comparison_28d``: the pilot-minus-baseline 28-day retention difference with its Newcombe
    interval (equal to baseline minus pilot not-retained rate). None where it cannot be computed.
    """
    diff = comparison_28d.get("difference") if comparison_28d else None
    if diff is None or baseline_episodes_per_child is None:
        return None
    low, high = comparison_28d["ci_low"], comparison_28d["ci_high"]
    children = {"low": low * pilot_at_risk_28d, "central": diff * pilot_at_risk_28d, "high": high * pilot_at_risk_28d}
    episodes = {k: v * baseline_episodes_per_child for k, v in children.items()}
    cost = {
        "low": episodes["low"] * inputs.cost_low * inputs.price_uplift,
        "central": episodes["central"] * inputs.cost_per_investigation * inputs.price_uplift,
        "high": episodes["high"] * inputs.cost_per_investigation * inputs.price_uplift,
    }
    return {
        "inputs": {**asdict(inputs), "retention_difference_28d": diff, "difference_ci_low": low,
                   "difference_ci_high": high, "pilot_at_risk_28d": pilot_at_risk_28d,
                   "baseline_episodes_per_child": baseline_episodes_per_child},
        "avoided_children": children,
        "avoided_episodes": episodes,
        "avoided_cost": cost,
        "source": COST_SOURCE,
    }
