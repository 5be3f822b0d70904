"""Missing episodes: how many, how long, how they ended, and how soon after placement.

Its record, and so its name, role and place, is in reports.registry."""

from harbour.reports.page import register_page

register_page(__name__, "/missing")
