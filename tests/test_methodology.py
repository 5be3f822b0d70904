"""The methodology page reads as prose: values as people write them, no program text leaking into it."""

import re

from harbour.etl import assumptions
from harbour.metrics.disclosure import PUBLICATION
from harbour.pages import methodology


def test_assumptions_are_written_as_people_read_them():
    shown = {a.name: a.shown for a in assumptions.ALL}
    assert shown[assumptions.MISSING_SHARE_BASELINE.name] == "22%"
    assert shown[assumptions.ENGAGEMENT_MEDIAN_HOURS.name] == "30 before the scheme, 5 during it"
    assert shown[assumptions.PILOT_EARLY_MISSING_RELATIVE_RISK.name] == "0.55"


def test_no_program_text_or_internal_reference_on_the_page():
    view = methodology.view(True, PUBLICATION)
    words = " ".join(str(getattr(c, "value", c)) for p in view.panels for row in p.table.rows for c in row)
    words += " ".join(p.summary for p in view.panels) + view.lead
    assert not re.search(r"\(\d+(\.\d+)?, \d+(\.\d+)?\)|\[|\{|None|\bnan\b|brief", words), words[:300]
