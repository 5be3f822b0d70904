"""Untrusted text is text: a force name planted with Markdown and HTML is shown as the characters sent, in
tables and in chart labels, and no viewer's browser ever fetches the URL it names."""

import csv
import http.server
import threading

import pytest
from click.testing import CliRunner
from selenium.webdriver.common.by import By

from harbour.cli import main

from .helpers import open_page
from .servers import free_port, serving


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - the standard library's name
        _Counter.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """A warehouse whose lead force's name carries a Markdown image and an HTML link to a listening port."""
    port = free_port()
    listener = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Counter)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    name = f"![t](http://127.0.0.1:{port}/p.png) <a href='//127.0.0.1:{port}/l'>x</a>"  # 80 characters at most
    folder = tmp_path_factory.mktemp("planted")
    assert CliRunner().invoke(main, ["demo", "--out", str(folder)]).exit_code == 0
    with (folder / "forces.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[0]["force_name"] = name
    with (folder / "forces.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    url = f"sqlite:///{folder / 'planted.sqlite'}"
    result = CliRunner(env={"HARBOUR_PSEUDONYM_KEY": "k" * 64}).invoke(main, ["load", str(folder), "--warehouse", url])
    assert result.exit_code == 0, result.output
    yield url, name, port, rows[0]["force_code"]
    listener.shutdown()


@pytest.fixture(scope="module")
def planted_server(planted, tmp_path_factory):
    yield from serving(planted[0], tmp_path_factory.mktemp("planted-server"))


@pytest.mark.browser
def test_hb040_a_planted_name_is_text_and_its_url_is_never_fetched(driver, planted, planted_server):
    """The name shows literally on the pages and in chart labels; nothing requests the planted URL."""
    _, name, port, code = planted
    _Counter.hits.clear()
    for path in (f"/?force={code}", f"/benchmark?force={code}", "/data-quality", f"/retention?force={code}"):
        open_page(driver, planted_server + path)
        body = driver.find_element(By.TAG_NAME, "body")
        assert name in body.get_attribute("textContent"), path
        for tag, attribute in (("a", "href"), ("img", "src"), ("image", "href")):
            for element in driver.find_elements(By.TAG_NAME, tag):
                assert str(port) not in (element.get_attribute(attribute) or ""), (path, tag)
    # The baseline's funnel: the pilot demo's pilot rates are all c (version 3), so its pilot funnel draws no point.
    open_page(driver, planted_server + f"/benchmark?force={code}&bench_period=baseline")
    labels = " ".join(t.get_attribute("textContent") for t in driver.find_elements(By.CSS_SELECTOR, ".main-svg text"))
    assert "<a href=" in labels  # the tag is drawn as characters, not made a link
    for element in driver.find_elements(By.CSS_SELECTOR, ".main-svg a"):
        assert str(port) not in (element.get_attribute("href") or "")
    driver.get("about:blank")
    assert _Counter.hits == []
