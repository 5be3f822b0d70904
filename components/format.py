"""Formatting of published figures: every number a person reads goes through here.

Values arrive already disclosure-controlled: ``c`` is suppressed, None is not applicable.
"""

from __future__ import annotations

SUPPRESSED = "c"
NOT_APPLICABLE = "–"


def is_value(value) -> bool:
    return value is not None and value != SUPPRESSED


def pct(value, digits: int = 0) -> str:
    if value is None:
        return NOT_APPLICABLE
    if value == SUPPRESSED:
        return SUPPRESSED
    return f"{value * 100:.{digits}f}%"


def points(value, digits: int = 0) -> str:
    """A difference of two rates, in percentage points, with its sign."""
    if value is None:
        return NOT_APPLICABLE
    if value == SUPPRESSED:
        return SUPPRESSED
    number = round(value * 100, digits)
    if number == 0:
        number = 0.0
    return f"{number:+.{digits}f}"


def num(value, digits: int = 0) -> str:
    if value is None:
        return NOT_APPLICABLE
    if value == SUPPRESSED:
        return SUPPRESSED
    if isinstance(value, int) or digits == 0:
        return f"{round(value):,}"
    return f"{value:,.{digits}f}"


def hours(value) -> str:
    if value is None:
        return NOT_APPLICABLE
    if value == SUPPRESSED:
        return SUPPRESSED
    return f"{value:,.1f} h"


def p_value(value) -> str:
    if value is None:
        return NOT_APPLICABLE
    if value == SUPPRESSED:
        return SUPPRESSED
    if value < 0.001:
        return "p < 0.001"
    return f"p = {value:.3f}"


def interval(low, high, fmt=pct) -> str:
    if not is_value(low) or not is_value(high):
        return fmt(low) if low in (None, SUPPRESSED) else NOT_APPLICABLE
    return f"{fmt(low)} to {fmt(high)}"


def money(value) -> str:
    if value is None:
        return NOT_APPLICABLE
    if value == SUPPRESSED:
        return SUPPRESSED
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.0f}"
