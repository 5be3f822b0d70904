"""Attribution from the exchange: a treated force's own records and 15 comparison forces' packs, each
exported and signed by a Harbour of its own and pulled through a real hub under gunicorn, give the effect, its
interval, the placebo p and the pre-trend p that docs/metrics.md defines: checked against a design matrix built
and fitted here with statsmodels on the same counts (the treated force's counted here from its facts, the
comparison forces' read from the hub's own answer), never against Harbour's own output."""

from __future__ import annotations

import json
import math
import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from scipy.special import expit

from harbour.etl.demo import ForcePlan, generate_forces, write_bundle
from harbour.etl.load import load_bundle
from harbour.etl.pseudonymise import Pseudonymiser
from harbour.warehouse.engine import engine_for

from .hubs import api, enrol, harbour, hub_database, keygen, serving_hub

EXTRACT = date(2018, 7, 31)
PILOT = date(2017, 8, 1)
Z = 1.959964


def _warehouse(folder, plans, seed, key):
    rows = generate_forces(plans, random.Random(seed))
    url = f"sqlite:///{folder / 'warehouse.sqlite'}"
    load_bundle(engine_for(url), [write_bundle(rows, folder / "bundle")], Pseudonymiser(key))
    return url


@pytest.fixture(scope="module")
def exchange(tmp_path_factory):
    """The treated force's Harbour (its records alone), 15 Harbours of one force each without a scheme (each its own
    pseudonym key and signing key), all enrolled on a hub under gunicorn; each comparison force has published its
    signed pack there, and the treated Harbour has trusted their keys from the hub and pulled."""
    folder = tmp_path_factory.mktemp("attribution-exchange")
    treated = _warehouse(
        folder / "treated",
        [
            ForcePlan(
                "TREATED", "Treated Police (fictional)", "Safe First Contact", PILOT, date(2016, 1, 1), EXTRACT, 220
            )
        ],
        11,
        b"treated-harbour-pseudonym-key-long",
    )
    codes = [f"CMP{i:02d}" for i in range(1, 16)]
    harbours, keys = {}, {}
    for i, code in enumerate(codes):
        change = (date(2017, 10, 1), 0.6) if code == "CMP03" else None
        harbours[code] = _warehouse(
            folder / code,
            [ForcePlan(code, f"Comparison {i + 1} (fictional)", None, None, date(2016, 1, 1), EXTRACT, 160, change)],
            100 + i,
            f"comparison-harbour-{code}-pseudonym-key".encode(),
        )
        keys[code] = keygen(code, folder / code)
    keys["TREATED"] = keygen("TREATED", folder / "treated")
    with hub_database("sqlite", folder, "hub") as hub_db:
        tokens = {code: enrol(hub_db, code, keys[code]["public"]) for code in [*codes, "TREATED"]}
        with serving_hub(hub_db, folder / "hub.log", HARBOUR_HUB_RATE="100/second;3000/minute") as base:
            for code in codes:
                made = harbour(
                    "benchmark",
                    "publish",
                    "--hub",
                    base,
                    "--token",
                    tokens[code],
                    "--force",
                    code,
                    "--key",
                    str(keys[code]["private"]),
                    "--warehouse",
                    harbours[code],
                )
                assert made.exit_code == 0, made.output
            env = {"HARBOUR_HUB_TOKEN": tokens["TREATED"]}
            for code in codes:
                trusted = harbour(
                    "benchmark",
                    "trust",
                    "--from-hub",
                    base,
                    "--force",
                    code,
                    "--fingerprint",
                    keys[code]["fingerprint"],
                    "--warehouse",
                    treated,
                    env=env,
                )
                assert trusted.exit_code == 0, trusted.output
            pulled = harbour("benchmark", "pull", "--hub", base, "--warehouse", treated, env=env)
            assert pulled.exit_code == 0 and "15 imported" in pulled.output, pulled.output
            status, answer, _ = api(base, "GET", "/api/v1/packs", tokens["TREATED"])
            assert status == 200
    return {"treated": treated, "answer": answer, "codes": codes, "keys": keys}


# ---- docs/metrics.md's attribution, written again here -----------------------------------------------------------


def _quarter(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def _bounds(label: str) -> tuple[date, date]:
    year, q = int(label[:4]), int(label[-1])
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
    return start, end


def _treated_counts(children: pd.DataFrame) -> pd.DataFrame:
    """The treated force's exact 28-day retained and at risk by quarter of first contact, by hand from its facts."""
    rows = []
    for _, c in children.iterrows():
        placed = bool(c["placed"])
        gone = placed and bool(c["event"]) and c["obs_hours"] <= 672
        kept = placed and not gone and c["followup_hours"] >= 672
        if gone or kept:
            rows.append({"quarter": _quarter(str(c["contact_month"])), "retained": int(kept), "at_risk": 1})
    return pd.DataFrame(rows).groupby("quarter", as_index=False).sum()


def _glm(frame: pd.DataFrame, indicator: np.ndarray):
    """logit P = a[force] + b[quarter] + beta * indicator, by a design matrix built here; (beta, quasi-binomial
    se, the fitted linear predictor)."""
    forces = sorted(frame["force"].unique())
    quarters = sorted(frame["quarter"].unique())
    columns = [np.ones(len(frame))]
    columns += [(frame["force"] == f).to_numpy(float) for f in forces[1:]]
    columns += [(frame["quarter"] == q).to_numpy(float) for q in quarters[1:]]
    columns.append(np.asarray(indicator, float))
    X = np.column_stack(columns)
    n = frame["at_risk"].to_numpy(float)
    y = frame["retained"].to_numpy(float) / n
    result = sm.GLM(y, X, family=sm.families.Binomial(), var_weights=n).fit()
    p = expit(X @ result.params)
    chi2 = float(np.sum((y * n - n * p) ** 2 / (n * p * (1 - p))))
    phi = max(1.0, chi2 / (len(frame) - X.shape[1]))
    return float(result.params[-1]), float(result.bse[-1]) * math.sqrt(phi), X @ result.params


def _effect(eta, n, delta, replaced=None):
    base = eta - delta
    return float(np.sum(n * (expit(base + (delta if replaced is None else replaced)) - expit(base))) / np.sum(n))


def _by_hand(treated: pd.DataFrame, packs: list[dict]) -> dict:
    base_q = [q for q in treated["quarter"] if _bounds(q)[0] >= date(2016, 1, 1) and _bounds(q)[1] < PILOT]
    pilot_q = [q for q in treated["quarter"] if _bounds(q)[0] >= PILOT and _bounds(q)[1] <= EXTRACT]
    wanted = set(base_q) | set(pilot_q)
    rows = [
        {
            "force": "TREATED",
            "quarter": r.quarter,
            "retained": r.retained,
            "at_risk": r.at_risk,
            "pilot": r.quarter in pilot_q,
        }
        for r in treated.itertuples()
        if r.quarter in wanted and r.at_risk > 0
    ]
    used = []
    for pack in packs:
        mine = [
            {
                "force": pack["force"]["code"],
                "quarter": q["quarter"],
                "retained": q["at_risk"] - q["not_retained"],
                "at_risk": q["at_risk"],
                "pilot": False,
            }
            for q in pack["quarterly"]
            if q["quarter"] in wanted and "c" not in (q["at_risk"], q["not_retained"]) and q["at_risk"] > 0
        ]
        if sum(r["quarter"] in base_q for r in mine) < 2 or sum(r["quarter"] in pilot_q for r in mine) < 2:
            continue
        if all(r["retained"] == 0 for r in mine) or all(r["retained"] == r["at_risk"] for r in mine):
            continue
        used.append(pack["force"]["code"])
        rows += mine
    frame = pd.DataFrame(rows)
    d = ((frame["force"] == "TREATED") & frame["pilot"]).to_numpy()
    delta, se, eta = _glm(frame, d)
    n = frame["at_risk"].to_numpy(float)[d]
    effect = _effect(eta[d], n, delta)
    others = frame[frame["force"] != "TREATED"].reset_index(drop=True)
    first = min(pilot_q)
    larger = []
    for code in used:
        g = ((others["force"] == code) & (others["quarter"] >= first)).to_numpy()
        g_delta, _, g_eta = _glm(others, g)
        if abs(_effect(g_eta[g], others["at_risk"].to_numpy(float)[g], g_delta)) >= abs(effect):
            larger.append(code)
    base = frame[frame["quarter"].isin(base_q)].reset_index(drop=True)
    index = {q: k for k, q in enumerate(sorted(base_q))}
    k = base["quarter"].map(index).to_numpy(float) * (base["force"] == "TREATED").to_numpy(float)
    theta, theta_se, _ = _glm(base, k)
    return {
        "comparators": len(used),
        "comparator_forces": sorted(used),
        "effect": effect,
        "ci_low": _effect(eta[d], n, delta, delta - Z * se),
        "ci_high": _effect(eta[d], n, delta, delta + Z * se),
        "placebo_p": (1 + len(larger)) / (len(used) + 1),
        "as_large": sorted(larger),
        "smallest_p": 1 / (len(used) + 1),
        "pretrend_p": float(2 * stats.norm.sf(abs(theta / theta_se))),
    }


# ---- the test ------------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_attribution_from_records_and_15_pulled_packs_matches_a_design_matrix_fitted_here(exchange):
    from harbour.warehouse.queries import facts

    packs = [entry["pack"] for entry in exchange["answer"]["packs"] if entry["pack"]["force"]["code"] != "TREATED"]
    assert len(packs) == 15 and all(p["pack_version"] == 2 and p["signature"] for p in packs)
    f = facts(engine_for(exchange["treated"]))
    expected = _by_hand(_treated_counts(f.children[f.children["force_code"] == "TREATED"]), packs)
    assert expected["comparators"] >= 15 - 1  # (a pack whose quarters are mostly c would be left out, and named)

    doc = json.loads(harbour("summary", "--exact", "--force", "TREATED", "--warehouse", exchange["treated"]).output)
    found = doc["attribution"]
    assert found is not None, doc["attribution_reason"]
    assert (
        found["comparators"] == expected["comparators"] and found["comparator_forces"] == expected["comparator_forces"]
    )
    for key in ("effect", "ci_low", "ci_high", "placebo_p", "smallest_p", "pretrend_p"):
        assert found[key] == pytest.approx(expected[key], abs=1e-6), key
    assert found["smallest_p"] <= 1 / 16
    # The page (exact figures): its placebo table says "yes" for exactly the forces whose refit here is as large as
    # the treated force's change either way, and its finding counts them; its sources panel counts 15 packs.
    from harbour.metrics.disclosure import INTERNAL
    from harbour.web.build import build_uncached

    panels = {p.panel_id: p for p in build_uncached("/attribution", {"force": "TREATED"}, f, INTERNAL).panels}
    names = {p["force"]["code"]: p["force"]["name"] for p in packs}
    placebo = panels["chart-placebo"]
    said = {row[0] for row in placebo.table.rows if str(getattr(row[3], "value", row[3])).startswith("yes")}
    assert said == {names[code] for code in expected["as_large"]}
    k, j = len(expected["as_large"]), expected["comparators"]
    assert placebo.finding == (
        f"In none of the {j} forces without a scheme did a change this large arise by chance"
        if k == 0
        else f"In {k} of the {j} forces without a scheme a change this large arose by chance"
    )
    sources = panels["attribution-sources"]
    assert sources.finding == f"{j} forces without a scheme: 0 from this warehouse, {j} from signed packs"
    assert sorted(str(getattr(r[0], "value", r[0])) for r in sources.table.rows) == sorted(
        names[code] for code in expected["comparator_forces"]
    )
    assert {str(getattr(r[1], "value", r[1])) for r in sources.table.rows} == {"a signed pack"}
    # Every comparison force is named with where its counts came from: a pack, its extract date, its signer.
    for source in found["comparator_sources"]:
        assert source["source"] == "pack" and source["extract_date"] == "2018-07-31"
        assert source["signer_fingerprint"] == exchange["keys"][source["force"]]["fingerprint"]

    # For publication (perturbation, the default) the treated force's quarters are its perturbed counts: the same
    # model on those gives the published figures, to whole points.
    published = json.loads(harbour("summary", "--force", "TREATED", "--warehouse", exchange["treated"]).output)
    assert published["attribution"]["comparators"] == expected["comparators"]
    half_away = float(Decimal(str(expected["smallest_p"])).quantize(Decimal("0.001"), ROUND_HALF_UP))
    assert published["attribution"]["smallest_p"] == half_away


def test_with_its_records_alone_a_force_is_told_in_one_line_how_to_get_comparison_forces(tmp_path):
    url = _warehouse(
        tmp_path,
        [ForcePlan("ALONE", "Alone Police (fictional)", "Safe First Contact", PILOT, date(2016, 1, 1), EXTRACT, 150)],
        5,
        b"alone-harbour-pseudonym-key-long-enough",
    )
    doc = json.loads(harbour("summary", "--force", "ALONE", "--warehouse", url).output)
    reason = doc["attribution_reason"]
    assert doc["attribution"] is None and "\n" not in reason
    assert "needs at least 2 forces without a scheme" in reason and "has none" in reason
    for command in ("harbour benchmark trust", "harbour benchmark pull --hub URL", "harbour benchmark import FILE"):
        assert command in reason
