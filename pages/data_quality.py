"""Data quality: load history, warnings by rule, completeness of optional fields, out-of-scope contacts.

Its record, and so its name, role and place, is in reports.registry."""

from harbour.reports.page import register_page

register_page(__name__, "/data-quality")
