"""Slides that fit: every deck drawn by LibreOffice, then read back from the PDF it prints.

Every deck: the standard deck and each page's deck in both audiences, the benchmarking deck, the data-quality and
methodology decks, the standard deck of a small filtered group, and the national demo's all-forces and benchmarking
decks (43 forces). Each is converted to PDF by LibreOffice Impress
(the renderer that a force's own machines and Debian have), and ``pdftotext -bbox-layout`` gives every word drawn,
with its box. Against the deck's own shapes (python-pptx), this fails on:

- a word drawn that no shape on its slide holds: a word broken across lines ("HOLLINGT/ON");
- a word drawn outside every shape that holds it: text run out of its box, over the source line or off the slide
  (a table's rows may grow, down to the next shape below it, never over it);
- a shape that leaves the slide.

The charts are pictures of a fixed size whose pixels LibreOffice does not read: a blank image of the same size stands
in for each, so the test needs no Kaleido, and the slides' geometry is the deck's own.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass

import pytest
from click.testing import CliRunner

from harbour.cli import main

from .support import blank_png, require

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("slide-fit")]  # every deck drawn: about a minute

POINT = 12700  # EMU in a point
SLACK = 2.0  # points: glyphs' boxes against the frame they sit in
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)
SPLIT = re.compile(r"[ \t\r\n\x0b]+")  # not str.split: a no-break space keeps "£16,628" and "95% CI" whole


@dataclass(frozen=True)
class Box:
    name: str
    left: float
    top: float
    right: float
    bottom: float
    words: frozenset

    def holds(self, x0, y0, x1, y1) -> bool:
        return (
            x0 >= self.left - SLACK
            and x1 <= self.right + SLACK
            and y0 >= self.top - SLACK
            and y1 <= self.bottom + SLACK
        )


def _tokens(text: str) -> set[str]:
    """The words of a text, and the parts of a hyphenated word (a line may break after its hyphen, as in any
    typesetting: "2020-" and "2024"), never any other piece of a word."""
    words = {t for t in SPLIT.split(text) if t}
    return words | {part for w in words if "-" in w.strip("-") for part in re.findall(r"[^-]*-|[^-]+$", w)}


def _boxes(slide, slide_height_pt: float) -> list[Box]:
    """Each shape with text, at its place in points; a table's box reaches down to the next shape below it."""
    shapes = [s for s in slide.shapes]
    out = []
    for shape in shapes:
        left, top = shape.left / POINT, shape.top / POINT
        right, bottom = left + shape.width / POINT, top + shape.height / POINT
        if shape.has_text_frame:
            out.append(Box(shape.name, left, top, right, bottom, frozenset(_tokens(shape.text_frame.text))))
        elif shape.has_table:
            below = [
                o.top / POINT
                for o in shapes
                if o is not shape
                and o.top / POINT >= bottom - SLACK
                and o.left / POINT < right
                and (o.left + o.width) / POINT > left
                and (not o.has_text_frame or o.text_frame.text.strip())
            ]
            words = frozenset(t for row in shape.table.rows for cell in row.cells for t in _tokens(cell.text))
            out.append(Box(shape.name, left, top, right, min(below, default=slide_height_pt), words))
    return out


def _pdf_words(pdf) -> list[list[tuple]]:
    layout = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        [(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in WORD.findall(page)]
        for page in PAGE.findall(layout)
    ]


def misfits(pptx_path, pdf_path) -> list[str]:
    """What does not fit, slide by slide, in words a person can act on."""
    from pptx import Presentation

    deck = Presentation(pptx_path)
    width, height = deck.slide_width / POINT, deck.slide_height / POINT
    pages = _pdf_words(pdf_path)
    slides = list(deck.slides)
    problems = []
    if len(pages) != len(slides):
        return [f"{len(slides)} slides but {len(pages)} pages printed"]
    for n, (slide, words) in enumerate(zip(slides, pages), start=1):
        for shape in slide.shapes:
            left, top = shape.left / POINT, shape.top / POINT
            if (
                left < 0
                or top < 0
                or left + shape.width / POINT > width + 0.5
                or top + shape.height / POINT > height + 0.5
            ):
                problems.append(f"slide {n}: {shape.name!r} leaves the slide")
        boxes = _boxes(slide, height)
        for x0, y0, x1, y1, word in words:
            holders = [b for b in boxes if word in b.words]
            if not holders:
                problems.append(f"slide {n}: {word!r} is drawn but no shape holds it (a word broken across lines?)")
            elif not any(b.holds(x0, y0, x1, y1) for b in holders):
                problems.append(
                    f"slide {n}: {word!r} at ({x0:.0f}, {y0:.0f})-({x1:.0f}, {y1:.0f}) pt is outside "
                    f"its shape {holders[0].name!r} ({holders[0].left:.0f}, {holders[0].top:.0f})-"
                    f"({holders[0].right:.0f}, {holders[0].bottom:.0f})"
                )
            elif not (0 <= x0 and x1 <= width and 0 <= y0 and y1 <= height):
                problems.append(f"slide {n}: {word!r} is off the slide")
    return problems


def _decks() -> list[tuple[str, list[str]]]:
    """Each deck's name and its `harbour slides` options; those named national- are of the national demo."""
    from harbour.pages.registry import REPORTS, deck_pages

    decks = [
        ("standard", []),
        ("standard-exact", ["--exact"]),
        ("national-all-forces", ["--force", "ALL"]),
        ("national-benchmark", ["--page", "/benchmark", "--compare", "baseline"]),
        ("standard-small-group", ["--sex", "F", "--age-band", "16-17"]),
        ("benchmark", ["--page", "/benchmark", "--force", "ELMSHIRE", "--peers", "MARSHCOTE", "--compare", "baseline"]),
    ]
    for page in deck_pages():
        if page == "/benchmark":
            continue
        slug = page.strip("/") or "overview"
        decks.append((slug, ["--page", page]))
        if REPORTS[page].audiences:
            decks.append((f"{slug}-exact", ["--page", page, "--exact"]))
    return decks


_DRAWN: dict = {}  # the decks this test process has drawn: pytest-xdist tears every fixture down, session ones too,
# whenever a worker's queue runs dry, so the fixture was drawn and printed again up to five times a run (300 s of CI)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """Every deck, and the PDF LibreOffice prints of it (drawn once per test process)."""
    if _DRAWN and all(pdf.exists() for _, pdf in _DRAWN.values()):
        return _DRAWN
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    require(soffice is not None, "LibreOffice Impress (soffice)")
    require(shutil.which("pdftotext") is not None, "poppler-utils (pdftotext)")
    folder = tmp_path_factory.mktemp("slide-fit")
    runner = CliRunner()
    urls = {}
    for scale in ("pilot", "national"):
        urls[scale] = f"sqlite:///{folder / f'{scale}.sqlite'}"
        assert runner.invoke(main, ["demo", "--scale", scale, "--warehouse", urls[scale]]).exit_code == 0
    decks = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("harbour.render.images.render", blank_png)
        for name, args in _decks():
            out = folder / f"{name}.pptx"
            url = urls["national" if name.startswith("national-") else "pilot"]
            result = runner.invoke(main, ["slides", *args, "--out", str(out), "--warehouse", url])
            assert result.exit_code == 0, (name, result.output)
            decks[name] = out
    profile = folder / "lo-profile"  # LibreOffice's own settings, not the user's (and no lock shared with them)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *map(str, decks.values()),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    _DRAWN.update({name: (pptx, pptx.with_suffix(".pdf")) for name, pptx in decks.items()})
    return _DRAWN


def test_every_deck_is_rendered(rendered):
    assert len(rendered) >= 21
    for name, (_, pdf) in rendered.items():
        assert pdf.exists() and pdf.stat().st_size > 1000, name


@pytest.mark.parametrize("name", [name for name, _ in _decks()])
def test_every_word_of_every_slide_fits_its_box(rendered, name):
    pptx, pdf = rendered[name]
    assert misfits(pptx, pdf) == []


def test_the_check_finds_a_broken_word_and_text_that_runs_out_of_its_box(tmp_path):
    """The method against slides made to fail: a long name in a narrow box (broken mid-word), a paragraph too long
    for its box (over the line below it), and a box half off the slide."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    require(soffice is not None, "LibreOffice Impress (soffice)")
    from pptx import Presentation
    from pptx.util import Inches, Pt

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)

    def box(slide, left, top, width, height, text, size=18):
        shape = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        shape.text_frame.word_wrap = True
        shape.text_frame.text = text
        shape.text_frame.paragraphs[0].runs[0].font.size = Pt(size)
        return shape

    fits = deck.slides.add_slide(deck.slide_layouts[6])
    box(fits, 0.5, 0.5, 12, 1, "A finding that fits on one line.")
    narrow = deck.slides.add_slide(deck.slide_layouts[6])
    box(narrow, 0.5, 0.5, 1.0, 2, "HOLLINGTONSHIRE", size=28)
    long = deck.slides.add_slide(deck.slide_layouts[6])
    box(long, 0.5, 0.5, 4, 0.5, " ".join(["Every word of this sentence is drawn, line after line."] * 8))
    box(long, 0.5, 1.1, 4, 0.4, "Source line")
    off = deck.slides.add_slide(deck.slide_layouts[6])
    box(off, 12.5, 7.2, 3, 0.5, "Half off the slide")
    pptx = tmp_path / "bad.pptx"
    deck.save(pptx)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(pptx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    problems = misfits(pptx, tmp_path / "bad.pdf")
    by_slide = {n: [p for p in problems if p.startswith(f"slide {n}:")] for n in range(1, 5)}
    assert by_slide[1] == []
    assert any("no shape holds it" in p for p in by_slide[2])
    assert any("outside its shape" in p for p in by_slide[3])
    assert any("leaves the slide" in p for p in by_slide[4])


# ---- PowerPoint's accessibility checker, the checks that can be made from the file --------------------------


def accessibility_problems(pptx) -> list[str]:
    """What PowerPoint's accessibility checker would report of a deck, as far as the file shows it: a slide with
    no title (its layout's title placeholder, which the outline view and a screen reader read as the slide's
    title, empty or missing), a title that is not first in the reading order (the order of the slide's shapes),
    a picture without alternative text (python-pptx writes the image's file name there, "image.png", which says
    nothing), a table without a header row, and two slides with the same title."""
    from pptx import Presentation

    problems, seen = [], {}
    for number, slide in enumerate(Presentation(pptx).slides, start=1):
        title = slide.shapes.title
        if title is None or not title.text_frame.text.strip():
            problems.append(f"slide {number}: no title")
            continue
        if slide.shapes[0].shape_id != title.shape_id:
            problems.append(f"slide {number}: its title is not first in the reading order")
        text = " ".join(title.text_frame.text.split())
        if text in seen:
            problems.append(f"slide {number}: the same title as slide {seen[text]} ({text!r})")
        seen.setdefault(text, number)
        for shape in slide.shapes:
            words = (shape._element.nvPicPr.cNvPr.get("descr") or "").strip() if shape.shape_type == 13 else "-"
            if not words or re.fullmatch(r"[\w.-]+\.(png|jpe?g|gif|svg|emf)", words, re.IGNORECASE):  # or a file name
                problems.append(f"slide {number}: a picture without alternative text")
            if shape.has_table and not shape.table.first_row:
                problems.append(f"slide {number}: a table without a header row")
    return problems


@pytest.mark.parametrize("name", [name for name, _ in _decks()])
def test_every_slide_of_every_deck_passes_powerpoints_accessibility_checks(rendered, name):
    pptx, _ = rendered[name]
    assert accessibility_problems(pptx) == []


def test_the_accessibility_check_finds_a_title_in_a_text_box_and_a_picture_without_words(tmp_path):
    """The check against a slide made as Harbour made them before: its title a plain text box on a blank layout,
    and a picture with no alternative text; and two slides of one title."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    for _ in range(2):
        slide = deck.slides.add_slide(deck.slide_layouts[6])
        slide.shapes.add_textbox(Inches(0.5), Inches(0.2), Inches(9), Inches(1)).text_frame.text = "A finding"
    titled = deck.slides.add_slide(deck.slide_layouts[5])
    titled.shapes.title.text_frame.text = "A finding"
    png = tmp_path / "one.png"
    png.write_bytes(blank_png(None))
    titled.shapes.add_picture(str(png), Inches(0.5), Inches(1.5))
    again = deck.slides.add_slide(deck.slide_layouts[5])
    again.shapes.title.text_frame.text = "A finding"
    deck.save(tmp_path / "old.pptx")
    assert accessibility_problems(tmp_path / "old.pptx") == [
        "slide 1: no title",
        "slide 2: no title",
        "slide 3: a picture without alternative text",
        "slide 4: the same title as slide 3 ('A finding')",
    ]
