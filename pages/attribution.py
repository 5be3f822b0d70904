"""Was it the scheme? Attribution against forces without a scheme, and what the numbers can show.

Its record, and so its name, role and place, is in reports.registry."""

from harbour.reports.page import register_page

register_page(__name__, "/attribution")
