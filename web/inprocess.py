"""Render pages in-process through Dash's own callback endpoint, as the browser asks for them.

Used by the tests (what a page sends, what SQL it runs) and by scripts/benchmark.py (how long).
"""

from __future__ import annotations

import json
import random
import time

from harbour.views.context import forget_contexts
from harbour.warehouse import current
from harbour.warehouse.current import current_facts

ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."
PAGES = ("/", "/retention", "/engagement", "/before-after", "/missing", "/value", "/data-quality")


def router_request(path: str, search: str = "") -> dict:
    return {
        "output": ROUTER_OUTPUT,
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.search"],
        "state": [],
    }


def client(warehouse_url: str):

    current.use(warehouse_url)
    from harbour.app import app  # importing the app makes it: only once the warehouse is chosen

    return app.server.test_client()


def render(test_client, path: str, search: str = "") -> tuple[int, bytes]:
    response = test_client.post(
        "/_dash-update-component", data=json.dumps(router_request(path, search)), content_type="application/json"
    )
    return response.status_code, response.data


def filter_searches(forces: list[str], nationalities: list[str], n: int, seed: int = 7) -> list[str]:
    """A repeatable sequence of filter changes, as a person clicking through the filter bar makes."""
    rng = random.Random(seed)
    choices = [
        lambda: f"force={rng.choice(forces)}",
        lambda: "force=ALL",
        lambda: f"force={rng.choice(forces)}&sex={rng.choice(['M', 'F'])}",
        lambda: f"force={rng.choice(forces)}&age_band={rng.choice(['13-15', '16-17'])}",
        lambda: f"force={rng.choice(forces)}&contact_route=VEHICLE,PORT",
        lambda: f"force=ALL&nationality={rng.choice(nationalities)}",
        lambda: f"force={rng.choice(forces)}&month_from=2018-01&month_to=2019-12",
    ]
    return ["?" + rng.choice(choices)() for _ in range(n)]


def time_pages(warehouse_url: str, repeat: int = 20) -> dict[str, list[float]]:

    test_client = client(warehouse_url)
    facts = current_facts()
    forces = list(facts.forces["force_code"])
    nationalities = sorted(facts.children["nationality"].unique())
    render(test_client, "/")  # warm the facts cache, as a running server has it
    out = {}
    for path in PAGES:
        samples = []
        for search in filter_searches(forces, nationalities, repeat):
            forget_contexts()  # each sample a first look at its view, as after a filter change on this page
            started = time.perf_counter()
            status, _ = render(test_client, path, search)
            samples.append(time.perf_counter() - started)
            assert status == 200, (path, search, status)
        out[path] = samples
    return out
