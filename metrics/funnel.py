"""Funnel plots (Spiegelhalter, 2005): control limits around a pooled rate from the exact binomial
distribution, with an optional multiplicative over-dispersion adjustment."""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import binom, norm

LEVELS = (0.95, 0.998)


def pooled_rate(numerators, denominators) -> float | None:
    total = float(np.sum(denominators))
    return float(np.sum(numerators)) / total if total else None


def binomial_limits(theta: float, n_values, p: float) -> np.ndarray:
    """The exact binomial limit at cumulative probability ``p`` for each n, as a proportion, with Spiegelhalter's
    interpolation between the discrete steps (2005, appendix A.1.1); every n at once."""
    n = np.asarray(n_values, dtype=float)
    r = binom.ppf(p, n, theta)
    below = np.where(r > 0, binom.cdf(r - 1, n, theta), 0.0)
    at = binom.cdf(r, n, theta)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = np.where(at > below, (at - p) / (at - below), 0.0)
        return np.clip((r - alpha) / n, 0.0, 1.0)


def binomial_limit(theta: float, n: int, p: float) -> float:
    """:func:`binomial_limits` for one n."""
    return float(binomial_limits(theta, [n], p)[0])


def limits(theta: float, n_values, level: float, phi: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) limits for each n. With over-dispersion (phi > 1) the limits are the normal
    approximation widened by sqrt(phi), as Spiegelhalter sets out for that case."""
    n = np.asarray(n_values, float)
    tail = (1 - level) / 2
    if phi > 1.0:
        z = norm.ppf(1 - tail)
        half = z * np.sqrt(phi * theta * (1 - theta) / n)
        return np.clip(theta - half, 0, 1), np.clip(theta + half, 0, 1)
    whole = np.floor(n)
    return binomial_limits(theta, whole, tail), binomial_limits(theta, whole, 1 - tail)


def overdispersion(numerators, denominators, theta: float, winsor: float = 0.1) -> float:
    """phi = mean of the squared z-scores, after Winsorising the z-scores at their 10th and 90th percentiles (numpy's
    linear interpolation, R's default type 7), for any number of forces (metrics.md version 4; Spiegelhalter 2005;
    as FunnelPlotR's winsorisation and phi_func do). Version 3 Winsorised only from 10 forces, against this very
    docstring."""
    y = np.asarray(numerators, float) / np.asarray(denominators, float)
    z = (y - theta) / np.sqrt(theta * (1 - theta) / np.asarray(denominators, float))
    if len(z) and winsor:
        lo, hi = np.quantile(z, [winsor, 1 - winsor])
        z = np.clip(z, lo, hi)
    return float(np.mean(z**2)) if len(z) else math.nan


def classify(rate: float, n: int, theta: float, phi: float = 1.0) -> str:
    """'above 99.8%', 'above 95%', 'within', 'below 95%' or 'below 99.8%' the pooled rate's limits."""
    for level, label in ((0.998, "99.8%"), (0.95, "95%")):
        lower, upper = limits(theta, [n], level, phi)
        if rate > upper[0]:
            return f"above {label}"
        if rate < lower[0]:
            return f"below {label}"
    return "within"
