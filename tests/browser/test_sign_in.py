"""Sign-in in Chromium against a real OpenID Connect provider (oidc-provider-mock on a loopback port):
a viewer, an analyst and an admin each see exactly what their role allows."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from .helpers import axe_violations, open_page, wait_ready
from .servers import serving, sign_in


@pytest.fixture(scope="module")
def signed_server(provider, warehouse_url, tmp_path_factory, monkeypatch_module):
    for key, value in {
        "HARBOUR_OIDC_ISSUER": provider,
        "HARBOUR_OIDC_CLIENT_ID": "harbour",
        "HARBOUR_OIDC_CLIENT_SECRET": "not-a-secret-here",
        "HARBOUR_SECRET_KEY": "k" * 40,
    }.items():
        monkeypatch_module.setenv(key, value)
    yield from serving(warehouse_url, tmp_path_factory.mktemp("signed"))


def body_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


@pytest.mark.browser
def test_hb050_each_role_sees_exactly_what_it_may(signed_server, axe_source):
    """Viewer: publication pages only. Analyst: the exact-figures switch and its marking. Admin: the access log."""
    viewer = sign_in(signed_server, "viewer")
    try:
        assert "Signed in as viewer@force.example (viewer)" in body_text(viewer)
        assert "Show exact figures" not in body_text(viewer)
        open_page(viewer, signed_server + "/?audience=internal")  # forged: the analyst's switch
        assert "Exact figures are for analysts" in body_text(viewer) and "OFFICIAL-SENSITIVE:" not in body_text(viewer)
        open_page(viewer, signed_server + "/access-log")
        assert "This page is for the admin role" in body_text(viewer)
        assert axe_violations(viewer, axe_source) == []
    finally:
        viewer.quit()
    analyst = sign_in(signed_server, "analyst")
    try:
        analyst.find_element(By.ID, "audience-switch").click()
        WebDriverWait(analyst, 20).until(lambda d: "audience=internal" in d.current_url)
        wait_ready(analyst, "#marking-notice")
        assert analyst.find_element(By.ID, "marking-notice").text.startswith("OFFICIAL-SENSITIVE")
        open_page(analyst, signed_server + "/access-log")
        assert "This page is for the admin role" in body_text(analyst)
    finally:
        analyst.quit()
    admin = sign_in(signed_server, "admin")
    try:
        open_page(admin, signed_server + "/access-log", "#table-access-log")
        log = admin.find_element(By.ID, "table-access-log").text
        assert "viewer@force.example" in log and "analyst@force.example" in log and "audience=internal" in log
        assert axe_violations(admin, axe_source) == []
    finally:
        admin.quit()
