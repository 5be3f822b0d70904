"""Component ids shared between layouts and callbacks, one enum per view."""

from enum import StrEnum


class FilterId(StrEnum):
    FORCE = "filter-force"
    AGE_BAND = "filter-age-band"
    SEX = "filter-sex"
    ROUTE = "filter-contact-route"
    NATIONALITY = "filter-nationality"
    MONTH_FROM = "filter-month-from"
    MONTH_TO = "filter-month-to"
    PERIOD = "filter-period"
    APPLY = "filter-apply"
    CLEAR = "filter-clear"


PAGES_LOCATION = "_pages_location"  # Dash pages' own dcc.Location
