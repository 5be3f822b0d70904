"""The access log, for admins: who saw which view, with which filters and audience, and what they downloaded."""

from __future__ import annotations

from dash import dcc, html

from harbour.views.ask import Ask
from harbour.views.model import Panel, Table, View
from harbour.views.report import Report
from harbour.warehouse.current import engine
from harbour.warehouse.queries import access_entries

PAGE = 500  # entries a page (and its download) holds; older ones are a link away


def view(entries: list[dict], total: int, synthetic: bool) -> View:
    rows = [
        [
            e["entry_id"],
            f"{e['at']:%Y-%m-%d %H:%M:%S}",
            e["person"],
            e["role"],
            e["path"],
            e["query"] or "–",
            e["audience"],
            e["download"] or "–",
        ]
        for e in entries
    ]
    if rows:
        summary = (
            f"Entries {entries[0]['entry_id']:,} back to {entries[-1]['entry_id']:,}, newest first, of "
            f"{total:,} in all. Harbour only ever adds to this log."
        )
    else:
        summary = "No entries here." if total else "No entries yet."
    panel = Panel(
        panel_id="access-log",
        title="Access log",
        finding="Who saw what",
        summary=summary,
        figure=None,
        table=Table(
            "table-access-log",
            "Access log, newest first (UTC)",
            [("Entry", "count"), "When (UTC)", "Who", "Role", "Page", "Filters and settings", "Audience", "Download"],
            rows,
        ),
        notes=[
            "Every page view and download is recorded as it is served: the person, their role, the page, the "
            "filters, the audience (publication or internal) and the file downloaded."
        ],
        speaker_notes=summary,
        open_table=True,
    )
    return View(
        "/access-log",
        "Access log",
        "Every view and download, for the force's audit.",
        [panel],
        synthetic,
        "this server",
    )


def paging(query: dict, facts) -> list:
    """Links to the older entries, and back to the newest, above the table."""

    before = str(query.get("before", ""))
    entries, _ = access_entries(engine(), PAGE, int(before) if before.isdigit() else None)
    links = []
    if before.isdigit():
        links.append(dcc.Link("Newest entries", href="/access-log"))
    if len(entries) == PAGE:
        if links:
            links.append(" · ")
        links.append(
            dcc.Link(
                f"Older entries (before {entries[-1]['entry_id']:,})",
                href=f"/access-log?before={entries[-1]['entry_id']}",
            )
        )
    return [html.P(links, className="no-present")] if links else []


def build(ask: Ask, facts) -> View:
    before = str(ask.query.get("before", ""))
    entries, total = access_entries(engine(), PAGE, int(before) if before.isdigit() else None)
    return view(entries, total, facts.synthetic)


# For admins: linked from the data-quality page, not from every page.
REPORT = Report(
    "/access-log",
    "Access log",
    build,
    order=9,
    role="admin",
    filtered=False,
    audiences=False,
    settings=("before",),
    cached=False,
    slides=False,
    nav=False,
    needs_data=False,
    controls=paging,
)
