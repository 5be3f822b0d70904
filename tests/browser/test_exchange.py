"""The exchange in Chromium: two Harbours that published to and pulled from a real hub (gunicorn, on SQLite and on
PostgreSQL) each show the other on /benchmark as a verified peer, with where its pack came from; the hub's
operator's pages pass axe at three widths, and behind sign-in only the admin role sees them."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from harbour.hub.app import grouped

from ..hubs import publish, pull, serving_hub, trust
from .helpers import axe_violations, open_page, screenshot, text
from .servers import make_driver, serving, sign_in

NAMES = {"ELMSHIRE": "Elmshire Constabulary (fictional)", "WESTMERE": "Westmere Police (fictional)"}


def _exchanged(ex) -> None:
    for code in ("ELMSHIRE", "WESTMERE"):
        assert publish(ex, code).exit_code == 0
    for who, peer in (("ELMSHIRE", "WESTMERE"), ("WESTMERE", "ELMSHIRE")):
        assert trust(ex, who, peer).exit_code == 0
        assert "1 imported" in pull(ex, who).output


@pytest.mark.browser
@pytest.mark.slow
def test_each_harbour_shows_the_other_as_a_verified_peer_on_benchmark(
    exchange,
    driver,  # noqa: F811
    axe_source,
    tmp_path,
):
    ex = exchange
    _exchanged(ex)
    for who, peer in (("ELMSHIRE", "WESTMERE"), ("WESTMERE", "ELMSHIRE")):
        folder = tmp_path / who
        folder.mkdir()
        for base in serving(ex[who], folder):
            open_page(driver, base + f"/benchmark?force={who}")
            rows = [
                [c.get_attribute("textContent") for c in tr.find_elements(By.CSS_SELECTOR, "th, td")]
                for tr in driver.find_elements(By.CSS_SELECTOR, "#table-funnel-retention tbody tr")
            ]
            (row,) = [r for r in rows if r[0].startswith(NAMES[peer])]
            # Verified: '(imported)', not '(imported, unverified)'; its figures are the pack's.
            assert row[0] == f"{NAMES[peer]} (imported)" and row[1] == "imported peer"
            page = text(driver, "#main")
            assert (
                f"{NAMES[peer]}'s pack (signature verified, extract July 2018) came from the hub at {ex['base']}, "
                "last pulled " in page
            )
            assert axe_violations(driver, axe_source) == []
            if who == "ELMSHIRE":
                screenshot(driver, f"benchmark-peer-from-hub-{exchange_kind(ex)}")


def exchange_kind(ex) -> str:
    return "postgresql" if ex["hub_db"].startswith("postgresql") else "sqlite"


@pytest.mark.browser
def test_the_hubs_operator_pages_pass_axe_at_three_widths_and_show_no_token(exchange, axe_source):  # noqa: F811
    ex = exchange
    _exchanged(ex)
    for width in (1024, 1280, 1920):
        browser = make_driver(width, 1200)
        try:
            for path, marker in (("/", "Participating forces"), ("/tokens", "Tokens"), ("/audit", "Audit log")):
                open_page(browser, ex["base"] + path)
                wait = text(browser, "#main")
                assert marker in wait
                for token in ex["tokens"].values():
                    assert token not in browser.page_source
                assert axe_violations(browser, axe_source) == [], (width, path)
                assert browser.execute_script("return document.documentElement.scrollWidth") <= width, (width, path)
                if exchange_kind(ex) == "sqlite":
                    screenshot(browser, f"hub{path.replace('/', '-').rstrip('-') or '-forces'}-{width}")
            open_page(browser, ex["base"] + "/")
            page = text(browser, "#main")
            for code in ("ELMSHIRE", "WESTMERE"):
                assert grouped(ex["keys"][code]["fingerprint"]) in page and code in page
        finally:
            browser.quit()


@pytest.mark.browser
def test_behind_sign_in_only_the_admin_sees_the_hubs_pages(provider, harbours, tmp_path, axe_source):  # noqa: F811
    import os

    from ..hubs import enrol

    hub_db = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    enrol(hub_db, "ELMSHIRE", harbours["keys"]["ELMSHIRE"]["public"])
    env = {
        "HARBOUR_OIDC_ISSUER": provider,
        "HARBOUR_OIDC_CLIENT_ID": "harbour",
        "HARBOUR_OIDC_CLIENT_SECRET": "not-a-secret-here",
        "HARBOUR_SECRET_KEY": "k" * 40,
    }
    assert not set(env) & set(os.environ)
    with serving_hub(hub_db, tmp_path / "hub.log", **env) as base:
        viewer = sign_in(base, "viewer")
        try:
            for path in ("/", "/tokens", "/audit"):
                open_page(viewer, base + path)
                assert text(viewer, "#page-title") == "Not available"
                assert harbours["keys"]["ELMSHIRE"]["fingerprint"][:8] not in viewer.page_source
            assert axe_violations(viewer, axe_source) == []
        finally:
            viewer.quit()
        admin = sign_in(base, "admin")
        try:
            open_page(admin, base + "/")
            assert grouped(harbours["keys"]["ELMSHIRE"]["fingerprint"]) in text(admin, "#main")
        finally:
            admin.quit()
