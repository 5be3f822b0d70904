"""Funnel limits against binomial quantiles computed independently, and over-dispersion by hand."""

import math

import numpy as np
import pytest
from scipy.stats import binom

from harbour.metrics.funnel import binomial_limit, classify, limits, overdispersion, pooled_rate


def test_pooled_rate_is_the_weighted_average():
    assert pooled_rate([8, 45], [10, 50]) == pytest.approx(53 / 60)


def _by_search(theta, n, p):
    """The smallest r with P(X <= r) >= p, found by walking the pmf (no ppf), then interpolated."""
    cumulative, r = 0.0, 0
    while True:
        previous = cumulative
        cumulative += math.comb(n, r) * theta**r * (1 - theta) ** (n - r)
        if cumulative >= p - 1e-12:
            break
        r += 1
    alpha = (cumulative - p) / (cumulative - previous)
    return (r - alpha) / n


@pytest.mark.parametrize("theta, n", [(0.8, 20), (0.8, 57), (0.35, 120), (0.9, 400)])
@pytest.mark.parametrize("p", [0.025, 0.975, 0.001, 0.999])
def test_binomial_limits_match_a_walk_of_the_pmf(theta, n, p):
    assert binomial_limit(theta, n, p) == pytest.approx(_by_search(theta, n, p), abs=1e-9)


def test_limits_narrow_as_n_grows_and_contain_the_pooled_rate():
    lower, upper = limits(0.8, [20, 80, 320], 0.95)
    assert list(np.diff(upper)) == sorted(np.diff(upper)) and all(lower < 0.8) and all(upper > 0.8)
    assert upper[0] - lower[0] > upper[2] - lower[2]
    lower99, upper99 = limits(0.8, [20, 80, 320], 0.998)
    assert all(lower99 <= lower) and all(upper99 >= upper)


def test_overdispersion_worked_example():
    # Three units at theta 0.5 with n = 100: z = (y - 0.5) / 0.05. Rates 0.6, 0.4, 0.5 give z = 2, -2, 0.
    # Version 4 Winsorises for any number of forces: the 10th and 90th percentiles of (-2, 0, 2), by linear
    # interpolation, are -1.6 and 1.6, so phi = (1.6^2 + 1.6^2 + 0) / 3 (version 3 left three forces unWinsorised).
    phi = overdispersion([60, 40, 50], [100, 100, 100], 0.5)
    assert phi == pytest.approx((1.6**2 + 1.6**2 + 0) / 3)
    lower, upper = limits(0.5, [100], 0.95, phi)
    assert upper[0] - 0.5 == pytest.approx(1.959964 * math.sqrt(phi * 0.25 / 100), rel=1e-5)


def test_classification_against_the_limits():
    assert classify(0.8, 100, 0.8) == "within"
    assert classify(0.98, 100, 0.8) == "above 99.8%"
    assert classify(0.3, 100, 0.8) == "below 99.8%"
    # Just beyond the 95% limit but not the 99.8% one:
    upper95 = limits(0.8, [200], 0.95)[1][0]
    assert classify(upper95 + 0.005, 200, 0.8) == "above 95%"
    assert binom.cdf(200 * upper95, 200, 0.8) == pytest.approx(0.975, abs=0.01)


def _funnelplotr_phi(z):
    """FunnelPlotR's winsorisation() then phi_func() (chrismainey/FunnelPlotR, R/od_adjustment.R, MIT licence),
    written again here: z-scores below R's quantile(z, 0.1) set to it, above quantile(z, 0.9) set to it (R's default
    quantile, type 7, is numpy's linear), then phi = (1 / n) * sum(z^2)."""
    z = np.asarray(z, float)
    ordered = np.sort(z)

    def type7(q):  # R's quantile type 7: h = (n - 1) q, between the floor and the ceiling of h
        h = (len(ordered) - 1) * q
        lo = int(np.floor(h))
        return ordered[lo] + (h - lo) * (ordered[min(lo + 1, len(ordered) - 1)] - ordered[lo])

    low, high = type7(0.1), type7(0.9)
    winsorised = np.where(z < low, low, np.where(z > high, high, z))
    return float((1 / len(z)) * np.sum(winsorised**2))


@pytest.mark.parametrize("count", [3, 6, 9, 10, 25])
def test_overdispersion_is_funnelplotrs_winsorised_phi_for_any_number_of_forces(count):
    rng = np.random.default_rng(count)
    n = rng.integers(20, 400, count)
    theta = 0.85
    numerators = rng.binomial(n, rng.uniform(0.7, 0.97, count))
    z = (numerators / n - theta) / np.sqrt(theta * (1 - theta) / n)
    assert overdispersion(numerators, n, theta) == pytest.approx(_funnelplotr_phi(z), rel=1e-12)
