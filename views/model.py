"""The shape of a view: panels, each with a figure, a table, a finding and notes.

Table cells hold published *values* (numbers, ``c``, None or text), typed by their column's kind, so
that a page shows "82%" while a spreadsheet holds the number 0.82 formatted as a percentage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harbour.views.format import display

# What a column holds. rate: a fraction (0.82 shows as 82%); points: a difference of two rates as a
# fraction (0.04 shows as +4); hours, ratio: one decimal; p: a p-value; money: pounds; count: a whole number;
# signed: a change in a count (+5); day: a day since placement ("Day 14" on a page, 14 in a spreadsheet).
KINDS = ("text", "count", "rate", "points", "hours", "ratio", "p", "money", "money2", "number", "signed", "day")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class Cell:
    """A cell whose kind differs from its column's (a difference row in a table of rates)."""

    value: object
    kind: str


def cell_kind(column: Column, value) -> tuple[str, object]:
    """(kind, value) of one cell."""
    return (value.kind, value.value) if isinstance(value, Cell) else (column.kind, value)


def columns(*specs) -> list[Column]:
    """Columns from names or (name, kind) pairs: ``columns("Horizon", ("At risk", "count"))``."""
    return [s if isinstance(s, Column) else Column(s) if isinstance(s, str) else Column(*s) for s in specs]


@dataclass
class Table:
    table_id: str
    caption: str
    columns: list  # Column, or a plain name for a text column
    rows: list[list]

    def __post_init__(self):
        self.columns = columns(*self.columns)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def display_rows(self) -> list[list[str]]:
        """Every cell as a person reads it."""

        return [[display(*cell_kind(c, v)) for c, v in zip(self.columns, row)] for row in self.rows]


@dataclass(kw_only=True)
class Panel:
    """One chart or table of a view, always built by keyword (``Panel(panel_id=..., title=..., ...)``)."""

    panel_id: str
    title: str  # the chart's heading
    finding: str  # the finding in plain words: a slide's title
    summary: str  # the text alternative of the figure
    figure: dict | None  # a plotly figure as a dict, from published figures only
    table: Table
    notes: list[str] = field(default_factory=list)  # definition, method, disclosure rule
    speaker_notes: str = ""  # figures with intervals and p-values, and what they do not show
    open_table: bool = False
    # Where the figures are not Harbour's own (the DfE's published figures): the source line that slides and images
    # give in place of Harbour's, and its own rule in place of Harbour's disclosure rule.
    source: str | None = None
    # A shorter table for a slide, where the page's (one row a force, say) would run over several: the slide's words
    # then point to the page's table and the speaker notes for the rest.
    slide_table: Table | None = None


@dataclass
class View:
    page: str  # the page's path
    title: str
    lead: str
    panels: list[Panel]
    synthetic: bool
    scope: str  # which force(s) and periods, in words
    notices: list[str] = field(default_factory=list)
    extract_date: str | None = None
    scheme: str | None = None
    kpis: list[dict] = field(default_factory=list)  # headline cards (the overview)
    grain: str | None = None  # month or quarter, where the view has a time series
    marking: str | None = None  # the protective marking of an internal (exact) view
    disclosure: str = "suppression"  # how its figures were made fit to publish: perturbation, suppression or none
