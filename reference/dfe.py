"""The Department for Education's published figures on looked-after children who went missing, as one tidy
table: authority code, name, year (ending 31 March), measure, value or symbol, and the release each comes from.

Built from the DfE's CSV downloads as published (``harbour reference build --from DIR``): the 2015 to 2017
releases (one file a year, ``New_geog_code`` by authority), the tidy releases of 2018 onwards (``time_period``,
``new_la_code``, ``cla_group``, ``number``) and England's two series on unaccompanied asylum-seeking children.
A file is recognised by its header, not its name, so a later year's download is read the same way. Where two
releases hold the same year, the later release's figures replace the earlier's. Symbols stay as the DfE shows
them (``c``, ``x``, ``z``, ``k``, and ``..`` in 2017). Harbour's disclosure rules are never applied to these:
they are published figures. Contains public sector information licensed under the Open Government Licence v3.0.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TABLE = HERE / "dfe_cla_missing.csv"
PROVENANCE = HERE / "dfe_cla_missing.json"
COLUMNS = ("la_code", "la_name", "year", "measure", "value", "release")  # each release's files: the provenance
ENGLAND = "E92000001"
LICENCE = "Contains public sector information licensed under the Open Government Licence v3.0."
SOURCE = (
    "Department for Education, 'Children looked after in England including adoptions', all looked-after children, "
    "years ending 31 March; a different measure from retention above"
)
SYMBOLS = {
    "c": "confidential (suppressed by the DfE)",
    "x": "not available, or suppressed",
    "..": "not available (2017)",
    "z": "not applicable",
    "k": "below 0.5",
}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_LA_CODE = re.compile(r"^[EWSN]\d{8}$")

# The measures Harbour shows, by the name each release gives them.
TIDY = {
    "Children looked after during the year": "looked_after",
    "Children who had a missing incident during the year": "missing_children",
    "Percentage of children who had a missing incident during the year": "missing_percent",
    "Number of missing incidents during the year": "missing_incidents",
    "Average number of missing incidents per looked after child who went missing": "incidents_per_child",
    "Children missing at 31 March": "missing_31_march",
    "Children who were away from placement without authorisation during the year": "away_children",
    "Number of away from placement without authorisation incidents during the year": "away_incidents",
    "Children away from placement without authorisation at 31 March": "away_31_march",
}
OLD = {  # the 2015 and 2016 releases, and 2017's own names
    "CLA_MissDuringYear": "missing_children",
    "CLA_MissIncs": "missing_incidents",
    "CLA_Miss31Mar": "missing_31_march",
    "Miss_Miss_DuringYear": "missing_children",
    "Miss_Miss_Incs": "missing_incidents",
    "Miss_Miss_31Mar": "missing_31_march",
    "CLA_AwayDuringYear": "away_children",
    "CLA_AwayIncs": "away_incidents",
    "CLA_Away31Mar": "away_31_march",
    "Miss_Away_DuringYear": "away_children",
    "Miss_Away_Incs": "away_incidents",
    "Miss_Away_31Mar": "away_31_march",
}
MEASURES = {
    "looked_after": "Children looked after during the year",
    "missing_children": "Children who had a missing incident during the year",
    "missing_percent": "Percentage who had a missing incident",
    "missing_incidents": "Missing incidents during the year",
    "incidents_per_child": "Incidents per child who went missing",
    "missing_31_march": "Children missing at 31 March",
    "away_children": "Children away from placement without authorisation during the year",
    "away_incidents": "Away-from-placement incidents during the year",
    "away_31_march": "Children away from placement without authorisation at 31 March",
    "uasc_looked_after_31_march": "Unaccompanied asylum-seeking children looked after at 31 March",
    "uasc_missing_31_march": "Unaccompanied asylum-seeking children missing at 31 March",
}


class ReferenceError_(ValueError):
    """A DfE file that is damaged or not what Harbour expects: one line naming the file, row and column."""


@dataclass(frozen=True)
class Figure:
    la_code: str
    la_name: str
    year: int
    measure: str
    value: str
    release: str
    file: str


def _value(text: str, file: str, row: int, column: str) -> str:
    value = (text or "").strip()
    if _NUMBER.match(value) or value in SYMBOLS:
        return value
    raise ReferenceError_(
        f"{file}: row {row}, column {column}: {value[:20]!r} is neither a number nor a symbol the "
        f"DfE uses ({', '.join(SYMBOLS)})"
    )


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return list(reader.fieldnames or []), list(reader)


def _need(header: list[str], wanted: tuple[str, ...], file: str) -> None:
    for column in wanted:
        if column not in header:
            raise ReferenceError_(
                f"{file}: row 1, column {column}: the column is missing (the header has "
                f"{', '.join(h for h in header[:12])})"
            )


def _year(text: str, file: str, row: int, column: str) -> int:
    match = re.fullmatch(r"(\d{4})(\d{2})?", (text or "").strip())
    if not match:
        raise ReferenceError_(f"{file}: row {row}, column {column}: {text[:20]!r} is not a year")
    return int(match.group(1)) if not match.group(2) else int(match.group(1)) + 1


def read_file(path: Path, name: str) -> list[Figure]:
    """The figures of one DfE file, recognised by its header; a file of no known kind is an error."""
    header, rows = _rows(path)
    if "New_geog_code" in header:  # one release of 2015 to 2017
        year = re.search(r"(20\d\d)", path.name)
        if not year:
            raise ReferenceError_(f"{name}: row 1, column New_geog_code: the file's name gives no year")
        measures = {c: m for c, m in OLD.items() if c in header}
        prefix = "Miss_Miss_" if "LA_order" in header else "CLA_Miss"
        away = "Miss_Away_" if "LA_order" in header else "CLA_Away"
        _need(header, tuple(f"{p}{s}" for p in (prefix, away) for s in ("DuringYear", "Incs", "31Mar")), name)
        _need(header, ("geog_l", "geog_n"), name)
        out = []
        for number, row in enumerate(rows, start=2):
            level = (row["geog_l"] or "").strip().upper()
            if level not in ("NATIONAL", "LA"):
                continue
            code = (row["New_geog_code"] or "").strip()
            if not _LA_CODE.match(code):
                raise ReferenceError_(f"{name}: row {number}, column New_geog_code: {code[:12]!r} is not an ONS code")
            for column, measure in measures.items():
                out.append(
                    Figure(
                        code,
                        (row["geog_n"] or "").strip().title() if level == "LA" else "England",
                        int(year.group(1)),
                        measure,
                        _value(row[column], name, number, column),
                        f"{year.group(1)} release",
                        name,
                    )
                )
        return out
    group = "cla_group" if "cla_group" in header else "CLA_group" if "CLA_group" in header else None
    if group and "new_la_code" in header:  # the tidy releases, 2018 onwards
        _need(header, ("time_period", "geographic_level", "la_name", "number"), name)
        out = []
        years = set()
        for number, row in enumerate(rows, start=2):
            level = (row["geographic_level"] or "").strip()
            measure = TIDY.get((row[group] or "").strip())
            if level not in ("Local authority", "National") or measure is None:
                continue
            code = ENGLAND if level == "National" else (row["new_la_code"] or "").strip()
            if not _LA_CODE.match(code):
                raise ReferenceError_(f"{name}: row {number}, column new_la_code: {code[:12]!r} is not an ONS code")
            year = _year(row["time_period"], name, number, "time_period")
            years.add(year)
            out.append(
                Figure(
                    code,
                    "England" if level == "National" else (row["la_name"] or "").strip(),
                    year,
                    measure,
                    _value(row["number"], name, number, "number"),
                    "",
                    name,
                )
            )
        release = f"{min(years)}-{max(years)} release" if years else "release"
        return [Figure(f.la_code, f.la_name, f.year, f.measure, f.value, release, f.file) for f in out]
    if "missing_status" in header:  # England: children missing at 31 March who were unaccompanied
        _need(header, ("time_period", "characteristic", "number"), name)
        return _england(
            rows,
            name,
            "uasc_missing_31_march",
            lambda r: (
                "unaccompanied asylum-seeking" in (r["characteristic"] or "").lower()
                and "31 March" in (r["characteristic"] or "")
            ),
        )
    if group and "characteristic" in header and "percentage" in header:  # England: unaccompanied children in care
        _need(header, ("time_period", "number"), name)
        return _england(
            rows,
            name,
            "uasc_looked_after_31_march",
            lambda r: (r["characteristic"] or "").strip() == "Total" and (r[group] or "").strip() == "Age group",
        )
    raise ReferenceError_(
        f"{name}: row 1, column 1: not a DfE file Harbour knows (its header is {', '.join(header[:8])})"
    )


def _england(rows: list[dict], name: str, measure: str, chosen) -> list[Figure]:
    out, years = [], set()
    for number, row in enumerate(rows, start=2):
        if not chosen(row):
            continue
        year = _year(row["time_period"], name, number, "time_period")
        if year in years:
            raise ReferenceError_(f"{name}: row {number}, column time_period: the year {year} appears twice")
        years.add(year)
        out.append(Figure(ENGLAND, "England", year, measure, _value(row["number"], name, number, "number"), "", name))
    release = f"{min(years)}-{max(years)} release" if years else "release"
    return [Figure(f.la_code, f.la_name, f.year, f.measure, f.value, release, f.file) for f in out]


def build(folder: Path) -> tuple[list[Figure], list[dict]]:
    """(the tidy table, each file's provenance) from every CSV under ``folder``. A later release's figures replace
    an earlier one's for the same authority, year and measure; two files of the same release holding the same
    figure are an error."""
    files = sorted(p for p in Path(folder).rglob("*.csv") if p.is_file())
    if not files:
        raise ReferenceError_(f"{folder}: row -, column -: no CSV file to read")
    chosen: dict[tuple, Figure] = {}
    provenance = []
    for path in files:
        name = path.relative_to(folder).as_posix()
        figures = read_file(path, name)
        provenance.append(
            {
                "file": name,
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "release": figures[0].release if figures else "",
                "figures": len(figures),
            }
        )
        seen = set()
        for figure in figures:
            key = (figure.la_code, figure.year, figure.measure)
            if key in seen:
                raise ReferenceError_(
                    f"{name}: row -, column time_period: {figure.la_name} {figure.year} "
                    f"{figure.measure} appears twice in the file"
                )
            seen.add(key)
            held = chosen.get(key)
            if held is not None and _release_rank(held.release) == _release_rank(figure.release):
                raise ReferenceError_(
                    f"{name}: row -, column time_period: the year {figure.year} is also in "
                    f"{held.file}, a file of the same release"
                )
            if held is None or _release_rank(figure.release) > _release_rank(held.release):
                chosen[key] = figure
    table = sorted(chosen.values(), key=lambda f: (f.la_code != ENGLAND, f.la_code, f.measure, f.year))
    return table, provenance


def _release_rank(release: str) -> int:
    """Later releases rank higher: by the last year the release covers."""
    years = re.findall(r"\d{4}", release)
    return int(years[-1]) if years else 0


def write(table: list[Figure], provenance: list[dict], out: Path = TABLE) -> None:
    """The table as CSV and its provenance as JSON, each written whole (to a temporary name, then renamed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for f in table:
        writer.writerow([f.la_code, f.la_name, f.year, f.measure, f.value, f.release])
    temporary = out.with_suffix(".tmp")
    temporary.write_text(buffer.getvalue(), encoding="utf-8")
    meta = out.with_suffix(".json")
    meta_tmp = meta.with_suffix(".json.tmp")
    meta_tmp.write_text(
        json.dumps({"source": SOURCE, "licence": LICENCE, "files": provenance}, indent=1) + "\n", encoding="utf-8"
    )
    temporary.replace(out)
    meta_tmp.replace(meta)


def shipped() -> tuple[dict, ...]:
    """The table that ships with Harbour, as rows (year as int); no network, no warehouse. Read once per process
    (it changes only with Harbour itself); the rows are the caller's to read, not to change."""
    return _shipped(TABLE)


@functools.lru_cache(maxsize=2)
def _shipped(path: Path) -> tuple[dict, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple({**row, "year": int(row["year"])} for row in csv.DictReader(handle))


def provenance() -> dict:
    return json.loads(PROVENANCE.read_text(encoding="utf-8"))
