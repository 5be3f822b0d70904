"""Retention: Kaplan-Meier curves, retention at each horizon, the pilot-baseline differences.

Its record, and so its name, role and place, is in reports.registry."""

from harbour.reports.page import register_page

register_page(__name__, "/retention")
