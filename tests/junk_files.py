"""Junk bundles of millions of rows for the loader's memory tests, written quickly: a CSV by plain writes,
a workbook as its minimal XML parts (every cell an inline string or a number, which calamine reads as Excel's
own), since writing 2 million rows through openpyxl takes minutes."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from .bundles import base, write

SHEETS = ("forces", "contacts", "placements", "missing_episodes")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"


def _row(values) -> str:
    return "<row>" + "".join(f'<c t="inlineStr"><is><t>{escape(str(v))}</t></is></c>' for v in values) + "</row>"


def _junk_contact(k: int) -> str:
    """A contact row of a number, another number and an X where the force code goes: every row fails."""
    return f'<row><c><v>{k}</v></c><c><v>{k * 7}</v></c><c t="inlineStr"><is><t>X</t></is></c></row>'


def junk_workbook(path: Path, rows: int) -> Path:
    """A workbook of the base bundle's forces, placements and episodes, and ``rows`` junk contacts."""
    tables = base()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            (
                f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_PKG}/content-types">'
                f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                'spreadsheetml.sheet.main+xml"/>'
                + "".join(
                    f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/vnd.'
                    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                    for i in range(len(SHEETS))
                )
                + "</Types>"
            ),
        )
        archive.writestr(
            "_rels/.rels",
            (
                f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
                f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
            ),
        )
        archive.writestr(
            "xl/workbook.xml",
            (
                f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
                + "".join(
                    f'<sheet name="{name}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, name in enumerate(SHEETS)
                )
                + "</sheets></workbook>"
            ),
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            (
                f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
                + "".join(
                    f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                    for i in range(len(SHEETS))
                )
                + "</Relationships>"
            ),
        )
        for i, name in enumerate(SHEETS):
            header = list(tables[name][0])
            with archive.open(f"xl/worksheets/sheet{i + 1}.xml", "w", force_zip64=True) as handle:
                handle.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>'.encode())
                handle.write(_row(header).encode())
                if name == "contacts":
                    for start in range(0, rows, 10_000):
                        handle.write(
                            "".join(_junk_contact(k) for k in range(start, min(rows, start + 10_000))).encode()
                        )
                else:
                    handle.write("".join(_row(r[h] for h in header) for r in tables[name]).encode())
                handle.write(b"</sheetData></worksheet>")
    return path


def junk_csv_bundle(folder: Path, rows: int) -> Path:
    """The base bundle as CSVs with ``rows`` contacts, each with a sex and an age that fail (E04, E05)."""
    write(folder, base())
    template = base()["contacts"][0]
    header = list(template)
    line = (
        ",".join(
            f"{{{h}}}" if h in ("contact_id", "child_id") else {"sex": "Q", "age_at_contact": "99"}.get(h, template[h])
            for h in header
        )
        + "\n"
    )
    with (folder / "contacts.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(header) + "\n")
        for start in range(0, rows, 10_000):
            handle.write(
                "".join(
                    line.format(contact_id=f"C-{k}", child_id=f"AB-{k:07d}")
                    for k in range(start, min(rows, start + 10_000))
                )
            )
    return folder
