"""XmR charts in the style of NHS England's 'Making Data Count' (as NHSRplotthedots computes).

``xmr`` takes one series of points and the index where a new segment starts (the pilot), and
returns a frame: each point with its segment's mean and limits and which rules it takes part in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LIMIT = 2.66
NEAR = 2.0 / 3.0 * LIMIT
RUN = 7
TRIAL_POINTS = 12

RULE_NAMES = {
    "outside": "a point outside the limits",
    "shift": "7 or more points in a row on one side of the mean",
    "trend": "7 or more points in a row each rising (or falling)",
    "two_of_three": "2 of 3 points in a row near or beyond a limit on the same side",
}


def _runs(flags: np.ndarray, min_length: int) -> np.ndarray:
    """True for every member of a run of equal, non-zero values at least ``min_length`` long."""
    out = np.zeros(len(flags), bool)
    start = 0
    for i in range(1, len(flags) + 1):
        if i == len(flags) or flags[i] != flags[start]:
            if flags[start] != 0 and i - start >= min_length:
                out[start:i] = True
            start = i
    return out


def _trend(x: np.ndarray) -> np.ndarray:
    """Members of runs of 7+ points each strictly above (or below) the one before."""
    out = np.zeros(len(x), bool)
    if len(x) < RUN:
        return out
    step = np.sign(np.diff(x))  # step[i] compares x[i+1] with x[i]
    start = 0
    for i in range(1, len(step) + 1):
        if i == len(step) or step[i] != step[start]:
            if step[start] != 0 and (i - start) + 1 >= RUN:
                out[start : i + 1] = True
            start = i
    return out


def _two_of_three(x: np.ndarray, mean: float, near: float) -> np.ndarray:
    side = np.sign(x - mean)
    close = np.abs(x - mean) > near
    out = np.zeros(len(x), bool)
    for i in range(len(x) - 2):
        window = slice(i, i + 3)
        if abs(side[window].sum()) == 3 and close[window].sum() >= 2:
            out[window] |= close[window]
    return out


def segment_xmr(x: np.ndarray) -> dict:
    mean = float(np.mean(x))
    mr = float(np.mean(np.abs(np.diff(x)))) if len(x) >= 2 else float("nan")
    out = {
        "mean": mean,
        "mr_mean": mr,
        "lower": mean - LIMIT * mr,
        "upper": mean + LIMIT * mr,
        "near_lower": mean - NEAR * mr,
        "near_upper": mean + NEAR * mr,
    }
    if np.isnan(mr):
        flags = {k: np.zeros(len(x), bool) for k in RULE_NAMES}
    else:
        flags = {
            "outside": (x > out["upper"]) | (x < out["lower"]),
            "shift": _runs(np.sign(x - mean), RUN),
            "trend": _trend(x),
            "two_of_three": _two_of_three(x, mean, NEAR * mr),
        }
    out["flags"] = flags
    return out


def xmr(values, labels=None, split_at: int | None = None, improvement: int = 0) -> pd.DataFrame:
    """The XmR frame of a series.

    ``values``: the points in order; ``labels``: their x labels (months); ``split_at``: index of
    the first point of the second segment (None: one segment); ``improvement``: +1 when higher
    is better, -1 when lower is better, 0 when neither.

    Columns: label, value, segment, mean, lower, upper, near_lower, near_upper, one boolean
    column per rule, special, rules (names joined), variation ('common', 'improvement',
    'concern', 'neutral high', 'neutral low'), trial (the segment has fewer than 12 points).
    """
    x = np.asarray(values, float)
    labels = list(labels) if labels is not None else list(range(len(x)))
    if len(x) == 0:
        return pd.DataFrame(
            columns=[
                "label",
                "value",
                "segment",
                "mean",
                "lower",
                "upper",
                "near_lower",
                "near_upper",
                *RULE_NAMES,
                "trial",
                "special",
                "rules",
                "variation",
            ]
        )
    bounds = [0, len(x)] if split_at is None or not 0 < split_at < len(x) else [0, split_at, len(x)]
    frames = []
    for number, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:]), start=1):
        seg = x[lo:hi]
        calc = segment_xmr(seg)
        frame = pd.DataFrame({"label": labels[lo:hi], "value": seg, "segment": number})
        for key in ("mean", "lower", "upper", "near_lower", "near_upper"):
            frame[key] = calc[key]
        for rule, flags in calc["flags"].items():
            frame[rule] = flags
        frame["trial"] = len(seg) < TRIAL_POINTS
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["special"] = out[list(RULE_NAMES)].any(axis=1)
    out["rules"] = ["; ".join(RULE_NAMES[r] for r in RULE_NAMES if row[r]) for _, row in out.iterrows()]
    side = np.sign(out["value"] - out["mean"])
    variation = []
    for special, s in zip(out["special"], side):
        if not special:
            variation.append("common")
        elif improvement == 0:
            variation.append("neutral high" if s > 0 else "neutral low")
        else:
            variation.append("improvement" if s == improvement else "concern")
    out["variation"] = variation
    return out
