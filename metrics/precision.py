"""Precision: what the force's numbers can show (docs/metrics.md, version 3, "Precision: what the force's
numbers can show"). How large a gain in 28-day retention they could show now, the power now for 5, 10 and 15
points, and how many years of pilot each would need, by the normal approximation to a two-sided 5% test."""

from __future__ import annotations

import math
from datetime import date

from scipy.stats import norm

from harbour.metrics import Z95

GAINS = (0.05, 0.10, 0.15)
TARGET = 0.8
YEAR_STEP, MOST_YEARS = 0.25, 20.0


def power(d: float, p_b: float, n_b: int, m: float) -> float:
    """Phi(d / sqrt(p_b (1 - p_b) / n_b + p1 (1 - p1) / m) - z), p1 = min(p_b + d, 1)."""
    p1 = min(p_b + d, 1.0)
    spread = p_b * (1 - p_b) / n_b + (p1 * (1 - p1) / m if m > 0 else math.inf)
    if spread == 0:
        return 1.0 if d > 0 else 0.0
    return float(norm.cdf(d / math.sqrt(spread) - Z95))


def pilot_years(pilot_start: date, extract_date: date) -> float:
    return ((extract_date - pilot_start).days + 1) / 365.25


def precision(
    baseline_at_risk: int,
    baseline_retained: int,
    pilot_at_risk: int,
    pilot_start: date | None,
    extract_date: date | None,
) -> tuple[dict | None, str | None]:
    """(the precision document, exact; or None) and the reason in words where None."""
    if pilot_start is None or extract_date is None:
        return None, "the force has no scheme (no pilot_start)"
    if baseline_at_risk <= 0 or pilot_at_risk <= 0:
        return None, "a period has no children at risk at 28 days"
    n_b, n_p = baseline_at_risk, pilot_at_risk
    p_b = baseline_retained / n_b
    y_p = pilot_years(pilot_start, extract_date)
    k = n_p / y_p
    detectable = None
    steps = int(round((1 - p_b) / 0.01))
    for i in range(1, steps + 1):
        d = round(i * 0.01, 2)
        if power(d, p_b, n_b, n_p) >= TARGET:
            detectable = d
            break
    years = {}
    for d in GAINS:
        key = f"{d:.2f}"
        endless = norm.cdf(d / math.sqrt(p_b * (1 - p_b) / n_b) - Z95) if p_b * (1 - p_b) > 0 else 1.0
        years[key] = None
        if endless < TARGET:
            continue
        y = YEAR_STEP
        while y <= MOST_YEARS + 1e-9:
            if power(d, p_b, n_b, k * y) >= TARGET:
                years[key] = y
                break
            y += YEAR_STEP
    return {
        "horizon": "28d",
        "baseline_at_risk": n_b,
        "baseline_rate": p_b,
        "pilot_at_risk": n_p,
        "pilot_years": y_p,
        "per_year": k,
        "detectable_now": detectable,
        "power_now": {f"{d:.2f}": power(d, p_b, n_b, n_p) for d in GAINS},
        "years_needed": years,
        "_baseline_retained": baseline_retained,  # for the published rate, from exact counts
    }, None


def never_possible(result: dict, gain: str) -> bool:
    """True when even an endless pilot could not show ``gain`` (the baseline is too small), not merely 20 years."""
    p_b, n_b, d = result["baseline_rate"], result["baseline_at_risk"], float(gain)
    return p_b * (1 - p_b) > 0 and norm.cdf(d / math.sqrt(p_b * (1 - p_b) / n_b) - Z95) < TARGET


def plan(per_year: float, baseline_rate: float, baseline_at_risk: int, gain: float) -> dict:
    """Planning a pilot before it starts (docs/metrics.md, Precision, with the force's own numbers entered rather
    than read): with ``per_year`` children at risk a year in the pilot, a baseline of ``baseline_at_risk`` children
    at risk with 28-day retention ``baseline_rate``, and a hoped-for ``gain`` (a fraction), the years of pilot needed
    for an 80% chance of showing it (the smallest y in steps of 0.25 up to 20; None when none would, ``never`` where
    even an endless pilot could not), and the power at each quarter-year of pilot."""
    p_b, n_b, d, k = float(baseline_rate), int(baseline_at_risk), float(gain), float(per_year)
    endless = norm.cdf(d / math.sqrt(p_b * (1 - p_b) / n_b) - Z95) if p_b * (1 - p_b) > 0 else 1.0
    steps = [round(YEAR_STEP * i, 2) for i in range(1, int(MOST_YEARS / YEAR_STEP) + 1)]
    by_year = [(y, power(d, p_b, n_b, k * y)) for y in steps]
    needed = next((y for y, p in by_year if p >= TARGET), None) if endless >= TARGET else None
    return {"years_needed": needed, "never": endless < TARGET, "endless": float(endless), "by_year": by_year}
