"""Disclosure control (docs/metrics.md, version 2): the one module that decides what a figure
looks like for each audience.

- **publication** (anything that can leave the force): a count of 0 stays 0, 1 to 7 is ``c``, any
  other count is rounded to the nearest 5; a rate comes from the *exact* numerator and denominator,
  published to whole percentage points (halves away from zero) with its interval, ``c`` under 10
  in the denominator; a median, mean or percentile is ``c`` on fewer than 10 children, else to one
  decimal place; Kaplan-Meier figures are ``c`` under 10 placed children, else whole points;
  pilot-against-baseline differences are computed on exact counts and published to whole points,
  p-values to three decimals, all ``c`` where either period has fewer than 10 at risk.
- **internal** (people entitled to the records): exact figures, marked OFFICIAL-SENSITIVE.

The audience is a value handed down from the edge (the CLI's ``--exact``, the server's
``--audience``, later a signed-in role), never a global.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
from scipy.stats import fisher_exact

from harbour import settings
from harbour.metrics import Z95
from harbour.metrics.cells import weekly_life_table
from harbour.metrics.intervals import newcombe, wilson
from harbour.metrics.perturbation import KEY_SPACE, Cell, MissingRecordKeys, harbour_table
from harbour.metrics.precision import precision

SUPPRESSED = "c"
NULL_TOKENS = ("", SUPPRESSED)  # what a number column of a published table file may hold for no number
MIN_CHILDREN = 10
SMALL_COUNT = 7
MARKING = "OFFICIAL-SENSITIVE: exact figures, not for publication"
FOOTNOTE = (
    "Disclosure control: counts of 1 to 7 are shown as c and other counts are rounded to the nearest 5; "
    "a figure from which a c could be worked out (a rate, the other part of a total) is c too. "
    "Rates, intervals and differences are computed from exact counts and shown to whole percentage points "
    "(c where fewer than 10 children), so the rounded counts beside them may not reproduce them exactly; "
    "medians and survival estimates resting on fewer than 10 children are c."
)
FOOTNOTE_SHORT = (
    "Disclosure control: counts of 1 to 7 shown as c, others rounded to the nearest 5, and c for any "
    "figure that would give a c away; rates from exact counts, to whole points; c where fewer than 10 "
    "children."
)
INTERNAL_NOTE = (
    f"{MARKING}. Exact counts and rates, without disclosure control: not to be shared beyond people "
    "entitled to the force's records."
)
SYMBOLS = {
    "c": "suppressed: too few children to show safely, or a figure that would give such a count away",
    "–": "not applicable or no data",
}


# ---- rounding: halves away from zero, on the decimal value a person reads ----------------------------


def half_away(value: float, places: int) -> float:
    """``value`` rounded to ``places`` decimals, halves away from zero (0.125 -> 0.13, -0.5 -> -1)."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def fraction_half_away(value: Fraction, places: int) -> float:
    """An exact fraction rounded to ``places`` decimals, halves away from zero, with no float error."""
    scaled = abs(value) * 10**places
    whole = math.floor(scaled + Fraction(1, 2))
    return math.copysign(whole / 10**places, value) if whole else 0.0


def points_rate(numerator: int, denominator: int) -> float:
    """numerator / denominator to whole percentage points (two decimals of a fraction)."""
    return fraction_half_away(Fraction(int(numerator), int(denominator)), 2)


# ---- the publication rule, one figure at a time ------------------------------------------------------


def count(n: int | None) -> int | str | None:
    if n is None:
        return None
    n = int(n)
    if n == 0:
        return 0
    if 1 <= n <= SMALL_COUNT:
        return SUPPRESSED
    return 5 * ((n + 2) // 5)


def hides_a_count(numerator: int, denominator: int) -> bool:
    """Secondary suppression (version 3): a rate to whole points, with its interval, beside its denominator gives
    its numerator and the rest (denominator - numerator) back to within a child; so it is ``c`` when either is a
    count that would itself be ``c`` (1 to 7): "c of 60 (7%)" gave 4 children away, "87% of 50 retained" 6 or 7
    missing."""
    numerator, denominator = int(numerator), int(denominator)
    return 1 <= numerator <= SMALL_COUNT or 1 <= denominator - numerator <= SMALL_COUNT


def at_least(retained: int, at_risk: int) -> float | None:
    """The band a view may show in place of a retention rate that is c because 1 to 7 went missing (version 3):
    L = 100 x (at_risk - 7) / at_risk rounded down, as a fraction, which says no more than c does (the rate is at
    least L whatever the hidden count). None where the rate is c for another reason, or is shown."""
    retained, at_risk = int(retained), int(at_risk)
    if at_risk < MIN_CHILDREN or not 1 <= at_risk - retained <= SMALL_COUNT or retained <= SMALL_COUNT:
        return None
    return math.floor(Fraction(100 * (at_risk - SMALL_COUNT), at_risk)) / 100


def rate_hidden(numerator: int | None, denominator: int, shown_denominator=None) -> bool:
    """Whether :func:`rate` publishes ``c`` for a rate of a positive denominator: under 10, a numerator or rest of 1
    to 7, or a denominator itself published as ``c``."""
    return denominator < MIN_CHILDREN or hides_a_count(numerator or 0, denominator) or shown_denominator == SUPPRESSED


def rate(numerator: int | None, denominator: int | None, shown_denominator=None) -> dict:
    """{"rate", "ci_low", "ci_high"}: from the exact counts, to whole points; ``c`` under 10, and ``c`` where the
    numerator or the rest is 1 to 7 (:func:`hides_a_count`). ``shown_denominator``: the denominator as the same output
    publishes it, where it is one part of a total (children with an engagement recorded, of all children); where that
    is ``c``, the rate is ``c`` too, since a rate to whole points with its interval and its numerator gives its
    denominator back ("20 of c, 37%, 25% to 51%" is 19 of 51, and 58 children less 51 gave the 7 not recorded)."""
    if not denominator:
        return {"rate": None, "ci_low": None, "ci_high": None}
    if rate_hidden(numerator, denominator, shown_denominator):
        return {"rate": SUPPRESSED, "ci_low": SUPPRESSED, "ci_high": SUPPRESSED}
    _, low, high = wilson(int(numerator), int(denominator))
    return {"rate": points_rate(numerator, denominator), "ci_low": half_away(low, 2), "ci_high": half_away(high, 2)}


def ratio(numerator: int | None, denominator: int | None) -> float | str | None:
    """A ratio such as episodes per child, from exact counts, to one decimal; ``c`` under 10."""
    if not denominator:
        return None
    if denominator < MIN_CHILDREN:
        return SUPPRESSED
    return fraction_half_away(Fraction(int(numerator), int(denominator)), 1)


def statistic(value: float | None, children: int, digits: int = 1) -> float | str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if children < MIN_CHILDREN:
        return SUPPRESSED
    return half_away(value, digits)


def survival(value: float | None, placed_children: int) -> float | str | None:
    if value is None:
        return None
    if placed_children < MIN_CHILDREN:
        return SUPPRESSED
    return half_away(value, 2)


def comparative(value: float | None, smallest_group: int, places: int = 2) -> float | str | None:
    if value is None:
        return None
    return SUPPRESSED if smallest_group < MIN_CHILDREN else half_away(value, places)


def difference(
    counts_pilot: tuple[int, int], counts_baseline: tuple[int, int], smallest_group: int
) -> float | str | None:
    """The published difference (version 3): the pilot's published rate minus the baseline's, so that "82% to 87%"
    is always "+5 points". The exact difference lies within a point of it. ``c`` where either rate is ``c``."""
    (pn, pd_), (bn, bd) = counts_pilot, counts_baseline
    if not pd_ or not bd:
        return None
    if smallest_group < MIN_CHILDREN or rests_on_c(counts_pilot, counts_baseline):
        return SUPPRESSED
    return fraction_half_away(Fraction(round(points_rate(pn, pd_) * 100) - round(points_rate(bn, bd) * 100), 100), 2)


def parts(total: int, first: int, second: int) -> tuple:
    """A total and its two parts (total = first + second) as published together (version 3's secondary suppression):
    each by the count rule, and where one part is c and the other is not, the other is c too, since the rounded
    total less the rounded other part would give the c back to within a child or two ("50 at risk, 40 retained,
    c not retained" is 6 to 7); where both parts are c, the total is c too ("15 at risk", c and c, are 6 or 7
    each)."""
    shown = [count(total), count(first), count(second)]
    if shown[1] == shown[2] == SUPPRESSED:
        # Two parts of 1 to 7 under a total of 15 are each 6 or 7: the total is c too.
        shown[0] = SUPPRESSED
    elif (shown[1] == SUPPRESSED) != (shown[2] == SUPPRESSED) and 0 not in (first, second):
        shown[1] = shown[2] = SUPPRESSED  # the other part, not the total: a headline total stays
        if shown[0] in (10, 15):  # a total that could be two parts of 1 to 7 would still pin them (6 or 7 each)
            shown[0] = SUPPRESSED
    return tuple(shown)


def rests_on_c(*pairs: tuple[int, int]) -> bool:
    """Whether any of the (numerator, denominator) rates a figure rests on is published as ``c``; a difference,
    its interval and its p-value are ``c`` then too."""
    return any(rate(n, d)["rate"] == SUPPRESSED for n, d in pairs if d)


HIDDEN_RATE = {"rate": SUPPRESSED, "ci_low": SUPPRESSED, "ci_high": SUPPRESSED}


def hidden_if(hide: bool, value):
    """``value`` as published where another figure of this module's rules (a small step from a wider view; the
    effect it belongs with being c) says to hide it: ``c``, or ``None`` for no value at all."""
    if value is None:
        return None
    if hide:
        return dict(HIDDEN_RATE) if isinstance(value, dict) else SUPPRESSED
    return value


def hidden_with(source, value):
    """``value`` (words or a figure derived from ``source``) as published: ``c`` where ``source`` is."""
    return SUPPRESSED if source == SUPPRESSED else value


def parts_of_a_total(counts: list) -> list:
    """Counts that add up to a total shown beside them (the children by time to first going missing; the episodes
    by risk grading), as suppression publishes them: each by the count rule, and every one c (a 0 too) where one
    is, or "14 went missing: c, 0, c" is 7 and 7 (found on the national demo)."""
    return [SUPPRESSED] * len(counts) if SUPPRESSED in counts else counts


def perturbed_bands(period: dict, exact: list) -> list:
    """The children by time to first going missing under perturbation, as a table that adds up: the first band is
    the children not retained at 72 hours, the second those at 28 days less them, the third all who went missing
    less those, each from the summary's perturbed counts (so one number everywhere). Perturbed cell by cell, as
    docs/metrics.md version 4 first said, the bands and the counts they add up to pinned small counts exactly when
    their noises fell at the ends of the table (the attack test found 4, 2 and 1 on the national demo). A band whose
    exact count is positive is at least 1 (a 0 always means none). ``exact``: the bands' cells."""
    retention, missing = period["retention"], period["missing"]
    if not isinstance(missing.get("children"), int) or not isinstance(retention["28d"]["not_retained"], int):
        return [SUPPRESSED if c.count else 0 for c in exact]
    cumulative = [retention["72h"]["not_retained"], retention["28d"]["not_retained"], missing["children"]]
    out, before = [], 0
    for total, cell in zip(cumulative, exact):
        value = max(total - before, 0)
        out.append(max(value, 1) if cell.count and value < 1 else value if cell.count else 0)
        before = max(total, before)
    return out


def is_publishable_count(value) -> bool:
    """What the property tests assert of every published count."""
    return value in (None, SUPPRESSED) or (isinstance(value, int) and (value == 0 or (value >= 10 and value % 5 == 0)))


# ---- whole documents -------------------------------------------------------------------------------


def partings(children: int, placed: int, recorded: int) -> tuple[tuple, tuple]:
    """All children parted twice, as published: (children, placed, not placed) and (children, recorded, not
    recorded). Each by the parts rule; the total is c where either parting makes it c, and where it is c, the parts
    of both are c too (a 0 may stand), or "c children: 15 recorded, 0 not", with the recorded pinned by the
    within-24-hours share, gives the c back (attack on the pages). The summary and the benchmark both use it."""
    placed_parts = list(parts(children, placed, children - placed))
    recorded_parts = list(parts(children, recorded, children - recorded))
    if SUPPRESSED in (placed_parts[0], recorded_parts[0]):
        for shown, exact in (
            (placed_parts, (placed, children - placed)),
            (recorded_parts, (recorded, children - recorded)),
        ):
            shown[:] = [SUPPRESSED] + [v if n == 0 else SUPPRESSED for v, n in zip(shown[1:], exact)]
    return tuple(placed_parts), tuple(recorded_parts)


def disclose_period(period: dict) -> dict:
    p = copy.deepcopy(period)
    placed = period.get("placed") or 0
    placed_parts, recorded_parts = partings(period["children"], period["placed"], period["engagement"]["recorded"])
    p["children"], p["placed"], p["not_placed"] = placed_parts
    for label, h in period["retention"].items():
        out = dict(zip(("at_risk", "retained", "not_retained"), parts(h["at_risk"], h["retained"], h["not_retained"])))
        out.update(rate(h["retained"], h["at_risk"]))
        hidden = out["rate"] == SUPPRESSED  # the estimate at the same horizon would give its counts back too
        for key in ("km", "km_ci_low", "km_ci_high"):
            out[key] = SUPPRESSED if hidden and h[key] is not None else survival(h[key], placed)
        p["retention"][label] = out
    e = period["engagement"]
    recorded = e["recorded"]
    _, shown_recorded, shown_not_recorded = recorded_parts
    p["engagement"] = {
        "recorded": shown_recorded,
        "not_recorded": shown_not_recorded,
        **{k: statistic(e[k], recorded) for k in ("median_hours", "q1_hours", "q3_hours", "mean_hours")},
        "within_24h": {
            "n": shown_recorded,
            "count": count(e["within_24h"]["count"]),
            **rate(e["within_24h"]["count"], recorded, shown_recorded),
        },
    }
    m = period["missing"]
    # Episodes are the ended and the still missing: parts, so that "15 episodes, 15 ended, c still missing" does not
    # leave the c to be worked out (the ended count is on /missing).
    episodes, _, still_missing = parts(m["episodes"], m["episodes"] - m["open"], m["open"])
    p["missing"] = {
        "children": count(m["children"]),
        "episodes": episodes,
        # A ratio beside its denominator gives its numerator back, as a rate does: c where the episodes are.
        "episodes_per_child": SUPPRESSED if episodes == SUPPRESSED else ratio(m["episodes"], m["children"]),
        "median_duration_hours": statistic(m["median_duration_hours"], m.get("_duration_children", 0)),
        "open": still_missing,
        "harmed": count(m["harmed"]),
    }
    return p


def _time_statistics(out: dict, comparison: dict, baseline: dict, pilot: dict) -> int:
    """The comparison's figures from exact records (the log-rank p, the difference of medians and its Mann-Whitney
    p), published where both periods have 10 or more children by the counts ``baseline`` and ``pilot`` give (exact
    under suppression, perturbed under perturbation); the fewer children recorded, for what follows."""
    out["logrank_p"] = comparative(comparison["logrank_p"], min(baseline["placed"], pilot["placed"]), 3)
    recorded = min(baseline["engagement"]["recorded"], pilot["engagement"]["recorded"])
    out["engagement_median_difference_hours"] = comparative(
        comparison["engagement_median_difference_hours"], recorded, 1
    )
    out["engagement_p_value"] = comparative(comparison["engagement_p_value"], recorded, 3)
    return recorded


def disclose_comparison(comparison: dict | None, baseline: dict, pilot: dict) -> dict | None:
    if comparison is None:
        return None
    out = copy.deepcopy(comparison)
    for label, diff in comparison["retention"].items():
        b, p = baseline["retention"][label], pilot["retention"][label]
        smallest = min(b["at_risk"], p["at_risk"])
        if rests_on_c((b["retained"], b["at_risk"]), (p["retained"], p["at_risk"])):
            smallest = 0  # a rate it rests on is c: the difference, its interval and p-value are c too
        out["retention"][label] = {
            "difference": difference((p["retained"], p["at_risk"]), (b["retained"], b["at_risk"]), smallest),
            "ci_low": comparative(diff["ci_low"], smallest),
            "ci_high": comparative(diff["ci_high"], smallest),
            "p_value": comparative(diff["p_value"], smallest, 3),
        }
    recorded = _time_statistics(out, comparison, baseline, pilot)
    eb, ep = baseline["engagement"], pilot["engagement"]
    w = comparison["within_24h_difference"]
    if rests_on_c((ep["within_24h"]["count"], ep["recorded"]), (eb["within_24h"]["count"], eb["recorded"])):
        recorded = 0
    out["within_24h_difference"] = {
        "difference": difference(
            (ep["within_24h"]["count"], ep["recorded"]), (eb["within_24h"]["count"], eb["recorded"]), recorded
        ),
        "ci_low": comparative(w["ci_low"], recorded),
        "ci_high": comparative(w["ci_high"], recorded),
    }
    return out


def differences_follow_rates(comparison: dict | None, published: dict) -> dict | None:
    """A difference, its interval and p-value as published beside the two rates it compares (``published``: the
    periods as published): ``c`` where either rate is, whatever made it c (its own counts, a denominator that is a
    c part of a total, a filter's step), or "41% before, c during, +54 points" gives the c back (95%: the issue found
    it in the all-forces view, whose pilot share was c for its 1 to 7 children without an engagement recorded)."""
    if comparison is None:
        return None
    out = copy.deepcopy(comparison)
    b, p = published.get("baseline") or {}, published.get("pilot") or {}
    for label in out.get("retention") or {}:
        rates = [(period.get("retention") or {}).get(label, {}).get("rate") for period in (b, p)]
        if SUPPRESSED in rates:
            out["retention"][label] = _all_c(out["retention"][label])
    rates = [((period.get("engagement") or {}).get("within_24h") or {}).get("rate") for period in (b, p)]
    if SUPPRESSED in rates and out.get("within_24h_difference") is not None:
        out["within_24h_difference"] = _all_c(out["within_24h_difference"])
    return out


def disclose_attribution(exact: dict | None) -> dict | None:
    """Attribution as published (docs/metrics.md, version 3): the effect, its interval and delta's to whole points
    (two decimals of a fraction), p-values to three decimals; all c when the treated force's baseline or pilot
    quarters hold fewer than 10 children at risk in all. The comparison forces are named."""
    if exact is None:
        return None
    out = {k: v for k, v in exact.items() if not str(k).startswith("_")}
    smallest = min(exact["_baseline_at_risk"], exact["_pilot_at_risk"])
    for key in ("delta", "delta_ci_low", "delta_ci_high", "effect", "ci_low", "ci_high"):
        out[key] = comparative(exact[key], smallest)
    for key in ("placebo_p", "pretrend_p"):
        out[key] = comparative(exact[key], smallest, 3)
    out["smallest_p"] = half_away(exact["smallest_p"], 3)  # 1 / (J + 1): J is named beside it
    return out


def power_shown(power: float) -> float:
    """A chance of showing a gain, to whole points rounded down: 79.6% is 79%, never the 80% that the bar of 80%
    would read as met (the words said "more than 20 years" beside a chart at 80%)."""
    return math.floor(power * 100 + 1e-9) / 100


def disclose_precision(exact: dict | None) -> dict | None:
    """Precision as published: whole points and quarter-years, counts by the count rule; all c when the baseline
    or the pilot has fewer than 10 children at risk."""
    if exact is None:
        return None
    out = {k: v for k, v in exact.items() if not str(k).startswith("_")}
    if min(exact["baseline_at_risk"], exact["pilot_at_risk"]) < MIN_CHILDREN:
        for key in out:
            if key != "horizon":
                out[key] = {g: SUPPRESSED for g in out[key]} if isinstance(out[key], dict) else SUPPRESSED
        return out
    out["baseline_at_risk"], out["pilot_at_risk"] = count(exact["baseline_at_risk"]), count(exact["pilot_at_risk"])
    out["baseline_rate"] = points_rate(exact["_baseline_retained"], exact["baseline_at_risk"])
    out["pilot_years"] = half_away(exact["pilot_years"], 2)
    out["per_year"] = count(int(round(exact["per_year"])))  # exact children a year would give the pilot's count away
    out["power_now"] = {g: power_shown(v) for g, v in exact["power_now"].items()}
    return out


def disclose_summary(exact: dict) -> dict:
    """The summary document after disclosure control (``exact`` is left unchanged)."""
    out = copy.deepcopy(exact)
    out["exact"] = False
    periods = exact["periods"]
    out["periods"] = {name: disclose_period(p) for name, p in periods.items()}
    out["comparison"] = differences_follow_rates(
        disclose_comparison(exact["comparison"], periods["baseline"], periods["pilot"]), out["periods"]
    )
    if "attribution" in exact:
        out["attribution"] = disclose_attribution(exact["attribution"])
        out["precision"] = disclose_precision(exact["precision"])
    return out


def _all_c(value):
    """Every number in a published document's figures as c (dates, words and flags kept)."""
    if isinstance(value, dict):
        return {
            k: v
            if k
            in ("start", "end", "horizon", "comparators", "comparator_forces", "comparator_sources", "packs_unused")
            else _all_c(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_all_c(v) for v in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return SUPPRESSED
    return value


def small_step(mine: tuple[int, ...], wider: tuple[int, ...]) -> bool:
    """Whether the wider view holds 1 to 7 more of any of these counts than this one (a figure resting on them
    would give that small group away when the two are subtracted: filters that cannot be subtracted)."""
    return any(1 <= w - m <= SMALL_COUNT for m, w in zip(mine, wider))


def shield_filters(published: dict, exact: dict, wider: list[dict]) -> dict:
    """Filters that cannot be subtracted (version 3): ``published`` is a filtered view's summary after disclosure
    control, ``exact`` the same view's exact summary and ``wider`` the exact summaries of the view with each one of
    its filters removed. Where a wider view has 1 to 7 children more, in either period, the view is c throughout;
    otherwise each rate whose counts differ from a wider view's by 1 to 7 (at risk, retained or not, recorded or
    engaged) is c, with the counts, the estimate and the comparison resting on it, since the wider view less this
    one would give that small group away."""
    out = copy.deepcopy(published)
    names = ("baseline", "pilot")
    if any(
        small_step((exact["periods"][n]["children"],), (w["periods"][n]["children"],)) for w in wider for n in names
    ):
        for key in ("periods", "comparison", "attribution", "precision"):
            if out.get(key) is not None:
                out[key] = _all_c(out[key])
        return out
    for name in names:
        mine = exact["periods"][name]
        for label, h in mine["retention"].items():
            counts = (h["at_risk"], h["retained"], h["not_retained"])
            if h["at_risk"] and any(
                small_step(
                    counts,
                    tuple(w["periods"][name]["retention"][label][k] for k in ("at_risk", "retained", "not_retained")),
                )
                for w in wider
            ):
                out["periods"][name]["retention"][label] = _all_c(out["periods"][name]["retention"][label])
                if out.get("comparison"):
                    out["comparison"]["retention"][label] = _all_c(out["comparison"]["retention"][label])
        m = mine["missing"]
        counts = (m["children"], m["episodes"], m["open"])
        if m["children"] and any(
            small_step(counts, tuple(w["periods"][name]["missing"][k] for k in ("children", "episodes", "open")))
            for w in wider
        ):
            # Episodes per child to one decimal beside rounded counts pin both counts, in this view and the wider
            # one, and so the small group between them ("13 went missing" less "8 or 9" is 4 or 5); the rounded
            # counts alone cannot.
            out["periods"][name]["missing"]["episodes_per_child"] = _all_c(
                out["periods"][name]["missing"]["episodes_per_child"]
            )
        e = mine["engagement"]
        counts = (e["recorded"], e["within_24h"]["count"], e["recorded"] - e["within_24h"]["count"])
        if e["recorded"] and any(
            small_step(
                counts,
                (
                    w["periods"][name]["engagement"]["recorded"],
                    w["periods"][name]["engagement"]["within_24h"]["count"],
                    w["periods"][name]["engagement"]["recorded"]
                    - w["periods"][name]["engagement"]["within_24h"]["count"],
                ),
            )
            for w in wider
        ):
            within = out["periods"][name]["engagement"]["within_24h"]
            out["periods"][name]["engagement"]["within_24h"] = {**_all_c(within), "n": within["n"]}
            if out.get("comparison"):
                out["comparison"]["within_24h_difference"] = _all_c(out["comparison"]["within_24h_difference"])
    out["comparison"] = differences_follow_rates(out.get("comparison"), out["periods"])
    return out


def strip_private(doc: dict) -> dict:
    """Remove the keys that only disclosure control needs (they start with '_')."""
    if isinstance(doc, dict):
        return {k: strip_private(v) for k, v in doc.items() if not str(k).startswith("_")}
    if isinstance(doc, list):
        return [strip_private(v) for v in doc]
    return doc


def disclose_curve(curve, placed_children: int, wider=()):
    """A Kaplan-Meier curve fit to publish: values at its fixed points rounded to whole percentage
    points, stopping where fewer than 10 children remain at risk; empty under 10 placed children.

    ``curve`` has hours, km, km_ci_low, km_ci_high, n_at_risk, n_missing; the result has the same columns with
    n_at_risk rounded as a count and without n_missing.

    Secondary suppression (version 3): a point where 1 to 7 children had gone missing is ``c``. Its value, 94% of
    50 placed, says 3 went missing, the very count that makes the retention rate at a horizon there ``c``. The
    curve has a gap there, never a line drawn across it.

    ``wider``: the exact curves of the view with each filter the user chose removed in turn; a point where one of
    them has 1 to 7 more children gone missing, or at risk, is ``c`` too (filters that cannot be subtracted: the
    two estimates with their intervals would give the small group's count back).
    """

    if placed_children < MIN_CHILDREN:
        return curve.iloc[0:0].drop(columns=["n_missing"], errors="ignore").copy()
    keep = curve[curve["n_at_risk"] >= MIN_CHILDREN].copy()
    hidden = [1 <= int(n) <= SMALL_COUNT for n in keep["n_missing"]] if "n_missing" in keep else [False] * len(keep)
    for other in wider:
        at = other.set_index("hours")
        hidden = [
            h
            or (
                hours in at.index
                and small_step((int(m), int(r)), (int(at.at[hours, "n_missing"]), int(at.at[hours, "n_at_risk"])))
            )
            for h, hours, m, r in zip(hidden, keep["hours"], keep["n_missing"], keep["n_at_risk"])
        ]
    for column in ("km", "km_ci_low", "km_ci_high"):
        keep[column] = pd.Series(
            [SUPPRESSED if h else half_away(v, 2) for v, h in zip(keep[column], hidden)], index=keep.index, dtype=object
        )
    keep["n_at_risk"] = [count(int(n)) for n in keep["n_at_risk"]]
    return keep.drop(columns=["n_missing"], errors="ignore").reset_index(drop=True)


def _series_rate(numerator: int, denominator: int):
    return rate(numerator, denominator)["rate"]


def _points(series, columns: dict):
    """The series with ``columns`` replaced, kept as Python objects so that None stays None (not NaN)."""

    out = series.drop(columns=["retention_7d_retained", "engagement_within_24h"]).astype(object)
    for name, values in columns.items():
        out[name] = pd.Series(list(values), index=series.index, dtype=object)
    return out


def disclose_monthly(series):
    """Monthly (or quarterly) points fit to publish: children as counts, rates from exact counts to whole
    points, the median engagement to one decimal, each ``c`` where its denominator is under 10."""
    return _points(
        series,
        {
            "children": [count(int(n)) for n in series["children"]],
            "retention_7d": [
                _series_rate(int(r), int(n))
                for r, n in zip(series["retention_7d_retained"], series["retention_7d_at_risk"])
            ],
            "within_24h": [
                _series_rate(int(w), int(n))
                for w, n in zip(series["engagement_within_24h"], series["engagement_recorded"])
            ],
            "median_engagement_hours": [
                statistic(None if m != m else m, int(n)) if n else None
                for m, n in zip(series["median_engagement_hours"], series["engagement_recorded"])
            ],
            "retention_7d_at_risk": [count(int(n)) for n in series["retention_7d_at_risk"]],
            "engagement_recorded": [count(int(n)) for n in series["engagement_recorded"]],
        },
    )


def exact_monthly(series):
    """Monthly points for the internal audience: exact, with no point under the measures' minimum of 5."""
    return _points(
        series,
        {
            "children": [int(n) for n in series["children"]],
            "within_24h": [
                w / n if n >= 5 else None
                for w, n in zip(series["engagement_within_24h"], series["engagement_recorded"])
            ],
            "retention_7d": [None if v != v else float(v) for v in series["retention_7d"]],
            "median_engagement_hours": [None if v != v else float(v) for v in series["median_engagement_hours"]],
            "retention_7d_at_risk": [int(n) for n in series["retention_7d_at_risk"]],
            "engagement_recorded": [int(n) for n in series["engagement_recorded"]],
        },
    )


# ---- perturbation (version 4, the default method) -------------------------------------------------------

PERTURBATION, SUPPRESSION = "perturbation", "suppression"
METHODS = (PERTURBATION, SUPPRESSION)
PERTURBATION_FOOTNOTE = (
    "Counts are perturbed by the cell-key method of the ONS (2021 Census): each is moved by up to 3 and by none on "
    "average, a 0 is always none, rates are computed from the perturbed counts, and tables may not add up."
)
PERTURBATION_SYMBOLS = {
    "c": "too few children to show (fewer than 10, after perturbation)",
    "–": "not applicable or no data",
}


def split(total: int, other: int, exact_part: int) -> tuple[int, int]:
    """(part, other) of a published total whose other part is published: the part is the total less the other
    (tables that add up), never below 0, and at least 1 where the exact part is positive (a published 0 always
    means none; the other part gives way)."""
    other = min(max(other, 0), total)
    part = total - other
    if exact_part > 0 and part < 1 <= total:
        other, part = total - 1, 1
    return part, other


def perturbed_rate(numerator: int, denominator: int) -> dict:
    """A rate from perturbed counts, with its Wilson interval on them, to whole points; c under 10."""
    if not denominator:
        return {"rate": None, "ci_low": None, "ci_high": None}
    if denominator < MIN_CHILDREN:
        return {"rate": SUPPRESSED, "ci_low": SUPPRESSED, "ci_high": SUPPRESSED}
    numerator = min(max(int(numerator), 0), int(denominator))
    _, low, high = wilson(numerator, int(denominator))
    return {"rate": points_rate(numerator, denominator), "ci_low": half_away(low, 2), "ci_high": half_away(high, 2)}


def life_table_survival(rows: list[dict]) -> list[dict]:
    """S at the end of each interval of a life table of perturbed counts (``at_risk``, ``missing`` as Cells), with
    Greenwood's band on the log(-log) scale; c from the first interval with fewer than 10 at risk on."""
    out, s, greenwood, stopped = [], 1.0, 0.0, False
    for row in rows:
        n, d = row["at_risk"].published, row["missing"].published
        stopped = stopped or n < MIN_CHILDREN
        if stopped:
            out.append(
                {"end": row["end"], "at_risk": n, "km": SUPPRESSED, "km_ci_low": SUPPRESSED, "km_ci_high": SUPPRESSED}
            )
            continue
        d = min(d, n)
        s *= 1 - d / n
        greenwood += d / (n * (n - d)) if n > d else 0.0
        if 0.0 < s < 1.0:
            spread = Z95 * math.sqrt(greenwood) / abs(math.log(s))
            low, high = s ** math.exp(spread), s ** math.exp(-spread)
        else:
            low = high = s
        out.append({"end": row["end"], "at_risk": n, "km": s, "km_ci_low": low, "km_ci_high": high})
    return out


def _sparse(period: dict, children: int) -> dict:
    """A period whose perturbed children number fewer than 10: that count and nothing else."""
    out = _all_c({k: v for k, v in period.items() if not str(k).startswith("_")})
    out.update({"start": period["start"], "end": period["end"], "children": children, "too_few": True})
    return out


def perturb_period(period: dict) -> dict:
    """One period of the summary under perturbation: every count from its cell (``period["_cells"]``), the parts
    of a total as the total less its perturbed other part, rates and intervals from the perturbed counts, times from
    the exact records where 10 or more children (by the perturbed count), survival from a life table of perturbed
    counts (docs/metrics.md version 4)."""
    cells = period["_cells"]
    children = cells["children"].published
    if children == 0:
        return {k: v for k, v in period.items() if not str(k).startswith("_")}
    if children < MIN_CHILDREN:
        return _sparse(period, children)
    p = {k: v for k, v in period.items() if not str(k).startswith("_")}
    p["children"] = children
    p["placed"], p["not_placed"] = split(children, cells["not_placed"].published, period["placed"])
    survival_at = life_table_survival(cells["horizon_life_table"])
    retention = {}
    for (label, h), km in zip(period["retention"].items(), survival_at):
        c = cells["retention"][label]
        at_risk = c["at_risk"].published
        retained, not_retained = split(at_risk, c["not_retained"].published, h["retained"])
        retention[label] = {
            "at_risk": at_risk,
            "retained": retained,
            "not_retained": not_retained,
            **perturbed_rate(retained, at_risk),
            **{
                key: km[key] if km[key] == SUPPRESSED else half_away(km[key], 2)
                for key in ("km", "km_ci_low", "km_ci_high")
            },
        }
        if h["km"] is None:
            retention[label].update(km=None, km_ci_low=None, km_ci_high=None)
    p["retention"] = retention
    e = period["engagement"]
    recorded, not_recorded, within = published_engagement(
        children, cells["not_recorded"].published, cells["within_24h"].published, e["recorded"]
    )
    enough = recorded >= MIN_CHILDREN
    p["engagement"] = {
        "recorded": recorded,
        "not_recorded": not_recorded,
        **{
            k: (SUPPRESSED if not enough and e[k] is not None else None if e[k] is None else half_away(e[k], 1))
            for k in ("median_hours", "q1_hours", "q3_hours", "mean_hours")
        },
        "within_24h": {"n": recorded, "count": within, **perturbed_rate(within, recorded)},
    }
    m = period["missing"]
    went = cells["went_missing"].published
    episodes = went + cells["later_episodes"].published
    behind = cells["duration_children"].published
    median = m["median_duration_hours"]
    p["missing"] = {
        "children": went,
        "episodes": episodes,
        "episodes_per_child": (
            None if not went else SUPPRESSED if went < MIN_CHILDREN else fraction_half_away(Fraction(episodes, went), 1)
        ),
        "median_duration_hours": None
        if median is None
        else SUPPRESSED
        if behind < MIN_CHILDREN
        else half_away(median, 1),
        "open": min(cells["open"].published, episodes),
        "harmed": cells["harmed"].published,
    }
    return p


def published_engagement(children: int, not_recorded: int, within: int, exact_recorded: int) -> tuple[int, int, int]:
    """(recorded, not recorded, engaged within 24 hours) as perturbation publishes them from the perturbed children,
    not recorded and within-24-hours cells: the recorded are all children less those not recorded (a table that adds
    up), and the engaged within 24 hours never more than the recorded. One rule for the summary and the benchmark."""
    recorded, not_recorded = split(children, not_recorded, exact_recorded)
    return recorded, not_recorded, min(within, recorded)


def perturb_force_row(cells: dict, retained: int, recorded: int) -> dict:
    """A force's benchmarking figures as its own summary publishes them under perturbation (:func:`perturb_period`):
    ``cells`` holds the cells of its children, at risk and not retained at 28 days, not recorded and engaged within
    24 hours; ``retained`` and ``recorded`` are the exact parts (a positive part is never published as 0)."""
    at_risk = cells["at_risk"].published
    retained_shown, _ = split(at_risk, cells["not_retained"].published, retained)
    recorded_shown, _, within = published_engagement(
        cells["children"].published, cells["not_recorded"].published, cells["within"].published, recorded
    )
    return {
        "retained": retained_shown,
        "at_risk": at_risk,
        "within": within,
        "recorded": recorded_shown,
        "retained_rate": perturbed_rate(retained_shown, at_risk)["rate"],
        "within_rate": perturbed_rate(within, recorded_shown)["rate"],
    }


def perturbed_retention_rows(sums: pd.DataFrame) -> tuple[list[int], np.ndarray]:
    """(retained, at risk) at 28 days as perturbation publishes each row of ``sums`` (a force's quarter: its
    exact retained, at_risk and not_retained, and the summed record keys at_risk_key and not_retained_key): at risk
    and not retained each a cell, retained the one less the other, as :func:`perturb_period` publishes a period."""
    table = harbour_table()
    at_risk = table.published_many(sums["at_risk"], sums["at_risk_key"] % KEY_SPACE)
    missing = table.published_many(sums["not_retained"], sums["not_retained_key"] % KEY_SPACE)
    retained = [split(int(a), int(m), int(r))[0] for a, m, r in zip(at_risk, missing, sums["retained"])]
    return retained, at_risk


def perturb_comparison(comparison: dict | None, exact: dict, published: dict) -> dict | None:
    """Pilot against baseline under perturbation: differences of the published rates, Newcombe's interval and
    Fisher's p on the perturbed 2x2 tables; the log-rank and Mann-Whitney p-values and the difference of medians
    from the exact records, where both periods have 10 or more children by the perturbed count."""
    if comparison is None:
        return None
    b, p = published["baseline"], published["pilot"]
    if b.get("too_few") or p.get("too_few"):
        return _all_c(comparison)
    out = copy.deepcopy(comparison)
    for label in comparison["retention"]:
        hb, hp = b["retention"][label], p["retention"][label]
        if min(hb["at_risk"], hp["at_risk"]) < MIN_CHILDREN:
            out["retention"][label] = {k: SUPPRESSED for k in ("difference", "ci_low", "ci_high", "p_value")}
            continue
        _, low, high = newcombe(hp["retained"], hp["at_risk"], hb["retained"], hb["at_risk"])
        table = [[hp["retained"], hp["not_retained"]], [hb["retained"], hb["not_retained"]]]
        out["retention"][label] = {
            "difference": _published_difference(hp["rate"], hb["rate"]),
            "ci_low": half_away(low, 2),
            "ci_high": half_away(high, 2),
            "p_value": half_away(float(fisher_exact(table, alternative="two-sided").pvalue), 3),
        }
    recorded = _time_statistics(out, comparison, b, p)
    eb, ep = b["engagement"], p["engagement"]
    wb, wp = eb["within_24h"], ep["within_24h"]
    if recorded < MIN_CHILDREN or comparison["within_24h_difference"]["difference"] is None:
        out["within_24h_difference"] = {
            k: (None if comparison["within_24h_difference"][k] is None else SUPPRESSED)
            for k in ("difference", "ci_low", "ci_high")
        }
    else:
        _, low, high = newcombe(wp["count"], wp["n"], wb["count"], wb["n"])
        out["within_24h_difference"] = {
            "difference": _published_difference(wp["rate"], wb["rate"]),
            "ci_low": half_away(low, 2),
            "ci_high": half_away(high, 2),
        }
    return out


def _published_difference(pilot_rate, baseline_rate):
    """The difference of two published rates (whole points), "82% to 87%" being "+5 points"."""
    if SUPPRESSED in (pilot_rate, baseline_rate) or None in (pilot_rate, baseline_rate):
        return SUPPRESSED if SUPPRESSED in (pilot_rate, baseline_rate) else None
    return fraction_half_away(Fraction(round(pilot_rate * 100) - round(baseline_rate * 100), 100), 2)


def perturb_precision(published_periods: dict, pilot_start, extract_date) -> tuple[dict | None, str | None]:
    """Precision from the perturbed 28-day counts (so that it says no more than they do), as published."""
    b28, p28 = published_periods["baseline"]["retention"]["28d"], published_periods["pilot"]["retention"]["28d"]
    if SUPPRESSED in (b28["at_risk"], p28["at_risk"]):
        return None, "too few children to show"
    found, reason = precision(b28["at_risk"], b28["retained"], p28["at_risk"], pilot_start, extract_date)
    if found is None:
        return None, reason
    out = {k: v for k, v in found.items() if not str(k).startswith("_")}
    if min(b28["at_risk"], p28["at_risk"]) < MIN_CHILDREN:
        return {
            k: (v if k == "horizon" else {g: SUPPRESSED for g in v} if isinstance(v, dict) else SUPPRESSED)
            for k, v in out.items()
        }, None
    out["baseline_rate"] = points_rate(b28["retained"], b28["at_risk"])
    out["pilot_years"] = half_away(found["pilot_years"], 2)
    out["per_year"] = int(round(found["per_year"]))
    out["power_now"] = {g: power_shown(v) for g, v in found["power_now"].items()}
    return out, None


def perturb_monthly(series):
    """Monthly (or quarterly) points under perturbation: each point's children, at risk at 7 days, not retained,
    not recorded and engaged within 24 hours are cells (the series' ``*_key`` columns); the rates from the
    perturbed counts, the median engagement from the exact records, each c where its perturbed denominator is under
    10, and the point's counts c under 10 too (docs/metrics.md version 4: a point of a series whose perturbed
    denominator is under 10 is c)."""
    if series.empty:  # no complete month (no children): no point, and no key columns in the empty frame
        used = ("children_key", "at_risk_key", "not_retained_key", "not_recorded", "not_recorded_key", "within_key")
        series = series.reindex(columns=[*series.columns, *(c for c in used if c not in series.columns)])
    if "children_key" not in series.columns:
        raise MissingRecordKeys("these facts carry no record keys: run harbour upgrade with the pseudonym key")
    table = harbour_table()

    def noisy(counts, keys):
        return [int(v) for v in table.published_many(counts, keys)]

    children = noisy(series["children"], series["children_key"])
    at_risk = noisy(series["retention_7d_at_risk"], series["at_risk_key"])
    missing = noisy(series["retention_7d_at_risk"] - series["retention_7d_retained"], series["not_retained_key"])
    retained = [split(a, m, int(r))[0] for a, m, r in zip(at_risk, missing, series["retention_7d_retained"])]
    not_recorded = noisy(series["not_recorded"], series["not_recorded_key"])
    recorded = [split(c, n, int(r))[0] for c, n, r in zip(children, not_recorded, series["engagement_recorded"])]
    within = [min(w, r) for w, r in zip(noisy(series["engagement_within_24h"], series["within_key"]), recorded)]
    medians = [
        None if m != m else SUPPRESSED if r < MIN_CHILDREN else half_away(m, 1)
        for m, r in zip(series["median_engagement_hours"], recorded)
    ]
    out = _points(
        series.drop(columns=[c for c in series.columns if c.endswith("_key") or c == "not_recorded"]),
        {
            "children": [_point_count(n) for n in children],
            "retention_7d": [perturbed_rate(r, a)["rate"] for r, a in zip(retained, at_risk)],
            "within_24h": [perturbed_rate(w, r)["rate"] for w, r in zip(within, recorded)],
            "median_engagement_hours": medians,
            "retention_7d_at_risk": [_point_count(n) for n in at_risk],
            "engagement_recorded": [_point_count(n) for n in recorded],
        },
    )
    return out


def _point_count(n: int):
    """A point's count under perturbation: c where it is under 10, a 0 too. The months of a period add up to it: a
    run of months of 1 child (a 1 is always published as 1), or of c that could only be 1 or more, beside the
    period's count with its noise at its lowest, gave each 1 back (the attack test found them on both demos)."""
    return SUPPRESSED if n < MIN_CHILDREN else n


def sparse_points(points, too_few) -> pd.DataFrame:
    """Points of a period whose perturbed children number fewer than 10 (and of a quarter that holds some of its
    children) are c, every measure: the view shows that period's number and nothing else (docs/metrics.md version
    4, sparsity). Shown, a month of 1 child beside five more and the period's count gave each month's 1 back."""
    if not too_few or points.empty:
        return points
    return _c_points(points, points["period"].isin([*too_few, "mixed"]).to_numpy())


def _c_points(points, hidden: np.ndarray) -> pd.DataFrame:
    """The points with every measure of the ``hidden`` ones c (a value that is not there stays not there)."""
    out = points.copy()
    for column in out.columns:
        if column not in ("month", "quarter", "period", "start"):
            values = [SUPPRESSED if hide and v is not None else v for v, hide in zip(out[column], hidden)]
            out[column] = pd.Series(values, index=out.index, dtype=object)
    return out


def perturb_summary(exact: dict, attribution: tuple | None = None, bounds=None) -> dict:
    """The summary document under perturbation (``exact`` carries each period's ``_cells``). ``attribution``: the
    (attribution on perturbed quarterly counts, reason) for one force; ``bounds``: (pilot_start, extract_date)."""
    out = copy.deepcopy(exact)
    out["exact"] = False
    out["disclosure"] = PERTURBATION
    periods = {name: perturb_period(p) for name, p in exact["periods"].items()}
    out["periods"] = periods
    out["comparison"] = perturb_comparison(exact["comparison"], exact["periods"], periods)
    if "attribution" in exact:
        found, reason = attribution if attribution is not None else (None, exact.get("attribution_reason"))
        out["attribution"], out["attribution_reason"] = disclose_attribution(found), reason
        if exact.get("precision") is not None and bounds is not None:
            out["precision"], out["precision_reason"] = perturb_precision(periods, *bounds)
    return out


# ---- the audience ------------------------------------------------------------------------------------


def _exact_count(value):
    """A count as a number: a Cell's count, or the number itself."""
    return value.count if isinstance(value, Cell) else value


def _published(value) -> int:
    """A cell's perturbed count; refused for a bare number, which carries no records to perturb."""
    if isinstance(value, Cell):
        return value.published
    raise TypeError("under perturbation a published count needs its records' cell (metrics.perturbation.Cell)")


@dataclass(frozen=True)
class Audience:
    """Who a figure is for. Every view, export and slide is made for exactly one audience. Counts are handed to it
    as cells (metrics.perturbation.Cell: how many records, and their cell key) or, for an audience that does not
    perturb, as numbers; it decides what each looks like."""

    name: str  # "publication" or "internal"
    # Version 3's filters that cannot be subtracted: a publication view whose one filter's step is 1 to 7 children
    # is c throughout, the figures a page computes beside the summary (timings, shares, series, curves) too.
    withheld: bool = False
    method: str = SUPPRESSION  # the deployment's disclosure method (HARBOUR_DISCLOSURE), for publication

    def __post_init__(self):
        if self.name not in ("publication", "internal"):
            raise ValueError(f"unknown audience {self.name!r}")
        if self.method not in METHODS:
            raise ValueError(f"unknown disclosure method {self.method!r}")

    @property
    def exact(self) -> bool:
        return self.name == "internal"

    @property
    def perturbing(self) -> bool:
        """Publication figures by cell-key perturbation (docs/metrics.md version 4)."""
        return not self.exact and self.method == PERTURBATION

    @property
    def disclosure(self) -> str:
        """The method's name as the summary and a pack give it: perturbation, suppression, or none."""
        return "none" if self.exact else self.method

    @property
    def marking(self) -> str | None:
        """The protective marking every page, slide, image and table file for this audience carries."""
        return MARKING if self.exact else None

    @property
    def footnote(self) -> str:
        return INTERNAL_NOTE if self.exact else PERTURBATION_FOOTNOTE if self.perturbing else FOOTNOTE

    @property
    def footnote_short(self) -> str:
        return INTERNAL_NOTE if self.exact else PERTURBATION_FOOTNOTE if self.perturbing else FOOTNOTE_SHORT

    @property
    def symbols(self) -> dict:
        return PERTURBATION_SYMBOLS if self.perturbing else SYMBOLS

    def withholding(self) -> Audience:
        """This audience for a view that is c throughout (suppression only: exact figures hide nothing, and
        perturbation withholds no view because a wider one holds a few children more)."""
        return self if self.exact or self.perturbing else Audience(self.name, withheld=True, method=self.method)

    def count(self, n):
        if n is None:
            return None
        if self.withheld:
            return SUPPRESSED
        if self.perturbing:
            return _published(n)
        return int(_exact_count(n)) if self.exact else count(_exact_count(n))

    def rate(self, numerator, denominator, shown_denominator=None) -> dict:
        """The rate as this audience sees it (``shown_denominator``: the denominator as the same output publishes
        it; see :func:`rate`. Under perturbation the rate is the perturbed numerator over it, or over the perturbed
        denominator where none is given)."""
        if self.withheld:
            return (
                {"rate": SUPPRESSED, "ci_low": SUPPRESSED, "ci_high": SUPPRESSED}
                if _exact_count(denominator)
                else {"rate": None, "ci_low": None, "ci_high": None}
            )
        if self.perturbing:
            if not _exact_count(denominator):
                return {"rate": None, "ci_low": None, "ci_high": None}
            shown = shown_denominator if isinstance(shown_denominator, int) else _published(denominator)
            return perturbed_rate(_published(numerator), shown)
        numerator, denominator = _exact_count(numerator), _exact_count(denominator)
        if not self.exact:
            return rate(numerator, denominator, shown_denominator)
        value, low, high = wilson(int(numerator or 0), int(denominator or 0))
        return {"rate": value, "ci_low": low, "ci_high": high}

    def ratio(self, numerator, denominator):
        if self.withheld:
            return SUPPRESSED if _exact_count(denominator) else None
        if self.perturbing:
            if not _exact_count(denominator):
                return None
            top, bottom = _published(numerator), _published(denominator)
            return SUPPRESSED if bottom < MIN_CHILDREN else fraction_half_away(Fraction(top, bottom), 1)
        numerator, denominator = _exact_count(numerator), _exact_count(denominator)
        if not self.exact:
            return ratio(numerator, denominator)
        return numerator / denominator if denominator else None

    def statistic(self, value, children):
        """A median, mean or percentile resting on ``children`` (a cell; or, under perturbation, the children as
        this output already publishes them)."""
        if self.withheld:
            return SUPPRESSED if _exact_count(children) else None
        if self.perturbing:
            if value is None or value != value:
                return None
            if children == SUPPRESSED:  # a view too small to show more than its children
                return SUPPRESSED
            shown = children.published if isinstance(children, Cell) else int(children)
            return SUPPRESSED if shown < MIN_CHILDREN else half_away(value, 1)
        children = _exact_count(children)
        if not self.exact:
            return statistic(value, children)
        return None if value is None or value != value else float(value)

    def curve(self, curve, placed_children: int, wider=(), cohort=None):
        """The curve as this audience sees it (``wider``: see :func:`disclose_curve`; ``cohort``: the children, for
        the life table of perturbed counts that perturbation draws)."""
        if self.withheld:
            return disclose_curve(curve, 0)  # no curve: every point would rest on the small group
        if self.perturbing:
            return perturbed_curve(cohort)
        if not self.exact:
            return disclose_curve(curve, placed_children, wider)
        return curve[curve["n_at_risk"] > 0].drop(columns=["n_missing"], errors="ignore").reset_index(drop=True)

    def series(self, series, too_few=()):
        """The points as this audience sees them (``too_few``: the periods a perturbed view shows only the number
        of, whose points are c, as is a quarter that holds some of them)."""
        if self.withheld:
            published = disclose_monthly(series)
            return _c_points(published, np.ones(len(published), dtype=bool))
        if self.perturbing:
            return sparse_points(perturb_monthly(series), too_few)
        if self.exact:
            return exact_monthly(
                series.drop(columns=[c for c in series.columns if c.endswith("_key") or c == "not_recorded"])
            )
        return disclose_monthly(
            series.drop(columns=[c for c in series.columns if c.endswith("_key") or c == "not_recorded"])
        )

    @property
    def cumulative_bands(self) -> bool:
        """Whether the children by time to first going missing are shown as running totals (within 72 hours,
        within 28 days, at any time) rather than bands: under suppression. A band there is the difference of two
        horizons' children not retained, which their rates to whole points with intervals pin to the child: "c"
        children between 72 hours and 28 days was 24 less 20 (the attack found 9 such bands on the pilot demo).
        The running totals are the very counts the summary publishes, so the page adds no cell to subtract."""
        return not self.exact and not self.perturbing

    def time_bands(self, period: dict, cells: list) -> list:
        """The children by time to first going missing (``cells``: each band's cell, 0-72h, 72h-28d, after) as this
        audience sees them beside the period's summary (``period``, as this audience publishes it): exact bands;
        under perturbation bands that add up to the summary's counts; under suppression the running totals (see
        :attr:`cumulative_bands`), which are the summary's own figures."""
        if self.perturbing:
            return perturbed_bands(period, cells)
        if self.cumulative_bands:
            if self.withheld:
                return [self.count(c) for c in cells]
            retention, missing = period["retention"], period["missing"]
            if missing["children"] == 0:  # none went missing: no running total is more (a c there would hide a 0)
                return [0, 0, 0]
            return [retention["72h"]["not_retained"], retention["28d"]["not_retained"], missing["children"]]
        return [self.count(c) for c in cells]

    def ended_episodes(self, period: dict, ended):
        """The ended episodes as published beside the period's episodes and those still missing (``period``: the
        summary's missing figures as this audience publishes them; ``ended``: their cell)."""
        if self.perturbing:  # the episodes less those still missing, as the summary publishes both
            return period["episodes"] - period["open"] if isinstance(period["episodes"], int) else SUPPRESSED
        if self.exact or self.withheld:
            return self.count(ended)
        # disclosure.parts: c where the still missing are and the ended are not 0
        return SUPPRESSED if period["open"] == SUPPRESSED and _exact_count(ended) else self.count(ended)


def perturbed_curve(cohort) -> pd.DataFrame:
    """The survival curve for publication under perturbation: the weekly life table of perturbed counts (weeks 1 to
    13 after placement), from 100% at placement, stopping before the first week with fewer than 10 at risk; the
    columns of a curve (hours, km, km_ci_low, km_ci_high, n_at_risk)."""
    rows = weekly_life_table(cohort)
    points = life_table_survival(rows)
    rows, points, last = rows[:-1], points[:-1], points[-1]  # the 14th week: only its children at risk
    out = [{"hours": 0.0, "km": 1.0, "km_ci_low": 1.0, "km_ci_high": 1.0, "n_at_risk": points[0]["at_risk"]}]
    for i, (point, row) in enumerate(zip(points, rows)):
        if point["km"] == SUPPRESSED:
            break
        still = (points[i + 1] if i + 1 < len(points) else last)["at_risk"]  # at risk at the week's end
        nxt = {"hours": float(row["end"]), **{k: half_away(point[k], 2) for k in ("km", "km_ci_low", "km_ci_high")}}
        out.append({**nxt, "n_at_risk": still})
    if out[0]["n_at_risk"] < MIN_CHILDREN:
        out = []
    return pd.DataFrame(out, columns=["hours", "km", "km_ci_low", "km_ci_high", "n_at_risk"])


def footnote_short_for(method: str) -> str:
    """The one-sentence disclosure footnote of an output made by ``method`` (perturbation, suppression or none)."""
    return INTERNAL_NOTE if method == "none" else PERTURBATION_FOOTNOTE if method == PERTURBATION else FOOTNOTE_SHORT


def symbols_for(method: str) -> dict:
    return PERTURBATION_SYMBOLS if method == PERTURBATION else SYMBOLS


def publication() -> Audience:
    """The publication audience of this deployment, by its disclosure method (HARBOUR_DISCLOSURE)."""
    return Audience("publication", method=settings.disclosure_method())


PUBLICATION = Audience("publication")
INTERNAL = Audience("internal")


# ---- a pack's quarterly counts (version 4: what attribution takes from another force) ----------------------


def possible_counts(published, method: str) -> range | None:
    """The true counts a published count could have come from, knowing the method and not the record keys: under
    perturbation every count t whose row of the table can move it to ``published``; under suppression the counts
    that round to it (c: 1 to 7). None where nothing is published."""
    if published is None:
        return None
    if published == SUPPRESSED:
        return range(1, SMALL_COUNT + 1)
    v = int(published)
    if v == 0:
        return range(0, 1)
    if method == SUPPRESSION:
        return range(max(v - 2, SMALL_COUNT + 1), v + 3)
    table = harbour_table()
    fits = [
        t
        for t in range(1, v + 4)
        if v - t in set(table.ranges.get(table.pcv(t), ((), (0,)))[1])  # a noise this row can give
    ]
    return range(min(fits), max(fits) + 1) if fits else range(v, v + 1)


def pinned_parts(parts: list, total, method: str) -> list[int]:
    """Which of ``parts`` (published counts of disjoint subsets of a group whose own count is published as
    ``total``, or the ranges their true counts lie in) an attacker could pin to one value of 1 to 7: the parts'
    least possible values add up to no more than the total's greatest, so each part is at most that greatest less
    the others' least. The positions pinned."""
    ranges = [p if isinstance(p, range) else possible_counts(p, method) for p in parts]
    whole = possible_counts(total, method)
    if whole is None or any(r is None for r in ranges):
        return []
    lows = [r.start for r in ranges]
    out = []
    for i, r in enumerate(ranges):
        most = whole.stop - 1 - (sum(lows) - lows[i])
        left = [t for t in r if t <= most]
        if len(left) == 1 and 1 <= left[0] <= SMALL_COUNT:
            out.append(i)
    return out


def pack_quarters(sums: pd.DataFrame, method: str, period: dict) -> tuple[list[dict] | None, str | None]:
    """A force's 28-day counts by quarter of first contact as its pack publishes them (docs/metrics.md version 4,
    Attribution): ``sums`` has a row a quarter (label, and the exact at_risk, not_retained, retained and the summed
    record keys at_risk_key and not_retained_key); ``period``: the published summary's period these quarters lie in
    (its 28-day at_risk and not_retained, as published). Under perturbation at_risk and not_retained are each a
    cell, and a quarter whose perturbed at_risk is under 10 is c; under suppression each count as suppression
    publishes it. (rows, None), or (None, why) where the quarters beside the period's own counts would pin a count
    of 1 to 7: the series is then not packed at all."""
    if sums.empty:
        return [], None
    if method == PERTURBATION:
        retained, at_risk = perturbed_retention_rows(sums)
        rows = []
        for label, r, n in zip(sums["quarter"], retained, at_risk):
            n = int(n)
            if n < MIN_CHILDREN and n > 0:
                rows.append({"quarter": label, "at_risk": SUPPRESSED, "not_retained": SUPPRESSED})
            else:
                rows.append({"quarter": label, "at_risk": n, "not_retained": n - int(r)})
    else:
        rows = [
            {"quarter": label, "at_risk": count(int(n)), "not_retained": count(int(m))}
            for label, n, m in zip(sums["quarter"], sums["at_risk"], sums["not_retained"])
        ]
    horizon = (period or {}).get("retention", {}).get("28d", {})
    for field, least in (("at_risk", 1), ("not_retained", 0)):
        # Under perturbation a c quarter's at risk is 1 to 9 as published: 1 to 12 in truth.
        parts = [
            range(least, MIN_CHILDREN + 3) if method == PERTURBATION and r[field] == SUPPRESSED else r[field]
            for r in rows
        ]
        if pinned_parts(parts, horizon.get(field), method):
            return None, "withheld: beside the period's own counts the quarters would give a small count away"
    return rows, None
