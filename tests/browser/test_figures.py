"""The figures a person reads on the pages equal `harbour summary`'s, for the default view and
after changing each filter in the filter bar."""

import pytest
from selenium.webdriver.common.by import By

from .helpers import open_filters, open_page, text, wait_ready, wait_until
from .servers import summary


def pct(value) -> str:
    if value is None:
        return "–"
    return "c" if value == "c" else f"{value * 100:.0f}%"


def rate(h: dict) -> str:
    """A retention rate as a page shows it: its band where the summary's rate is c for 1 to 7 who went missing."""
    return f"at least {h['_band']}%" if "_band" in h else pct(h["rate"])


def count(value) -> str:
    if value is None:
        return "–"
    return "c" if value == "c" else f"{value:,}"


def hours(value) -> str:
    if value is None:
        return "–"
    return "c" if value == "c" else f"{value:,.1f} h"


def assert_overview_matches(driver, doc):
    base, pilot = doc["periods"]["baseline"], doc["periods"]["pilot"]
    assert text(driver, "#kpi-retention-pilot") == rate(pilot["retention"]["28d"])
    assert text(driver, "#kpi-retention-baseline") == rate(base["retention"]["28d"])
    assert text(driver, "#kpi-engagement-pilot") == hours(pilot["engagement"]["median_hours"])
    assert text(driver, "#kpi-engagement-baseline") == hours(base["engagement"]["median_hours"])
    assert text(driver, "#kpi-children-pilot") == count(pilot["children"])
    assert text(driver, "#kpi-children-baseline") == count(base["children"])
    assert text(driver, "#kpi-missing-pilot") == count(pilot["missing"]["episodes"])
    assert text(driver, "#kpi-missing-baseline") == count(base["missing"]["episodes"])
    diff = (doc["comparison"] or {}).get("retention", {}).get("28d")
    if diff and diff["difference"] not in (None, "c"):
        assert f"{round(diff['difference'] * 100):+d}" in text(driver, "#kpi-retention-change")


@pytest.mark.browser
@pytest.mark.parametrize(
    "query, args",
    [("", ["--force", "ELMSHIRE"]), ("?force=FENWICK", ["--force", "FENWICK"]), ("?force=ALL", ["--force", "ALL"])],
)
def test_hb010_overview_figures_equal_the_summary_export(driver, server, warehouse_url, query, args):
    """Every headline figure on the overview is the summary export's, for one force and for all."""
    open_page(driver, server + "/" + query)
    assert_overview_matches(driver, summary(warehouse_url, *args))


def table_rows(driver, table_id):
    rows = []
    for tr in driver.find_elements(By.CSS_SELECTOR, f"#{table_id} tbody tr"):
        rows.append([cell.get_attribute("textContent").strip() for cell in tr.find_elements(By.CSS_SELECTOR, "th, td")])
    return rows


@pytest.mark.browser
def test_hb011_retention_table_equals_the_summary_export(driver, server, warehouse_url):
    """At risk, rate, interval and the difference at every horizon, both periods, as the export has them."""
    open_page(driver, server + "/retention")
    doc = summary(warehouse_url, "--force", "ELMSHIRE")
    rows = table_rows(driver, "table-horizons")
    labels = ["24 hours", "72 hours", "7 days", "28 days", "90 days"]
    assert [r[0] for r in rows] == [h for h in labels for _ in range(3)]
    assert [r[1] for r in rows[:3]] == ["Baseline", "Pilot", "Difference (points)"]
    for i, label in enumerate(("24h", "72h", "7d", "28d", "90d")):
        for row, period in zip(rows[3 * i : 3 * i + 2], ("baseline", "pilot")):
            h = doc["periods"][period]["retention"][label]
            assert row[2:6] == [count(h["at_risk"]), rate(h), pct(h["ci_low"]), pct(h["ci_high"])]
        diff, shown = doc["comparison"]["retention"][label], rows[3 * i + 2]
        if diff["difference"] not in (None, "c"):
            points = round(diff["difference"] * 100)
            assert shown[3] == (f"{points:+d}" if points else "0")
        if diff["p_value"] not in (None, "c"):
            assert shown[6] == ("< 0.001" if diff["p_value"] < 0.001 else f"{diff['p_value']:.3f}")


@pytest.mark.browser
def test_hb012_engagement_and_missing_tables_equal_the_summary_export(driver, server, warehouse_url):
    """The within-24-hours table and the missing-episodes table, against the export."""
    doc = summary(warehouse_url, "--force", "ELMSHIRE")
    open_page(driver, server + "/engagement")
    rows = table_rows(driver, "table-engagement-within24")
    for row, period in zip(rows, ("baseline", "pilot")):
        w = doc["periods"][period]["engagement"]["within_24h"]
        assert row[1:4] == [count(w["n"]), count(w["count"]), pct(w["rate"])]
    quartiles = table_rows(driver, "table-engagement-quartiles")
    for row, period in zip(quartiles, ("baseline", "pilot")):
        e = doc["periods"][period]["engagement"]
        assert [row[3], row[4], row[5], row[7]] == [
            hours(e["q1_hours"]),
            hours(e["median_hours"]),
            hours(e["q3_hours"]),
            hours(e["mean_hours"]),
        ]
    open_page(driver, server + "/missing")
    rows = {r[0]: r[1:] for r in table_rows(driver, "table-missing-summary")}
    mb, mp = doc["periods"]["baseline"]["missing"], doc["periods"]["pilot"]["missing"]
    assert rows["Children with a missing episode"] == [count(mb["children"]), count(mp["children"])]
    assert rows["Missing episodes"] == [count(mb["episodes"]), count(mp["episodes"])]
    assert rows["Still missing at the extract date"] == [count(mb["open"]), count(mp["open"])]
    assert rows["Came to harm"] == [count(mb["harmed"]), count(mp["harmed"])]
    assert rows["Median duration of ended episodes"] == [
        hours(mb["median_duration_hours"]),
        hours(mp["median_duration_hours"]),
    ]


def apply_and_wait(driver, expected_in_url: str):
    driver.find_element(By.ID, "filter-apply").click()
    wait_until(driver, lambda d: expected_in_url in d.current_url)
    wait_ready(driver)


FILTER_CASES = [
    ("force", "#filter-force input[value='MARSHCOTE']", "force=MARSHCOTE", ["--force", "MARSHCOTE"]),
    (
        "age band",
        "#filter-age-band input[value='16-17']",
        "age_band=16-17",
        ["--force", "ELMSHIRE", "--age-band", "16-17"],
    ),
    ("sex", "#filter-sex input[value='M']", "sex=M", ["--force", "ELMSHIRE", "--sex", "M"]),
    (
        "contact route",
        "#filter-contact-route input[value='VEHICLE']",
        "contact_route=VEHICLE",
        ["--force", "ELMSHIRE", "--contact-route", "VEHICLE"],
    ),
    (
        "nationality",
        "#filter-nationality input[value='ERI']",
        "nationality=ERI",
        ["--force", "ELMSHIRE", "--nationality", "ERI"],
    ),
]


@pytest.mark.browser
@pytest.mark.parametrize("name, control, in_url, args", FILTER_CASES, ids=[c[0] for c in FILTER_CASES])
def test_hb013_each_filter_changes_the_url_and_the_figures_follow(
    driver, server, warehouse_url, name, control, in_url, args
):
    """Ticking a filter and applying it puts it in the URL, and the figures equal the filtered export."""
    open_page(driver, server + "/")
    open_filters(driver)
    driver.find_element(By.CSS_SELECTOR, control).click()
    apply_and_wait(driver, in_url)
    assert_overview_matches(driver, summary(warehouse_url, *args))
    # The view is bookmarkable: opening the URL afresh shows the same figures.
    open_page(driver, driver.current_url)
    assert_overview_matches(driver, summary(warehouse_url, *args))


@pytest.mark.browser
def test_hb014_a_whole_period_and_clear(driver, server, warehouse_url):
    """Choosing a whole period (a financial year) filters by month of first contact; the range of quarters is not
    offered to the publication audience (docs/metrics.md version 4); Clear returns to the default view."""
    open_page(driver, server + "/")
    open_filters(driver)
    assert not driver.find_element(By.ID, "filter-month-from").is_displayed()
    driver.find_element(By.CSS_SELECTOR, "#filter-period input[value='2017-18']").click()
    apply_and_wait(driver, "period=2017-18")
    assert_overview_matches(driver, summary(warehouse_url, "--force", "ELMSHIRE", "--period", "2017-18"))
    open_filters(driver)
    driver.find_element(By.ID, "filter-clear").click()
    wait_until(driver, lambda d: "period" not in d.current_url)
    wait_ready(driver)
    assert_overview_matches(driver, summary(warehouse_url, "--force", "ELMSHIRE"))


@pytest.mark.browser
def test_hb015_filters_carry_across_pages_through_the_url(driver, server, warehouse_url):
    """A filtered retention view opened by URL shows the filtered figures."""
    open_page(driver, server + "/retention?force=MARSHCOTE&sex=M")
    doc = summary(warehouse_url, "--force", "MARSHCOTE", "--sex", "M")
    row = table_rows(driver, "table-horizons")[10]  # 28 days, pilot
    assert row[1:4] == [
        "Pilot",
        count(doc["periods"]["pilot"]["retention"]["28d"]["at_risk"]),
        rate(doc["periods"]["pilot"]["retention"]["28d"]),
    ]


@pytest.mark.browser
def test_hb016_the_navigation_keeps_the_filters(driver, server, warehouse_url):
    """Following a nav link from a filtered view keeps the filters (and drops page-only settings)."""
    open_page(driver, server + "/?force=MARSHCOTE&sex=M")
    nav = "a.nav-link[href^='/retention']"
    wait_until(driver, lambda d: "force=MARSHCOTE" in d.find_element(By.CSS_SELECTOR, nav).get_attribute("href"))
    driver.find_element(By.CSS_SELECTOR, nav).click()
    wait_until(driver, lambda d: "/retention" in d.current_url)
    wait_ready(driver, "#table-horizons")
    assert "sex=M" in driver.current_url
    doc = summary(warehouse_url, "--force", "MARSHCOTE", "--sex", "M")
    row = table_rows(driver, "table-horizons")[10]  # 28 days, pilot
    assert row[1:4] == [
        "Pilot",
        count(doc["periods"]["pilot"]["retention"]["28d"]["at_risk"]),
        rate(doc["periods"]["pilot"]["retention"]["28d"]),
    ]


@pytest.mark.browser
def test_hb017_applying_a_filter_keeps_the_page_settings(driver, server):
    """A filter applied on the benchmarking page keeps its peer group and period in the URL."""
    open_page(driver, server + "/benchmark?peers=FENWICK&bench_period=baseline")
    open_filters(driver)
    driver.find_element(By.CSS_SELECTOR, "#filter-sex input[value='F']").click()
    apply_and_wait(driver, "sex=F")
    assert "peers=FENWICK" in driver.current_url and "bench_period=baseline" in driver.current_url
