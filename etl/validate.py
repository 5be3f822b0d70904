"""Validate raw tables against the data standard: every rule E01-E10 and W01-W05.

All findings are collected before anything is decided. The result holds typed data frames in
which ``child_id`` has already been replaced by ``child_key`` (its keyed pseudonym). Values are
echoed in messages only where safe: never an identifier, never a value that looked identifying.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
import pycountry

from etl.extract import RawBundle, RawTable
from etl.findings import Finding, safe_value
from etl.parse import (
    cell_text,
    end_of_day_utc,
    is_blank,
    parse_date,
    parse_datetime,
    parse_int,
)
from etl.pseudonymise import Pseudonymiser
from etl.spec import ID_KINDS, SPEC, TABLES, Col

NATIONALITIES = frozenset(c.alpha_3 for c in pycountry.countries) | {"UNK"}
EARLIEST = date(2000, 1, 1)
EARLIEST_DT = datetime(2000, 1, 1)

_FORCE_CODE = re.compile(r"^[A-Z0-9_]{2,16}$")
_IDENT = re.compile(r"^[A-Za-z0-9\-_/.]{1,64}$")
_IDENTIFYING = [
    ("an email address", re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")),
    ("a UK postcode", re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b", re.I)),
    ("a Home Office reference", re.compile(r"\b[A-Z][0-9]{7}(?:/[0-9]+)?\b", re.I)),
    ("a port reference", re.compile(r"\b[A-Z]{3}/[0-9]+\b", re.I)),
]
_PHONE = re.compile(r"(?<![0-9])(?:0[127][0-9]{8,9}|\+44[0-9]{9,10})(?![0-9])")
_PHONE_NOISE = re.compile(r"[\s\-().]")
_DATE_IN_ID = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{4}")


def identifying(text: str, is_identifier: bool) -> str | None:
    """What identifying detail ``text`` looks like, or None."""
    for label, pattern in _IDENTIFYING:
        if pattern.search(text):
            return label
    if _PHONE.search(_PHONE_NOISE.sub("", text)):
        return "a UK phone number"
    if is_identifier and _DATE_IN_ID.search(text):
        return "a date"
    return None


@dataclass
class ValidBundle:
    forces: pd.DataFrame
    contacts: pd.DataFrame
    placements: pd.DataFrame
    episodes: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    completeness: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)  # table: column: counts

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    def row_counts(self) -> dict[str, int]:
        return {
            "forces": len(self.forces),
            "contacts": len(self.contacts),
            "placements": len(self.placements),
            "missing_episodes": len(self.episodes),
        }


_CACHEABLE = frozenset({"code", "force_code", "nationality", "int_age", "date", "text"})


class _TableCheck:
    """Header and cell checks of one raw table, producing a typed frame."""

    def __init__(self, raw: RawTable, pseudonymise: Pseudonymiser, findings: list[Finding]):
        self.raw = raw
        self.file = raw.file
        self.findings = findings
        self.pseudonymise = pseudonymise
        self.spec = {c.name: c for c in SPEC[raw.name]}

    def add(self, row: int | None, column: str | None, rule: str, message: str) -> None:
        self.findings.append(Finding(self.file, row, column, rule, message))

    def header(self) -> dict[str, int]:
        positions: dict[str, int] = {}
        for index, name in enumerate(self.raw.header):
            key = str(name).strip().lower()
            if key == "" and all(index >= len(r) or is_blank(r[index]) for r in self.raw.rows):
                continue  # an empty trailing column left by a spreadsheet
            if key not in self.spec:
                # The name is the header's, not a child's value: safe to echo, shortened.
                self.add(1, key or f"column {index + 1}", "E02", f"column {safe_value(key)} is not in the data standard")
            elif key in positions:
                self.add(1, key, "E02", "the column appears twice")
            else:
                positions[key] = index
        for col in self.spec.values():
            if col.required and col.name not in positions:
                self.add(1, col.name, "E02", "a required column is missing")
        return positions

    def frame(self) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
        positions = self.header()
        columns: dict[str, list] = {"_row": [], "_ok": []}
        filled: dict[str, int] = {}
        cols = [c for c in self.spec.values() if c.name in positions]
        for col in cols:
            columns["child_key" if col.kind == "child_id" else col.name] = []
            filled[col.name] = 0
        # Codes repeat endlessly: a good value's conversion is remembered per column.
        caches = {c.name: {} for c in cols if c.kind in _CACHEABLE}
        plan = [(c, positions[c.name], columns["child_key" if c.kind == "child_id" else c.name], caches.get(c.name))
                for c in cols]
        for offset, row in enumerate(self.raw.rows):
            row_number = offset + 2
            ok = True
            width = len(row)
            for col, index, out, cache in plan:
                raw = row[index] if index < width else None
                if cache is not None and raw in cache:
                    out.append(cache[raw])
                    filled[col.name] += 1
                    continue
                value, good, blank = self.cell(col, raw, row_number)
                if good and not blank and cache is not None and isinstance(raw, str):
                    cache[raw] = value
                ok = ok and good
                if not blank:
                    filled[col.name] += 1
                out.append(value)
            columns["_row"].append(row_number)
            columns["_ok"].append(ok)
        total = len(self.raw.rows)
        completeness = {
            name: {"filled": filled[name], "rows": total}
            for name in filled
            if not self.spec[name].required
        }
        frame = pd.DataFrame(columns)
        for col in self.spec.values():
            # A missing optional column behaves as an all-blank one.
            key = "child_key" if col.kind == "child_id" else col.name
            if key not in frame.columns:
                frame[key] = col.blank if not col.required else None
                if not col.required:
                    completeness[col.name] = {"filled": 0, "rows": len(frame)}
        return frame, completeness

    def cell(self, col: Col, raw: object, row: int) -> tuple[object, bool, bool]:
        """(typed value, no error, was blank) for one cell."""
        if is_blank(raw):
            if col.required:
                self.add(row, col.name, "E03", "a required value is blank")
                return None, False, True
            return col.blank, True, True
        is_id = col.kind in ID_KINDS
        if isinstance(raw, str) and col.kind not in ("date", "datetime"):
            text = raw.strip()
            looks = identifying(text, is_id)
            if looks:
                self.add(row, col.name, "E09", f"the value looks like {looks}; the value is not shown")
                return None, False, False
        try:
            return self.convert(col, raw, row), True, False
        except _OutOfRange as exc:
            self.add(row, col.name, "E05", f"{safe_value(cell_text(raw))} {exc}")
        except ValueError as exc:
            shown = "the value" if is_id else safe_value(cell_text(raw))
            self.add(row, col.name, "E04", f"{shown} {exc}")
        return None, False, False

    def convert(self, col: Col, raw: object, row: int) -> object:
        kind = col.kind
        if kind == "code":
            text = cell_text(raw).upper()
            if text not in col.codes:  # type: ignore[operator]
                raise ValueError(f"is not one of {', '.join(sorted(col.codes))}")  # type: ignore[arg-type]
            return text
        if kind == "datetime":
            moment = parse_datetime(raw)
            if moment < EARLIEST_DT:
                raise _OutOfRange("is before 2000-01-01")
            return moment
        if kind == "force_code":
            text = cell_text(raw).upper()
            if not _FORCE_CODE.match(text):
                raise ValueError("is not a force code (2 to 16 of A-Z, 0-9, _)")
            return text
        if kind in ID_KINDS:
            text = cell_text(raw)
            if not _IDENT.match(text):
                raise ValueError("is not an identifier (1 to 64 letters, digits, - _ / .)")
            return self.pseudonymise(text) if kind == "child_id" else text
        if kind == "nationality":
            text = cell_text(raw).upper()
            if text not in NATIONALITIES:
                raise ValueError("is not an ISO 3166-1 alpha-3 code or UNK")
            return text
        if kind == "date":
            day = parse_date(raw)
            if day < EARLIEST:
                raise _OutOfRange("is before 2000-01-01")
            return day
        if kind == "int_age":
            age = parse_int(raw)
            if not 0 <= age <= 17:
                raise _OutOfRange("is outside 0 to 17")
            return age
        if kind == "text":
            text = cell_text(raw)
            if len(text) > (col.max_len or 10**6):
                raise ValueError(f"is longer than {col.max_len} characters")
            return text
        raise AssertionError(f"unknown column kind {kind}")  # a programming error, not input


class _OutOfRange(ValueError):
    pass


def validate(raw: RawBundle, pseudonymise: Pseudonymiser) -> ValidBundle:
    findings = list(raw.findings)
    frames: dict[str, pd.DataFrame] = {}
    completeness: dict[str, dict[str, dict[str, int]]] = {}
    for name in TABLES:
        table = raw.tables.get(name)
        if table is None:
            frames[name] = _empty(name)
            continue
        if not table.rows:
            findings.append(Finding(table.file, None, None, "E01", "has a header but no rows"))
        frames[name], completeness[name] = _TableCheck(table, pseudonymise, findings).frame()
    bundle = ValidBundle(
        frames["forces"], frames["contacts"], frames["placements"], frames["missing_episodes"],
        findings, completeness,
    )
    files = {name: (raw.tables[name].file if name in raw.tables else f"{name}.csv") for name in TABLES}
    _check_forces(bundle, files["forces"])
    _check_contacts(bundle, files["contacts"])
    _check_spans(bundle, "placements", bundle.placements, files["placements"], "placement_id")
    _check_spans(bundle, "missing_episodes", bundle.episodes, files["missing_episodes"], "episode_id")
    _warn_w03(bundle, files["placements"])
    return bundle


def _empty(name: str) -> pd.DataFrame:
    cols = ["child_key" if c.kind == "child_id" else c.name for c in SPEC[name]]
    return pd.DataFrame({c: [] for c in ["_row", "_ok", *cols]})


def _add_rows(bundle: ValidBundle, file: str, frame: pd.DataFrame, mask, column, rule, message) -> None:
    for row in frame.loc[mask, "_row"].tolist():
        bundle.findings.append(Finding(file, int(row), column, rule, message))


def _check_forces(bundle: ValidBundle, file: str) -> None:
    f = bundle.forces
    dup = f["force_code"].notna() & f.duplicated("force_code", keep="first")
    _add_rows(bundle, file, f, dup, "force_code", "E06", "the force_code appears twice in forces")
    bad_order = f["pilot_start"].notna() & f["baseline_start"].notna() & (f["baseline_start"] > f["pilot_start"])
    _add_rows(bundle, file, f, bad_order, "baseline_start", "E08", "baseline_start is after pilot_start")
    late = f["pilot_start"].notna() & f["extract_date"].notna() & (f["pilot_start"] > f["extract_date"])
    _add_rows(bundle, file, f, late, "pilot_start", "E05", "pilot_start is after extract_date")
    f["cut"] = [end_of_day_utc(d) if isinstance(d, date) else None for d in f["extract_date"]]


def _join_force(bundle: ValidBundle, frame: pd.DataFrame, file: str) -> pd.Series:
    """Each row's force cut-off (NaT where the force is unknown); reports E07 for unknown forces."""
    known = bundle.forces.dropna(subset=["force_code"]).drop_duplicates("force_code")
    cuts = dict(zip(known["force_code"], known["cut"]))
    unknown = frame["force_code"].notna() & ~frame["force_code"].isin(cuts.keys())
    _add_rows(bundle, file, frame, unknown, "force_code", "E07", "the force_code is not in forces")
    return pd.to_datetime(frame["force_code"].map(cuts))


def _after_cut(bundle, file, frame, cut, columns) -> None:
    for column in columns:
        values = pd.to_datetime(frame[column])
        late = values.notna() & cut.notna() & (values > cut)
        _add_rows(bundle, file, frame, late, column, "E05", "is after the end of the force's extract_date")


def _duplicates(bundle, file, frame, column, message) -> None:
    dup = frame[column].notna() & frame.duplicated(["force_code", column], keep="first")
    _add_rows(bundle, file, frame, dup, column, "E06", message)


def _before(bundle, file, frame, later, earlier, message) -> None:
    a, b = pd.to_datetime(frame[later]), pd.to_datetime(frame[earlier])
    _add_rows(bundle, file, frame, a.notna() & b.notna() & (a < b), later, "E08", message)


def _check_contacts(bundle: ValidBundle, file: str) -> None:
    c = bundle.contacts
    cut = _join_force(bundle, c, file)
    _after_cut(bundle, file, c, cut, ["first_contact_at", "first_engagement_at", "pack_submitted_at"])
    _duplicates(bundle, file, c, "contact_id", "the contact_id appears twice for this force")
    _duplicates(bundle, file, c, "child_key", "the child_id appears twice for this force (the identifier is not shown)")
    _before(bundle, file, c, "first_engagement_at", "first_contact_at", "first_engagement_at is before first_contact_at")
    _before(bundle, file, c, "pack_submitted_at", "first_contact_at", "pack_submitted_at is before first_contact_at")
    no_submit = (c["pack_completed"] == "Y") & c["pack_submitted_at"].isna() & c["_ok"]
    _add_rows(bundle, file, c, no_submit, "pack_submitted_at", "E10", "pack_completed is Y but pack_submitted_at is blank")
    no_engagement = c["first_engagement_at"].isna() & c["_ok"]
    _add_rows(bundle, file, c, no_engagement, "first_engagement_at", "W05", "the contact has no first_engagement_at")
    _warn_w04(bundle, file)


def _warn_w04(bundle: ValidBundle, file: str) -> None:
    from etl.derive import contact_periods, resolve_force_periods

    forces = resolve_force_periods(bundle.forces, bundle.contacts)
    contacts = bundle.contacts[bundle.contacts["first_contact_at"].notna() & bundle.contacts["force_code"].isin(forces["force_code"])]
    if contacts.empty:
        return
    periods = contact_periods(contacts, forces)
    _add_rows(bundle, file, contacts, (periods == "out_of_scope").to_numpy(), "first_contact_at", "W04",
              "the contact falls outside both the baseline and the pilot period")


def _check_spans(bundle: ValidBundle, table: str, frame: pd.DataFrame, file: str, id_column: str) -> None:
    cut = _join_force(bundle, frame, file)
    _after_cut(bundle, file, frame, cut, ["start_at", "end_at"])
    _duplicates(bundle, file, frame, id_column, f"the {id_column} appears twice for this force")
    children = set(zip(bundle.contacts["force_code"], bundle.contacts["child_key"]))
    orphan = [
        (fc, ck) not in children if isinstance(ck, str) and isinstance(fc, str) else False
        for fc, ck in zip(frame["force_code"], frame["child_key"])
    ]
    _add_rows(bundle, file, frame, orphan, "child_id", "E07",
              "the child_id is not in contacts for this force (the identifier is not shown)")
    _before(bundle, file, frame, "end_at", "start_at", "end_at is before start_at")
    if table == "placements":
        no_reason = frame["end_at"].notna() & frame["end_reason"].isna()
        _add_rows(bundle, file, frame, no_reason, "end_reason", "E10", "end_at is set but end_reason is blank")
        _warn_overlaps(bundle, file, frame, "W01", "the child's placements overlap")
    else:
        _warn_overlaps(bundle, file, frame, "W02", "the child's missing episodes overlap")


def _warn_overlaps(bundle, file, frame, rule, message) -> None:
    ok = frame[frame["_ok"]].copy()
    if ok.empty:
        return
    ok["start"] = pd.to_datetime(ok["start_at"])
    ok["end"] = pd.to_datetime(ok["end_at"]).fillna(pd.Timestamp.max)
    ok = ok.sort_values(["force_code", "child_key", "start"])
    group = ok.groupby(["force_code", "child_key"], sort=False).ngroup()
    previous_end = ok["end"].groupby(group).cummax().groupby(group).shift(1)
    overlap = previous_end.notna() & (ok["start"] < previous_end)
    _add_rows(bundle, file, ok, overlap, "start_at", rule, message)


def _warn_w03(bundle: ValidBundle, file: str) -> None:
    p, e = bundle.placements, bundle.episodes
    ended = p[(p["end_reason"] == "MISSING") & p["end_at"].notna() & p["_ok"]]
    if ended.empty:
        return
    starts = e[(e["episode_type"] == "M") & e["_ok"]][["force_code", "child_key", "start_at"]]
    joined = ended[["_row", "force_code", "child_key", "end_at"]].merge(starts, on=["force_code", "child_key"], how="left")
    gap = (pd.to_datetime(joined["start_at"]) - pd.to_datetime(joined["end_at"])).abs()
    matched = set(joined.loc[gap <= pd.Timedelta(hours=24), "_row"])
    lonely = ~ended["_row"].isin(matched)
    _add_rows(bundle, file, ended, lonely, "end_reason", "W03",
              "the placement ended MISSING but no missing episode of type M starts within 24 hours of its end")
