"""The DfE's published figures on /missing, in Chromium: a bundle whose contacts name a real authority
(la_code) shows that authority's figures beside England's, labelled as the DfE's different measure; the demo,
which names no real authority, shows England's alone and says so; axe finds nothing."""

import pytest
from click.testing import CliRunner
from selenium.webdriver.common.by import By

from harbour.cli import main
from harbour.reference import dfe

from .helpers import axe_violations, open_page, screenshot, text
from .servers import serving

HERTFORDSHIRE = "E10000015"


@pytest.fixture(scope="module")
def real_authority_server(tmp_path_factory):
    """The demo written as SSDA903 returns, with its lead force's fictional authority renamed Hertfordshire's
    real code (in the contacts and the return's folder), loaded through the loader and served."""
    folder = tmp_path_factory.mktemp("bundle") / "bundle"
    assert CliRunner().invoke(main, ["demo", "--placements", "ssda903", "--out", str(folder)]).exit_code == 0
    fictional = sorted(p.name for p in (folder / "ssda903").iterdir())[0]
    contacts = folder / "contacts.csv"
    contacts.write_text(contacts.read_text().replace(fictional, HERTFORDSHIRE))
    (folder / "ssda903" / fictional).rename(folder / "ssda903" / HERTFORDSHIRE)
    url = f"sqlite:///{tmp_path_factory.mktemp('warehouse') / 'w.sqlite'}"
    result = CliRunner().invoke(
        main, ["load", str(folder), "--warehouse", url], env={"HARBOUR_PSEUDONYM_KEY": "k" * 64}
    )
    assert result.exit_code == 0, result.output
    yield from serving(url, tmp_path_factory.mktemp("serve"))


def _dfe(la_code: str, year: int, measure: str) -> str:
    return next(
        r["value"] for r in dfe.shipped() if (r["la_code"], r["year"], r["measure"]) == (la_code, year, measure)
    )


@pytest.mark.browser
def test_hb050_a_force_placing_children_with_a_real_authority_sees_its_dfe_figures(
    driver, real_authority_server, axe_source
):
    open_page(driver, real_authority_server + "/missing?force=ELMSHIRE")
    panel = driver.find_element(By.ID, "chart-dfe")
    assert panel.find_elements(By.CSS_SELECTOR, ".main-svg")
    words = text(driver, "#chart-dfe-summary")
    assert "Hertfordshire" in words and "England" in words
    table = driver.find_element(By.CSS_SELECTOR, "#table-dfe").get_attribute("textContent")
    assert "Hertfordshire" in table and _dfe(HERTFORDSHIRE, 2024, "looked_after") in table
    notes = panel.get_attribute("textContent")
    assert "a different measure from retention above" in notes and "Open Government Licence v3.0" in notes
    screenshot(driver, "missing-dfe-hertfordshire")
    assert axe_violations(driver, axe_source) == []


@pytest.mark.browser
def test_hb051_the_demo_shows_englands_figures_alone_and_says_why(driver, server, axe_source):
    open_page(driver, server + "/missing")
    words = text(driver, "#chart-dfe-summary")
    assert "names no real authorities, so England's series is shown alone" in words
    assert f"England looked after {int(_dfe(dfe.ENGLAND, 2024, 'uasc_looked_after_31_march')):,} unaccompanied" in words
    assert axe_violations(driver, axe_source) == []
