"""Attribution (docs/metrics.md, version 3) against an independent calculation: child facts built here with a
known treatment effect and a trend shared by every force, and the expected effect, interval, placebo p-value
and pre-trend p-value computed here from the definitions, with this file's own design matrix, its own
Newton-Raphson fit and its own Pearson chi-squared (numpy and scipy only, never Harbour's code or statsmodels).
Then each edge case of the definition by name."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import expit, logit

from harbour.metrics.attribution import attribution

Z = 1.959964
QUARTERS = [(2016, 1), (2016, 2), (2016, 3), (2016, 4), (2017, 1), (2017, 2), (2017, 3), (2017, 4)]


def _quarter_start(year, q):
    return date(year, 3 * q - 2, 1)


def children_of(force: str, year: int, q: int, n: int, retained: int) -> list[dict]:
    """``n`` children first contacted in the quarter's middle month, ``retained`` of them kept 28 days."""
    month = f"{year}-{3 * q - 1:02d}"
    rows = []
    for i in range(n):
        kept = i < retained
        rows.append(
            {
                "force_code": force,
                "contact_month": month,
                "placed": True,
                "event": not kept,
                "obs_hours": 2000.0 if kept else 100.0,
                "followup_hours": 2000.0,
            }
        )
    return rows


def force(code, pilot=None, start=date(2016, 1, 1), extract=date(2017, 12, 31)):
    return {"force_code": code, "pilot_start": pilot, "baseline_start": start, "extract_date": extract}


def generated(forces: dict, effect: float, trend: float, sizes: dict, level: dict, treated="T", wobble=0.0):
    """Child facts with logit P(retained) = level[force] + trend * quarter index + effect on the treated force's
    pilot quarters (+ a fixed wobble by quarter and force, so the fit is not exact)."""
    rows = []
    for code, info in forces.items():
        for k, (year, q) in enumerate(QUARTERS):
            start = _quarter_start(year, q)
            if start < info["baseline_start"] or start > info["extract_date"]:
                continue
            treated_now = code == treated and info["pilot_start"] is not None and start >= info["pilot_start"]
            eta = level[code] + trend * k + (effect if treated_now else 0.0) + wobble * math.sin(3 * k + len(code))
            n = sizes[code]
            rows += children_of(code, year, q, n, int(round(n * expit(eta))))
    return pd.DataFrame(rows), pd.DataFrame(list(forces.values()))


# --- the independent calculation ------------------------------------------------------------------------


def design_matrix(cells: list[dict], indicator: list[float]) -> np.ndarray:
    forces = sorted({c["force"] for c in cells})
    quarters = sorted({c["quarter"] for c in cells})
    X = np.zeros((len(cells), 1 + len(forces) - 1 + len(quarters) - 1 + 1))
    for i, c in enumerate(cells):
        X[i, 0] = 1
        if forces.index(c["force"]) > 0:
            X[i, forces.index(c["force"])] = 1
        if quarters.index(c["quarter"]) > 0:
            X[i, len(forces) - 1 + quarters.index(c["quarter"])] = 1
        X[i, -1] = indicator[i]
    return X


def newton(X, y, n):
    """Maximum likelihood of the binomial logit model by Newton-Raphson; (beta, covariance, fitted p)."""
    beta = np.zeros(X.shape[1])
    beta[0] = logit(np.clip(y.sum() / n.sum(), 1e-6, 1 - 1e-6))
    for _ in range(100):
        p = expit(X @ beta)
        w = n * p * (1 - p)
        gradient = X.T @ (y - n * p)
        info = X.T @ (X * w[:, None])
        step = np.linalg.solve(info, gradient)
        beta += step
        if np.max(np.abs(step)) < 1e-12:
            break
    p = expit(X @ beta)
    return beta, np.linalg.inv(X.T @ (X * (n * p * (1 - p))[:, None])), p


def quasi(X, y, n):
    beta, cov, p = newton(X, y, n)
    chi2 = float(np.sum((y - n * p) ** 2 / (n * p * (1 - p))))
    phi = max(1.0, chi2 / (len(y) - X.shape[1]))
    return beta, math.sqrt(cov[-1, -1] * phi), X @ beta


def cells_of(children: pd.DataFrame, keep) -> list[dict]:
    """Force-quarter cells (retained, at_risk) by hand: every child here is at risk at 28 days."""
    out = []
    for (code, month), g in children.groupby(["force_code", "contact_month"]):
        q = (int(month[:4]), (int(month[5:7]) - 1) // 3 + 1)
        if keep(code, q):
            out.append({"force": code, "quarter": q, "retained": int((~g["event"]).sum()), "at_risk": len(g)})
    return out


def expected(children, treated_pilot_quarters, baseline_quarters, comparison, treated="T"):
    wanted = set(treated_pilot_quarters) | set(baseline_quarters)
    cells = cells_of(children, lambda code, q: q in wanted and (code == treated or code in comparison))
    D = [1.0 if c["force"] == treated and c["quarter"] in treated_pilot_quarters else 0.0 for c in cells]
    X = design_matrix(cells, D)
    y = np.array([c["retained"] for c in cells], float)
    n = np.array([c["at_risk"] for c in cells], float)
    beta, se, eta = quasi(X, y, n)
    delta = beta[-1]
    mask = np.array(D, bool)

    def eff(d_end):
        return float(np.sum(n[mask] * (expit(eta[mask] - delta + d_end) - expit(eta[mask] - delta))) / n[mask].sum())

    effect = eff(delta)
    others = [c for c in cells if c["force"] != treated]
    first = min(treated_pilot_quarters)
    larger, placebos = 0, {}
    for g in comparison:
        Dg = [1.0 if c["force"] == g and c["quarter"] >= first else 0.0 for c in others]
        Xg = design_matrix(others, Dg)
        yg = np.array([c["retained"] for c in others], float)
        ng = np.array([c["at_risk"] for c in others], float)
        bg, _, eg = quasi(Xg, yg, ng)
        mg = np.array(Dg, bool)
        eff_g = float(np.sum(ng[mg] * (expit(eg[mg]) - expit(eg[mg] - bg[-1]))) / ng[mg].sum())
        placebos[g] = eff_g
        larger += abs(eff_g) >= abs(effect)
    base = [c for c in cells if c["quarter"] in set(baseline_quarters)]
    order = {q: k for k, q in enumerate(sorted(baseline_quarters))}
    K = [order[c["quarter"]] if c["force"] == treated else 0.0 for c in base]
    bt, st, _ = quasi(
        design_matrix(base, K),
        np.array([c["retained"] for c in base], float),
        np.array([c["at_risk"] for c in base], float),
    )
    return {
        "delta": delta,
        "delta_ci_low": delta - Z * se,
        "delta_ci_high": delta + Z * se,
        "effect": effect,
        "ci_low": eff(delta - Z * se),
        "ci_high": eff(delta + Z * se),
        "placebo_p": (1 + larger) / (len(comparison) + 1),
        "smallest_p": 1 / (len(comparison) + 1),
        "pretrend_p": float(2 * stats.norm.sf(abs(bt[-1] / st))),
        "_placebo": placebos,
    }


# --- the checks -------------------------------------------------------------------------------------------

FORCES = {"T": force("T", pilot=date(2017, 1, 1)), "A": force("A"), "B": force("B"), "C": force("C"), "D": force("D")}
LEVEL = {"T": 0.8, "A": 1.0, "B": 0.6, "C": 1.2, "D": 0.9}
SIZES = {"T": 60, "A": 50, "B": 70, "C": 40, "D": 55}
BASELINE = [(2016, 1), (2016, 2), (2016, 3), (2016, 4)]
PILOT = [(2017, 1), (2017, 2), (2017, 3), (2017, 4)]


def test_attribution_matches_the_definition_computed_independently():
    children, forces = generated(FORCES, effect=0.7, trend=0.1, sizes=SIZES, level=LEVEL, wobble=0.15)
    found, reason = attribution(children, forces, "T")
    assert reason is None
    want = expected(children, PILOT, BASELINE, ["A", "B", "C", "D"])
    for key, value in want.items():
        if key != "_placebo":
            assert found[key] == pytest.approx(value, rel=1e-5, abs=1e-7), key
    # Each comparison force's placebo effect, as the page charts and tabulates it.
    for code, value in want["_placebo"].items():
        assert found["_placebo"][code] == pytest.approx(value, rel=1e-5, abs=1e-7), code
    assert found["comparator_forces"] == ["A", "B", "C", "D"] and found["comparators"] == 4
    assert (found["quarters_baseline"], found["quarters_pilot"]) == (4, 4)
    # The known effect shows: positive, its interval clear of zero, and the shared trend not taken for it.
    assert found["delta"] == pytest.approx(0.7, abs=0.25) and found["ci_low"] > 0


def test_a_trend_shared_by_every_force_is_not_the_schemes_effect():
    children, forces = generated(FORCES, effect=0.0, trend=0.25, sizes=SIZES, level=LEVEL)
    found, _ = attribution(children, forces, "T")
    assert found["effect"] == pytest.approx(0.0, abs=0.01)
    assert found["ci_low"] < 0 < found["ci_high"]


def test_a_comparison_force_whose_scheme_starts_midway_counts_only_until_it_starts():
    forces = {**FORCES, "M": force("M", pilot=date(2017, 7, 1))}  # its scheme from the third pilot quarter
    children, frame = generated(forces, 0.7, 0.1, {**SIZES, "M": 45}, {**LEVEL, "M": 0.7}, wobble=0.15)
    found, _ = attribution(children, frame, "T")
    assert "M" in found["comparator_forces"]
    rows = [r for r in found["_rows"] if r["force_code"] == "M"]
    assert sorted(r["quarter"] for r in rows) == ["2016-Q1", "2016-Q2", "2016-Q3", "2016-Q4", "2017-Q1", "2017-Q2"]
    # Independently: M's cells only before its own start.
    want = expected(
        children[~((children["force_code"] == "M") & (children["contact_month"] >= "2017-07"))],
        PILOT,
        BASELINE,
        ["A", "B", "C", "D", "M"],
    )
    assert found["effect"] == pytest.approx(want["effect"], rel=1e-5)


def test_a_comparison_force_whose_records_end_early_counts_until_they_end():
    forces = {**FORCES, "E": force("E", extract=date(2017, 8, 20))}  # 2017-Q3 is not complete for it
    children, frame = generated(forces, 0.7, 0.1, {**SIZES, "E": 45}, {**LEVEL, "E": 0.7}, wobble=0.15)
    found, _ = attribution(children, frame, "T")
    rows = [r["quarter"] for r in found["_rows"] if r["force_code"] == "E"]
    assert rows == ["2016-Q1", "2016-Q2", "2016-Q3", "2016-Q4", "2017-Q1", "2017-Q2"]
    # Records ending in the first pilot quarter leave it one pilot quarter: too few, so it is left out.
    forces = {**FORCES, "E": force("E", extract=date(2017, 5, 15))}
    children, frame = generated(forces, 0.7, 0.1, {**SIZES, "E": 45}, {**LEVEL, "E": 0.7}, wobble=0.15)
    found, _ = attribution(children, frame, "T")
    assert "E" not in found["comparator_forces"]


def test_a_comparison_force_with_no_baseline_quarters_is_left_out():
    forces = {**FORCES, "N": force("N", start=date(2017, 1, 1))}
    children, frame = generated(forces, 0.7, 0.1, {**SIZES, "N": 45}, {**LEVEL, "N": 0.7})
    found, _ = attribution(children, frame, "T")
    assert "N" not in found["comparator_forces"] and found["comparators"] == 4


def test_a_comparison_force_with_children_in_none_of_the_quarters_is_left_out():
    """A force whose children all fall outside the treated force's quarters (seen on the pilot demo filtered to one
    nationality: the comparison's empty selection lost its columns, and the page failed)."""
    forces = {**FORCES, "O": force("O", start=date(2018, 1, 1), extract=date(2018, 12, 31))}
    children, frame = generated(forces, 0.7, 0.1, SIZES, LEVEL)
    children = pd.concat([children, pd.DataFrame(children_of("O", 2018, 1, 20, 15))], ignore_index=True)
    found, _ = attribution(children, frame, "T")
    assert "O" not in found["comparator_forces"] and found["comparators"] == 4


def test_a_comparison_force_where_every_child_is_retained_is_left_out():
    children, frame = generated({**FORCES, "R": force("R")}, 0.7, 0.1, {**SIZES, "R": 30}, {**LEVEL, "R": 30.0})
    assert (children[children["force_code"] == "R"]["event"] == False).all()  # noqa: E712
    found, _ = attribution(children, frame, "T")
    assert "R" not in found["comparator_forces"]


def test_a_treated_force_with_too_few_quarters_has_no_attribution_and_says_why():
    forces = {**FORCES, "T": force("T", pilot=date(2017, 10, 1))}  # one pilot quarter
    children, frame = generated(forces, 0.7, 0.1, SIZES, LEVEL)
    found, reason = attribution(children, frame, "T")
    assert found is None
    assert reason == (
        "the force has 7 complete baseline quarters and 1 complete pilot quarter with children at risk; "
        "attribution needs at least 2 of each"
    )


def test_fewer_than_two_comparison_forces_gives_no_attribution():
    forces = {"T": FORCES["T"], "A": FORCES["A"]}
    children, frame = generated(forces, 0.7, 0.1, SIZES, LEVEL)
    found, reason = attribution(children, frame, "T")
    assert found is None and "needs at least 2 forces without a scheme" in reason and "has 1." in reason


def test_a_force_without_a_scheme_has_nothing_to_attribute():
    children, frame = generated(FORCES, 0.7, 0.1, SIZES, LEVEL)
    found, reason = attribution(children, frame, "A")
    assert found is None and "no scheme" in reason


def test_the_pretrend_warns_of_a_force_already_moving_apart():
    """The treated force's own trend before its scheme, which the comparison forces do not share."""
    children, frame = generated(FORCES, 0.0, 0.0, {k: 400 for k in SIZES}, LEVEL)
    drifting = []
    for k, (year, q) in enumerate(QUARTERS[:4]):
        n = 400
        drifting += children_of("T", year, q, n, int(round(n * expit(0.8 + 0.35 * k))))
    children = pd.concat(
        [
            children[~((children["force_code"] == "T") & (children["contact_month"] < "2017-01"))],
            pd.DataFrame(drifting),
        ],
        ignore_index=True,
    )
    found, _ = attribution(children, frame, "T")
    assert found["pretrend_p"] < 0.05
    assert found["pretrend_p"] == pytest.approx(
        expected(children, PILOT, BASELINE, list("ABCD"))["pretrend_p"], rel=1e-5
    )


def test_the_counterfactual_band_is_the_fit_without_the_schemes_effect():
    """What the page draws as 'had it moved like them': expit(eta - delta) on each pilot quarter, and its band with
    delta at the ends of its interval, from this file's own fit."""
    from harbour.metrics.attribution import counterfactual

    children, forces = generated(FORCES, effect=0.7, trend=0.1, sizes=SIZES, level=LEVEL, wobble=0.15)
    found, _ = attribution(children, forces, "T")
    wanted = set(PILOT) | set(BASELINE)
    cells = cells_of(children, lambda code, q: q in wanted)
    D = [1.0 if c["force"] == "T" and c["quarter"] in PILOT else 0.0 for c in cells]
    beta, se, eta = quasi(
        design_matrix(cells, D),
        np.array([c["retained"] for c in cells], float),
        np.array([c["at_risk"] for c in cells], float),
    )
    delta = beta[-1]
    expected_band = {
        f"{c['quarter'][0]}-Q{c['quarter'][1]}": (
            expit(e - delta),
            expit(e - delta - Z * se),
            expit(e - delta + Z * se),
        )
        for c, e, d in zip(cells, eta, D)
        if d
    }
    band = {row["quarter"]: row for row in counterfactual(found)}
    assert set(band) == set(expected_band)
    for quarter, (without, low, high) in expected_band.items():
        assert band[quarter]["without"] == pytest.approx(without, rel=1e-6)
        assert band[quarter]["without_low"] == pytest.approx(low, rel=1e-6)
        assert band[quarter]["without_high"] == pytest.approx(high, rel=1e-6)


def test_the_placebo_tables_as_large_column_counts_as_the_placebo_p_does():
    """The page's "as large as this force's, either way" column, counted by hand: by the fitted changes (not the
    whole points shown, which could tie), both ways, a refit with no finite estimate counted as as large; so that its
    "yes" rows are the k of the placebo p, (1 + k) / (J + 1), and of the words."""
    from types import SimpleNamespace

    from harbour.metrics.disclosure import Audience
    from harbour.pages.attribution import _placebo_panel

    placebo = {"A": 0.10, "B": -0.12, "C": 0.02, "D": None, "E": 0.0496, "F": -0.0504}
    effect = 0.0504  # shown as 5 points, as E is: E is smaller, F as large (the other way)
    as_large = {"A", "B", "D", "F"}  # by hand
    found = {
        "effect": effect,
        "comparators": len(placebo),
        "comparator_forces": list(placebo),
        "comparator_sources": [{"force": c, "name": f"Force {c}"} for c in placebo],
        "_placebo": placebo,
        "_treated": "T",
    }
    published = {
        **found,
        **dict(ci_low=0.01, ci_high=0.09, delta=0.3, delta_ci_low=0.1, delta_ci_high=0.5, pretrend_p=None),
        "placebo_p": (1 + len(as_large)) / (len(placebo) + 1),
        "smallest_p": 1 / 7,
    }
    forces = pd.DataFrame({"force_code": ["T"], "force_name": ["Treated"]})
    ctx = SimpleNamespace(audience=Audience("publication", method="perturbation"), facts=SimpleNamespace(forces=forces))
    panel = _placebo_panel(ctx, found, published)
    rows = {row[0]: str(getattr(row[3], "value", row[3])) for row in panel.table.rows}
    assert {name for name, said in rows.items() if said.startswith("yes")} == {f"Force {c}" for c in as_large}
    assert rows["Force D"] == "yes (no estimate)" and rows["Force E"] == "no" and rows["Treated"] == ""
    assert panel.finding == "In 4 of the 6 forces without a scheme a change this large arose by chance"
