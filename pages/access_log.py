"""The access log: every view and download, for admins only (enforced on the server).

Its record, and so its name, role and place, is in reports.registry."""

from harbour.reports.access_log import paging
from harbour.reports.page import register_page

register_page(__name__, "/access-log", controls=paging)
