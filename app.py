"""Builds the Dash app from the page registry and exposes ``server`` (for ``gunicorn app:server``).

Nothing else happens here: no data is read at import; pages read the warehouse when rendered.
"""

from __future__ import annotations

from pathlib import Path

import dash
from dash import Dash, dcc, html

import security
import settings
from metrics.summary import STANDARD_VERSION

HERE = Path(__file__).resolve().parent


def _nav():
    links = [
        html.Li(dcc.Link(page["name"], href=page["relative_path"], className="nav-link",
                         id={"type": "nav-link", "index": page["relative_path"]}))
        for page in dash.page_registry.values()
        if page.get("nav", True) and page["module"] != "pages.not_found_404"
    ]
    return html.Nav(html.Ul(links, className="nav-list"), className="site-nav", **{"aria-label": "Pages"})


class HarbourDash(Dash):
    """Dash, telling the browser no software versions and never asking another host for a newer one."""

    def _config(self):
        config = super()._config()
        for key in ("dash_version", "python_version", "dash_version_url", "plotly_version", "ddk_version"):
            config.pop(key, None)
        config["disable_version_check"] = True
        return config


def create_app() -> Dash:
    app = HarbourDash(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        suppress_callback_exceptions=True,
        title="Harbour",
        update_title=None,
    )
    import components.filter_callbacks  # noqa: F401  (registers the filter bar's and the nav's callbacks)
    import reports.callbacks  # noqa: F401  (registers the downloads' callback)

    app.layout = html.Div([
        html.A("Skip to main content", href="#main", className="skip-link"),
        html.Header([
            html.P([html.Span("Harbour", className="brand"),
                    html.Span(" · outcomes of schemes protecting unaccompanied migrant children", className="tagline")],
                   className="site-title"),
            _nav(),
        ], className="site-header"),
        html.Main(dash.page_container, id="main", tabIndex="-1"),
        dcc.Download(id="download-file"),
        html.Footer(html.P(f"Harbour is open source. Figures follow the Harbour outcome measures, version "
                           f"{STANDARD_VERSION}; see the Methodology page."), className="site-footer"),
    ])
    app.index_string = app.index_string.replace("<html>", '<html lang="en-GB">')
    security.protect(app)
    return app


app = create_app()
server = app.server
server.config["DEBUG"] = settings.debug()
