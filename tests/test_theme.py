"""One theme: the stylesheet, the Plotly template, the images and the slides take the same values, and
every text colour on its background passes WCAG 2.2 AA."""

import re
from pathlib import Path

from harbour.views import theme

ROOT = Path(__file__).resolve().parents[1]
CSS = (ROOT / "assets" / "harbour.css").read_text()


def _root_variables() -> dict[str, str]:
    block = re.search(r":root\s*\{(.*?)\}", CSS, re.S).group(1)
    return {name: value.strip() for name, value in re.findall(r"--([\w-]+):\s*([^;]+);", block)}


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_stylesheet_declares_the_themes_colours_font_and_scale():
    css = _root_variables()
    for name, value in theme.COLOURS.items():
        assert css[name].lower() == value.lower(), name
    assert css["font"].split(",")[0].strip('" ') == theme.FONT_FAMILY == theme.FONT.split(",")[0]
    assert css["base-px"] == f"{theme.TYPE_SCALE['base_px']}px"
    for name in ("h1", "h2", "h3", "small"):
        assert css[name] == f"{theme.TYPE_SCALE[name + '_rem']:g}rem".replace("0.", "."), name
    assert css["gutter"] == f"{theme.SPACING['gutter_rem']:g}rem"
    assert css["card-padding"] == f"{theme.SPACING['card_padding_rem']:g}rem".replace("0.", ".")
    # Bootstrap takes the theme's font, ink and link colour, not its own.
    assert css["bs-body-font-family"] == "var(--font)" and css["bs-link-color"] == "var(--accent)"


def test_the_chart_template_and_the_slides_use_the_theme():
    from pptx.dml.color import RGBColor

    from harbour.render import slides

    layout = theme.layout()
    assert layout["font"]["family"] == theme.FONT and layout["font"]["color"] == theme.COLOURS["ink"]
    assert layout["paper_bgcolor"] == theme.COLOURS["paper"]
    assert slides.FONT_NAME == theme.FONT_FAMILY
    assert slides.INK == RGBColor.from_string(theme.COLOURS["ink"].lstrip("#").upper())
    assert slides.HEADER_FILL == RGBColor.from_string(theme.COLOURS["header"].lstrip("#").upper())
    assert theme.PERIOD_STYLE["pilot"]["color"] == theme.SERIES["vermillion"]


def test_text_colours_pass_wcag_aa_on_their_backgrounds():
    c = theme.COLOURS
    pairs = [
        ("ink", "paper"),
        ("muted", "paper"),
        ("accent", "paper"),
        ("accent-dark", "paper"),
        ("ink", "soft"),
        ("muted", "soft"),
        ("ink", "warn-bg"),
        ("paper", "header"),
        ("paper", "accent-dark"),
        ("alert", "paper"),
    ]
    for fg, bg in pairs:
        assert contrast(c[fg], c[bg]) >= 4.5, (fg, bg, round(contrast(c[fg], c[bg]), 2))
    # Borders and chart lines that carry meaning: 3:1 against the page (WCAG 1.4.11).
    for ui in ("line", "warn-line"):
        assert contrast(c[ui], c["paper"]) >= 3, ui


def test_contrast_is_computed_as_wcag_defines_it():
    # WCAG's own end points, and a published pair: #767676 on white is 4.54:1.
    assert round(contrast("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast("#ffffff", "#ffffff"), 2) == 1.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54


def test_bootstrap_is_served_from_the_apps_own_assets_with_its_licence():
    assets = ROOT / "assets"
    css = sorted(assets.glob("bootstrap-*.min.css"))
    assert len(css) == 1
    version = css[0].name.removeprefix("bootstrap-").removesuffix(".min.css")
    assert f"Bootstrap  v{version}" in css[0].read_text()[:200]
    licence = assets / "licences" / f"bootstrap-{version}-LICENSE.txt"
    assert "MIT License" in licence.read_text() or "Permission is hereby granted" in licence.read_text()
    # Dash serves the assets folder's stylesheets in name order: Bootstrap first, Harbour's theme after it.
    assert css[0].name < "harbour.css"
    assert "sourceMappingURL" not in css[0].read_text()


def test_the_browsers_plotly_is_a_small_bundle_of_the_same_major_version_as_the_servers():
    """Charts load plotly.js's cartesian bundle from the assets (1.5 MB, not the full 4.8 MB): it draws every trace
    type Harbour uses. Its major version must be the one whose figures the plotly package writes."""
    import plotly

    assets = ROOT / "assets"
    bundle = sorted((assets / "vendor").glob("plotly-cartesian-*.min.js"))
    assert len(bundle) == 1
    head = bundle[0].read_text()[:120]
    version = re.search(r"plotly\.js \(cartesian - minified\) v(\d+)\.(\d+)\.(\d+)", head).groups()
    assert bundle[0].name == f"plotly-cartesian-{'.'.join(version)}.min.js"
    full = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text()[:80]
    assert re.search(r"plotly\.js v(\d+)\.", full).group(1) == version[0]
    assert (assets / "licences" / f"plotly.js-{'.'.join(version)}-LICENSE.txt").exists()
    # assets/harbour.js names the same file for dcc.Graph to load.
    assert f"assets/vendor/{bundle[0].name}?m=" in (assets / "harbour.js").read_text()
    # The trace types Harbour's figures use, every one of them in the bundle.
    used = set()
    for module in (*ROOT.glob("views/*.py"), *ROOT.glob("pages/*.py"), *ROOT.glob("render/*.py")):
        used |= set(
            re.findall(r'"type": "(scatter|bar|box|histogram|heatmap|pie|violin|scattergl)"', module.read_text())
        )
    assert used and used <= {"scatter", "bar", "box", "histogram", "heatmap", "pie", "violin"}


def test_a_chart_of_nothing_but_c_is_no_chart():
    """Found: ?sex=F&age_band=16-17 drew empty plots (a -1 to 6 axis) over tables of c."""
    from harbour.views.figures import drawable, grouped_bars, horizon_figure, km_figure, quartile_boxes

    assert not drawable(grouped_bars(["0h to 72h", "after"], {"baseline": ["c", "c"], "pilot": ["c", None]}, "n"))
    assert drawable(grouped_bars(["0h to 72h", "after"], {"baseline": [12, 10], "pilot": ["c", None]}, "n"))
    assert not drawable(
        horizon_figure([{"period": "pilot", "horizon": "28 days", "rate": "c", "ci_low": "c", "ci_high": "c"}])
    )
    assert drawable(
        horizon_figure(
            [{"period": "pilot", "horizon": "28 days", "rate": "c", "ci_low": "c", "ci_high": "c", "band": 0.86}]
        )
    )  # the band is drawn
    assert not drawable(km_figure({"baseline": None, "pilot": None}))
    from harbour.views.figures import lines

    hours = ["1 hour", "2 hours", "4 hours", "6 hours", "12 hours", "24 hours"]
    assert not drawable(lines(hours, {"baseline": [0, "c", "c", 0, "c", "c"], "pilot": [None] * 6}, "%", "h", ""))
    assert drawable(lines(hours, {"baseline": [0, 0, 10, "c", "c", "c"], "pilot": [None] * 6}, "%", "h", ""))
    assert drawable(quartile_boxes([{"period": "pilot", "p10": 1, "q1": 2, "median": 3, "q3": 4, "p90": 5}], "h"))


def test_an_image_footer_never_breaks_a_force_name_or_a_date():
    """Found: the PNG footer wrapped mid-name."""
    from harbour.render.images import _unbroken, _wrap

    scope = (
        "Elmshire Constabulary (fictional): baseline 1 August 2016 to 31 July 2017, pilot 1 August 2017 to 31 July 2018"
    )
    for width in range(20, 90, 7):
        lines = [line.replace("\u00a0", " ") for line in _wrap(_unbroken(scope), width)]
        assert " ".join(lines) == scope
        assert not any(line.endswith(("Elmshire", "August", " 1", " 31")) for line in lines), lines


def test_a_bar_chart_of_mostly_c_is_a_table():
    """Found: /missing's first chart was five c bars of six."""
    from harbour.views.figures import drawable, grouped_bars

    mostly_c = grouped_bars(
        ["0h to 72h", "72h to 28d", "after 28d"], {"baseline": [15, "c", "c"], "pilot": ["c", "c", "c"]}, "n"
    )
    half = grouped_bars(
        ["0h to 72h", "72h to 28d", "after 28d"], {"baseline": [15, 10, "c"], "pilot": [20, "c", "c"]}, "n"
    )
    assert not drawable(mostly_c) and drawable(half)


def test_an_image_has_the_title_it_was_given_and_none_when_given_none():
    """Seen on the rendered deck: every slide's chart carried the word 'None' as its title."""
    from harbour.render.images import presentable
    from harbour.views.figures import horizon_figure

    figure = horizon_figure([{"period": "pilot", "horizon": "28 days", "rate": 0.8, "ci_low": 0.7, "ci_high": 0.9}])
    assert "title" not in presentable(figure, None, False)["layout"] or not presentable(figure, None, False)["layout"][
        "title"
    ].get("text")
    long = "A title long enough to be broken between its words, never cut at the edge of the image it heads, at all"
    text = presentable(figure, long, False)["layout"]["title"]["text"]
    assert text.replace("<br>", " ") == long and "<br>" in text


def test_images_drawn_at_once_by_many_threads_each_get_their_own():
    """Found on a loaded machine: a person's 1920-pixel chart arrived as the 64-pixel image the server's warm-up drew
    at the same moment (Kaleido's one server, and plotly's figure checks, are not safe across threads). Forty
    images of forty widths drawn by eight threads at once: each has its own width."""
    from concurrent.futures import ThreadPoolExecutor

    from harbour.render.images import render

    def width_of(width: int) -> int:
        png = render({"data": [{"type": "bar", "x": [1], "y": [width]}], "layout": {}}, "png", width, 64, 1)
        return int.from_bytes(png[16:20], "big")

    widths = [64 + 8 * i for i in range(40)]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(width_of, widths)) == widths
