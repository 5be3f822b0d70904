"""Download controls and presentation mode, clicked in Chromium as a person would."""

import io
import time
import zipfile
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from .helpers import axe_violations, open_page, screenshot, severe_console_errors, text, wait_until


def _arrived(folder: Path, suffix: str, seconds: float = 60) -> Path:
    """The downloaded file once Chromium has finished with it. Chromium makes an empty file of the final name
    before it writes the data to a .crdownload beside it and renames that over it, so a file of the name alone is
    not arrival (CI once read the empty placeholder): wait until no .crdownload is left and the size holds."""
    deadline = time.time() + seconds
    last = None
    while time.time() < deadline:
        pending = list(folder.glob("*.crdownload"))
        done = [p for p in folder.glob(f"*{suffix}") if not p.name.endswith(".crdownload")]
        if done and not pending:
            size = done[0].stat().st_size
            if size > 0 and size == last:
                return done[0]
            last = size
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} file arrived in {folder}: {[p.name for p in folder.iterdir()]}")


@pytest.fixture
def download_dir(driver, tmp_path):
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    return tmp_path


@pytest.mark.browser
@pytest.mark.parametrize("fmt", ["png", "svg", "csv", "xlsx", "ods", "csvw"])
def test_hb020_each_chart_and_table_download_arrives(driver, server, download_dir, fmt):
    """Clicking a panel's download control delivers that file, of that format, labelled synthetic."""
    open_page(driver, server + "/retention")
    button = driver.find_element(By.CSS_SELECTOR, f'#chart-km .downloads button[id*=\'"format":"{fmt}"\']')
    button.click()
    ending = "-csvw.zip" if fmt == "csvw" else f".{fmt}"
    path = _arrived(download_dir, ending)
    assert path.name == f"harbour-retention-elmshire-chart-km{ending}"
    data = path.read_bytes()
    if fmt == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(data[16:20], "big") >= 1920
    elif fmt == "svg":
        assert b"<svg" in data[:200] and b"Synthetic demonstration data" in data
    elif fmt == "csv":
        first = data.decode("utf-8-sig").splitlines()[0]
        assert first.startswith(
            "Harbour: Retention in safe accommodation: Still in safe accommodation"
        )  # by week, perturbed
        assert b"SYNTHETIC DEMONSTRATION DATA" in data
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(data)).active
        assert ws["A1"].value.startswith("Harbour: Retention")
    elif fmt == "csvw":  # the CSV and its CSV-on-the-Web metadata, named for the table
        assert sorted(zipfile.ZipFile(io.BytesIO(data)).namelist()) == [
            "harbour-retention-elmshire-chart-km.csv",
            "harbour-retention-elmshire-chart-km.csv-metadata.json",
        ]
    else:
        assert zipfile.ZipFile(io.BytesIO(data)).read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    assert severe_console_errors(driver) == []


@pytest.mark.browser
def test_the_same_download_clicked_twice_arrives_twice(driver, server, download_dir):
    """Reported: a second click on one download button delivered nothing. Not reproduced here (Chromium 156, Dash
    4.4: the renderer hands dcc.Download a new object each time, and it saves each one); the report most likely saw
    the second file replace the first of the same name. Kept as a guard: each click delivers its file."""
    # Each download saved under its own name (a GUID), so that the second cannot replace the first.
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allowAndName", "downloadPath": str(download_dir)}
    )
    open_page(driver, server + "/retention")
    button = driver.find_element(By.CSS_SELECTOR, '#chart-km .downloads button[id*=\'"format":"csv"\']')

    def saved(count):
        deadline = time.time() + 60
        while time.time() < deadline:
            done = [p for p in download_dir.iterdir() if not p.name.endswith(".crdownload") and p.stat().st_size]
            if len(done) >= count:
                return done
            time.sleep(0.2)
        return [p for p in download_dir.iterdir()]

    button.click()
    assert len(saved(1)) == 1
    time.sleep(1.5)  # the first file saved and forgotten
    button.click()
    done = saved(2)
    assert len(done) == 2 and all(b"SYNTHETIC DEMONSTRATION DATA" in p.read_bytes() for p in done), done
    assert severe_console_errors(driver) == []


@pytest.mark.browser
def test_hb021_download_slides_delivers_the_page_deck(driver, server, download_dir):
    """'Download slides' returns a deck of this page for the filters in the URL."""
    open_page(driver, server + "/missing?force=MARSHCOTE")
    driver.find_element(By.ID, "download-slides").click()
    path = _arrived(download_dir, ".pptx", seconds=90)
    from pptx import Presentation

    deck = Presentation(path)
    texts = [" ".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in deck.slides]
    # Title, key findings (the charts' findings), the page's two charts, the DfE's official context, method; a chart
    # shown as its table may take more than one slide ("continued, 2 of 2").
    firsts = [t for t in texts if "(continued, " not in t]
    assert len(firsts) == 6 and "Marshcote" in texts[0] and "Synthetic" in texts[0]
    assert texts[1].startswith("Key findings")
    assert any("Department for Education" in t for t in texts)
    assert texts[-1].startswith("Method and caveats")


@pytest.mark.browser
def test_hb022_presentation_mode_shows_one_chart_at_a_time(driver, server, axe_source):
    """?present=1 hides the controls, enlarges the type, and steps through the charts."""
    open_page(driver, server + "/")
    present = driver.find_element(By.ID, "present-link")
    present.click()
    wait_until(driver, lambda d: "present=1" in d.current_url)
    open_page(driver, server + "/retention?present=1&slide=1", "#presentation")
    assert driver.find_elements(By.ID, "filter-bar") == []
    assert not driver.find_element(By.CSS_SELECTOR, ".site-header").is_displayed()
    first = text(driver, "#page-title")
    assert first.startswith("28-day retention")  # with its verdict: rose, fell, or no clear change
    assert "1 of 3" in text(driver, ".present-count")  # its two charts and what these numbers can show
    size = driver.execute_script("return parseFloat(getComputedStyle(document.querySelector('#page-title')).fontSize)")
    assert size >= 40
    screenshot(driver, "present-retention")
    assert axe_violations(driver, axe_source) == []
    driver.find_element(By.ID, "present-next").click()
    wait_until(driver, lambda d: "slide=2" in d.current_url)
    wait_until(driver, lambda d: d.find_element(By.ID, "page-title").text != first)
    assert "2 of 3" in text(driver, ".present-count")
    driver.find_element(By.ID, "present-leave").click()
    wait_until(driver, lambda d: "present" not in d.current_url)


@pytest.mark.browser
@pytest.mark.parametrize("width,height", [(1280, 720), (1366, 768), (1920, 1080)])
def test_presentation_mode_fits_the_screen_and_follows_a_clicker(server, width, height):
    """Title, chart, source and controls all on screen with no scrolling; Right/Page Down, Left, Escape."""
    from selenium.webdriver.common.keys import Keys

    from .servers import make_driver

    browser = make_driver(width, height)
    try:
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        for path in ("/retention?present=1&slide=1", "/before-after?present=1&slide=2", "/missing?present=1&slide=1"):
            open_page(browser, server + path, "#presentation")
            time.sleep(0.3)  # the chart takes its size from what the page leaves it
            scroll, inner = browser.execute_script("return [document.scrollingElement.scrollHeight, innerHeight]")
            assert scroll <= inner, (path, scroll, inner)
            for element in ("#page-title", "#present-graph", "#present-leave", ".present-count"):
                top, bottom = browser.execute_script(
                    f"const r = document.querySelector('{element}').getBoundingClientRect(); return [r.top, r.bottom]"
                )
                assert 0 <= top and bottom <= inner, (path, element, top, bottom, inner)
            graph = browser.execute_script(
                "return document.querySelector('#present-graph').getBoundingClientRect().height"
            )
            assert graph >= 0.4 * inner  # the chart has most of the screen
        # The overview opens on its four headline cards (the talk's first slide), all on the screen; then its chart.
        open_page(browser, server + "/?present=1&slide=1", "#presentation")
        time.sleep(0.3)
        scroll, inner = browser.execute_script("return [document.scrollingElement.scrollHeight, innerHeight]")
        assert scroll <= inner, ("/ cards", scroll, inner)
        for card in ("#kpi-retention", "#kpi-engagement", "#kpi-children", "#kpi-missing", "#present-leave"):
            top, bottom = browser.execute_script(
                f"const r = document.querySelector('{card}').getBoundingClientRect(); return [r.top, r.bottom]"
            )
            assert 0 <= top and bottom <= inner, (card, top, bottom, inner)
        open_page(browser, server + "/?present=1&slide=2", "#present-graph")
        screenshot(browser, f"present-{width}x{height}")
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        open_page(browser, server + "/retention?present=1&slide=1", "#presentation")
        first = text(browser, "#page-title")
        browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
        wait_until(browser, lambda d: "slide=2" in d.current_url)
        wait_until(browser, lambda d: d.find_element(By.ID, "page-title").text != first)
        browser.find_element(By.TAG_NAME, "body").send_keys(Keys.PAGE_UP)
        wait_until(browser, lambda d: "slide=1" in d.current_url)
        browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
        wait_until(browser, lambda d: "present" not in d.current_url)
        wait_until(browser, lambda d: d.find_elements(By.ID, "filter-bar") != [])
    finally:
        browser.quit()


@pytest.mark.browser
def test_every_text_of_an_exported_svg_lies_inside_its_canvas(driver, warehouse_url):
    """Title, axes, legend and footer of every chart, as an image file and at a slide's size, inside the canvas."""
    import base64

    from harbour.render import images
    from harbour.warehouse import current
    from harbour.web.build import build_uncached

    current.use(warehouse_url)
    f = current.current_facts()
    checked = 0
    for path, query in (
        ("/retention", {}),
        ("/before-after", {"grain": "month"}),
        ("/engagement", {}),
        ("/missing", {}),
        ("/", {"force": "ALL"}),
    ):
        view = build_uncached(path, query, f)
        for panel in (p for p in view.panels if p.figure is not None):
            from harbour.render.slides import CHART_FONT, CHART_PX

            for width, height, title, marking, size in (
                (1280, 720, panel.title, "OFFICIAL-SENSITIVE: exact figures, not for publication", 20),
                (*CHART_PX, None, None, CHART_FONT),
            ):  # an image file, and a slide's chart as slides draw it
                figure = images.presentable(
                    panel.figure, title, True, source=view.scope, marking=marking, font_size=size
                )
                svg = images.render(figure, "svg", width=width, height=height)
                driver.get("data:image/svg+xml;base64," + base64.b64encode(svg).decode())
                outside = driver.execute_script(
                    "const svg = document.documentElement; const c = svg.getBoundingClientRect();"
                    "return [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => {"
                    "  const r = t.getBoundingClientRect();"  # after every transform, rotation included
                    "  return [t.textContent.slice(0, 40), r.left - c.left, r.top - c.top, r.right - c.left,"
                    "          r.bottom - c.top, c.width, c.height]; })"
                    ".filter(([, x0, y0, x1, y1, w, h]) => x0 < -1 || y0 < -1 || x1 > w + 1 || y1 > h + 1);"
                )
                assert outside == [], (path, panel.panel_id, width, height, outside[:3])
                checked += 1
    assert checked >= 8
