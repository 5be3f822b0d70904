"""The value page's title leads with the net, so that a loss reads as one ("Investigations avoided: £0 to
£83,142 (central £16,628)" stood over a net of -£8,372)."""

import re

import pytest

from .support import built_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return built_demo(tmp_path_factory.mktemp("value"))[1]


def _pounds(text: str) -> int:
    return int(text.replace("−", "-").replace("£", "").replace(",", ""))


@pytest.mark.parametrize("scheme_cost", [10000, 500000])
def test_the_title_is_the_net_the_avoided_cost_less_the_schemes(demo, scheme_cost):
    from harbour.web.build import build_uncached

    view = build_uncached("/value", {"force": "ALL", "scheme_cost": str(scheme_cost)}, demo)
    panel = view.panels[0]
    # All forces pooled have no attribution: the title says that it rests on the whole before-and-after change.
    net, avoided = re.match(
        r"If the whole before-and-after change were the scheme's: net of the scheme's cost: (−?£[\d,]+) "
        r"\(range .*\); investigations avoided (£[\d,]+)$",
        panel.finding,
    ).groups()
    assert "no comparison with forces without a scheme supports it" in panel.summary
    rows = {row[0]: row for row in panel.table.rows}
    gross = next(v for k, v in rows.items() if k.lower().startswith("investigation"))[2].value
    assert _pounds(avoided) == round(gross)
    assert _pounds(net) == round(gross - scheme_cost)
    assert (net.startswith("−")) == (gross < scheme_cost)
