"""Overview: the headline figures for the selected force and periods, in plain words.

Its record, and so its name, role and place, is in reports.registry."""

from harbour.reports.page import register_page

register_page(__name__, "/")
