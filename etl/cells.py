"""The first step of validation: each table's header and cells against the data standard (E01-E05, E09).

Each raw table becomes a typed data frame in which ``child_id`` has already been replaced by ``child_key``
(its keyed pseudonym). Values are echoed in messages only where safe: never an identifier, never a value
that looked identifying.
"""

from __future__ import annotations

import difflib
import re
import string
from datetime import date, datetime

import numpy as np
import pandas as pd
import pycountry

from harbour.etl.findings import Finding, Findings, safe_value
from harbour.etl.parse import LONDON_NAME, cell_text, is_blank, parse_date, parse_datetime, parse_int
from harbour.etl.pseudonymise import Pseudonymiser
from harbour.etl.raw import RawTable
from harbour.etl.spec import ID_KINDS, PSEUDONYMISED, SPEC, Col, stored_name

NATIONALITIES = frozenset(c.alpha_3 for c in pycountry.countries) | {"UNK"}
EARLIEST = date(2000, 1, 1)
EARLIEST_DT = datetime(2000, 1, 1)

FORCE_CODE = re.compile(r"^[A-Z0-9_]{2,16}$")
IDENT = re.compile(r"^[A-Za-z0-9\-_/.]{1,64}$")
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
        verdict = bool(IDENT.match(shape)) and shape.count("9") < 10 and identifying(shape, True) is None
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
    return dict(zip(plain, pseudonymise.many(plain)))


_DIGITS_ONLY = str.maketrans({c: "9" for c in string.digits})
_PLAIN_LOCAL_SHAPES = frozenset({"9999-99-99T99:99", "9999-99-99 99:99", "9999-99-99T99:99:99", "9999-99-99 99:99:99"})


def local_datetimes(distinct: list) -> dict[str, datetime]:
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
    utc = (
        local.dt.tz_localize(LONDON_NAME, ambiguous=np.ones(len(local), dtype=bool), nonexistent="NaT")
        .dt.tz_convert("UTC")
        .dt.tz_localize(None)
    )
    keep = (utc.notna() & (utc >= EARLIEST_DT)).to_numpy()
    moments = utc.dt.to_pydatetime()
    return {text: moment for text, moment, good in zip(texts, moments, keep) if good}


class TableCheck:
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
        self.unnamed: dict[int, str] = {}  # columns with no header: unknown only if a row fills them
        for index, name in enumerate(self.raw.header):
            key = str(name).strip().lower()
            if key == "":
                self.unnamed[index] = f"column {index + 1}"  # an empty column a spreadsheet left, unless filled
                continue
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
                    self.add(
                        1,
                        col.name,
                        "E02",
                        f"column {col.name!r} not found: a required column is missing, so the rows were not checked",
                    )
                else:
                    # The header is the file's, not a child's value: safe to echo, shortened.
                    self.add(
                        1,
                        col.name,
                        "E02",
                        f"column {col.name!r} not found; did you mean "
                        f"{safe_value(unknown.pop(guess))}? Rename that header to {col.name}",
                    )
        for key in unknown:
            self.add(1, key, "E02", f"column {safe_value(key)} is not in the data standard")
        return positions

    def frame(self) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
        """The typed frame, checked a chunk of rows at a time (etl.raw.CHUNK_ROWS): the raw cells of one chunk are
        held at once, never the whole table's."""
        positions = self.header()
        self.rows_read = 0
        if self.broken:  # every row would fail for the same reason: one error says it
            return empty_frame(self.raw.name), {}
        cols = [c for c in self.spec.values() if c.name in positions]
        columns: dict[str, list] = {stored_name(c): [] for c in cols}
        ok_parts: list[np.ndarray] = []
        filled = dict.fromkeys((c.name for c in cols), 0)
        first = len(self.findings)
        width = len(self.raw.header)
        filled_unnamed: set[int] = set()
        for chunk in self.raw.chunks():
            offset = self.rows_read
            self.rows_read += len(chunk)
            # Columns at once (zip is C); a short row, as a spreadsheet can leave, reads as blanks.
            transposed = list(zip(*(r if len(r) == width else [*r[:width], *[None] * (width - len(r))] for r in chunk)))
            ok = np.ones(len(chunk), dtype=bool)
            for col in cols:
                values, good, n = self.column(col, list(transposed[positions[col.name]]), offset)
                columns[stored_name(col)].extend(values.tolist())
                filled[col.name] += n
                ok &= good
            ok_parts.append(ok)
            filled_unnamed.update(i for i in self.unnamed if not all(is_blank(v) for v in transposed[i]))
            del transposed
        for index in sorted(filled_unnamed):
            self.add(
                1, self.unnamed[index], "E02", f"column {safe_value(self.unnamed[index])} is not in the data standard"
            )
        total = self.rows_read
        # Columns were checked one at a time; the report reads row by row, as the file does.
        order = {c.name: i for i, c in enumerate(cols)}
        self.findings[first:] = sorted(self.findings[first:], key=lambda f: (f.row or 0, order.get(f.column, -1)))
        completeness = {
            name: {"filled": filled[name], "rows": total} for name in filled if not self.spec[name].required
        }
        # Column by column, each list let go as soon as it is in the frame: the table is never held twice.
        frame = pd.DataFrame({"_row": np.arange(2, total + 2, dtype=np.int64)})
        for key in list(columns):
            frame[key] = columns.pop(key)
        frame["_ok"] = np.concatenate(ok_parts) if ok_parts else np.ones(0, dtype=bool)
        for col in self.spec.values():
            # A missing optional column behaves as an all-blank one.
            key = stored_name(col)
            if key not in frame.columns:
                frame[key] = col.blank if not col.required else None
                if not col.required:
                    completeness[col.name] = {"filled": 0, "rows": len(frame)}
        return frame, completeness

    def column(self, col: Col, raw: list, offset: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
        """One column's typed values, which rows passed, and how many were filled.

        Each distinct value is checked once (codes and ids repeat); identifiers that plainly
        pass, and date-times in the standard's plain local form, are checked in bulk. A problem
        is reported on every row that holds the value.
        """
        if len(set(map(type, raw))) <= 1:  # one type throughout (a CSV's text): equal means identical
            codes, uniques = pd.factorize(np.asarray(raw, dtype=object), use_na_sentinel=False)
            distinct = uniques.tolist()
        else:  # XLSX: 1, 1.0 and True are equal in Python yet differ here; keep them apart
            keys: dict[tuple[type, object], int] = {}
            codes = np.fromiter((keys.setdefault((type(v), v), len(keys)) for v in raw), dtype=np.intp, count=len(raw))
            distinct = [v for _, v in keys]
        if col.kind == "datetime":
            fast = local_datetimes(distinct)
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
            at = np.flatnonzero(flagged[codes])
            self.add_rows(col.name, at + 2 + offset, codes[at], problems)
        return values, good, filled

    def add_rows(self, column: str, rows: np.ndarray, codes: np.ndarray, problems: dict) -> None:
        """A finding on each of ``rows``, the problem of its value (``codes`` into ``problems``). Beyond what the
        findings keep of a rule, the rest are counted, not made: a junk file of millions of bad rows."""
        if not isinstance(self.findings, Findings):
            for row, code in zip(rows.tolist(), codes.tolist()):
                self.add(row, column, *problems[code])
            return
        by_rule: dict[str, list[int]] = {}
        for code, (rule, _) in problems.items():
            by_rule.setdefault(rule, []).append(code)
        for rule, rule_codes in by_rule.items():
            mine = np.isin(codes, rule_codes) if len(by_rule) > 1 else np.ones(len(codes), dtype=bool)
            room = self.findings.room(self.file, rule)
            kept = np.flatnonzero(mine)[:room]
            for row, code in zip(rows[kept].tolist(), codes[kept].tolist()):
                self.add(row, column, *problems[code])
            self.findings.count_more(self.file, rule, int(mine.sum()) - len(kept))

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
            if not FORCE_CODE.match(text):
                raise ValueError("is not a force code (2 to 16 of A-Z, 0-9, _)")
            return text
        if kind in ID_KINDS:
            text = cell_text(raw)
            if not IDENT.match(text):
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


def _closest(wanted: str, headers: dict[str, str]) -> str | None:
    """The unknown header most like a missing column's name ('Child ID', 'childid' for child_id), or None."""

    def squash(text: str) -> str:
        return re.sub(r"[^a-z0-9]", "", text.lower())

    squashed = {squash(key): key for key in headers}
    if squash(wanted) in squashed:
        return squashed[squash(wanted)]
    found = difflib.get_close_matches(squash(wanted), list(squashed), n=1, cutoff=0.75)
    return squashed[found[0]] if found else None


def empty_frame(name: str) -> pd.DataFrame:
    cols = [stored_name(c) for c in SPEC[name]]
    return pd.DataFrame({c: [] for c in ["_row", "_ok", *cols]})
