"""Slide decks (PowerPoint, python-pptx) from views: the page's deck and the standard conference deck.

Each chart slide has the finding as its title, the chart rendered on the server at 16:9, a footnote
with the definition, the disclosure rule and the source, and speaker notes with the figures, their
intervals and p-values, and what they do not show.
"""

from __future__ import annotations

import io
from datetime import date

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from components import theme
from components.format import long_date
from reports import images
from metrics.disclosure import FOOTNOTE_SHORT, INTERNAL_NOTE
from metrics.summary import STANDARD_VERSION
from reports.methodology import CAVEATS

INK = RGBColor(*theme.rgb("ink"))
WARN = RGBColor(*theme.rgb("warn-line"))
ALERT = RGBColor(*theme.rgb("alert"))
MUTED = RGBColor(*theme.rgb("muted"))
SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)  # 13.33 x 7.5 inches: 16:9
DISCLOSURE_SHORT = FOOTNOTE_SHORT
MAX_TABLE_ROWS = 12
# One family for slide text and chart images: Arial where the deck is shown (Windows, macOS), Liberation
# Sans, metric-compatible with it, where Kaleido draws the charts (components.theme.FONT).
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


def _synthetic_footer(slide, synthetic: bool, marking: str | None = None):
    """The label every slide carries, once and in the same place (bottom left): the protective marking of
    exact figures and the synthetic label of demonstration data. The slide number sits bottom right."""
    words = [w for w in (marking, "SYNTHETIC DEMONSTRATION DATA: not real" if synthetic else None) if w]
    if words:
        _text(slide, Inches(0.5), Inches(7.02), Inches(11.0), Inches(0.4), " · ".join(words), size=12, bold=True,
              colour=ALERT if marking else WARN)


def _number_slides(presentation) -> None:
    total = len(presentation.slides)
    for n, slide in enumerate(presentation.slides, start=1):
        box = _text(slide, Inches(11.6), Inches(7.02), Inches(1.2), Inches(0.4), f"{n} of {total}", size=12, colour=MUTED)
        box.name = "Slide number"
        box.text_frame.paragraphs[0].alignment = 3  # right (PP_ALIGN.RIGHT)


def _blank(deck):
    return deck.slides.add_slide(deck.slide_layouts[6])


def title_slide(deck, title: str, scope: str, extract_date: str | None, synthetic: bool, made: date,
                marking: str | None = None):
    slide = _blank(deck)
    _text(slide, Inches(0.8), Inches(1.6), Inches(11.7), Inches(1.4), title, size=40, bold=True)
    lines = [scope]
    if extract_date:
        lines.append(f"Records complete to the end of {long_date(extract_date)}")
    lines.append(f"Prepared with Harbour on {long_date(made)}; outcome measures version {STANDARD_VERSION}")
    if synthetic:
        lines.append("Synthetic data: every child, force and figure in these slides is generated, not real.")
    _text(slide, Inches(0.8), Inches(3.1), Inches(11.7), Inches(2.4), lines, size=22, colour=MUTED)
    _synthetic_footer(slide, synthetic, marking)
    slide.notes_slide.notes_text_frame.text = (
        "These slides come from Harbour. "
        + (f"{INTERNAL_NOTE} " if marking else "Every figure passed disclosure control. ")
        + ("The data are synthetic: say so when presenting." if synthetic else ""))
    return slide


def panel_slide(deck, view, panel):
    slide = _blank(deck)
    _text(slide, Inches(0.5), Inches(0.25), Inches(12.3), Inches(1.0), panel.finding, size=24, bold=True)
    top = Inches(1.2)
    if panel.figure is not None:
        # The slide carries the synthetic label and the marking once, in its footer; the image need not.
        figure = images.presentable(panel.figure, None, False, font_size=20)
        png = images.render(figure, "png", width=1280, height=560, scale=1.5)
        slide.shapes.add_picture(io.BytesIO(png), Inches(0.5), top, width=Inches(12.3))
    elif panel.table.rows:
        _table(slide, panel, top)
    else:  # nothing to chart or tabulate (a model that cannot be computed): the words that say why
        _text(slide, Inches(0.5), top, Inches(12.3), Inches(3.0), panel.summary, size=20)
    source = (f"Source: Harbour, outcome measures v{STANDARD_VERSION}; {view.scope}"
              + (f"; records to {long_date(view.extract_date)}" if view.extract_date else "")
              + ("; placements known to the day (SSDA903)" if any("known to the day" in n for n in view.notices) else ""))
    rule = INTERNAL_NOTE.split(". ")[1] if view.marking else DISCLOSURE_SHORT
    if panel.source:  # another body's published figures: its source and its own rule, never Harbour's
        rule, source = panel.source.split(" | ", 1) if " | " in panel.source else ("", panel.source)
    _text(slide, Inches(0.5), Inches(6.4), Inches(12.3), Inches(0.6), [line for line in (rule, source) if line],
          size=10, colour=MUTED)
    _synthetic_footer(slide, view.synthetic, view.marking)
    definitions = " ".join(n for n in panel.notes if n not in (DISCLOSURE_SHORT, INTERNAL_NOTE))
    slide.notes_slide.notes_text_frame.text = f"{panel.speaker_notes or panel.summary}\n\nDefinitions: {definitions}"
    return slide


def _table(slide, panel, top):
    rows = panel.table.display_rows()[:MAX_TABLE_ROWS]
    columns = panel.table.names
    shape = slide.shapes.add_table(len(rows) + 1, len(columns), Inches(0.5), top, Inches(12.3),
                                   Emu(int(Inches(0.38)) * (len(rows) + 1)))
    table = shape.table
    table.first_row = True
    for c, name in enumerate(columns):
        table.cell(0, c).text = name
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            table.cell(r, c).text = str(value)
    # The theme's table, not Office's default: a dark header, light bands, the deck's font.
    for r, row in enumerate(table.rows):
        for cell in row.cells:
            cell.fill.solid()
            cell.fill.fore_color.rgb = HEADER_FILL if r == 0 else (BAND_FILL if r % 2 == 0 else WHITE)
            for paragraph in cell.text_frame.paragraphs:
                _style(paragraph, 12 if len(columns) > 4 else 14, r == 0, WHITE if r == 0 else INK)
    if len(panel.table.rows) > MAX_TABLE_ROWS:
        _text(slide, Inches(0.5), Inches(6.2), Inches(12), Inches(0.4),
              f"First {MAX_TABLE_ROWS} of {len(panel.table.rows)} rows; the full table is in the dashboard's download.",
              size=11, colour=MUTED)


def findings_slide(deck, views, synthetic: bool, marking: str | None = None):
    """Three or four plain sentences, each with its figure and interval: the headline cards' own words."""
    cards = next((v.kpis for v in views if v.kpis), None)
    # The measures, not the count of children contacted (a count has no interval and is on the title slide's scope).
    sentences = [k["sentence"] for k in (cards or []) if k["id"] != "kpi-children"][:4]
    if not sentences:  # a page's own deck without headline cards: each slide's title is its finding
        return None
    slide = _blank(deck)
    _text(slide, Inches(0.5), Inches(0.3), Inches(12.3), Inches(1.0), "Key findings", size=32, bold=True)
    _text(slide, Inches(0.6), Inches(1.4), Inches(12.1), Inches(5.2), ["• " + s for s in sentences], size=22)
    _synthetic_footer(slide, synthetic, marking)
    precision = " ".join(k.get("notes", "") for k in cards if k.get("notes"))
    slide.notes_slide.notes_text_frame.text = ("Each sentence gives the figure, its 95% interval where it has one, and "
                                              "the test behind it. The slides after this one show each in full."
                                              + (f" What these numbers can show: {precision}" if precision else ""))
    return slide


def benchmark_findings_slide(deck, view):
    """The benchmarking deck's key findings: each chart's finding, which names the force's figure against
    the pooled rate and its limits, or the averages it is ranked against."""
    sentences = [p.finding + "." for p in view.panels if p.figure is not None][:4]
    if not sentences:
        return None
    slide = _blank(deck)
    _text(slide, Inches(0.5), Inches(0.3), Inches(12.3), Inches(1.0), "Key findings", size=32, bold=True)
    _text(slide, Inches(0.6), Inches(1.4), Inches(12.1), Inches(5.2), ["• " + s for s in sentences], size=22)
    _synthetic_footer(slide, view.synthetic, None)
    slide.notes_slide.notes_text_frame.text = (
        "Each force's figures are the published ones. A force inside the 95% limits does not differ from the pooled "
        "rate by more than chance would explain; outside the 99.8% limits it is unlikely to be chance alone.")
    return slide


BENCHMARK_METHOD = (
    "Funnel plots (Spiegelhalter, 2005): each force's rate against its number of children, with 95% and 99.8% limits "
    "around the pooled rate from the exact binomial distribution; forces with fewer than 10 children are left out.",
    "Every force's figures are the published ones (rates from exact counts to whole points, counts rounded); the "
    "pooled rate, the limits and the weighted averages use the rounded counts.",
    "Imported peers' figures come from their forces' signed benchmark packs; a peer imported without a trusted "
    "signature is marked 'unverified'.",
    "What this does not show: why forces differ. Case mix, recording practice and when each scheme began all differ "
    "between forces.",
)


def closing_slide(deck, synthetic: bool, marking: str | None = None, method: tuple[str, ...] | None = None):
    slide = _blank(deck)
    _text(slide, Inches(0.5), Inches(0.3), Inches(12.3), Inches(1.0), "Method and caveats", size=32, bold=True)
    lines = ([("These figures come from synthetic demonstration data: generated to look like real use, "
               "they describe no real child or force.")] if synthetic else []) + list(method or [*CAVEATS,
        "Retention: children placed who had not gone missing by the horizon, with 95% Wilson intervals; differences "
        "with Newcombe's interval and Fisher's exact test; curves by Kaplan-Meier."]) + [
        INTERNAL_NOTE.split(". ", 1)[1] if marking else DISCLOSURE_SHORT,  # the marking itself is in the footer
        f"Figures follow the Harbour outcome measures, version {STANDARD_VERSION}.",
    ]
    _text(slide, Inches(0.6), Inches(1.4), Inches(12.1), Inches(5.4), ["• " + line for line in lines], size=18)
    _synthetic_footer(slide, synthetic, marking)
    slide.notes_slide.notes_text_frame.text = ("A before-after comparison cannot prove that the scheme caused the "
                                              "change. Say what the intervals are, and how many children they rest on.")
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
    closing_slide(presentation, synthetic, marking, BENCHMARK_METHOD if benchmarking else None)
    _number_slides(presentation)
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def deck_title(view) -> str:
    scheme = view.scheme or "Outcomes for unaccompanied migrant children"
    return f"{scheme}: {view.title.lower()}"
