"""Engagement: how soon after first contact a child had a welfare conversation.

Its record, and so its name, role and place, is in reports.registry."""

from harbour.reports.page import register_page

register_page(__name__, "/engagement")
