"""XLSX bundles: one workbook, one sheet per table, read defensively."""

import zipfile
from datetime import datetime

import pytest
from openpyxl import Workbook

from harbour.etl.load import LoadRefused, load_bundle
from harbour.etl.spec import SPEC

from . import bundles


def _workbook(path, tables, skip_sheet=None, date_cells=False):
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in tables.items():
        if name == skip_sheet:
            continue
        sheet = wb.create_sheet(name)
        columns = [c.name for c in SPEC[name]]
        sheet.append(columns)
        for row in rows:
            values = []
            for column in columns:
                value = row.get(column, "")
                if date_cells and column == "first_contact_at" and value:
                    value = datetime.strptime(value, "%Y-%m-%d %H:%M")
                values.append(value)
            sheet.append(values)
    wb.save(path)
    return path


def test_an_xlsx_bundle_loads_with_date_cells_as_uk_local_time(sqlite_engine, tmp_path, pseudonymiser):
    path = _workbook(tmp_path / "bundle.xlsx", bundles.base(), date_cells=True)
    result = load_bundle(sqlite_engine, [path], pseudonymiser)
    assert result.outcome == "loaded" and result.row_counts["contacts"] == 2
    with sqlite_engine.connect() as conn:
        first = conn.exec_driver_sql("select first_contact_at from contacts where contact_id = 'C-2'").scalar()
    assert str(first).startswith("2017-09-01 11:00")  # 12:00 BST


def test_a_workbook_without_a_sheet_is_e01(sqlite_engine, tmp_path, pseudonymiser):
    path = _workbook(tmp_path / "bundle.xlsx", bundles.base(), skip_sheet="placements")
    with pytest.raises(LoadRefused) as caught:
        load_bundle(sqlite_engine, [path], pseudonymiser)
    finding = next(f for f in caught.value.findings if f.rule == "E01")
    assert finding.file == "bundle.xlsx[placements]"


def test_a_file_that_is_not_a_workbook_is_e01(sqlite_engine, tmp_path, pseudonymiser):
    path = tmp_path / "bundle.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(LoadRefused) as caught:
        load_bundle(sqlite_engine, [path], pseudonymiser)
    assert [f.rule for f in caught.value.findings] == ["E01"]


def test_a_zip_bomb_is_refused_before_it_is_expanded(sqlite_engine, tmp_path, pseudonymiser):
    good = _workbook(tmp_path / "good.xlsx", bundles.base())
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, zin.read(item.filename))
        zout.writestr("xl/padding.xml", b"\x00" * (20 * 2**20))
    with pytest.raises(LoadRefused) as caught:
        load_bundle(sqlite_engine, [bomb], pseudonymiser)
    assert "zip bomb" in caught.value.findings[0].message


def test_xml_entities_are_refused(sqlite_engine, tmp_path, pseudonymiser):
    good = _workbook(tmp_path / "good.xlsx", bundles.base())
    evil = tmp_path / "evil.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(evil, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = b'<!DOCTYPE x [<!ENTITY lol "lol">]>' + data.split(b"?>", 1)[-1]
            zout.writestr(item.filename, data)
    with pytest.raises(LoadRefused) as caught:
        load_bundle(sqlite_engine, [evil], pseudonymiser)
    assert "document type" in caught.value.findings[0].message
