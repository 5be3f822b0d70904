"""The download controls' one callback: a chart as PNG or SVG, a table as CSV, XLSX or ODS, or the
page as a slide deck, always rebuilt on the server from the same view the page shows."""

from __future__ import annotations

import logging
import re
from datetime import date

from dash import ALL, Input, Output, State, callback, ctx, dcc, no_update
from flask import abort

from harbour.components.ids import PAGES_LOCATION
from harbour.metrics.disclosure import Audience, publication
from harbour.metrics.filters import FILTER_SHORT, Filters, resolve
from harbour.metrics.summary import STANDARD_VERSION
from harbour.render import exports, images, slides
from harbour.warehouse.current import current_facts
from harbour.web.build import build
from harbour.web.cache import cached_file
from harbour.web.page import record_access
from harbour.web.request import parse_search, read

log = logging.getLogger(__name__)
DOWNLOAD_ID = "download-file"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "overview"


def scope_slug(query: dict, forces, audience: Audience | None = None) -> str:
    """What a download holds, for its file name: the force (or all forces), each filter and the months, and
    'exact' for the internal audience, so that two forces' or two cohorts' files never overwrite each other
    ('elmshire-sex-f-age-16-17'). Codes are the filters' own, checked against their patterns (metrics.filters)."""

    filters = resolve(Filters.from_query(query), forces)
    parts = ["-".join(filters.force) if filters.force else "all-forces"]
    for name in ("sex", "age_band", "nationality", "contact_route"):  # the order of every file name so far
        if getattr(filters, name):
            parts.append(f"{FILTER_SHORT[name]}-{'-'.join(getattr(filters, name))}")
    if filters.month_from or filters.month_to:
        parts.append(f"{filters.month_from or 'start'}-to-{filters.month_to or 'end'}")
    if audience is not None and audience.exact:
        parts.append("exact")
    return _slug("-".join(parts))


def file_for(
    path: str, query: dict, panel_id: str | None, fmt: str, audience: Audience | None = None
) -> tuple[str, bytes] | None:
    """(file name, bytes) of one download for ``audience``, or None when the page or panel is unknown."""
    audience = audience or publication()
    facts = current_facts()
    view = build(path, query, facts, audience)
    if view is None:
        return None
    stem = f"harbour-{_slug(path)}-{scope_slug(query, facts.forces, audience)}"
    if fmt == "pptx":
        today = date.today()
        return f"{stem}.pptx", cached_file(
            path,
            query,
            facts,
            audience,
            f"deck-{today.isoformat()}",
            lambda: slides.deck([view], slides.deck_title(view), today),
        )
    panel = next((p for p in view.panels if p.panel_id == panel_id), None)
    if panel is None:
        return None
    name = f"{stem}-{_slug(panel.panel_id)}.{fmt}"
    if fmt == "csvw":  # a zip of the CSV and its metadata file, each named for the table
        table_stem = f"{stem}-{_slug(panel.panel_id)}"
        return f"{table_stem}-csvw.zip", exports.to_csvw(view, panel, table_stem)
    if fmt in exports.TABLE_WRITERS:
        return name, exports.TABLE_WRITERS[fmt](view, panel)
    if fmt in ("png", "svg") and panel.figure is not None:
        source = f"Harbour, outcome measures v{STANDARD_VERSION} · {view.scope}"
        if any("known to the day" in n for n in view.notices):  # placements from SSDA903 returns
            source += " · placements known to the day (SSDA903)"
        if panel.source:  # another body's published figures: its own source, not Harbour's
            source = panel.source.replace(" | ", " · ")
        # Rendering an image costs a browser's work: each is made once per view and kept for every worker.
        return name, cached_file(
            path,
            query,
            facts,
            audience,
            f"{panel.panel_id}.{fmt}",
            lambda: images.render(
                images.presentable(panel.figure, panel.title, view.synthetic, source, marking=view.marking), fmt
            ),
        )
    return None


@callback(
    Output(DOWNLOAD_ID, "data"),
    Input({"type": "download", "panel": ALL, "format": ALL}, "n_clicks"),
    Input("download-slides", "n_clicks"),
    State(PAGES_LOCATION, "pathname"),
    State(PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)
def download(_clicks, _slides, pathname, search):
    trigger = ctx.triggered_id
    if trigger is None or not (ctx.triggered and ctx.triggered[0]["value"]):
        return no_update
    if trigger == "download-slides":
        panel_id, fmt = None, "pptx"
    else:
        panel_id, fmt = trigger["panel"], trigger["format"]
    # The same guard as the page's, on the server: tables are for analysts, exact figures too, and a page's
    # own role applies.
    request = read(pathname, parse_search(search), need="analyst" if fmt in exports.TABLE_WRITERS else "viewer")
    if request.refusal:
        abort(403)
    made = file_for(request.path, request.query, panel_id, fmt, request.audience)
    if made is None:
        return no_update
    name, content = made
    if not record_access(request, download=name):
        abort(503)  # a download the access log cannot record is not made
    log.info("download (%s)", fmt)  # never the file's name: it can carry a force code from a bundle
    return dcc.send_bytes(content, name, type=exports.MEDIA_TYPES[fmt])
