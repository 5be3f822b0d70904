"""The access log, for admins: who saw which view, with which filters and audience, and what they downloaded."""

from __future__ import annotations

from reports.model import Panel, Table, View


def view(entries: list[dict], synthetic: bool) -> View:
    rows = [[f"{e['at']:%Y-%m-%d %H:%M:%S}", e["person"], e["role"], e["path"], e["query"] or "–", e["audience"],
             e["download"] or "–"] for e in entries]
    summary = (f"The newest {len(rows)} entries, newest first. Harbour only ever adds to this log." if rows else
               "No entries yet.")
    panel = Panel(panel_id="access-log", title="Access log", finding="Who saw what", summary=summary, figure=None,
                  table=Table("table-access-log", "Access log, newest first (UTC)",
                        ["When (UTC)", "Who", "Role", "Page", "Filters and settings", "Audience", "Download"], rows),
                  notes=["Every page view and download is recorded as it is served: the person, their role, the page, the "
                   "filters, the audience (publication or internal) and the file downloaded."], speaker_notes=summary, open_table=True)
    return View("/access-log", "Access log", "Every view and download, for the force's audit.", [panel], synthetic,
                "this server")
