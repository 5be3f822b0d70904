"""Methodology: every definition, the disclosure rule and its symbols, the demo's assumptions.

Its record, and so its name, role and place, is in reports.registry."""

from harbour.reports.page import register_page

register_page(__name__, "/methodology")
