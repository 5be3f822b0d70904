"""The attribution page and the precision panel in Chromium: they draw, axe finds nothing, and the figures on
screen are harbour summary's (docs/metrics.md, version 3)."""

import pytest
from selenium.webdriver.common.by import By

from .helpers import axe_violations, open_page, screenshot, severe_console_errors, text, wait_until
from .servers import summary


def _points(value) -> str:
    return f"{value * 100:+.0f}" if value else "0"


@pytest.mark.browser
def test_hb040_attribution_page_draws_its_charts_and_says_what_summary_says(driver, server, axe_source, warehouse_url):
    """/attribution: the quarterly chart, the placebo chart and the precision chart draw; the words give the
    effect, its interval and the placebo p-value exactly as `harbour summary` publishes them."""
    driver.get_log("browser")
    open_page(driver, server + "/attribution?force=ELMSHIRE")
    for panel in ("chart-attribution", "chart-placebo", "chart-precision"):
        wait_until(driver, lambda d, p=panel: d.find_elements(By.CSS_SELECTOR, f"#{p} .main-svg"))
    doc = summary(warehouse_url, "--force", "ELMSHIRE")
    found = doc["attribution"]
    words = text(driver, "#chart-attribution-summary")
    j = found["comparators"]
    assert f"Against {j} forces without a scheme" in words and j >= 15  # the demo's exchange: 1 / (J + 1) <= 1/16
    low, high = found["ci_low"], found["ci_high"]
    if low < 0 < high:  # the words give the interval's ends as a loss and a gain, without signs
        assert f"from a loss of {abs(low) * 100:.0f} to a gain of {high * 100:.0f} points" in words
    larger = round(found["placebo_p"] * (j + 1)) - 1  # from the placebo p: (1 + larger) / (J + 1)
    assert (f"in {larger} of the {j} forces" if larger else f"in none of the {j} forces") in words
    assert "placebo" not in words.lower() and "smallest possible" not in words
    # The technical account is in the notes: the placebo p beside the smallest it could be, the signed estimate.
    notes = text(driver, "#chart-attribution .footnote")
    assert f"p = {found['placebo_p']:.3f}, the smallest possible with {j} comparison forces being " in notes
    assert f"{found['smallest_p']:.3f}" in notes and f"Signed estimate: {_points(found['effect'])} points" in notes
    # Each comparison force is named with where its counts came from.
    sources = text(driver, "#attribution-sources")
    for source in found["comparator_sources"]:
        assert source["name"] in sources
    assert "a signed pack" in sources and "31 July 2018" in sources and "this warehouse" in sources
    for source in found["comparator_sources"]:
        if source["source"] == "pack":
            assert source["signer_fingerprint"][:16] in sources
    precision = doc["precision"]
    shown = text(driver, "#chart-precision-summary")
    assert f"a gain of {precision['detectable_now'] * 100:.0f} points or more" in shown
    assert f"about {precision['per_year']} children at risk a year" in shown
    assert "Synthetic data" in text(driver, "#synthetic-notice")
    assert severe_console_errors(driver) == []
    screenshot(driver, "attribution")
    assert axe_violations(driver, axe_source) == []


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/retention?force=ELMSHIRE", "/value?force=ELMSHIRE"])
def test_hb041_the_precision_panel_draws_on_retention_and_value(driver, server, axe_source, warehouse_url, path):
    """What these numbers can show, on /retention and /value: drawn, its power figures summary's, axe clean."""
    open_page(driver, server + path)
    wait_until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#chart-precision .main-svg"))
    precision = summary(warehouse_url, "--force", "ELMSHIRE")["precision"]
    table = driver.find_element(By.CSS_SELECTOR, "#chart-precision table").get_attribute("textContent")
    for gain in ("0.05", "0.10", "0.15"):
        assert f"{precision['power_now'][gain] * 100:.0f}%" in table
    assert axe_violations(driver, axe_source) == []


@pytest.mark.browser
def test_hb042_a_force_without_a_scheme_is_told_why_there_is_no_attribution(driver, server, warehouse_url):
    open_page(driver, server + "/attribution?force=FENWICK")
    reason = summary(warehouse_url, "--force", "FENWICK")["attribution_reason"]
    assert reason in text(driver, "#attribution-none-summary")


@pytest.mark.browser
def test_hb043_planning_works_out_the_years_from_the_numbers_entered(driver, server, axe_source):
    """/planning: the numbers typed in give the years and chances of docs/metrics.md's power formula, axe clean."""
    from harbour.metrics.precision import plan

    open_page(driver, server + "/planning")
    for field, value in (("per_year", "90"), ("rate", "75"), ("base", "300"), ("gain", "12")):
        box = driver.find_element(By.ID, f"plan-{field}")
        box.clear()
        box.send_keys(value)
    driver.find_element(By.ID, "plan-apply").click()
    wait_until(driver, lambda d: "plan_gain=12" in d.current_url)
    wait_until(driver, lambda d: "12-point gain" in text(d, "#chart-planning-summary"))
    years = plan(90, 0.75, 300, 0.12)["years_needed"]
    assert f"needs about {years:g} year" in text(driver, "#chart-planning-summary")
    assert axe_violations(driver, axe_source) == []
