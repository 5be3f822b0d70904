"""What every view shares: the summary document and the words for its scope."""

from __future__ import annotations

from metrics.filters import Filters
from metrics.summary import build_summary, cohorts


class Context:
    """The facts, the resolved filters, the published summary and the cohorts of one request."""

    def __init__(self, facts, filters: Filters):
        self.facts = facts
        self.filters = filters
        self.doc = build_summary(facts.children, facts.episodes, facts.forces, filters=filters)
        self.groups = cohorts(facts.children, filters)
        chosen = facts.forces[facts.forces["force_code"].isin(filters.force)] if filters.force else facts.forces
        self.forces = chosen

    @property
    def periods(self) -> dict:
        return self.doc["periods"]

    @property
    def comparison(self) -> dict:
        return self.doc["comparison"] or {}

    @property
    def synthetic(self) -> bool:
        return bool(self.doc["synthetic"])

    def scope(self) -> str:
        names = list(self.forces["force_name"])
        who = names[0] if len(names) == 1 else f"{len(names)} forces together"
        base, pilot = self.periods["baseline"], self.periods["pilot"]
        if base["start"] and pilot["start"]:
            when = f"baseline {base['start']} to {base['end']}, pilot {pilot['start']} to {pilot['end']}"
        elif base["start"]:
            when = f"baseline {base['start']} to {base['end']}, no scheme yet"
        else:
            when = "each child's period from its own force"
        narrowed = self.filters.describe()
        extra = "" if narrowed.startswith("force") and ";" not in narrowed else f"; {narrowed}"
        return f"{who}: {when}{extra if narrowed != 'all children' else ''}"

    def scheme(self) -> str | None:
        schemes = {s for s in self.forces["scheme_name"] if s}
        return schemes.pop() if len(schemes) == 1 else None

    def extract_date(self) -> str | None:
        return self.doc["extract_date"]
