"""Small helpers for driving pages as a person would."""

from pathlib import Path

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def open_page(driver, url: str, marker: str = "#page-title"):
    driver.get(url)
    wait_ready(driver, marker)


def wait_ready(driver, marker: str = "#page-title", seconds: float = 60):
    WebDriverWait(driver, seconds).until(EC.presence_of_element_located((By.CSS_SELECTOR, marker)))
    # Dash marks the page busy while callbacks run; wait until it is idle.
    WebDriverWait(driver, seconds).until(
        lambda d: d.execute_script("return document.querySelectorAll('[data-dash-is-loading=\"true\"]').length") == 0
    )


def wait_until(driver, condition, seconds: float = 20):
    """Wait for a condition, riding out Dash re-rendering the element being read."""
    return WebDriverWait(
        driver, seconds, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)
    ).until(condition)


def open_filters(driver):
    """Open the filter bar (a Bootstrap accordion) as a person would, by its heading button, and wait
    until its controls are in view and its opening animation has finished."""
    button = driver.find_element(By.CSS_SELECTOR, "#filter-bar .accordion-button")
    if button.get_attribute("aria-expanded") != "true":
        button.click()
    wait_until(
        driver,
        lambda d: (
            d.find_element(By.ID, "filter-apply").is_displayed()
            and d.execute_script("return document.querySelectorAll('#filter-bar .collapsing').length") == 0
        ),
    )


def text(driver, css: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, css).text.strip()


def severe_console_errors(driver) -> list[str]:
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE" and "favicon" not in entry["message"]
    ]


def axe_violations(driver, axe_source: str, impacts=("minor", "moderate", "serious", "critical")) -> list[dict]:
    """Every violation axe-core finds, at any impact: the pages pass all of them, not only the serious ones."""
    driver.execute_script(axe_source)
    violations = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', "
        "'best-practice']}})"
        ".then(r => done(r.violations)).catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: "
        "[]}]));"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n.get("target") for n in v.get("nodes", [])][:5],
        }
        for v in violations
        if v["impact"] in impacts
    ]


def screenshot(driver, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    height = driver.execute_script("return Math.max(document.body.scrollHeight, 800)")
    width = driver.get_window_size()["width"]
    driver.set_window_size(width, min(height + 100, 6000))
    path = SHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(width, 1800)
    return path
