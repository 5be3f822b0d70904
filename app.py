"""Builds the Dash app from the page registry and exposes ``server`` (for ``gunicorn app:server``).

Nothing else happens here: no data is read at import; pages read the warehouse when rendered.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import Dash, _callback, dcc, html
from dash._utils import to_json

import harbour.web.downloads  # noqa: F401  (registers the downloads' callback at import)
import harbour.web.filter_bar  # noqa: F401  (registers the filter bar's and the nav's callbacks at import)
from harbour import access, health, logs, security, settings
from harbour.metrics.summary import STANDARD_VERSION
from harbour.pages.registry import REPORTS
from harbour.views import store, theme
from harbour.warehouse import schema
from harbour.warehouse.current import engine
from harbour.web.page import register_pages

HERE = Path(__file__).resolve().parent


def _nav():
    """The pages, as a Bootstrap navbar's links, from their records (pages.registry); the filters ride along
    (web.filter_bar)."""

    links = [
        dbc.NavItem(
            dbc.NavLink(
                report.nav_name or report.name,
                href=dash.get_relative_path(report.path),
                id={"type": "nav-link", "index": dash.get_relative_path(report.path)},
            )
        )
        for report in sorted(REPORTS.values(), key=lambda r: r.order)
        if report.nav
    ]
    return html.Nav(dbc.Nav(links, navbar=True, class_name="nav-list"), className="site-nav", **{"aria-label": "Pages"})


def _header():
    """Harbour's name, then the pages: in one row from 992 px, behind a Menu button below that."""
    return dbc.Navbar(
        dbc.Container(
            [
                html.P(
                    [
                        html.Span("Harbour", className="brand"),
                        html.Span(
                            " · outcomes of schemes protecting unaccompanied migrant children", className="tagline"
                        ),
                    ],
                    className="site-title",
                ),
                # A plain button, not dbc.NavbarToggler, whose fixed aria-label ("Toggle navigation") would not
                # match the word the button shows (WCAG 2.5.3); its aria-expanded follows the menu.
                html.Button(
                    "Menu",
                    id="nav-toggle",
                    className="navbar-toggler nav-toggle",
                    type="button",
                    n_clicks=0,
                    **{"aria-controls": "nav-collapse", "aria-expanded": "false"},
                ),
                dbc.Collapse(_nav(), id="nav-collapse", navbar=True, is_open=False),
            ],
            fluid=True,
        ),
        tag="header",
        role="banner",
        dark=True,
        color=theme.COLOURS["header"],
        expand="lg",
        class_name="site-header",
    )


_CALLBACKS: dict = {}  # dash.callback's global registrations, kept for every app this process makes


def _output_key(callback: dict) -> str:
    return json.dumps(callback.get("output"), default=str)


class HarbourDash(security.SetUpOnce):
    """Dash, telling the browser no software versions and never asking another host for a newer one.

    Dash moves the callbacks registered with ``dash.callback`` into the first app that serves a
    request; a process that makes more than one app (``harbour serve``, the tests) gives each its own copy.
    """

    def _set_up(self):

        if not self._got_first_request["setup_server"] and _CALLBACKS:
            for key, value in _CALLBACKS["map"].items():
                _callback.GLOBAL_CALLBACK_MAP.setdefault(key, value)
            listed = {_output_key(c) for c in _callback.GLOBAL_CALLBACK_LIST}
            _callback.GLOBAL_CALLBACK_LIST.extend(c for c in _CALLBACKS["list"] if _output_key(c) not in listed)
        super()._set_up()
        # Each callback once in /_dash-dependencies, however many apps this process made.
        seen, unique = set(), []
        for callback in self._callback_list:
            key = json.dumps([callback.get("output"), callback.get("inputs"), callback.get("state")], default=str)
            if key not in seen:
                seen.add(key)
                unique.append(callback)
        self._callback_list[:] = unique

    # The layout and the callback list are the same for every request once the server is set up:
    # both are made into JSON once per process, not once per visitor.
    _layout_json: str | None = None
    _dependencies_json: str | None = None

    def serve_layout(self):
        if self._layout_json is None:
            self._layout_json = to_json(self.get_layout())
        return self.backend.make_response(self._layout_json, mimetype="application/json")

    def dependencies(self):
        if self._dependencies_json is None:
            self._dependencies_json = to_json(self._callback_list)
        return self.backend.make_response(self._dependencies_json, content_type="application/json")

    def _config(self):
        config = super()._config()
        for key in ("dash_version", "python_version", "dash_version_url", "plotly_version", "ddk_version"):
            config.pop(key, None)
        config["disable_version_check"] = True
        return config


def create_app(exposed: bool = False) -> Dash:
    """The app; ``exposed``: reachable from other machines (a non-loopback address, or gunicorn), where
    sign-in is required (access.setup raises RefuseToStart otherwise)."""
    app = HarbourDash(
        __name__,
        use_pages=True,
        pages_folder="",  # the pages come from their records (harbour.pages.registry), not a folder scan
        assets_folder=str(HERE / "assets"),
        # assets/vendor/ is served but not put in every page: plotly.js is loaded by dcc.Graph when a
        # chart is drawn (assets/harbour.js points it at the cartesian bundle there).
        assets_ignore=r"^vendor/",
        suppress_callback_exceptions=True,
        title="Harbour",
        update_title=None,
        compress=True,  # gzip on every response the browser accepts it for (flask-compress)
    )

    register_pages()  # each page's record as a Dash page, now that the app exists
    try:
        store.cache_key()  # a damaged key is refused here, at the start, not met by the first visitor
    except store.DamagedKey as damaged:
        raise access.RefuseToStart(str(damaged)) from None
    try:
        settings.disclosure_method()  # every publication figure depends on it: refused here, not per request
    except settings.BadSetting as bad:
        raise access.RefuseToStart(str(bad)) from None

    if not _CALLBACKS:
        _CALLBACKS.update(map=dict(_callback.GLOBAL_CALLBACK_MAP), list=list(_callback.GLOBAL_CALLBACK_LIST))

    banner = None
    if access.mode() == "none":
        banner = html.P(
            "Sign-in is off (HARBOUR_AUTH=none): anyone who can reach this server sees these pages, as a viewer.",
            className="auth-banner",
            role="note",
            id="auth-off-notice",
        )
    app.layout = html.Div(
        [
            html.A("Skip to main content", href="#main", className="skip-link"),
            banner,
            _header(),
            html.Main(dash.page_container, id="main", tabIndex="-1"),
            dcc.Download(id="download-file"),
            html.Footer(
                html.P(
                    f"Harbour is open source. Figures follow the Harbour outcome measures, version "
                    f"{STANDARD_VERSION}; see the Methodology page."
                ),
                className="site-footer",
            ),
        ]
    )
    # Dash's page template wraps its scripts in a <footer>: a second contentinfo landmark beside the
    # page's own footer (axe: landmark-no-duplicate-contentinfo). A plain <div> holds them instead.
    app.index_string = (
        app.index_string.replace("<html>", '<html lang="en-GB">')
        .replace("<footer>", '<div class="dash-scripts">')
        .replace("</footer>", "</div>")
    )
    security.protect(app)

    logs.install(app.server, lambda: (access.current_person().role, access.current_person().name))

    health.install(
        app.server,
        {
            "warehouse": health.warehouse_check(engine, schema.forces),
            "cache": health.cache_check,
            "sign-in": health.provider_check,
        },
    )
    # After the defences, so that a malformed request is refused before sign-in; the probes need none.
    access.setup(app, exposed, public_routes=list(health.PATHS))
    return app


def _under_gunicorn() -> bool:
    return "gunicorn.arbiter" in sys.modules


try:
    app = create_app(exposed=_under_gunicorn())
except access.RefuseToStart as refusal:
    print(f"Harbour refuses to start: {refusal}", file=sys.stderr)
    raise SystemExit(3) from None  # gunicorn stops on a worker that cannot boot
server = app.server
server.config["DEBUG"] = settings.debug()
