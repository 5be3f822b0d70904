"""The shape of a view: panels, each with a figure, a table, a finding and notes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Table:
    table_id: str
    caption: str
    columns: list[str]
    rows: list[list[str]]


@dataclass
class Panel:
    panel_id: str
    title: str  # the chart's heading
    finding: str  # the finding in plain words: a slide's title
    summary: str  # the text alternative of the figure
    figure: dict | None  # a plotly figure as a dict, from published figures only
    table: Table
    notes: list[str] = field(default_factory=list)  # definition, method, disclosure rule
    speaker_notes: str = ""  # figures with intervals and p-values, and what they do not show
    open_table: bool = False


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
