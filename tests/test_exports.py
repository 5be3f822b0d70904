"""Exports: slide decks, chart images and table files, checked by opening them as their readers would."""

import io
import json
import re
import shutil
import zipfile

import pytest
from click.testing import CliRunner

from cli import main
from metrics.disclosure import is_publishable_count
from reports import exports
from reports.model import Panel, Table, View
from tests.conftest import require

COUNTED = re.compile(r"(?<![\d.])(\d[\d,]*)\s+(children|child|episodes|episode|placed|at risk)\b")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('exports') / 'demo.sqlite'}"
    assert CliRunner().invoke(main, ["demo", "--warehouse", url]).exit_code == 0
    return url


def _needs_chromium():
    require(shutil.which("chromium") is not None, "Chromium (for Kaleido's chart images)")


def _slide_texts(slide):
    texts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            texts.append(shape.text_frame.text)
        if shape.has_table:
            texts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return texts


@pytest.fixture(scope="module")
def standard_deck(demo_url, tmp_path_factory):
    _needs_chromium()
    out = tmp_path_factory.mktemp("deck") / "deck.pptx"
    result = CliRunner().invoke(main, ["slides", "--out", str(out), "--warehouse", demo_url])
    assert result.exit_code == 0, result.output
    assert "slides of synthetic demonstration data" in result.output
    from pptx import Presentation

    return Presentation(out)


def test_the_standard_deck_has_title_chart_and_closing_slides(standard_deck):
    slides = list(standard_deck.slides)
    titles = [_slide_texts(s)[0] for s in slides]
    assert titles[0] == "First Contact Pack pilot"
    assert titles[-1] == "Method and caveats"
    assert 12 <= len(slides) <= 20
    assert any(t.startswith("28-day retention rose") or t.startswith("28-day retention fell") for t in titles)
    assert any(t.startswith("Children first contacted") for t in titles)
    assert any(t.startswith("Investigations avoided") or t.startswith("Value for money") for t in titles)
    assert standard_deck.slide_width * 9 == standard_deck.slide_height * 16  # 16:9


def test_every_chart_slide_has_a_picture_a_footnote_and_speaker_notes(standard_deck):
    chart_slides = [s for s in list(standard_deck.slides)[1:-1] if any(sh.shape_type == 13 for sh in s.shapes)]
    assert len(chart_slides) >= 10
    for slide in chart_slides:
        texts = " ".join(_slide_texts(slide))
        assert "Disclosure control" in texts and "Source: Harbour" in texts
        notes = slide.notes_slide.notes_text_frame.text
        assert "What this does not show" in notes and re.search(r"\d", notes), notes


def test_every_slide_says_the_data_are_synthetic(standard_deck):
    for slide in standard_deck.slides:
        assert "SYNTHETIC" in " ".join(_slide_texts(slide)).upper()


def test_no_count_in_the_deck_breaks_the_disclosure_rule(standard_deck):
    for slide in standard_deck.slides:
        text = " ".join(_slide_texts(slide)) + " " + slide.notes_slide.notes_text_frame.text
        for number, _ in COUNTED.findall(text):
            assert is_publishable_count(int(number.replace(",", ""))), (number, text[:200])


def test_a_page_deck_from_the_command_line(demo_url, tmp_path):
    _needs_chromium()
    out = tmp_path / "retention.pptx"
    result = CliRunner().invoke(main, ["slides", "--page", "/retention", "--force", "FENWICK", "--out", str(out),
                                       "--warehouse", demo_url])
    assert result.exit_code == 0, result.output
    from pptx import Presentation

    titles = [_slide_texts(s)[0] for s in Presentation(out).slides]
    assert len(titles) == 4 and "Fenwick" in " ".join(_slide_texts(Presentation(out).slides[0]))


def _view_with_hostile_cells():
    panel = Panel("p", "Test table", "f", "s", None,
                  Table("t", "A table", ["Measure", "Value"],
                        [["=1+1", "@SUM(A1)"], ["+cmd|' /C calc'!A0", "-2+3"], ["-12", "45%"], ["\tTab", "c"]]),
                  ["The definition.", "Disclosure control: counts of 1 to 7 are shown as c."])
    return View("/x", "Test", "lead", [panel], True, "Testshire: baseline and pilot", extract_date="2018-03-15"), panel


def test_neutralise_follows_owasp():
    assert exports.neutralise("=1+1") == "'=1+1"
    assert exports.neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert exports.neutralise("-2+3") == "'-2+3"
    assert exports.neutralise("\tTab") == "'\tTab"
    # A text cell that starts like a formula is neutralised whatever follows; numbers are never text here.
    assert exports.neutralise("-12") == "'-12" and exports.neutralise("45%") == "45%"


def test_csv_has_title_notes_symbols_and_no_live_formula():
    view, panel = _view_with_hostile_cells()
    text = exports.to_csv(view, panel).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Harbour: Test: A table")
    assert "SYNTHETIC DEMONSTRATION DATA" in text and "c: suppressed" in text and "The definition." in text
    assert "'=1+1" in text and "'@SUM(A1)" in text
    import csv
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t")), cell


def test_xlsx_cells_are_text_with_title_and_footnotes():
    from openpyxl import load_workbook

    view, panel = _view_with_hostile_cells()
    wb = load_workbook(io.BytesIO(exports.to_xlsx(view, panel)))
    ws = wb.active
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert values[0] == "Harbour: Test: A table"
    assert "The definition." in values and any(str(v).startswith("c: ") for v in values)
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value
    assert "'=1+1" in values


def test_ods_has_title_footnotes_and_neutralised_cells():
    from odf.opendocument import load
    from odf.table import TableCell
    from odf import teletype

    view, panel = _view_with_hostile_cells()
    doc = load(io.BytesIO(exports.to_ods(view, panel)))
    cells = [teletype.extractText(c) for c in doc.getElementsByType(TableCell)]
    assert cells[0] == "Harbour: Test: A table"
    assert "'=1+1" in cells and "The definition." in cells
    assert all(not c.startswith(("=", "@", "+")) for c in cells)
    assert all(c.getAttribute("valuetype") == "string" for c in doc.getElementsByType(TableCell))


def test_chart_images_are_wide_png_and_svg(demo_url):
    _needs_chromium()
    from reports.callbacks import file_for
    from warehouse import current

    current.use(demo_url)
    name, png = file_for("/retention", {}, "chart-km", "png")
    assert name == "harbour-retention-chart-km.png" and png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width >= 1920
    name, svg = file_for("/retention", {}, "chart-km", "svg")
    assert svg.lstrip().startswith(b"<svg") and b"Synthetic demonstration data" in svg
    name, ods = file_for("/missing", {"force": "ELMSHIRE"}, "chart-missing-outcomes", "ods")
    assert zipfile.ZipFile(io.BytesIO(ods)).read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    assert file_for("/retention", {}, "no-such-panel", "csv") is None
