"""Filters that cannot be subtracted, beyond the summary (docs/metrics.md version 3): a publication view whose
one filter's step is 1 to 7 children is c throughout. The summary was shielded, but the figures a page computes
beside it (the missing timings, the engagement shares by hour, the quarterly series, the curves) were not: the
view without its filter, less the view, gave the small group's missing episodes away. The steps are counted here
by hand from the children's facts, and every page of every such view is read cell by cell."""

from __future__ import annotations

import pytest

from harbour.metrics.disclosure import INTERNAL, PUBLICATION
from harbour.web.build import build_uncached

from .support import built_demo

PAGES = ("/", "/retention", "/engagement", "/before-after", "/missing", "/value", "/attribution")
NOT_A_FIGURE = {"c", "–", ""}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return built_demo(tmp_path_factory.mktemp("withheld"))[1]


def _steps(f, force: str, nationality: str) -> list[int]:
    """By hand: how many more children each period has without each of the view's two filters."""
    kids = f.children
    mine = kids[(kids["force_code"] == force) & (kids["nationality"] == nationality)]
    out = []
    for wider in (kids[kids["nationality"] == nationality], kids[kids["force_code"] == force]):
        for period in ("baseline", "pilot"):
            out.append(int((wider["period"] == period).sum() - (mine["period"] == period).sum()))
    return out


def _figures(view) -> list[tuple[str, str]]:
    cells = []
    for panel in view.panels:
        if panel.source:  # another body's published figures (the DfE's), not this group's
            continue
        for row in panel.table.display_rows():
            if any(word in str(row[0]).lower() for word in ("cost", "price")):
                continue  # the value model's inputs (costs, the price uplift): the user's, not the group's
            cells += [(panel.panel_id, str(v)) for v in row[1:]]  # the first column names the row
    return cells


def test_a_view_one_small_step_from_a_wider_one_is_c_on_every_page(demo):
    force = "ELMSHIRE"
    nationalities = sorted(demo.children[demo.children["force_code"] == force]["nationality"].unique())
    small = [n for n in nationalities if any(1 <= s <= 7 for s in _steps(demo, force, n))]
    wide = [n for n in nationalities if not any(1 <= s <= 7 for s in _steps(demo, force, n))]
    assert small and wide, "the demo should hold both kinds of view"
    for nationality in small[:3]:
        query = {"force": force, "nationality": nationality}
        for page in PAGES:
            view = build_uncached(page, query, demo, PUBLICATION)
            shown = [(p, v) for p, v in _figures(view) if any(ch.isdigit() for ch in v)]  # words are no figure
            assert shown == [], (page, nationality, shown[:5])
            assert any("Every figure of this view is c" in n for n in view.notices), (page, nationality)
            for panel in view.panels:
                if panel.source is None:
                    assert "%" not in panel.finding and "%" not in panel.summary, (page, panel.finding)
            for card in view.kpis or []:
                assert card["pilot"] in NOT_A_FIGURE and card["baseline"] in NOT_A_FIGURE, (page, card)
        # The same view for internal use is exact: nothing is withheld there.
        exact = build_uncached("/missing", query, demo, INTERNAL)
        assert not any("Every figure of this view is c" in n for n in exact.notices)


def test_a_view_with_no_small_step_shows_its_figures(demo):
    force = "ELMSHIRE"
    view = build_uncached("/missing", {"force": force}, demo, PUBLICATION)
    assert not any("Every figure of this view is c" in n for n in view.notices)
    assert any(any(ch.isdigit() for ch in v) for _, v in _figures(view))
