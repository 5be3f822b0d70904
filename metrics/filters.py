"""One filter value object, shared by the CLI and the pages, and its URL query form."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace

import pandas as pd
import pycountry

AGE_BANDS = ("0-12", "13-15", "16-17", "unknown")
SEXES = ("M", "F", "U")
CONTACT_ROUTES = ("PORT", "VEHICLE", "SELF_PRESENTED", "POLICE_ENCOUNTER", "AGENCY_REFERRAL", "OTHER", "UNKNOWN")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# Version 3: months of first contact are chosen in whole quarters, so that two views a month apart cannot be
# subtracted to give the children of one month.
QUARTER_STARTS, QUARTER_ENDS = ("01", "04", "07", "10"), ("03", "06", "09", "12")
QUARTER_RULE = "months of first contact are chosen in whole quarters, so that no two views can be subtracted"


def on_quarter(name: str, month: str) -> bool:
    """Whether ``month`` (YYYY-MM) begins a quarter (``name`` month_from) or ends one (month_to)."""
    return month[5:7] in (QUARTER_STARTS if name == "month_from" else QUARTER_ENDS)


_CODE = re.compile(r"^[A-Z0-9_]{2,16}$")


@dataclass(frozen=True)
class Filter:
    """One filter, said once: its name (the field of ``Filters``, the URL's query key and, with hyphens, the CLI's
    option), its words in a sentence and in a line or a file name, its codes (None where any well-formed code
    may come) with the words for them, and the CLI's help."""

    name: str
    words: str
    short: str
    codes: tuple[str, ...] | None
    labels: dict[str, str]
    help: str

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")


SEX_LABELS = {"M": "Male", "F": "Female", "U": "Unknown"}
ROUTE_LABELS = {
    "PORT": "Port",
    "VEHICLE": "Vehicle",
    "SELF_PRESENTED": "Self-presented",
    "POLICE_ENCOUNTER": "Police encounter",
    "AGENCY_REFERRAL": "Agency referral",
    "OTHER": "Other",
    "UNKNOWN": "Unknown",
}
MONTH_WORDS = "months of first contact"
FILTERS: tuple[Filter, ...] = (
    Filter(
        "force", "force", "force", None, {}, "One force code, or ALL for every force pooled (default: the lead force)."
    ),
    Filter(
        "age_band",
        "age band",
        "age",
        AGE_BANDS,
        {a: a for a in AGE_BANDS},
        "One age band: 0-12, 13-15, 16-17 or unknown (default: all).",
    ),
    Filter("sex", "sex", "sex", SEXES, SEX_LABELS, "One sex code: M, F or U (default: all)."),
    Filter(
        "nationality", "nationality", "nationality", None, {}, "One ISO 3166-1 alpha-3 code, or UNK (default: all)."
    ),
    Filter(
        "contact_route",
        "contact route",
        "route",
        CONTACT_ROUTES,
        ROUTE_LABELS,
        "One contact route: PORT, VEHICLE, ... (default: all).",
    ),
    Filter(
        "month_from",
        MONTH_WORDS,
        "from",
        None,
        {},
        "First month of first contact, YYYY-MM: the first month of a quarter (01, 04, 07 or 10).",
    ),
    Filter(
        "month_to",
        MONTH_WORDS,
        "to",
        None,
        {},
        "Last month of first contact, YYYY-MM: the last month of a quarter (03, 06, 09 or 12).",
    ),
    Filter(
        "period",
        "whole period of first contact",
        "period",
        None,
        {"baseline": "Baseline (before the pilot)", "pilot": "Pilot"},
        "A whole period of first contact: baseline, pilot, or a financial year written 2017-18 (April to March) "
        "(default: all).",
    ),
)
# Version 4: for the publication audience, months of first contact are chosen as whole periods only (the force's
# baseline, its pilot, a financial year, or all); ranges of quarters subtract ("all quarters to q" less "all
# quarters to q - 1" is quarter q), so they stay with the internal audience.
_FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
WHOLE_PERIODS_RULE = (
    "for publication, months of first contact are chosen as whole periods (the force's baseline, its pilot, a "
    "financial year, or all), since ranges of quarters can be subtracted; a range of quarters is for exact figures"
)


def financial_year(value: str) -> tuple[str, str] | None:
    """The first and last months of a financial year written '2017-18' (April 2017 to March 2018), or None."""
    found = _FINANCIAL_YEAR.match(str(value))
    if not found or (int(found.group(1)) + 1) % 100 != int(found.group(2)):
        return None
    year = int(found.group(1))
    return f"{year:04d}-04", f"{year + 1:04d}-03"


def financial_years(months) -> list[str]:
    """The financial years ('2017-18') that the months (YYYY-MM) of first contact fall in, in order."""
    years = {int(m[:4]) - (int(m[5:7]) < 4) for m in months if _MONTH.match(str(m))}
    return [f"{y:04d}-{(y + 1) % 100:02d}" for y in sorted(years)]


def period_words(value: str | None) -> str:
    """A whole period in words: 'the baseline', 'the pilot', 'financial year 2017-18'."""
    if value in ("baseline", "pilot"):
        return f"the {value}"
    return f"financial year {value}" if value else "all periods"


def valid_period(value) -> bool:
    return value in ("baseline", "pilot") or financial_year(str(value)) is not None


def nationality_label(code: str) -> str:
    """A nationality by its country's name, with the ISO code after it: 'Eritrea (ERI)'."""
    if code == "UNK":
        return "Unknown (UNK)"
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    return f"{getattr(country, 'common_name', None) or country.name} ({code})"


FILTER_NAMES = tuple(f.name for f in FILTERS)
COHORT_FILTERS = FILTER_NAMES[:5]  # each takes one code or all; the months are a range
FILTER_WORDS = {f.name: f.words for f in FILTERS}
FILTER_SHORT = {f.name: f.short for f in FILTERS}


@dataclass(frozen=True)
class Filters:
    """The cohort's narrowing: each filter one value, or an empty tuple for all (docs/metrics.md version 3: a filter
    takes one value or all of them, not a list); months are 'YYYY-MM' inclusive, in whole quarters (from the first
    month of a quarter to the last month of one)."""

    force: tuple[str, ...] = ()
    age_band: tuple[str, ...] = ()
    sex: tuple[str, ...] = ()
    nationality: tuple[str, ...] = ()
    contact_route: tuple[str, ...] = ()
    month_from: str | None = None
    month_to: str | None = None
    period: str | None = None  # a whole period (version 4): baseline, pilot or a financial year '2017-18'

    def apply(self, facts: pd.DataFrame) -> pd.DataFrame:
        """The child facts that pass every filter (any frame with the child_facts columns)."""
        mask = pd.Series(True, index=facts.index)
        for name in COHORT_FILTERS:
            chosen = getattr(self, name)
            if chosen:
                column = "force_code" if name == "force" else name
                mask &= facts[column].isin(chosen)
        if self.month_from:
            mask &= facts["contact_month"] >= self.month_from
        if self.month_to:
            mask &= facts["contact_month"] <= self.month_to
        if self.period in ("baseline", "pilot"):
            mask &= facts["period"] == self.period
        elif self.period and (months := financial_year(self.period)):
            mask &= (facts["contact_month"] >= months[0]) & (facts["contact_month"] <= months[1])
        return facts[mask]

    def whole_periods(self) -> Filters:
        """These filters for the publication audience: any range of quarters left out (version 4)."""
        return replace(self, month_from=None, month_to=None)

    def to_query(self) -> dict[str, str]:
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple) and value:
                out[f.name] = ",".join(value)
            elif isinstance(value, str) and value:
                out[f.name] = value
        return out

    @staticmethod
    def problems(query: dict[str, object]) -> list[str]:
        """What in a URL's filters was not understood (and so is ignored), said plainly; [] when all is well."""
        found = []
        for name in ("month_from", "month_to"):
            raw = query.get(name)
            if raw not in (None, "") and not _MONTH.match(str(raw)):
                found.append(f"{name.replace('_', ' ')} {str(raw)[:12]!r} is not a month written YYYY-MM")
            elif raw not in (None, "") and not on_quarter(name, str(raw)):
                first = name == "month_from"
                found.append(
                    f"{name.replace('_', ' ')} {str(raw)!r} does not {'begin' if first else 'end'} a quarter "
                    f"({'January, April, July or October' if first else 'March, June, September or December'}):"
                    f" {QUARTER_RULE}"
                )
        raw = query.get("period")
        if raw not in (None, "") and not valid_period(str(raw).strip().lower()):
            found.append(
                f"period {str(raw)[:12]!r} is not a whole period: baseline, pilot, or a financial year such as 2017-18"
            )
        for name in COHORT_FILTERS:
            raw = query.get(name)
            items = [] if raw is None else raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
            items = [str(i).strip() for i in items if str(i).strip()]
            if len(items) > 1:
                found.append(
                    f"{name.replace('_', ' ')} takes one value or none (all), not a list, so that no two views "
                    f"can be subtracted: only {items[0][:12]!r} is used"
                )
        allowed = {f.name: set(f.codes) for f in FILTERS if f.codes}
        for name, codes in allowed.items():
            raw = query.get(name)
            items = [] if raw is None else raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
            bad = [
                str(i).strip()[:12]
                for i in items
                if str(i).strip() and (str(i).strip() if name == "age_band" else str(i).strip().upper()) not in codes
            ]
            if bad:
                found.append(f"{name.replace('_', ' ')} {', '.join(repr(b) for b in bad[:3])} is not one of its codes")
        return found

    @classmethod
    def from_query(cls, query: dict[str, object]) -> Filters:
        """Filters from URL query parameters; anything malformed is ignored, never trusted."""

        def values(name: str, allowed=None, pattern=None) -> tuple[str, ...]:
            raw = query.get(name)
            if raw is None:
                return ()
            items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
            out = []
            for item in items:
                item = str(item).strip()
                if not item:
                    continue
                if item.lower() == "unknown" and name == "age_band":
                    item = "unknown"
                else:
                    item = item.upper() if name != "age_band" else item
                if (allowed is None or item in allowed) and (pattern is None or pattern.match(item)):
                    out.append(item)
            # One value or all (version 3): a list would let two views be subtracted ("all but one").
            return tuple(out[:1])

        def month(name: str) -> str | None:
            raw = query.get(name)
            ok = raw is not None and _MONTH.match(str(raw)) and on_quarter(name, str(raw))
            return str(raw) if ok else None

        return cls(
            force=values("force", pattern=_CODE),
            age_band=values("age_band", AGE_BANDS),
            sex=values("sex", SEXES),
            nationality=values("nationality", pattern=re.compile(r"^[A-Z]{3}$")),
            contact_route=values("contact_route", CONTACT_ROUTES),
            month_from=month("month_from"),
            month_to=month("month_to"),
            period=str(query.get("period")).strip().lower()
            if valid_period(str(query.get("period") or "").strip().lower())
            else None,
        )

    def with_force(self, *codes: str) -> Filters:
        return replace(self, force=tuple(codes))

    def describe(self, names: dict[str, dict[str, str]] | None = None, month=str) -> str:
        """The filters in a line; ``names`` gives words for codes by field ({"force": {"ELMSHIRE": "Elmshire"}}),
        ``month`` a month ('2017-01') in words."""
        parts = []
        for name in COHORT_FILTERS:
            label, chosen = FILTER_SHORT[name], getattr(self, name)
            if chosen:
                words = (names or {}).get(name, {})
                parts.append(f"{label} {', '.join(words.get(code, code) for code in chosen)}")
        if self.month_from or self.month_to:
            parts.append(
                f"first contact {month(self.month_from) if self.month_from else '…'} to "
                f"{month(self.month_to) if self.month_to else '…'}"
            )
        if self.period:
            parts.append(f"first contact in {period_words(self.period)}")
        return "; ".join(parts) if parts else "all children"


ALL_FORCES = "ALL"


def resolve(filters: Filters, forces: pd.DataFrame) -> Filters:
    """The filters a page uses: no force named means the lead force (the first with a scheme,
    else all forces); ``force=ALL`` means every force pooled; unknown codes are dropped."""
    known = list(forces["force_code"])
    if filters.force == (ALL_FORCES,):
        return replace(filters, force=())
    chosen = tuple(code for code in filters.force if code in known)
    if chosen:
        return replace(filters, force=chosen)
    with_scheme = forces[forces["pilot_start"].notna()]["force_code"].tolist()
    return replace(filters, force=(with_scheme[0],) if with_scheme else ())
