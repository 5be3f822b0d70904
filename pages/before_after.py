"""Before and after: monthly XmR charts split at the pilot start (NHS 'Making Data Count' style).

Its record, and so its name, role and place, is in reports.registry."""

from harbour.reports.page import register_page

register_page(__name__, "/before-after")
