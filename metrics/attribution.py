"""Attribution: how much of a force's change in 28-day retention stands out against forces that had no scheme
in the same quarters (docs/metrics.md, version 3, "Attribution: the scheme, or a change everywhere?").

The data are quarterly (calendar quarters of the UK local date of first contact, complete quarters only):
for each force and quarter, 28-day ``retained`` and ``at_risk``. The model is a binomial GLM with the logit
link and a parameter for every force and every quarter, plus ``delta`` on the treated force's pilot quarters,
fitted by statsmodels to the proportion retained with ``var_weights`` = at_risk; standard errors are the
binomial ones times sqrt(phi), phi = max(1, Pearson's chi-squared / residual degrees of freedom).
Pure functions over data frames: no Dash, no SQLAlchemy.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from scipy.special import expit
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning
from threadpoolctl import threadpool_limits

from harbour.metrics import Z95
from harbour.metrics.disclosure import perturbed_retention_rows
from harbour.metrics.perturbation import keys_of

HORIZON_HOURS = 672.0  # 28 days
MIN_QUARTERS = 2  # of the treated force's baseline, and of its pilot; of each comparison force's, among them
MIN_COMPARATORS = 2


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int  # 1 to 4

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> date:
        nxt = Quarter(self.year + (self.q == 4), 1 if self.q == 4 else self.q + 1)
        return nxt.start - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.q}"

    @classmethod
    def of_month(cls, month: str) -> Quarter:
        return cls(int(month[:4]), (int(month[5:7]) - 1) // 3 + 1)


def quarterly_sums(children: pd.DataFrame, keyed: bool = False) -> pd.DataFrame:
    """28-day retained, not_retained and at_risk of each force's children by quarter of first contact: force_code,
    quarter (its number, year * 4 + quarter - 1), retained, not_retained, at_risk (the definitions of
    docs/metrics.md, "Retention in safe accommodation"); ``keyed``: with the summed record keys of the children at
    risk and not retained (at_risk_key, not_retained_key), the cells perturbation publishes."""
    placed = children["placed"].to_numpy(bool)
    event = children["event"].to_numpy(bool) & placed
    obs, follow = children["obs_hours"].to_numpy(float), children["followup_hours"].to_numpy(float)
    not_retained = event & (obs <= HORIZON_HOURS)
    retained = placed & ~not_retained & (follow >= HORIZON_HOURS)
    # Each month's quarter as one number (year * 4 + quarter - 1), worked out once per distinct month.
    month_codes, months = pd.factorize(children["contact_month"].astype(str).to_numpy())
    number = np.array([(lambda q: q.year * 4 + q.q - 1)(Quarter.of_month(m)) for m in months], dtype=int)
    frame = pd.DataFrame(
        {
            "force_code": children["force_code"].astype(str).to_numpy(),
            "quarter": number[month_codes] if len(months) else np.zeros(len(children), dtype=int),
            "retained": retained.astype(int),
            "not_retained": not_retained.astype(int),
            "at_risk": (retained | not_retained).astype(int),
        }
    )
    columns = ["retained", "not_retained", "at_risk"]
    if keyed:
        keys = keys_of(children)
        frame["at_risk_key"] = np.where(retained | not_retained, keys, 0)
        frame["not_retained_key"] = np.where(not_retained, keys, 0)
        columns += ["at_risk_key", "not_retained_key"]
    return frame.groupby(["force_code", "quarter"], sort=True)[columns].sum().reset_index()


def quarterly_counts(children: pd.DataFrame, perturbed: bool = False) -> pd.DataFrame:
    """28-day retained and at_risk of each force's children by quarter of first contact: force_code, quarter
    (a Quarter), retained, at_risk (the definitions of docs/metrics.md, "Retention in safe accommodation").
    ``perturbed``: as published under perturbation (docs/metrics.md version 4): at_risk and not_retained each a
    cell, retained the one less the other."""
    if children.empty:
        return pd.DataFrame(columns=["force_code", "quarter", "retained", "at_risk"])
    sums = quarterly_sums(children, keyed=perturbed)
    if perturbed:
        sums["retained"], sums["at_risk"] = perturbed_retention_rows(sums)
    return _as_quarters(sums[["force_code", "quarter", "retained", "at_risk"]])


def _as_quarters(counts: pd.DataFrame) -> pd.DataFrame:
    """``counts`` with its quarter numbers (year * 4 + quarter - 1) as Quarters."""
    counts = counts.copy()
    counts["quarter"] = [Quarter(int(n) // 4, int(n) % 4 + 1) for n in counts["quarter"]]
    return counts.reset_index(drop=True)


def _day(value) -> date | None:
    return value if isinstance(value, date) else None


def design(children: pd.DataFrame, forces: pd.DataFrame, treated: str, perturbed: bool = False, packs=None) -> dict:
    """The rows of the model for ``treated`` and why there are none: {"rows": frame of force_code, quarter,
    retained, at_risk, pilot (bool: one of the treated force's pilot quarters), "baseline_quarters",
    "pilot_quarters", "comparators": [codes], "reason": None or words}. ``packs``: comparison forces from the
    exchange (exchange.comparisons.Comparisons), their quarterly counts as published; a force of the warehouse is
    taken from its records."""
    info = forces.set_index("force_code")
    row = info.loc[treated]
    pilot_start, baseline_start, extract = (
        _day(row["pilot_start"]),
        _day(row["baseline_start"]),
        _day(row["extract_date"]),
    )
    if pilot_start is None:
        return {"reason": "the force has no scheme (no pilot_start), so there is no change to attribute"}
    counts = quarterly_counts(children, perturbed)
    counts = counts[counts["at_risk"] > 0]
    mine = counts[counts["force_code"] == treated]
    baseline_q = sorted(q for q in mine["quarter"] if q.start >= baseline_start and q.end < pilot_start)
    pilot_q = sorted(q for q in mine["quarter"] if q.start >= pilot_start and q.end <= extract)
    out = {"baseline_quarters": baseline_q, "pilot_quarters": pilot_q, "comparators": []}
    if len(baseline_q) < MIN_QUARTERS or len(pilot_q) < MIN_QUARTERS:
        out["reason"] = (
            f"the force has {len(baseline_q)} complete baseline quarter{'s' if len(baseline_q) != 1 else ''} "
            f"and {len(pilot_q)} complete pilot quarter{'s' if len(pilot_q) != 1 else ''} with children at "
            f"risk; attribution needs at least {MIN_QUARTERS} of each"
        )
        return out
    wanted = set(baseline_q) | set(pilot_q)
    parts = [mine[mine["quarter"].isin(wanted)].assign(pilot=lambda f: f["quarter"].isin(set(pilot_q)))]
    others = counts[(counts["force_code"] != treated) & counts["quarter"].isin(wanted)]
    by_force = dict(list(others.groupby("force_code", sort=True)))
    periods = {
        code: (_day(g["baseline_start"]), _day(g["extract_date"]), _day(g["pilot_start"]))
        for code, g in info.iterrows()
        if code != treated
    }
    out["sources"] = {}
    if packs is not None and len(packs.forces):
        theirs_all = packs.rows[packs.rows["at_risk"] > 0]
        theirs_all = theirs_all[theirs_all["quarter"].isin(wanted)]
        for force in packs.forces:
            if force.code in periods or force.code == treated:
                continue  # a force in both: taken from its records
            periods[force.code] = (force.data_start, force.extract_date, force.pilot_start)
            by_force[force.code] = theirs_all[theirs_all["force_code"] == force.code]
            out["sources"][force.code] = force
    for code in sorted(set(by_force) | (set(counts["force_code"]) - {treated})):
        g_start, g_end, g_pilot = periods[code]
        theirs = by_force.get(code, others.iloc[:0])
        keep = pd.Series(
            [
                (g_start is None or q.start >= g_start) and q.end <= g_end and (g_pilot is None or q.end < g_pilot)
                for q in theirs["quarter"]
            ],
            index=theirs.index,
            dtype=bool,
        )  # rows, even when none
        theirs = theirs[keep]
        n_base = sum(q in set(baseline_q) for q in theirs["quarter"])
        n_pilot = sum(q in set(pilot_q) for q in theirs["quarter"])
        if n_base < MIN_QUARTERS or n_pilot < MIN_QUARTERS:
            continue
        if (theirs["retained"] == 0).all() or (theirs["retained"] == theirs["at_risk"]).all():
            continue
        parts.append(theirs.assign(pilot=False))
        out["comparators"].append(code)
    out["rows"] = pd.concat(parts, ignore_index=True)
    out["reason"] = None
    if len(out["comparators"]) < MIN_COMPARATORS:
        j = len(out["comparators"])
        out["reason"] = (
            f"it needs at least {MIN_COMPARATORS} forces without a scheme over the same quarters to compare with, "
            f"and has {'none' if j == 0 else j}. " + HOW_TO_COMPARE
        )
    return out


# The one line a force with its records alone reads: where comparison forces come from (the exchange's commands).
HOW_TO_COMPARE = (
    "Comparison forces come from the exchange: trust each force's key (harbour benchmark trust), then pull their "
    "signed packs from your hub (harbour benchmark pull --hub URL) or import a pack you were sent (harbour "
    "benchmark import FILE)"
)


@dataclass
class Fit:
    estimate: float  # the coefficient of interest
    se: float  # quasi-binomial: the binomial one times sqrt(phi)
    phi: float
    eta: np.ndarray  # the fitted linear predictor of every row


def _dummies(values: pd.Series) -> np.ndarray:
    """One column per level but the first (in sorted order): the reference level has none."""
    codes, levels = pd.factorize(values, sort=True)
    out = np.zeros((len(values), len(levels)))
    out[np.arange(len(values)), codes] = 1.0
    return out[:, 1:]


def _effects(rows: pd.DataFrame) -> np.ndarray:
    """The constant, a column for every force and every quarter but the first of each."""
    quarters = rows["quarter"].map(lambda q: q.year * 4 + q.q - 1)
    return np.column_stack([np.ones(len(rows)), _dummies(rows["force_code"]), _dummies(quarters)])


def _start(rows: pd.DataFrame) -> np.ndarray | None:
    """The two-way model's estimates on ``rows`` without an indicator, and 0 for one: where each placebo refit on
    the same rows begins."""
    exog = _effects(rows)
    at_risk = rows["at_risk"].to_numpy(float)
    try:
        result = sm.GLM(
            rows["retained"].to_numpy(float) / at_risk, exog, family=sm.families.Binomial(), var_weights=at_risk
        ).fit()
    except (ValueError, np.linalg.LinAlgError, ZeroDivisionError):
        return None
    params = np.asarray(result.params, dtype=float)
    return np.append(params, 0.0) if np.all(np.isfinite(params)) else None


def fit(rows: pd.DataFrame, indicator: np.ndarray, start: np.ndarray | None = None) -> Fit | None:
    """The logit GLM a[force] + b[quarter] + beta * indicator on ``rows`` (retained of at_risk), or None when it
    has no finite estimate. Reference levels: the first force and the first quarter in sorted order. ``start``:
    where IRLS begins (the same model's estimates on the same rows without the indicator, so that each of the
    placebo refits takes a few steps); the maximum it finds is the same."""
    exog = np.column_stack([_effects(rows), np.asarray(indicator, dtype=float)])
    at_risk = rows["at_risk"].to_numpy(float)
    share = rows["retained"].to_numpy(float) / at_risk
    try:
        model = sm.GLM(share, exog, family=sm.families.Binomial(), var_weights=at_risk)
        if int(model.df_model) + 1 < exog.shape[1]:  # a parameter the rows cannot tell apart from the others
            return None
        with warnings.catch_warnings():
            # A force at 100% in a quarter: the estimate runs off, which the check below turns into "no estimate".
            warnings.simplefilter("ignore", PerfectSeparationWarning)
            result = model.fit(start_params=start)
    except (ValueError, np.linalg.LinAlgError, ZeroDivisionError):
        return None
    estimate, se = float(result.params[-1]), float(result.bse[-1])
    if not (math.isfinite(estimate) and math.isfinite(se)) or abs(estimate) > 30:  # separation: no finite estimate
        return None
    df = float(result.df_resid)
    phi = max(1.0, float(result.pearson_chi2) / df) if df > 0 else 1.0
    return Fit(estimate, se * math.sqrt(phi), phi, np.asarray(exog @ result.params, dtype=float))


def _expit(x):
    return expit(x)


def average_effect(eta: np.ndarray, at_risk: np.ndarray, delta: float, replaced: float | None = None) -> float:
    """sum n (expit(eta) - expit(eta - delta)) / sum n over the treated rows; with ``replaced``, expit(eta - delta
    + replaced) in place of expit(eta) (an end of delta's interval)."""
    base = eta - delta
    treated = base + (delta if replaced is None else replaced)
    return float(np.sum(at_risk * (_expit(treated) - _expit(base))) / np.sum(at_risk))


def attribution(
    children: pd.DataFrame, forces: pd.DataFrame, treated: str, perturbed: bool = False, packs=None
) -> tuple[dict | None, str | None]:
    """(the attribution of docs/metrics.md for ``treated``, exact, or on the perturbed quarterly counts where
    ``perturbed``; or None) and the reason in words where None.

    BLAS runs on one thread here: these are many small fits, each faster on one thread than shared out, and the
    warm-up already runs one process per core (several threads each would fight over the same cores)."""

    with threadpool_limits(limits=1, user_api="blas"):
        return _attribution(children, forces, treated, perturbed, packs)


def _attribution(
    children: pd.DataFrame, forces: pd.DataFrame, treated: str, perturbed: bool = False, packs=None
) -> tuple[dict | None, str | None]:
    made = design(children, forces, treated, perturbed, packs)
    if made.get("reason"):
        return None, made["reason"]
    rows = made["rows"]
    is_treated = (rows["force_code"] == treated).to_numpy()
    treated_pilot = is_treated & rows["pilot"].to_numpy(bool)
    main = fit(rows, treated_pilot.astype(float))
    if main is None:
        return None, "the model has no finite estimate for these numbers"
    delta, se = main.estimate, main.se
    low, high = delta - Z95 * se, delta + Z95 * se
    n = rows["at_risk"].to_numpy(float)[treated_pilot]
    eta = main.eta[treated_pilot]
    effect = average_effect(eta, n, delta)
    first_pilot = min(made["pilot_quarters"])
    others = rows[~is_treated].reset_index(drop=True)
    start = _start(others)
    placebo_effects = {}
    for code in made["comparators"]:
        indicator = ((others["force_code"] == code) & others["quarter"].map(lambda q: q >= first_pilot)).to_numpy()
        placebo = fit(others, indicator.astype(float), start)
        if placebo is None:
            placebo_effects[code] = None  # no finite estimate: counted as at least as large (conservative)
            continue
        placebo_effects[code] = average_effect(
            placebo.eta[indicator], others["at_risk"].to_numpy(float)[indicator], placebo.estimate
        )
    J = len(made["comparators"])
    names = dict(zip(forces["force_code"], forces["force_name"])) if "force_name" in forces else {}
    sources = made.get("sources", {})
    as_large = sum(1 for e in placebo_effects.values() if e is None or abs(e) >= abs(effect))
    return {
        "horizon": "28d",
        "comparators": J,
        "comparator_forces": list(made["comparators"]),
        # Each comparison force's name and where its counts came from: this warehouse, or a signed pack.
        "comparator_sources": [
            {
                "force": code,
                "name": sources[code].name if code in sources else str(names.get(code, code)),
                "source": "pack" if code in sources else "warehouse",
                "extract_date": sources[code].extract_date.isoformat() if code in sources else None,
                "signer_fingerprint": sources[code].fingerprint if code in sources else None,
            }
            for code in made["comparators"]
        ],
        "quarters_baseline": len(made["baseline_quarters"]),
        "quarters_pilot": len(made["pilot_quarters"]),
        "delta": delta,
        "delta_ci_low": low,
        "delta_ci_high": high,
        "effect": effect,
        "ci_low": average_effect(eta, n, delta, low),
        "ci_high": average_effect(eta, n, delta, high),
        "placebo_p": (1 + as_large) / (J + 1),
        "smallest_p": 1 / (J + 1),
        "pretrend_p": pretrend_p(rows, treated, made["baseline_quarters"]),
        "_phi": main.phi,
        # Not in the summary document: what a page draws (the placebo effects, each comparison force's rows, the
        # treated force's baseline and pilot children at risk, for the publication rule).
        "_placebo": placebo_effects,
        "_treated": treated,
        "_rows": rows.assign(quarter=rows["quarter"].map(lambda q: q.label)).to_dict("records"),
        "_fitted": {"eta": main.eta.tolist(), "treated_pilot": treated_pilot.tolist()},
        "_baseline_at_risk": int(rows.loc[is_treated & ~rows["pilot"].to_numpy(bool), "at_risk"].sum()),
        "_pilot_at_risk": int(n.sum()),
    }, None


def pretrend_p(rows: pd.DataFrame, treated: str, baseline_quarters: list[Quarter]) -> float | None:
    """The two-sided Wald p-value of theta in a[force] + b[quarter] + theta * k * [force = treated] on the rows of
    the treated force's baseline quarters (k: 0 for the earliest, then 1, 2, ...); None under 3 quarters."""
    if len(baseline_quarters) < 3:
        return None
    index = {q: k for k, q in enumerate(sorted(baseline_quarters))}
    base = rows[rows["quarter"].isin(set(baseline_quarters))].reset_index(drop=True)
    k = base["quarter"].map(index).to_numpy(float) * (base["force_code"] == treated).to_numpy(float)
    trend = fit(base, k)
    if trend is None or trend.se <= 0:
        return None
    return float(2 * stats.norm.sf(abs(trend.estimate / trend.se)))


def counterfactual(result: dict) -> list[dict]:
    """For each of the treated force's pilot quarters: its fitted rate and the rate had it moved like the
    comparison forces (delta removed), with the band from delta's interval, as fractions."""
    out = []
    for row, e, treated in zip(result["_rows"], result["_fitted"]["eta"], result["_fitted"]["treated_pilot"]):
        if not treated:
            continue
        quarter, n = row["quarter"], row["at_risk"]
        out.append(
            {
                "quarter": quarter,
                "at_risk": int(n),
                "fitted": float(_expit(e)),
                "without": float(_expit(e - result["delta"])),
                "without_low": float(_expit(e - result["delta_ci_high"])),
                "without_high": float(_expit(e - result["delta_ci_low"])),
            }
        )
    return out
