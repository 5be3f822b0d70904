"""Formatting of figures: every number a person reads goes through here.

Values arrive already made for their audience: ``c`` is suppressed, None is not applicable.
Published rates are whole percentage points and show as such; an internal (exact) rate shows one
decimal place, so that the two audiences' figures cannot be mistaken for each other.
"""

from __future__ import annotations

from datetime import date

from harbour.metrics.disclosure import SUPPRESSED

NOT_APPLICABLE = "–"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def is_value(value) -> bool:
    return value is not None and value != SUPPRESSED


def _special(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return NOT_APPLICABLE
    if value == SUPPRESSED:
        return SUPPRESSED
    return None


def _whole(x: float) -> bool:
    return abs(x - round(x)) < 1e-6


def pct(value, digits: int | None = None) -> str:
    """0.82 -> '82%'; an exact 0.8235 -> '82.4%'."""
    if (s := _special(value)) is not None:
        return s
    number = value * 100
    digits = (0 if _whole(number) else 1) if digits is None else digits
    return f"{round(number, digits) + 0.0:.{digits}f}%"


def points(value, digits: int | None = None) -> str:
    """A difference of two rates, in percentage points, with its sign: 0.04 -> '+4'."""
    if (s := _special(value)) is not None:
        return s
    number = value * 100
    digits = (0 if _whole(number) else 1) if digits is None else digits
    number = round(number, digits)
    if number == 0:
        return f"{0:.{digits}f}"
    return f"{number:+.{digits}f}"


def num(value, digits: int = 0) -> str:
    if (s := _special(value)) is not None:
        return s
    if isinstance(value, int) or digits == 0:
        return f"{round(value):,}"
    return f"{value:,.{digits}f}"


def signed(value, unit: str = "") -> str:
    """A change in a count: '+5 children', '−10', 'no change'."""
    if (s := _special(value)) is not None:
        return s
    if value == 0:
        return f"no change{' in ' + unit if unit else ''}".strip()
    return f"{value:+,}" + (f" {unit}" if unit else "")


def hours(value) -> str:
    if (s := _special(value)) is not None:
        return s
    return f"{value:,.1f} h"


def p_value(value) -> str:
    if (s := _special(value)) is not None:
        return s
    if value < 0.001:
        return "p < 0.001"
    return f"p = {value:.3f}"


def interval(low, high, fmt=pct) -> str:
    if not is_value(low) or not is_value(high):
        return fmt(low) if low in (None, SUPPRESSED) else NOT_APPLICABLE
    return f"{fmt(low)} to {fmt(high)}"


def money(value) -> str:
    if (s := _special(value)) is not None:
        return s
    sign = "−" if value < 0 else ""
    return f"{sign}£{abs(value):,.0f}"


def plotly_text(text) -> str:
    """Untrusted text made safe for a Plotly label, legend or hover: Plotly reads a subset of HTML (links,
    bold, line breaks) in these, so every tag and entity is escaped and shown as the characters sent."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def long_date(value) -> str:
    """'2017-08-01' or a date -> '1 August 2017'; a month '2017-08' -> 'August 2017'."""
    if value is None:
        return NOT_APPLICABLE
    text = value.isoformat() if isinstance(value, date) else str(value)
    year, month = int(text[:4]), int(text[5:7])
    if len(text) >= 10:
        return f"{int(text[8:10])} {MONTHS[month - 1]} {year}"
    return f"{MONTHS[month - 1]} {year}"


def period_label(label: str) -> str:
    """A series label in words: '2017-08' -> 'Aug 2017', '2017-Q3' -> 'Q3 2017'."""
    if "Q" in label:
        return f"{label[5:]} {label[:4]}"
    return f"{MONTHS[int(label[5:7]) - 1][:3]} {label[:4]}"


DISPLAY = {
    "text": lambda v: _special(v) or str(v),
    "count": num,
    "rate": pct,
    "points": points,
    "hours": hours,
    "ratio": lambda v: num(v, 1),
    "p": lambda v: _special(v) or ("< 0.001" if v < 0.001 else f"{v:.3f}"),
    "money": money,
    "signed": lambda v: _special(v) or (f"{v:+,}" if v else "0"),
    "money2": lambda v: _special(v) or f"£{v:,.2f}",
    "number": lambda v: _special(v) or (f"{v:,.3f}".rstrip("0").rstrip(".") if isinstance(v, float) else num(v)),
    "day": lambda v: _special(v) or f"Day {int(v)}",  # a day since placement: read as a day, kept a number in sheets
}


def display(kind: str, value) -> str:
    """A table cell as a person reads it, by its column's kind."""
    return DISPLAY[kind](value)
