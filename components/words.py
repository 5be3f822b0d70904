"""Findings in plain words, from disclosure-controlled figures."""

from __future__ import annotations

from components.format import SUPPRESSED, hours, interval, is_value, p_value, pct, points


def rate_change(label: str, baseline, pilot, diff: dict | None) -> str:
    """'28-day retention rose from 66% to 80%; the difference of 14 points has a 95% interval of -3 to 29 points.'"""
    if not is_value(baseline) or not is_value(pilot):
        if SUPPRESSED in (baseline, pilot):
            return f"{label} cannot be shown for both periods: too few children (c)."
        return f"{label} cannot be compared: a period has no children at risk."
    verb = "rose" if pilot > baseline else "fell" if pilot < baseline else "stayed"
    head = (f"{label} {verb} from {pct(baseline)} to {pct(pilot)}" if verb != "stayed"
            else f"{label} stayed at {pct(pilot)}")
    if not diff or not is_value(diff.get("difference")):
        return head + "; the difference is not shown because a period has fewer than 10 children at risk."
    d, lo, hi = diff["difference"], diff["ci_low"], diff["ci_high"]
    return (f"{head}; the difference of {points(d)} points has a 95% interval of {points(lo)} to {points(hi)} points"
            f" ({p_value(diff.get('p_value'))}, Fisher's exact test).")


def median_change(baseline, pilot, diff, p) -> str:
    if not is_value(baseline) or not is_value(pilot):
        return "Median time to first engagement cannot be compared: too few children with an engagement recorded."
    verb = "fell" if pilot < baseline else "rose" if pilot > baseline else "stayed"
    text = f"The median time to first engagement {verb} from {hours(baseline)} to {hours(pilot)}"
    if is_value(diff):
        text += f", a difference of {diff:+.1f} hours ({p_value(p)}, Mann-Whitney U test)."
    else:
        text += "."
    return text


def share_sentence(count_label: str, rate, low, high) -> str:
    if not is_value(rate):
        return f"{count_label}: {rate if rate == SUPPRESSED else 'not applicable'}."
    return f"{count_label}: {pct(rate)} (95% interval {interval(low, high)})."
