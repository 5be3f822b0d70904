"""Slide decks (PowerPoint, python-pptx) from views: the page's deck and the standard conference deck.

Each chart slide has the finding as its title, the chart rendered on the server at 16:9, a footnote
with the definition, the disclosure rule and the source, and speaker notes with the figures, their
intervals and p-values, and what they do not show.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from datetime import date

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from harbour.metrics.disclosure import FOOTNOTE_SHORT, INTERNAL_NOTE, PERTURBATION, PERTURBATION_FOOTNOTE, SUPPRESSED
from harbour.metrics.summary import STANDARD_VERSION
from harbour.pages.methodology import CAVEATS
from harbour.render import images
from harbour.views import theme
from harbour.views.format import long_date
from harbour.views.model import cell_kind

INK = RGBColor(*theme.rgb("ink"))
WARN = RGBColor(*theme.rgb("warn-line"))
ALERT = RGBColor(*theme.rgb("alert"))
MUTED = RGBColor(*theme.rgb("muted"))
SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)  # 13.33 x 7.5 inches: 16:9
DISCLOSURE_SHORT = FOOTNOTE_SHORT
# One family for slide text and chart images: Arial where the deck is shown (Windows, macOS), Liberation
# Sans, metric-compatible with it, where Kaleido draws the charts (views.theme.FONT).
FONT_NAME = theme.FONT_FAMILY
HEADER_FILL = RGBColor(*theme.rgb("header"))
BAND_FILL = RGBColor(*theme.rgb("soft"))
WHITE = RGBColor(*theme.rgb("paper"))


def _text(slide, left, top, width, height, text, size=18, bold=False, colour=INK):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    lines = text if isinstance(text, list) else [text]
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = line
        _style(paragraph, size, bold, colour)
    return box


def _style(paragraph, size, bold, colour) -> None:
    """On the paragraph and on each of its runs: PowerPoint draws a run by its own properties."""
    for font in [paragraph.font, *(run.font for run in paragraph.runs)]:
        font.name = FONT_NAME
        font.size = Pt(size)
        font.bold = bold
        font.color.rgb = colour


# Text is fitted to its box before the deck is written, from the width of the font's characters: LibreOffice and
# PowerPoint draw a box's text past its bottom edge (over the line below it) rather than shrink it, and break a word
# that is wider than its column mid-word. tests/test_slide_fit.py renders every deck and checks the result.
EM = 0.5  # an average character of Liberation Sans / Arial in running text, in ems (words are sized by _word_em)
INSET = 0.1  # inches: a text box's top and bottom insets together (0.05 each, Office's default)
LINE = 1.2  # line height, in ems


def _word_em(word: str) -> float:
    """A word's width in ems, in Liberation Sans (Arial's metrics), near enough to size a column by: capitals
    and digits are wider than lower case, stops and commas narrower."""
    return sum(0.72 if ch.isupper() else 0.56 if ch.isdigit() else 0.3 if ch in ".,;:'|!il-()" else 0.53 for ch in word)


def _chars_per_line(width_in: float, size: float) -> int:
    return max(1, int((width_in - 0.2) * 72 / (size * EM)))


def _lines(texts, width_in: float, size: float) -> int:

    per_line = _chars_per_line(width_in, size)
    return sum(len(textwrap.wrap(t, per_line, break_long_words=False, break_on_hyphens=False)) or 1 for t in texts)


def _height_in(texts, width_in: float, size: float) -> float:
    return _lines(texts, width_in, size) * size * LINE / 72 + INSET


def _fitting(texts, width_in: float, height_in: float, size: float, smallest: float) -> float:
    """The largest size, from ``size`` down to ``smallest``, at which ``texts`` fit their box."""
    while size > smallest and _height_in(texts, width_in, size) > height_in:
        size -= 1
    return size


def _fitted(slide, left_in, top_in, width_in, height_in, text, size, smallest, bold=False, colour=INK):
    lines = text if isinstance(text, list) else [text]
    size = _fitting(lines, width_in, height_in, size, smallest)
    return _text(
        slide,
        Inches(left_in),
        Inches(top_in),
        Inches(width_in),
        Inches(height_in),
        lines,
        size=size,
        bold=bold,
        colour=colour,
    )


def _synthetic_footer(slide, synthetic: bool, marking: str | None = None):
    """The label every slide carries, once and in the same place (bottom left): the protective marking of
    exact figures and the synthetic label of demonstration data. The slide number sits bottom right."""
    words = [w for w in (marking, "SYNTHETIC DEMONSTRATION DATA: not real" if synthetic else None) if w]
    if words:
        _text(
            slide,
            Inches(0.5),
            Inches(7.02),
            Inches(11.0),
            Inches(0.4),
            " · ".join(words),
            size=12,
            bold=True,
            colour=ALERT if marking else WARN,
        )


def _number_slides(presentation) -> None:
    total = len(presentation.slides)
    for n, slide in enumerate(presentation.slides, start=1):
        box = _text(
            slide, Inches(11.6), Inches(7.02), Inches(1.2), Inches(0.4), f"{n} of {total}", size=12, colour=MUTED
        )
        box.name = "Slide number"
        box.text_frame.paragraphs[0].alignment = 3  # right (PP_ALIGN.RIGHT)


TITLE_ONLY = 5  # the default template's "Title Only" layout: a real title placeholder, and nothing else


def _titled(deck, title, left_in, top_in, width_in, height_in, size, smallest, colour=INK):
    """A slide whose title is its layout's title placeholder (PowerPoint's accessibility checker, its outline view
    and a screen reader find a slide's title there, and read it first), placed and fitted as a text box would be."""
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    lines = title if isinstance(title, list) else [title]
    size = _fitting(lines, width_in, height_in, size, smallest)
    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = (
        Inches(left_in),
        Inches(top_in),
        Inches(width_in),
        Inches(height_in),
    )
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = MSO_ANCHOR.TOP
    frame.margin_left = frame.margin_right = Inches(0.1)
    frame.margin_top = frame.margin_bottom = Inches(0.05)
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.alignment = PP_ALIGN.LEFT
        _style(paragraph, size, True, colour)
    return slide


def _titles(deck) -> set[str]:
    return {slide.shapes.title.text_frame.text for slide in deck.slides if slide.shapes.title is not None}


def _alternative_text(picture, words: str) -> None:
    """A picture's alternative text (its cNvPr's descr), read by a screen reader and by PowerPoint's checker."""
    picture._element.nvPicPr.cNvPr.set("descr", " ".join(str(words).split()))


def title_slide(
    deck, title: str, scope: str, extract_date: str | None, synthetic: bool, made: date, marking: str | None = None
):
    slide = _titled(deck, title, 0.8, 1.0, 11.7, 2.2, 40, 30)
    lines = [scope]
    if extract_date:
        lines.append(f"Records complete to the end of {long_date(extract_date)}")
    lines.append(f"Prepared with Harbour on {long_date(made)}; outcome measures version {STANDARD_VERSION}")
    if synthetic:
        lines.append("Synthetic data: every child, force and figure in these slides is generated, not real.")
    _fitted(slide, 0.8, 3.4, 11.7, 3.4, lines, 22, 16, colour=MUTED)
    _synthetic_footer(slide, synthetic, marking)
    slide.notes_slide.notes_text_frame.text = (
        "These slides come from Harbour. "
        + (f"{INTERNAL_NOTE} " if marking else "Every figure passed disclosure control. ")
        + ("The data are synthetic: say so when presenting." if synthetic else "")
    )
    return slide


# A chart slide, top to bottom (inches): the finding, the chart or table, the rule and the source, the footer.
TITLE_TOP, TITLE_H = 0.2, 1.1
BODY_TOP, BODY_BOTTOM = 1.35, 6.0
SOURCE_TOP, SOURCE_H = 6.05, 0.95
BODY_W = 12.3
CHART_PX = (1280, int(1280 * (BODY_BOTTOM - BODY_TOP) / BODY_W))  # the chart fills the body's width and height
CHART_FONT = 22  # px at 1280 across 12.3 inches: 15 pt on the slide, the smallest a hall reads


def panel_slide(deck, view, panel):
    """The panel's slide: its finding, its chart (or its table, over as many slides as it needs), the rule and the
    source. Returns the first slide."""
    pages = [None]
    withheld = panel.figure is None and _nothing_shown(panel.table)
    if panel.figure is None and panel.table.rows and not withheld:
        pages = _table_pages(panel)
    first = None
    for n, page in enumerate(pages, start=1):
        title = panel.finding if n == 1 else f"{panel.finding} (continued, {n} of {len(pages)})"
        if title in _titles(deck):  # two panels that can say only the same thing: each slide named apart
            title = f"{panel.title}: {title[0].lower()}{title[1:]}"
        slide = _titled(deck, title, 0.5, TITLE_TOP, BODY_W, TITLE_H, 24, 18)
        first = first or slide
        if panel.figure is not None:
            # The slide carries the synthetic label and the marking once, in its footer; the image need not.
            figure = images.presentable(panel.figure, None, False, font_size=CHART_FONT)
            png = images.render(figure, "png", width=CHART_PX[0], height=CHART_PX[1], scale=1.5)
            picture = slide.shapes.add_picture(io.BytesIO(png), Inches(0.5), Inches(BODY_TOP), width=Inches(BODY_W))
            _alternative_text(picture, f"Chart: {panel.title}. {panel.summary}")
        elif page is not None:
            _table(slide, panel, page)
        elif withheld:  # a table of nothing but c is no slide for a hall: one sentence says so
            _fitted(slide, 0.5, BODY_TOP, BODY_W, BODY_BOTTOM - BODY_TOP, WITHHELD_WORDS, 20, 14)
        else:  # nothing to chart or tabulate (a model that cannot be computed): the words that say why
            _fitted(slide, 0.5, BODY_TOP, BODY_W, BODY_BOTTOM - BODY_TOP, panel.summary, 20, 14)
        _source(slide, view, panel)
        _synthetic_footer(slide, view.synthetic, view.marking)
        definitions = " ".join(
            n for n in panel.notes if n not in (DISCLOSURE_SHORT, PERTURBATION_FOOTNOTE, INTERNAL_NOTE)
        )
        slide.notes_slide.notes_text_frame.text = (
            f"{panel.speaker_notes or panel.summary}\n\nDefinitions: {definitions}"
        )
    return first


WITHHELD_WORDS = (
    "Every figure of this table is c for this selection: each is a count too small to publish, or "
    "would give one away. The table is on the page and in its download."
)


def _nothing_shown(table) -> bool:
    """Whether a table holds rows but no published value: every cell outside its text columns c or empty."""

    values = [cell_kind(c, v) for row in table.rows for c, v in zip(table.columns, row)]
    numbers = [v for kind, v in values if kind != "text"]
    return bool(table.rows) and bool(numbers) and all(v in (SUPPRESSED, None) for v in numbers)


def _source(slide, view, panel) -> None:
    source = (
        f"Source: Harbour, outcome measures v{STANDARD_VERSION}; {view.scope}"
        + (f"; records to {long_date(view.extract_date)}" if view.extract_date else "")
        + ("; placements known to the day (SSDA903)" if any("known to the day" in n for n in view.notices) else "")
    )
    rule = INTERNAL_NOTE.split(". ")[1] if view.marking else _rule(view.disclosure)
    if panel.source:  # another body's published figures: its source and its own rule, never Harbour's
        rule, source = panel.source.split(" | ", 1) if " | " in panel.source else ("", panel.source)
    _fitted(slide, 0.5, SOURCE_TOP, BODY_W, SOURCE_H, [line for line in (rule, source) if line], 12, 9, colour=MUTED)


MAX_TABLE_ROWS = 36  # a table-only panel (definitions, the load history) over at most three slides or so
TABLE_SIZES = (14, 13, 12, 11, 10, 9)
CELL_MARGIN_W, CELL_MARGIN_H = 0.2, 0.1  # inches: a cell's left and right margins together, its top and bottom
BOLD = 1.25  # a bold heading's characters against the body's


@dataclass(frozen=True)
class TablePage:
    rows: list  # the rows on this slide, as displayed
    widths: list  # each column's width, inches
    size: int  # the text's size, points
    heights: list  # the header's and each row's height, inches
    note: str | None  # "First 36 of 40 rows; ..." on the last slide of a table cut short


def _words(text: str) -> list[str]:
    return text.split() or [""]


def _column_widths(cells: list[list[str]], width_in: float, size: float) -> list[float] | None:
    """Each column as wide as its longest word at least (no word is broken), the rest shared by how much each
    column has to say; None when the longest words alone are wider than the table at this size."""
    char_in = size * EM / 72
    count = len(cells[0])
    # The header row is bold, and most of its words begin with a capital: a wider character.
    em_in = size / 72
    least = [
        max(
            max(_word_em(w) * BOLD for w in _words(cells[0][c])),
            max(_word_em(w) for row in cells[1:] for w in _words(row[c])) if len(cells) > 1 else 0,
        )
        * em_in
        + CELL_MARGIN_W
        + 0.05
        for c in range(count)
    ]
    if sum(least) > width_in:
        return None
    wants = [max(max(len(row[c]) for row in cells) * char_in + CELL_MARGIN_W - least[c], 0) for c in range(count)]
    spare = width_in - sum(least)
    total = sum(wants)
    return [least[c] + (spare * wants[c] / total if total else spare / count) for c in range(count)]


def _row_height(row: list[str], widths: list[float], size: float) -> float:
    return max(
        max(_lines([cell], width + 0.2 - CELL_MARGIN_W, size) for cell, width in zip(row, widths)) * size * LINE / 72
        + CELL_MARGIN_H,
        0.36,
    )


def _table_pages(panel) -> list[TablePage]:
    table = panel.slide_table or panel.table
    header = [str(n) for n in table.names]
    rows = [[str(v) for v in row] for row in table.display_rows()]
    kept = rows[:MAX_TABLE_ROWS]
    note = (
        f"First {MAX_TABLE_ROWS} of {len(rows)} rows; the full table is in the dashboard's download."
        if len(rows) > MAX_TABLE_ROWS
        else None
    )
    room = BODY_BOTTOM - BODY_TOP - 0.05 - (0.4 if note else 0)
    fitting = [
        (size, widths) for size in TABLE_SIZES if (widths := _column_widths([header, *kept], BODY_W, size)) is not None
    ]
    if not fitting:
        fitting = [(TABLE_SIZES[-1], [BODY_W / len(header)] * len(header))]
    # One slide at the largest size that holds every row; else the largest size, over slides of even length (a
    # continuation of three rows was seen on /missing's deck).
    for size, widths in [f for f in fitting if f[0] >= 12] or fitting[:1]:  # never smaller than 12 pt to save a slide
        if sum(_row_height(r, widths, size) for r in [header, *kept]) <= room:
            break
    else:
        size, widths = fitting[0]
    head = _row_height(header, widths, size)
    pages, current, used = [], [], head
    for row in kept:
        height = _row_height(row, widths, size)
        if current and used + height > room:
            pages.append(current)
            current, used = [], head
        current.append((row, height))
        used += height
    pages.append(current)
    if len(pages) > 1:
        per = -(-len(kept) // len(pages))
        even = [[(r, _row_height(r, widths, size)) for r in kept[i : i + per]] for i in range(0, len(kept), per)]
        if len(even) == len(pages) and all(head + sum(h for _, h in page) <= room for page in even):
            pages = even
    return [
        TablePage(
            [r for r, _ in page], widths, size, [head, *(h for _, h in page)], note if n == len(pages) - 1 else None
        )
        for n, page in enumerate(pages)
    ]


def _table(slide, panel, page: TablePage):
    columns = [str(n) for n in (panel.slide_table or panel.table).names]
    shape = slide.shapes.add_table(
        len(page.rows) + 1, len(columns), Inches(0.5), Inches(BODY_TOP), Inches(BODY_W), Inches(sum(page.heights))
    )
    table = shape.table
    table.first_row = True
    for c, width in enumerate(page.widths):
        table.columns[c].width = Inches(width)
    for r, height in enumerate(page.heights):
        table.rows[r].height = Inches(height)
    for c, name in enumerate(columns):
        table.cell(0, c).text = name
    for r, row in enumerate(page.rows, start=1):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    # The theme's table, not Office's default: a dark header, light bands, the deck's font.
    for r, row in enumerate(table.rows):
        for cell in row.cells:
            cell.fill.solid()
            cell.fill.fore_color.rgb = HEADER_FILL if r == 0 else (BAND_FILL if r % 2 == 0 else WHITE)
            for paragraph in cell.text_frame.paragraphs:
                _style(paragraph, page.size, r == 0, WHITE if r == 0 else INK)
    if page.note:
        _text(
            slide, Inches(0.5), Inches(BODY_BOTTOM - 0.4), Inches(BODY_W), Inches(0.4), page.note, size=12, colour=MUTED
        )


def findings_slide(deck, views, synthetic: bool, marking: str | None = None):
    """Three or four plain sentences, each with its figure and interval: the headline cards' own words."""
    cards = next((v.kpis for v in views if v.kpis), None)
    # The measures, not the count of children contacted (a count has no interval and is on the title slide's scope).
    sentences = [k["sentence"] for k in (cards or []) if k["id"] != "kpi-children"][:4]
    if not sentences:  # a page's own deck without headline cards: its charts' findings, the slides' own titles
        sentences = list(
            dict.fromkeys(p.finding.rstrip(".") + "." for v in views for p in v.panels if p.figure is not None)
        )[:4]
    if not sentences:  # nothing charted (the methodology, data quality): the tables speak for themselves
        return None
    slide = _titled(deck, "Key findings", 0.5, 0.3, 12.3, 1.0, 32, 32)
    _fitted(slide, 0.6, 1.4, 12.1, 5.4, ["• " + s for s in sentences], 22, 16)
    _synthetic_footer(slide, synthetic, marking)
    precision = " ".join(k.get("notes", "") for k in (cards or []) if k.get("notes"))
    slide.notes_slide.notes_text_frame.text = (
        "Each sentence gives the figure, its 95% interval where it has one, and "
        "the test behind it. The slides after this one show each in full."
        + (f" What these numbers can show: {precision}" if precision else "")
    )
    return slide


def benchmark_findings_slide(deck, view):
    """The benchmarking deck's key findings: each chart's finding, which names the force's figure against
    the pooled rate and its limits, or the averages it is ranked against."""
    sentences = [p.finding + "." for p in view.panels if p.figure is not None][:4]
    if not sentences:
        return None
    slide = _titled(deck, "Key findings", 0.5, 0.3, 12.3, 1.0, 32, 32)
    _fitted(slide, 0.6, 1.4, 12.1, 5.4, ["• " + s for s in sentences], 22, 16)
    _synthetic_footer(slide, view.synthetic, None)
    slide.notes_slide.notes_text_frame.text = (
        "Each force's figures are the published ones. A force inside the 95% limits does not differ from the pooled "
        "rate by more than chance would explain; outside the 99.8% limits it is unlikely to be chance alone."
    )
    return slide


def _rule(method: str) -> str:
    """The disclosure rule's one sentence for a publication deck made by ``method``."""
    return PERTURBATION_FOOTNOTE if method == PERTURBATION else DISCLOSURE_SHORT


BENCHMARK_METHOD_PERTURBED = (
    "Funnel plots (Spiegelhalter, 2005): each force's rate against its number of children, with 95% and 99.8% limits "
    "around the pooled rate from the exact binomial distribution; forces with fewer than 10 children are left out.",
    "Every force's figures are the published ones (counts perturbed, rates from the perturbed counts to whole "
    "points); the pooled rates and the limits use the published counts, on the funnel plots and the ranked chart "
    "alike.",
    "Imported peers' figures come from their forces' signed benchmark packs; a peer imported without a trusted "
    "signature is marked 'unverified'.",
    "What this does not show: why forces differ. Case mix, recording practice and when each scheme began all differ "
    "between forces.",
)
BENCHMARK_METHOD = (
    "Funnel plots (Spiegelhalter, 2005): each force's rate against its number of children, with 95% and 99.8% limits "
    "around the pooled rate from the exact binomial distribution; forces with fewer than 10 children are left out.",
    "Every force's figures are the published ones (rates from exact counts to whole points, counts rounded); the "
    "pooled rates and the limits use the rounded counts, on the funnel plots and the ranked chart alike.",
    "Imported peers' figures come from their forces' signed benchmark packs; a peer imported without a trusted "
    "signature is marked 'unverified'.",
    "What this does not show: why forces differ. Case mix, recording practice and when each scheme began all differ "
    "between forces.",
)


def closing_slide(
    deck, synthetic: bool, marking: str | None = None, method: tuple[str, ...] | None = None, disclosure="suppression"
):
    slide = _titled(deck, "Method and caveats", 0.5, 0.3, 12.3, 1.0, 32, 32)
    # Exact figures are neither rounded nor suppressed: their deck does not say they are.
    caveats = [c for c in CAVEATS if not c.startswith("Rounding")] if marking else CAVEATS
    if disclosure == PERTURBATION and not marking:  # the rule's own line below says what perturbation does
        caveats = [c for c in CAVEATS if not c.startswith("Rounding")]
    lines = (
        (
            [
                (
                    "These figures come from synthetic demonstration data: generated to look like real use, "
                    "they describe no real child or force."
                )
            ]
            if synthetic
            else []
        )
        + list(
            method
            or [
                *caveats,
                "Retention: children placed who had not gone missing by the horizon, with 95% Wilson intervals; "
                "differences "
                "with Newcombe's interval and Fisher's exact test; curves by Kaplan-Meier.",
            ]
        )
        + [
            INTERNAL_NOTE.split(". ", 1)[1] if marking else _rule(disclosure),  # the marking itself is in the footer
            f"Figures follow the Harbour outcome measures, version {STANDARD_VERSION}.",
        ]
    )
    _fitted(slide, 0.6, 1.4, 12.1, 5.5, ["• " + line for line in lines], 18, 12)
    _synthetic_footer(slide, synthetic, marking)
    slide.notes_slide.notes_text_frame.text = (
        "A before-after comparison cannot prove that the scheme caused the "
        "change. Say what the intervals are, and how many children they rest on."
    )
    return slide


def deck(views, title: str, made: date | None = None) -> bytes:
    """A deck: the title slide, one slide per panel of each view (charts first-class), the closing slide."""
    made = made or date.today()
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = SLIDE_W, SLIDE_H
    first = views[0]
    synthetic = any(v.synthetic for v in views)
    marking = next((v.marking for v in views if v.marking), None)
    benchmarking = [v.page for v in views] == ["/benchmark"]  # always publication figures
    title_slide(presentation, title, first.scope, first.extract_date, synthetic, made, marking)
    if benchmarking:
        benchmark_findings_slide(presentation, first)
    else:
        findings_slide(presentation, views, synthetic, marking)
    drawn = set()  # a panel that two pages share (what the numbers can show) is one slide in a deck
    said_unmodelled = False  # a value model that cannot be computed is said once, on a slide of its own
    for view in views:
        for panel in view.panels:
            if panel.figure is None and view.page in ("/engagement", "/value") and panel.panel_id != "value-inputs":
                if view.page != "/value" or said_unmodelled:
                    continue
                said_unmodelled = True
            if panel.panel_id in drawn:
                continue
            drawn.add(panel.panel_id)
            panel_slide(presentation, view, panel)
    disclosure = next((v.disclosure for v in views if v.disclosure != "none"), "none")
    benchmark_method = BENCHMARK_METHOD_PERTURBED if disclosure == PERTURBATION else BENCHMARK_METHOD
    closing_slide(presentation, synthetic, marking, benchmark_method if benchmarking else None, disclosure)
    _number_slides(presentation)
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def deck_title(view) -> str:
    scheme = view.scheme or "Outcomes for unaccompanied migrant children"
    return f"{scheme}: {view.title.lower()}"
