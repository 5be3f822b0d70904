"""Confidence intervals, from statsmodels: Wilson for one rate, Newcombe for a difference."""

from __future__ import annotations

from functools import lru_cache

from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint


@lru_cache(maxsize=1 << 16)
def wilson(count: int, nobs: int) -> tuple[float | None, float | None, float | None]:
    """(rate, ci_low, ci_high) with a 95% Wilson score interval; Nones when nobs is 0. Remembered for the
    most recent 65,536 pairs: pages ask for the same few counts many times."""
    if not nobs:
        return None, None, None
    low, high = proportion_confint(count, nobs, alpha=0.05, method="wilson")
    return count / nobs, float(low), float(high)


def newcombe(count1: int, nobs1: int, count2: int, nobs2: int) -> tuple[float | None, float | None, float | None]:
    """(p1 - p2, ci_low, ci_high): Newcombe's hybrid score interval (method 10, 1998)."""
    if not nobs1 or not nobs2:
        return None, None, None
    low, high = confint_proportions_2indep(count1, nobs1, count2, nobs2, method="newcomb", compare="diff", alpha=0.05)
    return count1 / nobs1 - count2 / nobs2, float(low), float(high)
