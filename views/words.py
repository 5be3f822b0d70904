"""Findings in plain words, from disclosure-controlled figures."""

from __future__ import annotations

import math

from harbour.metrics.disclosure import half_away
from harbour.views.format import SUPPRESSED, hours, interval, is_value, num, p_value, pct, points

NO_CLEAR_CHANGE = "no clear change (the difference could be chance)"
VERDICT_WORDS = ("rose", "fell", "improved", "worsened", "↑", "↓")  # said only where the evidence holds them


def clear(low, high) -> bool:
    """Whether a 95% interval of a change excludes zero (the verdict rule of docs/metrics.md, version 3)."""
    return is_value(low) and is_value(high) and (low > 0 or high < 0)


SO_FEW_MISSING = "too few went missing to show the exact rate"  # version 3's band, in place of a c rate


def rate_shown(value, band: float | None = None) -> str:
    """A published rate in words; a c rate with its band (docs/metrics.md version 3) as 'at least 87%'."""
    if value == SUPPRESSED and band is not None:
        return f"at least {pct(band)}"
    return pct(value)


def rate_change(label: str, baseline, pilot, diff: dict | None, bands: tuple = (None, None)) -> str:
    """The headline of a change in a rate, then its figures. 'rose' or 'fell' only where the Newcombe interval of
    the difference excludes zero; otherwise both figures and 'no clear change': '28-day retention: 82% before the
    pilot, 87% during it; no clear change (the difference could be chance). The difference of +5 points has a
    95% interval of -8 to 19 points (p = 0.412, Fisher's exact test).'"""
    if not is_value(baseline) or not is_value(pilot):
        if any(v == SUPPRESSED and b is not None for v, b in zip((baseline, pilot), bands)) and all(
            is_value(v) or b is not None for v, b in zip((baseline, pilot), bands)
        ):
            return (
                f"{label}: {rate_shown(baseline, bands[0])} before the pilot, {rate_shown(pilot, bands[1])} during "
                f"it ({SO_FEW_MISSING}). No difference can be published."
            )
        if SUPPRESSED in (baseline, pilot):
            return f"{label} cannot be shown for both periods (c): too few children to show it safely."
        return f"{label} cannot be compared: a period has no children at risk."
    shown = diff and is_value(diff.get("difference"))
    if shown and clear(diff.get("ci_low"), diff.get("ci_high")) and pilot != baseline:
        head = f"{label} {'rose' if pilot > baseline else 'fell'} from {pct(baseline)} to {pct(pilot)}"
    else:
        head = f"{label}: {pct(baseline)} before the pilot, {pct(pilot)} during it"
        if shown:
            head += f"; {NO_CLEAR_CHANGE}"
    if not shown:
        return head + ". The difference is not shown because a period has fewer than 10 children at risk."
    d, lo, hi = diff["difference"], diff["ci_low"], diff["ci_high"]
    return (
        f"{head}. The difference of {points(d)} points has a 95% interval of {points(lo)} to {points(hi)} points"
        f" ({p_value(diff.get('p_value'))})."
    )


def median_change(baseline, pilot, diff, p) -> str:
    """The change in the median hours to first engagement: 'fell' or 'rose' only where the Mann-Whitney p-value is
    below 0.05."""
    if not is_value(baseline) or not is_value(pilot):
        return "Median time to first engagement cannot be compared: too few children with an engagement recorded."
    if is_value(p) and p < 0.05 and pilot != baseline:
        text = (
            f"The median time to first engagement {'fell' if pilot < baseline else 'rose'} from {hours(baseline)} "
            f"to {hours(pilot)}"
        )
    else:
        text = f"Median time to first engagement: {hours(baseline)} before the pilot, {hours(pilot)} during it"
        if is_value(diff):
            text += f"; {NO_CLEAR_CHANGE}"
    if is_value(diff):
        text += f". The difference is {diff:+.1f} hours ({p_value(p)})."
    else:
        text += "."
    return text


def compact(sentence: str) -> str:
    """A headline said in fewer words for a title that joins two of them (the same verdict, shorter)."""
    return (
        first_sentence(sentence)
        .replace(f"; {NO_CLEAR_CHANGE}", " (no clear change)")
        .replace(" before the pilot, ", " before, ")
        .replace(" during it", " during")
    )


def first_sentence(sentence: str) -> str:
    """The headline of a finding (its first sentence): what a slide title or a card can hold."""
    return sentence.split(". ")[0].rstrip(".")


def share_sentence(count_label: str, rate, low, high) -> str:
    if not is_value(rate):
        return f"{count_label}: {rate if rate == SUPPRESSED else 'not applicable'}."
    return f"{count_label}: {pct(rate)} (95% interval {interval(low, high)})."


def _size(value) -> str:
    """A change's size in whole points, without its sign (the words carry the direction): 0.06 -> '6'."""
    return points(abs(value)).lstrip("+") if is_value(value) else points(value)


def as_large_count(found: dict) -> int | None:
    """How many of the comparison forces showed, as if each had started a scheme when this force did, a change at
    least as large as this force's (both ways): from the placebo p, (1 + that number) / (J + 1)."""
    p, j = found.get("placebo_p"), found.get("comparators")
    if not is_value(p) or not j:
        return None
    return max(0, min(int(j), round(p * (j + 1)) - 1))


def attribution_sentence(found: dict | None, reason: str | None, change: dict | None = None) -> str:
    """What the attribution found, in one plain sentence a hall understands (docs/metrics.md, Attribution; the
    placebo p, the smallest possible p and the model's signed estimate are in :func:`attribution_notes`).
    ``change``: the before-and-after change in 28-day retention as published (difference, ci_low, ci_high: pilot
    less baseline) where it is known, so that the words call the estimate part of that rise or fall where the change
    is clear, and say why where the estimate points the other way from it."""
    if found is None:
        return f"Whether the change is the scheme's cannot be estimated here: {reason}."
    if not is_value(found.get("effect")):
        return (
            "Whether the change is the scheme's cannot be shown: the force's quarters hold too few children at "
            "risk (c)."
        )
    j, effect, low, high = found["comparators"], found["effect"], found["ci_low"], found["ci_high"]
    k = as_large_count(found)
    change = change or {}
    shift = change.get("difference")
    known = is_value(shift) and shift != 0
    # "the rise" only where the before-and-after change is clear: words follow the evidence.
    went = ("rise" if shift > 0 else "fall") if known and clear(change.get("ci_low"), change.get("ci_high")) else None
    if k is None:
        chance = ""
    elif k == 0:
        chance = f"; in none of the {j} forces without a scheme did a change this large arise by chance"
    else:
        chance = f"; in {k} of the {j} forces without a scheme a change this large arose by chance"
    if clear(low, high):
        gain = effect > 0
        ends = sorted((abs(low), abs(high)))
        span = f"95% interval {_size(ends[0])} to {_size(ends[1])} points"
        if went and (shift > 0) == gain:
            text = (
                f"Against {j} forces without a scheme, about {_size(effect)} points of the {went} in 28-day "
                f"retention stand out as the scheme's ({span}){chance}."
            )
        else:
            text = (
                f"Against {j} forces without a scheme, a {'gain' if gain else 'loss'} of about {_size(effect)} points "
                f"in 28-day retention stands out as the scheme's ({span}){chance}."
            )
    else:
        span = (
            f"95% interval from a loss of {_size(low)} to a gain of {_size(high)} points"
            if is_value(low) and is_value(high) and low < 0 < high
            else f"95% interval {points(low)} to {points(high)} points"
        )
        text = (
            f"Against {j} forces without a scheme: no clear effect beyond the change in forces without a scheme "
            f"({span}){chance}."
        )
    if known and round(effect * 100) != 0 and (effect > 0) != (shift > 0):
        text += (
            f" The estimate points the other way from the force's own before-and-after change ({points(shift)} "
            "points): over the same quarters the forces without a scheme moved further in that direction, so against "
            f"them the estimate is a {'gain' if effect > 0 else 'loss'}."
        )
    pre = found.get("pretrend_p")
    if is_value(pre) and pre < 0.05:
        text += (
            f" Before its scheme the force was already moving apart from them (pre-trend {p_value(pre)}), so part "
            "of this may not be the scheme's."
        )
    return text


def attribution_notes(found: dict | None) -> str:
    """The technical account for the notes and the methodology: the placebo p beside the smallest it could be, and
    the model's signed estimate in points and on the log-odds scale."""
    if found is None or not is_value(found.get("effect")):
        return ""
    j = found["comparators"]
    return (
        f"Placebo test: p = {_p(found['placebo_p'])}, the smallest possible with {j} comparison forces being "
        f"{_p(found['smallest_p'])} (1 in {j + 1}); sizes are compared both ways, so a fall as large as a rise counts "
        f"as large. Signed estimate: {points(found['effect'])} points (95% interval {points(found['ci_low'])} to "
        f"{points(found['ci_high'])}); on the model's log-odds scale delta = {found['delta']:+.2f} "
        f"({found['delta_ci_low']:+.2f} to {found['delta_ci_high']:+.2f})."
        + (f" Pre-trend test: {p_value(found['pretrend_p'])}." if is_value(found.get("pretrend_p")) else "")
    )


def _p(value) -> str:
    return p_value(value).removeprefix("p = ").removeprefix("p ")


def precision_sentences(found: dict | None, reason: str | None, never: dict | None = None) -> list[str]:
    """What the force's numbers can show (docs/metrics.md, "Precision"), in words: the gain detectable now, then
    each of 5, 10 and 15 points. ``never``: for each gain, whether even an endless pilot could not show it (from
    the exact figures; otherwise a gain without years needed is said to need more than 20)."""
    if found is None:
        return [f"What these numbers can show cannot be worked out: {reason}."]
    if not is_value(found.get("detectable_now")) and found.get("detectable_now") == SUPPRESSED:
        return ["What these numbers can show is not shown: too few children at risk (c)."]
    per_year = found["per_year"]
    # "about 53", not "about 53.0363" (an exact deck's rate of children a year): a rough figure said roughly.
    about = f"about {round(per_year):,} children at risk a year" if is_value(per_year) else "so few children a year"
    now = found["detectable_now"]
    lines = [
        f"With {about}, these numbers can show a gain of {now * 100:.0f} points or more in 28-day retention."
        if is_value(now)
        else f"With {about}, these numbers cannot yet show a gain of any size in 28-day retention."
    ]
    for gain in ("0.05", "0.10", "0.15"):
        points_ = f"A {float(gain) * 100:.0f}-point gain"
        years, power = found["years_needed"][gain], found["power_now"][gain]
        chance = f" ({chance_words(power)} of showing now)" if is_value(power) else ""
        if years is not None:
            lines.append(f"{points_} would need about {years:g} year{'s' if years != 1 else ''} of pilot{chance}.")
        elif (never or {}).get(gain):
            lines.append(
                f"{points_} could not be shown however long the pilot runs, because the baseline holds only "
                f"{found['baseline_at_risk']} children{chance}."
            )
        elif is_value(power) and is_value(now) and float(gain) < now:
            # Beside "can show a gain of 16 points", a 15-point gain at a 79% chance now: the baseline's own
            # children hold it under 80% for any pilot up to 20 years, which "would need more than 20 years" hid.
            lines.append(
                f"{points_} has {chance_words(power)} of showing now, and no pilot of up to 20 years would raise it "
                f"to 80%: the baseline's {found['baseline_at_risk']} children limit it."
            )
        else:
            lines.append(f"{points_} would need more than 20 years of pilot{chance}.")
    return lines


def chance_words(power: float) -> str:
    """ "a 79% chance": whole points rounded down (79.6% is not yet the 80% bar), and never "a 100% chance"."""
    shown = math.floor(power * 100 + 1e-9)
    if shown >= 100 or power >= 0.995:
        return "a more than 99% chance"
    return f"{_a(shown)} {shown}% chance"


def _a(number: float) -> str:
    """'a' or 'an' before a number said aloud: an 8, an 11, an 18, an 80-something; a 5, a 10."""
    whole = int(round(number))
    spoken = str(whole)
    return "an" if spoken.startswith("8") or whole in (11, 18) else "a"


def period_months(period: dict) -> int | None:
    """Calendar months from a published period's first month to its last, both counted."""
    if not period.get("start") or not period.get("end"):
        return None
    start, end = period["start"], period["end"]
    return (int(end[:4]) - int(start[:4])) * 12 + int(end[5:7]) - int(start[5:7]) + 1


def per_year(count: int, months: int) -> int:
    """A count over ``months`` months as a number a year (per 12 months), to the whole, halves away from zero."""
    return int(half_away(count * 12 / months, 0))


def counts_compared(label: str, baseline, pilot, base_period: dict, pilot_period: dict) -> str:
    """ "Missing episodes: 34 before the pilot, 15 during it", or per 12 months where the periods differ in length
    (metrics.md version 4): "17 a year before the pilot, 7 a year during it"."""
    months = (period_months(base_period), period_months(pilot_period))
    if is_value(baseline) and is_value(pilot) and None not in months and months[0] != months[1] and min(months) > 0:
        return (
            f"{label}: {num(per_year(baseline, months[0]))} a year before the pilot, "
            f"{num(per_year(pilot, months[1]))} a year during it"
        )
    return f"{label}: {num(baseline)} before the pilot, {num(pilot)} during it"
