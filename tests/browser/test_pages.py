"""Every page in Chromium: loads, no console error, axe-core finds nothing serious, synthetic label."""

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from .helpers import (
    axe_violations,
    open_filters,
    open_page,
    screenshot,
    severe_console_errors,
    text,
    wait_ready,
    wait_until,
)

PAGES = {
    "overview": "/",
    "retention": "/retention",
    "engagement": "/engagement",
    "before-after": "/before-after",
    "before-after-quarters": "/before-after?grain=quarter",
    "missing": "/missing",
    "value": "/value",
    "data-quality": "/data-quality",
    "methodology": "/methodology",
    "planning": "/planning?plan_per_year=80&plan_gain=12",
    "all-forces": "/?force=ALL",
    "benchmark": "/benchmark?force=MARSHCOTE&peers=ELMSHIRE",
}


@pytest.mark.browser
@pytest.mark.parametrize("name", list(PAGES))
def test_hb001_page_loads_cleanly_and_passes_axe(driver, server, axe_source, name):
    """Each page renders, logs no console error, shows the synthetic notice, and has no serious axe violation."""
    driver.get_log("browser")  # drain
    open_page(driver, server + PAGES[name])
    assert "Synthetic data" in text(driver, "#synthetic-notice")
    assert severe_console_errors(driver) == []
    screenshot(driver, name)
    assert axe_violations(driver, axe_source) == []


@pytest.mark.browser
def test_hb002_unknown_path_shows_the_404_page(driver, server):
    """A path that is no page gets a helpful not-found page."""
    open_page(driver, server + "/no-such-page")
    assert text(driver, "#page-title") == "Page not found"


@pytest.mark.browser
def test_hb003_keyboard_reaches_the_skip_link_first(driver, server):
    """The first Tab lands on 'Skip to main content'."""
    open_page(driver, server + "/")
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert driver.switch_to.active_element.text == "Skip to main content"


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/", "/retention", "/before-after"])
def test_hb004_fits_a_1024_pixel_projector(projector_driver, server, path):
    """At 1024 px wide nothing needs sideways scrolling."""
    driver = projector_driver
    open_page(driver, server + path)
    # Charts resize to the window a moment after they are drawn: allow them that moment.
    script = "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    try:
        WebDriverWait(driver, 10).until(lambda d: d.execute_script(script) <= 0)
    except TimeoutException:
        pass
    wide = driver.execute_script(
        "const w = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > w + 1).slice(0, 5)"
        ".map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
    )
    assert driver.execute_script(script) <= 0, wide


@pytest.mark.browser
def test_hb000_the_axe_harness_can_fail(driver, axe_source):
    """A page with a known serious violation is caught, so a clean result means something."""
    driver.get(
        "data:text/html,<html lang='en'><title>t</title><body><main><button></button>"
        "<img src='x.png'></main></body></html>"
    )
    found = {v["id"] for v in axe_violations(driver, axe_source)}
    assert {"button-name", "image-alt"} <= found


@pytest.mark.browser
def test_hb005_benchmark_page_with_an_imported_peer(driver, server, warehouse_url, axe_source, tmp_path):
    """An imported pack appears on the benchmark page as a marked peer, with its pack's figures."""
    import json

    from click.testing import CliRunner

    from harbour.cli import main

    from ..hubs import peer_warehouse

    pack = tmp_path / "pack.json"
    runner = CliRunner()
    other = peer_warehouse(tmp_path, 98)  # another force's warehouse (this one holds FENWICK's own records)
    assert (
        runner.invoke(
            main,
            ["benchmark", "export", "--force", "N_FENWICK", "--unsigned", "--out", str(pack), "--warehouse", other],
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(main, ["benchmark", "import", str(pack), "--unsigned", "--warehouse", warehouse_url]).exit_code
        == 0
    )
    figures = json.loads(pack.read_text())["summary"]["periods"]["baseline"]["retention"]["28d"]
    open_page(driver, server + "/benchmark?force=ELMSHIRE&peers=MARSHCOTE&bench_period=baseline")
    rows = [
        [c.get_attribute("textContent") for c in tr.find_elements(By.CSS_SELECTOR, "th, td")]
        for tr in driver.find_elements(By.CSS_SELECTOR, "#table-funnel-retention tbody tr")
    ]
    peer = next(r for r in rows if r[0].endswith("(imported, unverified)"))
    assert peer[1:4] == ["imported peer", str(figures["retained"]), str(figures["at_risk"])]
    assert any(r[1] == "selected" for r in rows) and any(r[1] == "peer group" for r in rows)
    assert "imported peer" in text(driver, "#main")
    # The peer-group choices list the imported peer too, ticked and fixed (it is in every peer group).
    box = driver.find_element(By.CSS_SELECTOR, '#bench-peers input[value="N_FENWICK (imported)"]')
    assert box.is_selected() and not box.is_enabled()
    screenshot(driver, "benchmark-with-peer")
    assert axe_violations(driver, axe_source) == []


@pytest.mark.browser
def test_hb006_the_open_filter_bar_passes_axe(driver, server, axe_source):
    """With the filter bar open, every control has a name and nothing is nested wrongly."""
    open_page(driver, server + "/retention")
    open_filters(driver)
    assert axe_violations(driver, axe_source) == []


@pytest.mark.browser
@pytest.mark.parametrize("width", [1024, 1280, 1920])
def test_no_page_scrolls_sideways_and_no_filter_option_is_clipped(server, width):
    """At a projector's 1024 px, a laptop's 1280 and a monitor's 1920: no horizontal scroll on any page, and
    with the filter bar open every option lies inside its group, with no group scrolling its own choices."""
    from .servers import make_driver

    browser = make_driver(width, 1000)
    try:
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
        )
        for path in (
            "/",
            "/retention",
            "/engagement",
            "/before-after",
            "/missing",
            "/value",
            "/benchmark",
            "/methodology",
            "/planning",
            "/data-quality",
        ):
            open_page(browser, server + path)
            wide, inner = browser.execute_script("return [document.scrollingElement.scrollWidth, innerWidth]")
            assert wide <= inner, (path, wide, inner)
        open_page(browser, server + "/retention")
        open_filters(browser)
        problems = browser.execute_script("""
          const out = [];
          document.querySelectorAll('#filter-bar .filter-group').forEach(group => {
            const g = group.getBoundingClientRect();
            group.querySelectorAll('.dash-options-list-option').forEach(option => {
              const r = option.getBoundingClientRect();
              if (r.left < g.left - 1 || r.right > g.right + 1 || r.top < g.top - 1 || r.bottom > g.bottom + 1)
                out.push('outside: ' + option.textContent);
            });
            group.querySelectorAll('*').forEach(e => {
              const style = getComputedStyle(e);
              if (e.scrollHeight > e.clientHeight + 1 && ['auto', 'scroll', 'hidden'].includes(style.overflowY))
                out.push('scrolls: ' + e.className);
            });
          });
          return out;""")
        assert problems == []
        if width == 1280:
            screenshot(browser, "filters-open-1280")
    finally:
        browser.quit()


@pytest.mark.browser
def test_a_long_option_list_can_be_searched(driver, server, axe_source):
    open_page(driver, server + "/retention")
    open_filters(driver)
    search = driver.find_element(By.CSS_SELECTOR, "#filter-bar .choices-search input")
    search.send_keys("eri")
    shown = [
        o.text
        for o in driver.find_elements(By.CSS_SELECTOR, "#filter-nationality .dash-options-list-option")
        if o.is_displayed()
    ]
    # The option chosen now ("All", a radio button: one value or all) always stays in view; the rest match.
    assert shown and all("eri" in s.lower() for s in shown if s != "All") and any("Eritrea (ERI)" in s for s in shown)
    assert axe_violations(driver, axe_source) == []


@pytest.mark.browser
def test_no_page_asks_another_host_for_anything(driver, server):
    """Police networks often block CDNs: every script, style, font and image comes from Harbour itself."""
    for path in ("/", "/retention", "/before-after", "/benchmark", "/methodology", "/retention?present=1&slide=1"):
        open_page(driver, server + path, "#presentation" if "present" in path else "#page-title")
        urls = driver.execute_script(
            "return [location.href, ...performance.getEntriesByType('resource').map(e => e.name)]"
        )
        foreign = [u for u in urls if not u.startswith(server) and not u.startswith(("data:", "blob:"))]
        assert foreign == [], (path, foreign[:5])


@pytest.mark.browser
def test_charts_are_drawn_by_the_small_plotly_bundle_and_the_full_one_is_never_fetched(driver, server):
    """Every chart on every page is drawn (an SVG per graph) by the cartesian bundle in the assets, which
    dcc.Graph loads in place of plotly's 4.8 MB full bundle."""
    for path in ("/", "/retention", "/engagement", "/before-after", "/missing", "/value", "/benchmark"):
        open_page(driver, server + path)
        wait_until(
            driver,
            lambda d: d.execute_script(
                "return document.querySelectorAll('.dash-graph').length > 0 && "
                "[...document.querySelectorAll('.dash-graph')]"
                ".every(g => g.querySelector('.main-svg'))"
            ),
        )
        urls = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert any("/assets/vendor/plotly-cartesian-" in u for u in urls)
        assert not any("package_data/plotly" in u for u in urls), path
        assert driver.execute_script("return window.Plotly.version").split(".")[0] == "4"
    assert severe_console_errors(driver) == []


@pytest.mark.browser
def test_the_navigation_is_one_row_at_1024_and_a_menu_on_a_narrow_screen(server, axe_source):
    """A Bootstrap navbar: every page link in one row at a projector's 1024 px; below 992 px the links fold
    behind a Menu button, which opens them, and moving to a page closes them again."""
    from .servers import make_driver

    for width in (1024, 600):
        browser = make_driver(width, 900)
        try:
            browser.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
            )
            open_page(browser, server + "/")
            links = browser.find_elements(By.CSS_SELECTOR, "#nav-collapse a.nav-link")
            toggle = browser.find_element(By.ID, "nav-toggle")
            from harbour.pages.registry import REPORTS

            assert len(links) == sum(r.nav for r in REPORTS.values())
            if width == 1024:
                assert not toggle.is_displayed()
                assert all(link.is_displayed() for link in links)
                assert len({link.rect["y"] for link in links}) == 1, "the navigation wraps at 1024 px"
                continue
            assert toggle.is_displayed() and toggle.text == "Menu"
            assert not any(link.is_displayed() for link in links)
            toggle.click()
            wait_until(
                browser,
                lambda d, links=links: (
                    all(link.is_displayed() for link in links)
                    and not d.find_elements(By.CSS_SELECTOR, "#nav-collapse.collapsing")
                ),
            )
            assert axe_violations(browser, axe_source) == []
            browser.find_element(By.CSS_SELECTOR, "#nav-collapse a.nav-link[href^='/retention']").click()
            wait_until(browser, lambda d: "/retention" in d.current_url)
            wait_ready(browser)
            wait_until(
                browser,
                lambda d: (
                    not any(
                        link.is_displayed() for link in d.find_elements(By.CSS_SELECTOR, "#nav-collapse a.nav-link")
                    )
                ),
            )
            active = browser.find_elements(By.CSS_SELECTOR, "#nav-collapse a.nav-link.active")
            assert [a.get_attribute("href").split("?")[0].removeprefix(server) for a in active] == ["/retention"]
        finally:
            browser.quit()
