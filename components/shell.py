"""The frame every page shares: title, synthetic notice, filter bar, and the page's body."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from harbour.components.ids import FilterId
from harbour.metrics.filters import FILTERS, Filters, financial_years, nationality_label
from harbour.views.format import long_date

SYNTHETIC_NOTICE = (
    "Synthetic demonstration data: every child, force and figure on this page is generated, "
    "not real. The forces are fictional."
)


def synthetic_banner(synthetic: bool):
    if not synthetic:
        return None
    return html.P(
        [
            html.Strong("Synthetic data. "),
            "Every child, force and figure here is generated, not real; the forces are fictional.",
        ],
        className="synthetic-banner",
        role="note",
        id="synthetic-notice",
    )


def marking_banner(marking: str | None):
    """The protective marking of exact (internal) figures, at the top of every page that shows them."""
    if not marking:
        return None
    return html.P(
        [html.Strong(marking.split(":")[0] + ": "), marking.split(":", 1)[1].strip()],
        className="marking-banner",
        role="note",
        id="marking-notice",
    )


def _one_of(component_id: str, legend: str, options: list[tuple[str, str]], chosen: tuple[str, ...]):
    """One value or all (docs/metrics.md version 3: a filter is never a list, so no two views subtract)."""
    return html.Fieldset(
        [
            html.Legend(legend),
            dcc.RadioItems(
                id=component_id,
                options=[{"label": "All", "value": ""}]
                + [{"label": label, "value": value} for value, label in options],
                value=chosen[0] if chosen else "",
                className="choices",
                inputClassName="choice-input",
                labelClassName="choice-label",
            ),
        ],
        className="filter-group",
    )


FILTER = {f.name: f for f in FILTERS}


def _legend(name: str) -> str:
    """A filter's words (the one filter table's) as a control's legend: "age band" as "Age band"."""
    words = FILTER[name].words
    return words[:1].upper() + words[1:]


def filter_bar(
    filters: Filters,
    forces: list[tuple[str, str]],
    nationalities: list[str],
    years: list[str] = (),
    ranges: bool = False,
):
    """Native controls only (radio buttons, checkboxes, text inputs), applied with one button.

    The state lives in the URL's query string, so a view can be bookmarked and shared. Months of first contact are
    chosen as whole periods (``years``: the financial years the data hold); a range of quarters only where
    ``ranges`` (the internal audience: docs/metrics.md version 4), the fields being hidden otherwise.
    """
    chosen_force = filters.force[0] if len(filters.force) == 1 else ""
    controls = html.Div(
        [
            html.Fieldset(
                [
                    html.Legend(_legend("force")),
                    dcc.RadioItems(
                        id=FilterId.FORCE,
                        options=[{"label": "All forces together", "value": ""}]
                        + [{"label": name, "value": code} for code, name in forces],
                        value=chosen_force,
                        className="choices",
                        inputClassName="choice-input",
                        labelClassName="choice-label",
                    ),
                ],
                className="filter-group",
            ),
            *(
                _one_of(control, _legend(f.name), [(c, f.labels.get(c, c)) for c in f.codes], getattr(filters, f.name))
                for f, control in (
                    (FILTER["age_band"], FilterId.AGE_BAND),
                    (FILTER["sex"], FilterId.SEX),
                    (FILTER["contact_route"], FilterId.ROUTE),
                )
            ),
            _one_of(
                FilterId.NATIONALITY,
                _legend("nationality"),
                sorted(((n, nationality_label(n)) for n in nationalities), key=lambda item: item[1]),
                filters.nationality,
            ),
            _one_of(
                FilterId.PERIOD,
                "Months of first contact: a whole period",
                [("baseline", "Baseline (before the pilot)"), ("pilot", "Pilot")]
                + [(year, f"Financial year {year}") for year in years],
                (filters.period,) if filters.period else (),
            ),
            html.Fieldset(
                [
                    html.Legend("Or a range of months, in whole quarters (exact figures only)"),
                    html.Label(
                        [
                            "From (YYYY-MM: 01, 04, 07 or 10) ",
                            dcc.Input(
                                id=FilterId.MONTH_FROM,
                                type="text",
                                value=filters.month_from or "",
                                pattern=r"\d{4}-(01|04|07|10)",
                                placeholder="2016-07",
                                debounce=True,
                                className="month-input",
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            "To (YYYY-MM: 03, 06, 09 or 12) ",
                            dcc.Input(
                                id=FilterId.MONTH_TO,
                                type="text",
                                value=filters.month_to or "",
                                pattern=r"\d{4}-(03|06|09|12)",
                                placeholder="2018-06",
                                debounce=True,
                                className="month-input",
                            ),
                        ]
                    ),
                    # Beside the fields: why Apply changed nothing (an invalid month), read out as it appears.
                    html.P(id="filter-message", className="field-error", role="status", **{"aria-live": "polite"}),
                ],
                className="filter-group",
                hidden=not ranges,
            ),
            html.Div(
                [
                    html.Button(
                        "Apply filters", id=FilterId.APPLY, n_clicks=0, className="button primary", type="button"
                    ),
                    html.Button("Clear filters", id=FilterId.CLEAR, n_clicks=0, className="button", type="button"),
                ],
                className="filter-actions",
            ),
        ],
        className="filter-grid",
    )
    # A Bootstrap accordion: one heading button (what is applied now) that opens the controls in place.
    names = {
        "force": dict(forces),
        "sex": FILTER["sex"].labels,
        "contact_route": FILTER["contact_route"].labels,
        "nationality": {n: nationality_label(n) for n in filters.nationality},
    }
    title = html.Span(["Filters: ", html.Span(filters.describe(names, long_date), id="filter-description")])
    return dbc.Accordion(
        dbc.AccordionItem(controls, title=title, item_id="filters"),
        id="filter-bar",
        start_collapsed=True,
        class_name="filter-bar",
    )


def page(
    title: str,
    lead: str,
    filters: Filters,
    forces: list[tuple[str, str]],
    nationalities: list[str],
    synthetic: bool,
    *body,
    show_filters: bool = True,
    marking: str | None = None,
    years: list[str] = (),
):
    return html.Div(
        [
            marking_banner(marking),
            synthetic_banner(synthetic),
            html.H1(title, id="page-title"),
            html.P(lead, className="lead"),
            filter_bar(filters, forces, nationalities, years, ranges=marking is not None) if show_filters else None,
            *body,
        ],
        className="page",
    )


def footnote(*parts: str):
    return html.Div([html.P(p) for p in parts if p], className="footnote")


def page_for(
    facts, filters: Filters, title: str, lead: str, *body, show_filters: bool = True, marking: str | None = None
):
    """The page frame from a warehouse's facts (their force list, nationalities and synthetic flag)."""
    forces = list(zip(facts.forces["force_code"], facts.forces["force_name"]))
    nationalities = sorted(facts.children["nationality"].unique()) if len(facts.children) else []
    years = financial_years(facts.children["contact_month"].unique()) if len(facts.children) else []
    return page(
        title,
        lead,
        filters,
        forces,
        nationalities,
        facts.synthetic,
        *body,
        show_filters=show_filters,
        marking=marking,
        years=years,
    )


def empty_warehouse():
    return html.Div(
        [
            html.H1("No data yet", id="page-title"),
            html.P(
                "This warehouse holds no bundle. Load one with `harbour load`, or build the synthetic demo with "
                "`harbour demo`."
            ),
        ],
        className="page",
    )


def unreadable_warehouse():
    return html.Div(
        [
            html.H1("The figures cannot be read just now", id="page-title"),
            html.P(
                "Harbour could not read its warehouse (it may be locked by a load, moved, or read-only without its "
                "working files). Nothing has been lost. Try again in a minute; if this persists, tell whoever runs "
                "Harbour here."
            ),
        ],
        className="page",
    )


def unrecorded():
    return html.Div(
        [
            html.H1("This page cannot be shown just now", id="page-title"),
            html.P(
                "Harbour records every view in its access log before it shows anything, and could not record this "
                "one (the warehouse may be read-only or full). Nothing is shown that the force cannot audit. Tell "
                "whoever runs Harbour here."
            ),
        ],
        className="page",
    )


def not_permitted(message: str):
    return html.Div([html.H1("Not available to you", id="page-title"), html.P(message)], className="page")
