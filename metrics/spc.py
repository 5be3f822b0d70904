"""XmR charts in the style of NHS England's 'Making Data Count', with NHSRplotthedots' rules (version 0.2; metrics.md
version 4): moving ranges screened, the near-limit rule without the points beyond the limits, trends coloured by
their direction.

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
    "two_of_three": "2 of 3 points in a row near a limit (not beyond it) on the same side",
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


SCREEN = 3.267  # a moving range at or above 3.267 times the mean moving range is left out (once)


def _two_of_three(x: np.ndarray, mean: float, near: float, limit: float) -> np.ndarray:
    """Points in the near-limit zone (beyond the near limit, not beyond the limit: a point outside is the first rule's)
    that are 2 of 3 in a row in that zone, all three on one side of the mean."""
    side = np.sign(x - mean)
    close = (np.abs(x - mean) > near) & ~(np.abs(x - mean) > limit)
    out = np.zeros(len(x), bool)
    for i in range(len(x) - 2):
        window = slice(i, i + 3)
        if abs(side[window].sum()) == 3 and close[window].sum() >= 2:
            out[window] |= close[window]
    return out


def segment_xmr(x: np.ndarray, screen: bool = True) -> dict:
    """One segment's mean, limits and each rule's flags. ``screen``: leave out moving ranges at or above 3.267 times
    their mean and take the mean again over the rest (always, by metrics.md version 4; off only to show what it
    changes)."""
    mean = float(np.mean(x))
    ranges = np.abs(np.diff(x))
    mr = float(np.mean(ranges)) if len(x) >= 2 else float("nan")
    if screen and len(x) >= 2 and (ranges < SCREEN * mr).any():
        mr = float(np.mean(ranges[ranges < SCREEN * mr]))
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
            "two_of_three": _two_of_three(x, mean, NEAR * mr, LIMIT * mr),
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
    # Which way each special point points, in NHSRplotthedots' order: beyond a limit by its side of the mean; in a
    # trend by the trend's direction (a rising trend of retention is an improvement on both sides of the mean);
    # otherwise (the near-limit rule, a shift) by its side of the mean.
    direction = np.array(np.sign(out["value"] - out["mean"]), dtype=float)
    for _, part in out.groupby("segment"):
        at = part.index.to_numpy()
        trending = part["trend"].to_numpy() & ~part["outside"].to_numpy()
        steps = np.sign(np.diff(part["value"].to_numpy()))
        for i in np.flatnonzero(trending):
            # a point in the trend's middle takes the step to the next point; its last point the step into it
            step = steps[i] if i + 1 < len(part) and trending[i + 1] else steps[i - 1]
            direction[at[i]] = step
    variation = []
    for special, d in zip(out["special"], direction):
        if not special:
            variation.append("common")
        elif improvement == 0:
            variation.append("neutral high" if d > 0 else "neutral low")
        else:
            variation.append("improvement" if d == improvement else "concern")
    out["variation"] = variation
    return out
