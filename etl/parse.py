"""Parse single values by the data standard's formats, including its time-zone rule.

Every parser takes a raw cell (a string, or a number or date from XLSX) and returns the typed
value, or raises ``ValueError`` whose text is the reason, safe to show (no value in it).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON_NAME = "Europe/London"
LONDON = ZoneInfo(LONDON_NAME)
UTC = UTC

# Digits are ASCII digits: re's \d would also take Arabic-Indic and other script digits.
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_DATE_UK = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$", re.ASCII)
_DATETIME = re.compile(
    r"^(?:(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})[T ]|(?P<d2>\d{2})/(?P<m2>\d{2})/(?P<y2>\d{4}) )"
    r"(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?$",
    re.ASCII,
)


class SkippedHour(ValueError):
    """A UK local time in the hour skipped when the clocks go forward."""


def is_blank(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, str) and value.strip() == "")
        or (isinstance(value, float) and value != value)
    )


def parse_date(value: object) -> date:
    if isinstance(value, datetime):
        if value.time() != time(0):
            raise ValueError("is a date-time where a date is expected")
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _DATE_ISO.match(text)
    if match:
        y, m, d = (int(g) for g in match.groups())
    else:
        match = _DATE_UK.match(text)
        if not match:
            raise ValueError("is not a date (YYYY-MM-DD or DD/MM/YYYY)")
        d, m, y = (int(g) for g in match.groups())
    try:
        return date(y, m, d)
    except ValueError:
        raise ValueError("is not a real calendar date") from None


_DAY_OFFSETS: dict[date, timedelta | None] = {}


def _day_offset(day: date) -> timedelta | None:
    """UK local time's UTC offset for the whole of ``day``, or None on a day the clocks change."""
    try:
        return _DAY_OFFSETS[day]
    except KeyError:
        pass
    first = datetime(day.year, day.month, day.day, tzinfo=LONDON).utcoffset()
    last = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=LONDON).utcoffset()
    offset = first if first == last else None
    if len(_DAY_OFFSETS) < 200_000:
        _DAY_OFFSETS[day] = offset
    return offset


def local_to_utc(naive: datetime) -> datetime:
    """UK local wall time to a naive UTC datetime.

    In the repeated hour (clocks going back) the earlier instant is taken (fold=0); a time in
    the skipped hour (clocks going forward) does not exist and raises ``SkippedHour``.
    """
    offset = _day_offset(naive.date())
    if offset is not None:  # most days: one offset all day, found once
        return naive - offset
    aware = naive.replace(tzinfo=LONDON, fold=0)
    utc = aware.astimezone(UTC)
    if utc.astimezone(LONDON).replace(tzinfo=None) != naive:
        raise SkippedHour("is in the hour skipped when the clocks go forward: that local time does not exist")
    return utc.replace(tzinfo=None)


def parse_datetime(value: object) -> datetime:
    """A date-time as a naive UTC datetime."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC).replace(tzinfo=None)
        return local_to_utc(value.replace(microsecond=0))
    if isinstance(value, date):
        return local_to_utc(datetime(value.year, value.month, value.day))
    text = str(value).strip()
    match = _DATETIME.match(text)
    if not match:
        raise ValueError("is not a date-time (YYYY-MM-DDTHH:MM[:SS], YYYY-MM-DD HH:MM[:SS] or DD/MM/YYYY HH:MM[:SS])")
    g = match.groupdict()
    year, month, day = (g["y"], g["m"], g["d"]) if g["y"] else (g["y2"], g["m2"], g["d2"])
    try:
        naive = datetime(int(year), int(month), int(day), int(g["H"]), int(g["M"]), int(g["S"] or 0))
    except ValueError:
        raise ValueError("is not a real date and time") from None
    tz = g["tz"]
    if tz is None:
        return local_to_utc(naive)
    if tz == "Z":
        return naive
    sign = 1 if tz[0] == "+" else -1
    hours, minutes = int(tz[1:3]), int(tz[4:6])
    if hours > 14 or minutes > 59:
        raise ValueError("has an impossible UTC offset")
    return naive - sign * timedelta(hours=hours, minutes=minutes)


def parse_int(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError("is not a whole number")
    if isinstance(value, (int, float)):
        if float(value) != int(value):
            raise ValueError("is not a whole number")
        return int(value)
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?\d{1,4}", text, re.ASCII):
        raise ValueError("is not a whole number")
    return int(text)


def cell_text(value: object) -> str:
    """A cell as text: XLSX numbers that are whole come back without '.0'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def end_of_day_utc(day: date) -> datetime:
    """The end of a UK local day (23:59:59.999) as naive UTC: the standard's ``cut``."""
    aware = datetime(day.year, day.month, day.day, 23, 59, 59, 999000, tzinfo=LONDON)
    return aware.astimezone(UTC).replace(tzinfo=None)


def utc_to_local_date(moment: datetime) -> date:
    return moment.replace(tzinfo=UTC).astimezone(LONDON).date()
