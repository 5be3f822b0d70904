"""The bottom of the pipeline: raw tables, and reading a file's bytes safely.

A raw table is its header and its rows of cell values: strings from CSV; strings, numbers,
dates or date-times from XLSX. Nothing is interpreted here beyond what the file format says. A file is
read only within the size limits, its checksum recorded; a workbook is refused before it is parsed when it
is not a zip, a zip bomb or carries DTD entities; bytes that are not UTF-8, and a header split on the wrong
separator, are said as the way the file was most likely saved, with the fix.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harbour import settings
from harbour.etl.findings import Finding
from harbour.etl.spec import SPEC

# The tables an authority's SSDA903 return can stand in for.
FROM_RETURNS = ("placements", "missing_episodes")


CHUNK_ROWS = 50_000  # rows checked at a time: a table is read in chunks, never held whole as raw cells


@dataclass
class RawTable:
    """A table's header and a way to read its data rows, from the start, each time it is asked: a CSV is read from
    its file again, a sheet from the parsed workbook, so that the raw cells are never all held at once."""

    name: str
    file: str  # what messages call the file: "contacts.csv" or "bundle.xlsx[contacts]"
    header: list[str]
    source: Callable[[], Iterable[Sequence[object]]]  # the data rows in order; the first is spreadsheet row 2

    @classmethod
    def of_rows(cls, name: str, file: str, header: list[str], rows: list[Sequence[object]]) -> RawTable:
        return cls(name, file, header, lambda: iter(rows))

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[list[Sequence[object]]]:
        """The data rows in lists of at most ``size``, blank rows at the end of the table left out (they are not
        rows); a blank row before a filled one is kept, so every row keeps its spreadsheet number."""
        chunk: list[Sequence[object]] = []
        blanks = 0  # blank rows not yet known to be before a filled one
        for row in self.source():
            # Most rows start with a filled cell: that one look says the row is not blank.
            if not (row and not blank_cell(row[0])) and all(blank_cell(c) for c in row):
                blanks += 1
                continue
            while blanks:
                chunk.append(())
                blanks -= 1
                if len(chunk) >= size:
                    yield chunk
                    chunk = []
            chunk.append(row)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


@dataclass
class RawBundle:
    tables: dict[str, RawTable] = field(default_factory=dict)
    files: list[dict] = field(default_factory=list)  # name, sha256, bytes
    findings: list[Finding] = field(default_factory=list)
    returns: list = field(default_factory=list)  # etl.ssda903.read.Return: local authorities' SSDA903 returns

    @property
    def content_sha256(self) -> str:
        digest = hashlib.sha256()
        for item in sorted(self.files, key=lambda f: f["name"]):
            digest.update(f"{item['name']}:{item['sha256']}\n".encode())
        return digest.hexdigest()


def read_bytes(path: Path, bundle: RawBundle, label: str | None = None) -> bytes | None:
    """A file's bytes, recorded with their checksum (read once); None (and an E01 named ``label``) when it is
    missing or over the size limit."""
    size = _readable_size(path, bundle, label or path.name)
    if size is None:
        return None
    data = path.read_bytes()
    bundle.files.append({"name": label or path.name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": size})
    return data


def record_file(path: Path, bundle: RawBundle, label: str | None = None) -> bool:
    """Record a file with its checksum, read in blocks (nothing held); False (and an E01 named ``label``) when it
    is missing or over the size limit."""
    size = _readable_size(path, bundle, label or path.name)
    if size is None:
        return False
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    bundle.files.append({"name": label or path.name, "sha256": digest.hexdigest(), "bytes": size})
    return True


def _readable_size(path: Path, bundle: RawBundle, label: str) -> int | None:
    """The file's size, or None with an E01 when it is missing or over the size limit."""
    if not path.is_file():
        bundle.findings.append(Finding(label, None, None, "E01", "the file is missing from the bundle"))
        return None
    size = path.stat().st_size
    if size > settings.max_file_bytes():
        limit = settings.max_file_bytes() / 2**20
        bundle.findings.append(
            Finding(label, None, None, "E01", f"the file is {size / 2**20:.0f} MiB, over the limit of {limit:.0f} MiB")
        )
        return None
    return size


def scan_csv(path: Path, bundle: RawBundle, label: str | None = None) -> str | None:
    """Read a CSV file through once, in blocks, and say what makes it unreadable as a whole (or None): not UTF-8,
    NUL bytes, CR CR LF line endings, empty, the wrong separator, or not valid CSV. Records its checksum; the
    file is never held whole. Its rows are then read again as they are checked (``csv_rows``)."""
    label = label or path.name
    if not path.is_file():
        return "the file is missing from the bundle"
    size = path.stat().st_size
    if size > settings.max_file_bytes():
        return f"the file is {size / 2**20:.0f} MiB, over the limit of {settings.max_file_bytes() / 2**20:.0f} MiB"
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    not_utf8 = nul = crcrlf = False
    filled = False
    tail = b""
    with path.open("rb") as handle:
        first = True
        while block := handle.read(2**20):
            digest.update(block)
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                not_utf8 = True
            nul = nul or b"\x00" in block
            crcrlf = crcrlf or b"\r\r\n" in tail + block
            tail = block[-2:]
            text_part = block[3:] if first and block.startswith(codecs.BOM_UTF8) else block
            filled = filled or bool(text_part.strip())
            first = False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        not_utf8 = True
    bundle.files.append({"name": label, "sha256": digest.hexdigest(), "bytes": size})
    if not_utf8:  # the rare failure: the file is read whole to say where and why
        data = path.read_bytes()
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return encoding_problem(data, exc)
    if nul:
        return text_problem("\x00")
    if crcrlf:
        return text_problem("\r\r\n")
    if not filled:
        return "is empty"
    return None


def csv_rows(path: Path) -> Iterator[list[str]]:
    """A CSV file's rows, header first, read as they are asked for (strict: a malformed file raises csv.Error)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.reader(handle, strict=True)


SAVE_AS_CSV = 'open it in Excel and use Save As, "CSV UTF-8 (Comma delimited) (*.csv)"'


def encoding_problem(data: bytes, exc: UnicodeDecodeError) -> str:
    """Why bytes are not UTF-8, said as the way the file was most likely saved, with the fix."""
    line = data.count(b"\n", 0, exc.start) + 1
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return f"was saved as Unicode text (UTF-16), not UTF-8: {SAVE_AS_CSV}"
    try:
        sample = data[exc.start : exc.start + 1].decode("cp1252")
    except UnicodeDecodeError:
        sample = None
    if sample is not None:
        return (
            f"was saved as Windows text (cp1252), not UTF-8 (the first such character, {sample!r}, is on line "
            f"{line}): {SAVE_AS_CSV}"
        )
    return f"is not UTF-8 text (a byte that UTF-8 does not allow on line {line}): {SAVE_AS_CSV}"


_DELIMITERS = {";": "semicolon-separated", "\t": "tab-separated", "|": "separated by |"}


def text_problem(text: str) -> str | None:
    """What makes decoded CSV text unreadable as a whole, said first, before any cell is looked at: NUL bytes
    (not a text file: refused in every CSV, a column Harbour drops included), or lines ending CR CR LF (a file
    converted twice), which a CSV reader would take as a blank line after every row."""
    if "\x00" in text:
        return "contains NUL bytes: not a CSV file"
    if "\r\r\n" in text:
        return (
            "has lines ending CR CR LF (a file converted to Windows line endings twice): open it and save it "
            "again as CSV, or convert it once with dos2unix"
        )
    return None


def delimiter_problem(text: str, name: str) -> str | None:
    """A header that reads as the standard's columns only when split on something other than a comma."""
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    known = {c.name for c in SPEC.get(name, ())}
    if sum(cell.strip().strip('"').lower() in known for cell in first.split(",")) >= 2:
        return None
    for delimiter, said in _DELIMITERS.items():
        cells = [cell.strip().strip('"').lower() for cell in first.split(delimiter)]
        if len(cells) >= 2 and sum(cell in known for cell in cells) >= 2:
            return (
                f"was saved {said}, not comma-separated (a spreadsheet set to a European locale does this): "
                f"{SAVE_AS_CSV}, or set the list separator to a comma"
            )
    return None


def blank_cell(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def xlsx_problem(data: bytes) -> str | None:
    """Why a workbook is refused before it is parsed: not a zip, a zip bomb, or DTD entities."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        return "is not an XLSX workbook (not a zip archive, or truncated)"
    total = sum(m.file_size for m in members)
    if total > settings.max_xlsx_uncompressed_bytes():
        return f"would expand to {total / 2**20:.0f} MiB, over the limit"
    for member in members:
        if member.compress_size and member.file_size / member.compress_size > settings.max_xlsx_ratio():
            return "has an implausible compression ratio (a possible zip bomb)"
    for member in members:
        if member.filename.endswith((".xml", ".rels", ".vml")):
            with archive.open(member) as handle:
                if has_doctype(handle):
                    return "contains an XML document type declaration (entities are not allowed)"
    if "xl/workbook.xml" not in {m.filename for m in members}:
        return "is not an XLSX workbook (no xl/workbook.xml)"
    return None


_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")


def has_doctype(handle, limit: int = 2**20) -> bool:
    """True if the XML prolog (everything before the first element) declares a DTD or entity.

    A DTD may only stand before the root element, so reading up to it is enough.
    """
    prolog = b""
    while len(prolog) < limit:
        chunk = handle.read(65536)
        if not chunk:
            break
        prolog += chunk
        found = _FIRST_ELEMENT.search(prolog)
        if found:
            prolog = prolog[: found.start()]
            break
    upper = prolog.upper()
    return b"<!DOCTYPE" in upper or b"<!ENTITY" in upper
