"""Disclosure control: the one module that everything leaving the server goes through.

- a count of 0 stays 0; 1 to 7 is shown as ``c``; any other count is rounded to the nearest 5;
- a rate comes from the rounded numerator and denominator, and is ``c`` where the rounded
  denominator is under 10 or the numerator is ``c``; its interval comes from the same numbers;
- a median, mean or percentile is ``c`` where it rests on fewer than 10 children;
- Kaplan-Meier figures are ``c`` where the period has fewer than 10 placed children, and are
  rounded to whole percentage points;
- pilot-against-baseline figures are ``c`` where either period has fewer than 10 at risk.
"""

from __future__ import annotations

import copy

from metrics.intervals import wilson

SUPPRESSED = "c"
MIN_CHILDREN = 10
SMALL_COUNT = 7
FOOTNOTE = ("Disclosure control: counts of 1 to 7 are shown as c; other counts are rounded to the "
            "nearest 5; rates come from the rounded counts and are c where the rounded denominator is "
            "under 10; medians, means and survival estimates resting on fewer than 10 children are c. Pilot-against-baseline "
            "differences, intervals and p-values are computed on exact counts (c where a period has fewer than 10 "
            "children at risk), so they can differ from the difference of the two rounded rates shown.")
SYMBOLS = {"c": "suppressed: too few children to show safely", "–": "not applicable or no data"}


def count(n: int | None) -> int | str | None:
    if n is None:
        return None
    n = int(n)
    if n == 0:
        return 0
    if 1 <= n <= SMALL_COUNT:
        return SUPPRESSED
    return 5 * ((n + 2) // 5)


def rate(numerator: int | None, denominator: int | None) -> dict:
    """{"rate", "ci_low", "ci_high"} from the rounded counts (Wilson interval)."""
    num, den = count(numerator), count(denominator)
    if den is None or num is None or den == SUPPRESSED or num == SUPPRESSED or den < MIN_CHILDREN:
        if not denominator:
            return {"rate": None, "ci_low": None, "ci_high": None}
        return {"rate": SUPPRESSED, "ci_low": SUPPRESSED, "ci_high": SUPPRESSED}
    value, low, high = wilson(num, den)
    return {"rate": value, "ci_low": low, "ci_high": high}


def ratio(numerator: int | None, denominator: int | None) -> float | str | None:
    """A ratio such as episodes per child, from rounded counts."""
    num, den = count(numerator), count(denominator)
    if not denominator:
        return None
    if num == SUPPRESSED or den == SUPPRESSED or den < MIN_CHILDREN:
        return SUPPRESSED
    return num / den


def statistic(value: float | None, children: int, digits: int = 1) -> float | str | None:
    if value is None:
        return None
    if children < MIN_CHILDREN:
        return SUPPRESSED
    return round(float(value), digits)


def survival(value: float | None, placed_children: int) -> float | str | None:
    if value is None:
        return None
    if placed_children < MIN_CHILDREN:
        return SUPPRESSED
    return round(float(value) * 100) / 100


def comparative(value: float | None, smallest_group: int) -> float | str | None:
    if value is None:
        return None
    return SUPPRESSED if smallest_group < MIN_CHILDREN else value


def is_publishable_count(value) -> bool:
    """What the property tests assert of every published count."""
    return value in (None, SUPPRESSED) or (isinstance(value, int) and (value == 0 or (value >= 10 and value % 5 == 0)))


def disclose_period(period: dict) -> dict:
    p = copy.deepcopy(period)
    placed = period.get("placed") or 0
    for key in ("children", "placed", "not_placed"):
        p[key] = count(period[key])
    for label, h in period["retention"].items():
        out = {k: count(h[k]) for k in ("at_risk", "retained", "not_retained")}
        out.update(rate(h["retained"], h["at_risk"]))
        for key in ("km", "km_ci_low", "km_ci_high"):
            out[key] = survival(h[key], placed)
        p["retention"][label] = out
    e = period["engagement"]
    recorded = e["recorded"]
    p["engagement"] = {
        "recorded": count(recorded), "not_recorded": count(e["not_recorded"]),
        **{k: statistic(e[k], recorded) for k in ("median_hours", "q1_hours", "q3_hours", "mean_hours")},
        "within_24h": {"n": count(recorded), "count": count(e["within_24h"]["count"]),
                       **rate(e["within_24h"]["count"], recorded)},
    }
    m = period["missing"]
    p["missing"] = {
        "children": count(m["children"]), "episodes": count(m["episodes"]),
        "episodes_per_child": ratio(m["episodes"], m["children"]),
        "median_duration_hours": statistic(m["median_duration_hours"], m.get("_duration_children", 0)),
        "open": count(m["open"]), "harmed": count(m["harmed"]),
    }
    return p


def disclose_comparison(comparison: dict | None, baseline: dict, pilot: dict) -> dict | None:
    if comparison is None:
        return None
    out = copy.deepcopy(comparison)
    for label, diff in comparison["retention"].items():
        smallest = min(baseline["retention"][label]["at_risk"], pilot["retention"][label]["at_risk"])
        out["retention"][label] = {k: comparative(v, smallest) for k, v in diff.items()}
    out["logrank_p"] = comparative(comparison["logrank_p"], min(baseline["placed"], pilot["placed"]))
    recorded = min(baseline["engagement"]["recorded"], pilot["engagement"]["recorded"])
    out["engagement_median_difference_hours"] = comparative(comparison["engagement_median_difference_hours"], recorded)
    out["engagement_p_value"] = comparative(comparison["engagement_p_value"], recorded)
    out["within_24h_difference"] = {k: comparative(v, recorded) for k, v in comparison["within_24h_difference"].items()}
    return out


def disclose_summary(exact: dict) -> dict:
    """The summary document after disclosure control (``exact`` is left unchanged)."""
    out = copy.deepcopy(exact)
    out["exact"] = False
    periods = exact["periods"]
    out["periods"] = {name: disclose_period(p) for name, p in periods.items()}
    out["comparison"] = disclose_comparison(exact["comparison"], periods["baseline"], periods["pilot"])
    return out


def strip_private(doc: dict) -> dict:
    """Remove the keys that only disclosure control needs (they start with '_')."""
    if isinstance(doc, dict):
        return {k: strip_private(v) for k, v in doc.items() if not str(k).startswith("_")}
    if isinstance(doc, list):
        return [strip_private(v) for v in doc]
    return doc


def disclose_curve(curve, placed_children: int):
    """A Kaplan-Meier curve fit to publish: values at its fixed points rounded to whole percentage
    points, stopping where fewer than 10 children remain at risk; empty under 10 placed children.

    ``curve`` has hours, km, km_ci_low, km_ci_high, n_at_risk; the result has the same columns
    with n_at_risk rounded as a count.
    """
    if placed_children < MIN_CHILDREN:
        return curve.iloc[0:0].copy()
    keep = curve[curve["n_at_risk"] >= MIN_CHILDREN].copy()
    for column in ("km", "km_ci_low", "km_ci_high"):
        keep[column] = [round(float(v) * 100) / 100 for v in keep[column]]
    keep["n_at_risk"] = [count(int(n)) for n in keep["n_at_risk"]]
    return keep.reset_index(drop=True)


def disclose_monthly(series):
    """Monthly points fit to publish: children as counts, the 7-day retention rate from rounded
    counts, the median engagement only on 10 or more children. Suppressed values become ``c``."""
    out = series.copy()
    out["children"] = [count(int(n)) for n in series["children"]]
    rates, medians = [], []
    for retained, at_risk, median, recorded in zip(series["retention_7d_retained"], series["retention_7d_at_risk"],
                                                   series["median_engagement_hours"], series["engagement_recorded"]):
        rates.append(rate(int(retained), int(at_risk))["rate"] if at_risk else None)
        medians.append(statistic(None if median != median else median, int(recorded)))
    out["retention_7d"] = rates
    out["within_24h"] = [rate(int(w), int(n))["rate"] if n else None
                         for w, n in zip(series["engagement_within_24h"], series["engagement_recorded"])]
    out["median_engagement_hours"] = medians
    out["retention_7d_at_risk"] = [count(int(n)) for n in series["retention_7d_at_risk"]]
    out["engagement_recorded"] = [count(int(n)) for n in series["engagement_recorded"]]
    return out.drop(columns=["retention_7d_retained", "engagement_within_24h"])
