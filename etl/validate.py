"""Validate raw tables against the data standard: every rule E01-E10 and W01-W05.

All findings are collected before anything is decided. The result holds typed data frames in
which ``child_id`` has already been replaced by ``child_key`` (its keyed pseudonym). Values are
echoed in messages only where safe: never an identifier, never a value that looked identifying.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
import pycountry

from etl.extract import RawBundle, RawTable
from etl.findings import Finding, safe_value
from etl.parse import (
    LONDON_NAME,
    cell_text,
    end_of_day_utc,
    is_blank,
    parse_date,
    parse_datetime,
    parse_int,
)
from etl.pseudonymise import Pseudonymiser
from etl.spec import ID_KINDS, PSEUDONYMISED, SPEC, TABLES, Col, stored_name

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
    day_precision: dict[str, list[str]] = field(default_factory=dict)  # force: authorities whose returns it has
    coverage: list[dict] = field(default_factory=list)  # force, la_code, month, uasc_children, linked, with_pack

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


# child_id repeats across contacts, placements and episodes: its pseudonym is computed once.
_MISS = object()


# Every identifying pattern treats all ASCII letters alike and all digits alike, bar the phone
# pattern's leading digits. So an identifier's shape (letters as A, digits as 9) decides whether
# any pattern can match it; shapes repeat endlessly ("AAA-A99999-9"), so each is tried once. A
# shape with ten digits or more could be a phone number and gets the full check.
_SHAPE = str.maketrans({**{c: "A" for c in string.ascii_letters}, **{c: "9" for c in string.digits}})
_PLAIN_SHAPES: dict[str, bool] = {}


def _shape_is_plain(shape: str) -> bool:
    verdict = _PLAIN_SHAPES.get(shape)
    if verdict is None:
        verdict = bool(_IDENT.match(shape)) and shape.count("9") < 10 and identifying(shape, True) is None
        if len(_PLAIN_SHAPES) < 100_000:
            _PLAIN_SHAPES[shape] = verdict
    return verdict


def plain_identifier(value: str) -> bool:
    """True when ``value`` is a well-formed identifier with nothing identifying in it."""
    return _shape_is_plain(value.translate(_SHAPE))


def _shapes(texts: list[str], table: dict) -> list[str]:
    """Each text translated by ``table``: in one call when no text holds a line break."""
    joined = "\n".join(texts)
    if joined.count("\n") == len(texts) - 1:
        return joined.translate(table).split("\n") if texts else []
    return [t.translate(table) for t in texts]


def _plain_identifiers(distinct: list, pseudonymise: Pseudonymiser | None) -> dict[str, str]:
    """Identifiers that plainly pass, checked by their shape: {text: stored value}. Anything
    else goes to the full check, which says what is wrong."""
    texts = [v for v in distinct if type(v) is str]
    plain = [t for t, shape in zip(texts, _shapes(texts, _SHAPE)) if _shape_is_plain(shape)]
    if pseudonymise is None:
        return dict(zip(plain, plain))
    return {t: pseudonymise(t) for t in plain}


_DIGITS_ONLY = str.maketrans({c: "9" for c in string.digits})
_PLAIN_LOCAL_SHAPES = frozenset({"9999-99-99T99:99", "9999-99-99 99:99", "9999-99-99T99:99:99", "9999-99-99 99:99:99"})


def _local_datetimes(distinct: list) -> dict[str, datetime]:
    """Date-times written the standard's plain way (UK local, no offset), parsed together.

    Returns {text: naive UTC datetime} for the texts that are real times, in a day's existing
    hours, not before 2000; anything else is left to the one-at-a-time parser, which says
    what is wrong. In the hour repeated when the clocks go back the earlier instant is taken,
    as ``parse.local_to_utc`` does.
    """
    texts = [v for v in distinct if type(v) is str]
    texts = [t for t, shape in zip(texts, _shapes(texts, _DIGITS_ONLY)) if shape in _PLAIN_LOCAL_SHAPES]
    if not texts:
        return {}
    local = pd.Series(pd.to_datetime(texts, format="ISO8601", errors="coerce"))
    utc = (local.dt.tz_localize(LONDON_NAME, ambiguous=np.ones(len(local), dtype=bool), nonexistent="NaT")
           .dt.tz_convert("UTC").dt.tz_localize(None))
    keep = (utc.notna() & (utc >= EARLIEST_DT)).to_numpy()
    moments = utc.dt.to_pydatetime()
    return {text: moment for text, moment, good in zip(texts, moments, keep) if good}


class _TableCheck:
    """Header and cell checks of one raw table, producing a typed frame."""

    def __init__(self, raw: RawTable, pseudonymise: Pseudonymiser, findings: list[Finding]):
        self.raw = raw
        self.file = raw.file
        self.findings = findings
        self.pseudonymise = pseudonymise
        self.spec = {c.name: c for c in SPEC[raw.name]}
        self.broken = False  # a required column is missing: the rows are not checked, nor checked against

    def add(self, row: int | None, column: str | None, rule: str, message: str) -> None:
        self.findings.append(Finding(self.file, row, column, rule, message))

    def header(self) -> dict[str, int]:
        positions: dict[str, int] = {}
        unknown: dict[str, str] = {}  # key: the header as written
        for index, name in enumerate(self.raw.header):
            key = str(name).strip().lower()
            if key == "" and all(index >= len(r) or is_blank(r[index]) for r in self.raw.rows):
                continue  # an empty trailing column left by a spreadsheet
            if key not in self.spec:
                unknown[key or f"column {index + 1}"] = str(name)
            elif key in positions:
                self.add(1, key, "E02", "the column appears twice")
            else:
                positions[key] = index
        for col in self.spec.values():
            if col.required and col.name not in positions:
                self.broken = True
                guess = _closest(col.name, unknown)
                if guess is None:
                    self.add(1, col.name, "E02", f"column {col.name!r} not found: a required column is missing, so "
                                                 "the rows were not checked")
                else:
                    # The header is the file's, not a child's value: safe to echo, shortened.
                    self.add(1, col.name, "E02", f"column {col.name!r} not found; did you mean "
                                                 f"{safe_value(unknown.pop(guess))}? Rename that header to {col.name}")
        for key in unknown:
            self.add(1, key, "E02", f"column {safe_value(key)} is not in the data standard")
        return positions

    def frame(self) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
        positions = self.header()
        if self.broken:  # every row would fail for the same reason: one error says it
            return _empty(self.raw.name), {}
        rows = self.raw.rows
        total = len(rows)
        cols = [c for c in self.spec.values() if c.name in positions]
        ok = np.ones(total, dtype=bool)
        columns: dict[str, list] = {"_row": list(range(2, total + 2))}
        filled: dict[str, int] = {}
        first = len(self.findings)
        width = len(self.raw.header)
        # Columns at once (zip is C); a short row, as a spreadsheet can leave, reads as blanks.
        transposed = list(zip(*(r if len(r) == width else [*r[:width], *[None] * (width - len(r))] for r in rows)))
        for col in cols:
            index = positions[col.name]
            raw = list(transposed[index]) if transposed else []
            values, good, filled[col.name] = self.column(col, raw)
            columns[stored_name(col)] = values.tolist()
            ok &= good
        columns["_ok"] = ok.tolist()
        # Columns were checked one at a time; the report reads row by row, as the file does.
        order = {c.name: i for i, c in enumerate(cols)}
        self.findings[first:] = sorted(self.findings[first:], key=lambda f: (f.row or 0, order.get(f.column, -1)))
        completeness = {
            name: {"filled": filled[name], "rows": total}
            for name in filled
            if not self.spec[name].required
        }
        frame = pd.DataFrame(columns)
        for col in self.spec.values():
            # A missing optional column behaves as an all-blank one.
            key = stored_name(col)
            if key not in frame.columns:
                frame[key] = col.blank if not col.required else None
                if not col.required:
                    completeness[col.name] = {"filled": 0, "rows": len(frame)}
        return frame, completeness

    def column(self, col: Col, raw: list) -> tuple[np.ndarray, np.ndarray, int]:
        """One column's typed values, which rows passed, and how many were filled.

        Each distinct value is checked once (codes and ids repeat); identifiers that plainly
        pass, and date-times in the standard's plain local form, are checked in bulk. A problem
        is reported on every row that holds the value.
        """
        if set(map(type, raw)) <= {str}:  # CSV: text throughout, so equal means identical
            codes, uniques = pd.factorize(np.asarray(raw, dtype=object))
            distinct = uniques.tolist()
        else:  # XLSX: 1, 1.0 and True are equal in Python yet differ here; keep them apart
            keys: dict[tuple[type, object], int] = {}
            codes = np.fromiter((keys.setdefault((type(v), v), len(keys)) for v in raw), dtype=np.intp, count=len(raw))
            distinct = [v for _, v in keys]
        if col.kind == "datetime":
            fast = _local_datetimes(distinct)
        elif col.kind in ID_KINDS:
            fast = _plain_identifiers(distinct, self.pseudonymise if col.kind in PSEUDONYMISED else None)
        else:
            fast = {}
        n = len(distinct)
        typed = np.empty(n, dtype=object)
        passed = np.ones(n, dtype=bool)
        blank = np.zeros(n, dtype=bool)
        problems: dict[int, tuple[str, str]] = {}
        rest = range(n)
        if fast:
            hits = [fast.get(v, _MISS) if type(v) is str else _MISS for v in distinct]
            typed[:] = hits
            rest = [u for u, hit in enumerate(hits) if hit is _MISS]
        for u in rest:
            value = distinct[u]
            typed[u], passed[u], blank[u], problem = self.cell(col, value)
            if problem is not None:
                problems[u] = problem
        values = typed[codes] if len(codes) else np.empty(0, dtype=object)
        good = passed[codes] if len(codes) else np.ones(0, dtype=bool)
        filled = int(len(codes) - blank[codes].sum()) if len(codes) else 0
        if problems:
            flagged = np.zeros(n, dtype=bool)
            flagged[list(problems)] = True
            for i in np.flatnonzero(flagged[codes]):
                self.add(int(i) + 2, col.name, *problems[int(codes[i])])
        return values, good, filled

    def cell(self, col: Col, raw: object) -> tuple[object, bool, bool, tuple[str, str] | None]:
        """(typed value, no error, was blank, (rule, message) of the problem or None) for one value."""
        if is_blank(raw):
            if col.required:
                return None, False, True, ("E03", "a required value is blank")
            return col.blank, True, True, None
        is_id = col.kind in ID_KINDS
        if isinstance(raw, str) and col.kind not in ("date", "datetime"):
            text = raw.strip()
            looks = identifying(text, is_id)
            if looks:
                return None, False, False, ("E09", f"the value looks like {looks}; the value is not shown")
        try:
            return self.convert(col, raw), True, False, None
        except _OutOfRange as exc:
            return None, False, False, ("E05", f"{safe_value(cell_text(raw))} {exc}")
        except ValueError as exc:
            shown = "the value" if is_id else safe_value(cell_text(raw))
            return None, False, False, ("E04", f"{shown} {exc}")

    def convert(self, col: Col, raw: object) -> object:
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
            return self.pseudonymise(text) if kind in PSEUDONYMISED else text
        if kind == "la_code":
            text = cell_text(raw).upper()
            if not re.fullmatch(r"[EWSN][0-9]{8}", text):
                raise ValueError("is not a local authority's ONS code (E, W, S or N and eight digits, e.g. E10000015)")
            return text
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
    broken: set[str] = set()  # tables that could not be read, or lack a required column
    for name in TABLES:
        table = raw.tables.get(name)
        if table is None:
            frames[name] = _empty(name)
            broken.add(name)
            continue
        if not table.rows:
            findings.append(Finding(table.file, None, None, "E01", "has a header but no rows"))
        check = _TableCheck(table, pseudonymise, findings)
        frames[name], completeness[name] = check.frame()
        if check.broken:
            broken.add(name)
    bundle = ValidBundle(
        frames["forces"], frames["contacts"], frames["placements"], frames["missing_episodes"],
        findings, completeness,
    )
    files = {name: (raw.tables[name].file if name in raw.tables else f"{name}.csv") for name in TABLES}
    if raw.returns:
        _from_returns(bundle, raw.returns, pseudonymise, files["contacts"], contacts_known="contacts" not in broken)
        broken -= {"placements", "missing_episodes"} - set(raw.tables)
    # A table that is not there cannot be checked against: its own error says why, and every row of
    # the other files that refers to it is not reported again.
    _check_forces(bundle, files["forces"])
    _check_contacts(bundle, files["contacts"], forces_known="forces" not in broken)
    for table, frame, id_column in (("placements", bundle.placements, "placement_id"),
                                    ("missing_episodes", bundle.episodes, "episode_id")):
        _check_spans(bundle, table, frame, files[table], id_column, forces_known="forces" not in broken,
                     contacts_known="contacts" not in broken)
    if "missing_episodes" not in broken:
        _warn_w03(bundle, files["placements"])
    return bundle


def _closest(wanted: str, headers: dict[str, str]) -> str | None:
    """The unknown header most like a missing column's name ('Child ID', 'childid' for child_id), or None."""
    import difflib

    def squash(text: str) -> str:
        return re.sub(r"[^a-z0-9]", "", text.lower())

    squashed = {squash(key): key for key in headers}
    if squash(wanted) in squashed:
        return squashed[squash(wanted)]
    found = difflib.get_close_matches(squash(wanted), list(squashed), n=1, cutoff=0.75)
    return squashed[found[0]] if found else None


def _empty(name: str) -> pd.DataFrame:
    cols = [stored_name(c) for c in SPEC[name]]
    return pd.DataFrame({c: [] for c in ["_row", "_ok", *cols]})


# A derived row's problem is named in the return's own terms: its file, row and column.
_RETURN_COLUMNS = {"start_at": "DECOM", "end_at": "DEC", "end_reason": "REC", "child_id": "CHILD",
                   "placement_id": "CHILD", "episode_id": "CHILD"}
_RETURN_MISSING_COLUMNS = {**_RETURN_COLUMNS, "start_at": "MIS_START", "end_at": "MIS_END"}


def _add_rows(bundle: ValidBundle, file: str, frame: pd.DataFrame, mask, column, rule, message) -> None:
    chosen = frame.loc[mask]
    files = chosen["_file"].tolist() if "_file" in chosen else [None] * len(chosen)
    for row, source in zip(chosen["_row"].tolist(), files):
        if isinstance(source, str):  # a row derived from an SSDA903 return
            names = _RETURN_MISSING_COLUMNS if "missing" in source.lower() else _RETURN_COLUMNS
            bundle.findings.append(Finding(source, int(row), names.get(column, column), rule, message))
        else:
            bundle.findings.append(Finding(file, int(row), column, rule, message))


def _from_returns(bundle: ValidBundle, returns: list, pseudonymise: Pseudonymiser, contacts_file: str,
                  contacts_known: bool) -> None:
    """Placements and missing episodes from the authorities' SSDA903 returns, for the children whose
    contact links to them (la_code and la_child_id); W06 for a link a return does not hold; and each
    return's coverage: its unaccompanied children by month of first DECOM, how many had a contact, a pack."""
    from etl import ssda903

    c = bundle.contacts
    linked = c[c["la_code"].notna() & c["la_child_key"].notna() & c["_ok"]] if contacts_known else c.iloc[0:0]
    default_force = next(iter(bundle.forces["force_code"].dropna()), None)
    placements, episodes = [], []
    for ret in returns:
        mine = linked[linked["la_code"] == ret.la_code]
        links = dict(zip(mine["la_child_key"], zip(mine["force_code"], mine["child_key"])))
        packs = dict(zip(mine["la_child_key"], mine["pack_completed"] == "Y"))
        derived = ssda903.derive(ret, pseudonymise, links, bundle.findings)
        placements += derived.placements
        episodes += derived.episodes
        absent = ~mine["la_child_key"].isin(derived.children)
        _add_rows(bundle, contacts_file, mine, absent.to_numpy(), "la_child_id", "W06",
                  f"the la_child_id is not in the SSDA903 return of {ret.la_code} (the identifier is not shown)")
        forces = mine["force_code"].value_counts()
        force = forces.index[0] if len(forces) else default_force
        for code in set(mine["force_code"]):
            bundle.day_precision.setdefault(code, []).append(ret.la_code)
        counts: dict[str, list[int]] = {}
        for key, month in derived.uasc.items():
            cell = counts.setdefault(month or "unknown", [0, 0, 0])
            cell[0] += 1
            cell[1] += key in links
            cell[2] += bool(packs.get(key, False))
        bundle.coverage += [{"force_code": force, "la_code": ret.la_code, "month": month, "uasc_children": n,
                             "linked": k, "with_pack": w} for month, (n, k, w) in sorted(counts.items())]
    for name, rows in (("placements", placements), ("missing_episodes", episodes)):
        if not rows:
            continue
        frame = pd.DataFrame(rows)
        frame["_ok"] = True
        current = bundle.placements if name == "placements" else bundle.episodes
        combined = pd.concat([current, frame], ignore_index=True) if len(current) else frame
        for column in current.columns:
            if column not in combined:
                combined[column] = None
        if name == "placements":
            bundle.placements = combined
        else:
            bundle.episodes = combined


def _check_forces(bundle: ValidBundle, file: str) -> None:
    f = bundle.forces
    dup = f["force_code"].notna() & f.duplicated("force_code", keep="first")
    _add_rows(bundle, file, f, dup, "force_code", "E06", "the force_code appears twice in forces")
    bad_order = f["pilot_start"].notna() & f["baseline_start"].notna() & (f["baseline_start"] > f["pilot_start"])
    _add_rows(bundle, file, f, bad_order, "baseline_start", "E08", "baseline_start is after pilot_start")
    late = f["pilot_start"].notna() & f["extract_date"].notna() & (f["pilot_start"] > f["extract_date"])
    _add_rows(bundle, file, f, late, "pilot_start", "E05", "pilot_start is after extract_date")
    f["cut"] = [end_of_day_utc(d) if isinstance(d, date) else None for d in f["extract_date"]]


def _join_force(bundle: ValidBundle, frame: pd.DataFrame, file: str, forces_known: bool = True) -> pd.Series:
    """Each row's force cut-off (NaT where the force is unknown); reports E07 for unknown forces."""
    known = bundle.forces.dropna(subset=["force_code"]).drop_duplicates("force_code")
    cuts = dict(zip(known["force_code"], known["cut"])) if "cut" in known else {}
    unknown = frame["force_code"].notna() & ~frame["force_code"].isin(cuts.keys())
    if forces_known:
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


def _check_contacts(bundle: ValidBundle, file: str, forces_known: bool = True) -> None:
    c = bundle.contacts
    cut = _join_force(bundle, c, file, forces_known)
    _after_cut(bundle, file, c, cut, ["first_contact_at", "first_engagement_at", "pack_submitted_at"])
    _duplicates(bundle, file, c, "contact_id", "the contact_id appears twice for this force")
    _duplicates(bundle, file, c, "child_key", "the child_id appears twice for this force (the identifier is not shown)")
    _before(bundle, file, c, "first_engagement_at", "first_contact_at", "first_engagement_at is before first_contact_at")
    _before(bundle, file, c, "pack_submitted_at", "first_contact_at", "pack_submitted_at is before first_contact_at")
    no_submit = (c["pack_completed"] == "Y") & c["pack_submitted_at"].isna() & c["_ok"]
    _add_rows(bundle, file, c, no_submit, "pack_submitted_at", "E10", "pack_completed is Y but pack_submitted_at is blank")
    no_authority = c["la_child_key"].notna() & c["la_code"].isna() & c["_ok"]
    _add_rows(bundle, file, c, no_authority, "la_code", "E10", "la_child_id is set but la_code is blank")
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


def _check_spans(bundle: ValidBundle, table: str, frame: pd.DataFrame, file: str, id_column: str,
                 forces_known: bool = True, contacts_known: bool = True) -> None:
    cut = _join_force(bundle, frame, file, forces_known)
    _after_cut(bundle, file, frame, cut, ["start_at", "end_at"])
    _duplicates(bundle, file, frame, id_column, f"the {id_column} appears twice for this force")
    children = pd.MultiIndex.from_arrays([bundle.contacts["force_code"].astype(object), bundle.contacts["child_key"].astype(object)])
    known = pd.MultiIndex.from_arrays([frame["force_code"].astype(object), frame["child_key"].astype(object)]).isin(children)
    both = (frame["force_code"].notna() & frame["child_key"].notna()).to_numpy(dtype=bool)
    orphan = both & ~known & contacts_known
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
