"""Every field of a benchmark pack, checked against its schema: types, ranges, the published-count rule,
retained <= at risk, series length, nesting depth. A pack is another force's file, so nothing in it is
trusted: a pack that passes here cannot break a page (no count of 10^30, no 'false' as a count, no
string where a number goes, no key this Harbour does not know)."""

from __future__ import annotations

import math
import re
from contextvars import ContextVar

from harbour.metrics.disclosure import METHODS, SUPPRESSED, SUPPRESSION, is_publishable_count
from harbour.untrusted import depth

HORIZONS = ("24h", "72h", "7d", "28d", "90d")
MAX_COUNT = 10_000_000
MAX_HOURS = 1_000_000.0
MAX_MONTHS = 360
MAX_SEQUENCE = 10**12
MAX_DEPTH = 10
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_LABEL = re.compile(r"^\d{4}-((0[1-9]|1[0-2])|Q[1-4])$")
_QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
_DAY = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
MAX_QUARTERS = 200
_CODE = re.compile(r"^[A-Z0-9_]{2,16}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
SUPPRESSIBLE = {"rate", "difference", "p", "hours", "signed_hours", "ratio"}
NULLABLE = SUPPRESSIBLE | {"month", "text120"}
PACK_VERSIONS = (1, 2)  # version 2 (metrics.md version 4): the quarterly counts attribution takes, the extract date
# The pack's own disclosure method, while it is checked: suppression's counts are 0 or multiples of 5 from 10;
# perturbation's are any whole number (metrics.md version 4).
_METHOD: ContextVar[str] = ContextVar("pack_method", default=SUPPRESSION)


class SchemaError(ValueError):
    """Where a pack breaks its schema: ``path`` (dotted) and what is wrong."""

    def __init__(self, path: tuple, problem: str):
        self.path = ".".join(str(p) for p in path) or "the pack"
        super().__init__(f"{self.path}: {problem}")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _leaf(kind: str):
    def check(value, path):
        if kind == "count":
            if value is None or value == SUPPRESSED:
                return
            if not (isinstance(value, int) and not isinstance(value, bool)) or not 0 <= value <= MAX_COUNT:
                raise SchemaError(path, f"a count must be a whole number from 0 to {MAX_COUNT:,} or 'c'")
            if _METHOD.get() == SUPPRESSION and not is_publishable_count(value):
                raise SchemaError(path, "breaks the disclosure rule (a count of 1 to 7, or not a multiple of 5)")
            return
        if (value is None and kind in NULLABLE) or (value == SUPPRESSED and kind in SUPPRESSIBLE):
            return
        ranges = {
            "rate": (0.0, 1.0),
            "difference": (-1.0, 1.0),
            "p": (0.0, 1.0),
            "hours": (0.0, MAX_HOURS),
            "signed_hours": (-MAX_HOURS, MAX_HOURS),
            "ratio": (0.0, 1000.0),
            "version": (1, 1000),
        }
        if kind in ranges:
            low, high = ranges[kind]
            if not _number(value) or not low <= value <= high:
                raise SchemaError(
                    path, f"must be a number from {low:g} to {high:g}" + (" or 'c'" if kind != "version" else "")
                )
            return
        patterns = {"month": _MONTH, "label": _LABEL, "code": _CODE, "hex": _HEX64, "quarter": _QUARTER, "day": _DAY}
        if kind in patterns:
            if not isinstance(value, str) or not patterns[kind].match(value):
                raise SchemaError(
                    path,
                    {
                        "month": "must be a month, YYYY-MM",
                        "label": "must be YYYY-MM or YYYY-Qn",
                        "code": "must be a force code of 2 to 16 capitals, digits or _",
                        "hex": "must be 64 hexadecimal digits",
                        "quarter": "must be a quarter, YYYY-Qn",
                        "day": "must be a date, YYYY-MM-DD",
                    }[kind],
                )
            return
        limits = {"text80": 80, "text120": 120, "str20": 20}
        if kind in limits:
            if not isinstance(value, str) or len(value) > limits[kind] or (kind == "text80" and not value.strip()):
                raise SchemaError(path, f"must be text of at most {limits[kind]} characters")
            return
        if kind == "sequence":
            if not (isinstance(value, int) and not isinstance(value, bool)) or not 1 <= value <= MAX_SEQUENCE:
                raise SchemaError(path, f"must be a whole number from 1 to {MAX_SEQUENCE:,}")
            return
        if kind == "method":
            if value not in METHODS:
                raise SchemaError(path, f"must be one of {', '.join(METHODS)}")
            return
        if kind == "bool":
            if not isinstance(value, bool):
                raise SchemaError(path, "must be true or false")
            return
        raise AssertionError(kind)

    return check


def _object(fields: dict, required: bool = True, optional: frozenset = frozenset()):
    """An object with exactly ``fields`` (those named in ``optional`` may be absent)."""

    def check(value, path):
        if value is None and not required:
            return
        if not isinstance(value, dict):
            raise SchemaError(path, "must be an object")
        unknown = set(value) - set(fields)
        if unknown:
            raise SchemaError(path, f"has a field this Harbour does not know: {sorted(unknown)[0][:40]!r}")
        for key, checker in fields.items():
            if key not in value:
                if key in optional:
                    continue
                raise SchemaError(path + (key,), "is missing")
            checker(value[key], path + (key,))

    return check


def _list(item, most: int):
    def check(value, path):
        if not isinstance(value, list):
            raise SchemaError(path, "must be a list")
        if len(value) > most:
            raise SchemaError(path, f"has {len(value)} entries; at most {most}")
        for i, entry in enumerate(value):
            item(entry, path + (i,))

    return check


def _at_most(small: str, large: str, inner):
    """``inner``, then small <= large where both are numbers (retained <= at risk, count <= n)."""

    def check(value, path):
        inner(value, path)
        if isinstance(value, dict):
            a, b = value.get(small), value.get(large)
            if _number(a) and _number(b) and a > b:
                raise SchemaError(path + (small,), f"is larger than {large}")

    return check


C, R, D, P, H = _leaf("count"), _leaf("rate"), _leaf("difference"), _leaf("p"), _leaf("hours")
HORIZON = _at_most(
    "not_retained",
    "at_risk",
    _at_most(
        "retained",
        "at_risk",
        _object(
            {
                "at_risk": C,
                "retained": C,
                "not_retained": C,
                "rate": R,
                "ci_low": R,
                "ci_high": R,
                "km": R,
                "km_ci_low": R,
                "km_ci_high": R,
            }
        ),
    ),
)
PERIOD = _object(
    {
        "start": _leaf("month"),
        "end": _leaf("month"),
        "children": C,
        "placed": C,
        "not_placed": C,
        "retention": _object({h: HORIZON for h in HORIZONS}),
        "engagement": _object(
            {
                "recorded": C,
                "not_recorded": C,
                "median_hours": H,
                "q1_hours": H,
                "q3_hours": H,
                "mean_hours": H,
                "within_24h": _at_most(
                    "count", "n", _object({"n": C, "count": C, "rate": R, "ci_low": R, "ci_high": R})
                ),
            }
        ),
        "missing": _object(
            {
                "children": C,
                "episodes": C,
                "episodes_per_child": _leaf("ratio"),
                "median_duration_hours": H,
                "open": C,
                "harmed": C,
            }
        ),
        "too_few": _leaf("bool"),
    },
    optional=frozenset({"too_few"}),
)
COMPARISON = _object(
    {
        "retention": _object(
            {h: _object({"difference": D, "ci_low": D, "ci_high": D, "p_value": P}) for h in HORIZONS}
        ),
        "logrank_p": P,
        "engagement_median_difference_hours": _leaf("signed_hours"),
        "engagement_p_value": P,
        "within_24h_difference": _object({"difference": D, "ci_low": D, "ci_high": D}),
    },
    required=False,
)
SUMMARY = _object(
    {
        "standard_version": _leaf("version"),
        "exact": _leaf("bool"),
        "disclosure": _leaf("method"),
        "force": _leaf("code"),
        "synthetic": _leaf("bool"),
        "extract_date": _leaf("month"),
        "periods": _object({"baseline": PERIOD, "pilot": PERIOD}),
        "comparison": COMPARISON,
    },
    optional=frozenset({"disclosure"}),  # version 3's packs, all suppressed, have none
)
MONTH = _object(
    {"month": _leaf("label"), "children": C, "retention_7d": R, "within_24h": R, "median_engagement_hours": H}
)
QUARTER = _at_most("not_retained", "at_risk", _object({"quarter": _leaf("quarter"), "at_risk": C, "not_retained": C}))


def _quarters(value, path):
    """A pack's quarterly counts (version 2): a list of quarters, each once and in order, or none (withheld)."""
    if value is None:
        return
    _list(QUARTER, MAX_QUARTERS)(value, path)
    labels = [q["quarter"] for q in value]
    if labels != sorted(set(labels)):
        raise SchemaError(path, "must list each quarter once, in order")


SIGNATURE = _object({"algorithm": _leaf("str20"), "key_id": _leaf("str20"), "value": _leaf("text120")}, required=False)
PACK = _object(
    {
        "format": _leaf("text80"),
        "pack_version": _leaf("version"),
        "standard_version": _leaf("version"),
        "harbour_version": _leaf("str20"),
        "made": _leaf("month"),
        "force": _object(
            {
                "code": _leaf("code"),
                "name": _leaf("text80"),
                "scheme_name": _leaf("text120"),
                "pilot_start": _leaf("month"),
                "baseline_start": _leaf("month"),
                "extract_month": _leaf("month"),
                "extract_date": _leaf("day"),  # version 2
            },
            optional=frozenset({"extract_date"}),
        ),
        "synthetic": _leaf("bool"),
        "summary": SUMMARY,
        "monthly": _list(MONTH, MAX_MONTHS),
        # The signing force's own count of the packs it has signed, advanced with each: with the extract month, what
        # makes a pack newer than another, so that no older or replayed pack can be passed off as the latest.
        "sequence": _leaf("sequence"),
        # Version 2: the 28-day at_risk and not_retained by quarter of first contact, as the force published them
        # (docs/metrics.md version 4, Attribution), or none where they were withheld, and why.
        "quarterly": _quarters,
        "quarterly_note": _leaf("text120"),
        "sha256": _leaf("hex"),
        "signature": SIGNATURE,
    },
    optional=frozenset({"sequence", "quarterly", "quarterly_note"}),
)


def check_pack(pack) -> None:
    """Raises SchemaError naming the first field that breaks the schema."""
    if depth(pack, MAX_DEPTH) > MAX_DEPTH:
        raise SchemaError((), f"nests deeper than {MAX_DEPTH} levels")
    if isinstance(pack, dict) and "signature" not in pack:
        pack = {**pack, "signature": None}
    summary = pack.get("summary") if isinstance(pack, dict) else None
    method = summary.get("disclosure", SUPPRESSION) if isinstance(summary, dict) else SUPPRESSION
    token = _METHOD.set(method if method in METHODS else SUPPRESSION)
    try:
        PACK(pack, ())
    finally:
        _METHOD.reset(token)
    if pack["pack_version"] not in PACK_VERSIONS:
        raise SchemaError(("pack_version",), f"must be one of {', '.join(map(str, PACK_VERSIONS))}")
    if pack["pack_version"] >= 2:
        for path in (("quarterly",), ("force", "extract_date")):
            holder = pack if len(path) == 1 else pack["force"]
            if path[-1] not in holder:
                raise SchemaError(path, "is missing (a version 2 pack holds it)")
        if not pack["force"]["extract_date"].startswith(pack["force"]["extract_month"] or "-"):
            raise SchemaError(("force", "extract_date"), "is not in the extract month")
    if pack["summary"]["exact"] is not False:
        raise SchemaError(("summary", "exact"), "must be false: a pack holds publication figures only")
    if pack["summary"]["force"] != pack["force"]["code"]:
        raise SchemaError(("summary", "force"), "is not the pack's force")
