"""What every view shares: the summary document and the words for its scope."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import replace

from harbour.exchange import comparisons
from harbour.metrics import HORIZONS
from harbour.metrics.disclosure import PUBLICATION, SUPPRESSED, Audience, at_least, hidden_if, small_step
from harbour.metrics.filters import FILTER_WORDS, ROUTE_LABELS, SEX_LABELS, Filters, nationality_label
from harbour.metrics.perturbation import cell_of
from harbour.metrics.retention import horizon_counts
from harbour.metrics.summary import (
    attribution_filters,
    build_summary,
    cohorts,
    compared_forces,
    scheme_effect,
    wider_cohorts,
    withheld_by,
)
from harbour.views.figures import drawable
from harbour.views.format import long_date
from harbour.views.model import Cell, View
from harbour.views.store import code_fingerprint, remember
from harbour.views.words import rate_shown


def attributed(facts, filters: Filters, perturbed: bool = False):
    """The attribution of the one force ``filters`` name (exact, or on perturbed quarterly counts), and its reason
    where there is none, computed once per load and cohort (its refits are the heaviest work a view asks for) and
    kept in the view cache for every worker; None for several forces."""
    if len(filters.force) != 1:
        return None

    force = filters.force[0]
    key = _memo_key(facts, filters, perturbed)
    _, _, cohort, kind = key
    name = f"attribution-{facts.generation}-{code_fingerprint()}-{force}-{cohort}-{kind}"
    if key not in _MEMO:

        def compute():
            packs = comparisons.of(facts)
            return list(scheme_effect(facts.children, facts.forces, force, filters, perturbed, packs))

        found = remember(name, compute, kind="attribution") if facts.generation else compute()
        if len(_MEMO) > 256:
            _MEMO.clear()
        _MEMO[key] = tuple(found)
    return _MEMO[key]


_MEMO: dict = {}
# What a page that does not show the attribution has in its place, when this process has not worked it out already:
# the refits are the heaviest work a view can ask for, and only /, /attribution and /value show what they find.
NOT_ASKED = "not worked out for a page that does not show it"


def _memo_key(facts, filters: Filters, perturbed: bool) -> tuple:
    cohort = json.dumps(sorted(attribution_filters(filters).to_query().items()))
    return (facts.generation, filters.force[0], cohort, "perturbed" if perturbed else "exact")


def kept_attribution(facts, filters: Filters, perturbed: bool = False):
    """The attribution :func:`attributed` gives, where this process holds it already (no refit); else
    (None, NOT_ASKED). None for several forces, as there."""
    if len(filters.force) != 1:
        return None
    return _MEMO.get(_memo_key(facts, filters, perturbed), (None, NOT_ASKED))


class Context:
    """The facts, the resolved filters, the audience, its summary and the cohorts of one request."""

    def __init__(self, facts, filters: Filters, audience: Audience = PUBLICATION, attribution: bool = True):

        self.facts = facts
        self._wider = None
        self._kept: dict = {}
        self.asked = filters  # as the user chose them; self.filters: the forces compared (version 3)
        self.filters, self.left_out = compared_forces(filters, facts.forces)
        filters = self.filters

        # Filters that cannot be subtracted (version 3): c throughout, the figures computed beside the summary too.
        self.withheld_by = (
            None if audience.exact or audience.perturbing else withheld_by(facts.children, self.asked, self.filters)
        )
        self.audience = audience.withholding() if self.withheld_by else audience
        # (attribution or None, reason), for one force: on perturbed counts for publication under perturbation; for a
        # page that does not show it (``attribution`` False), only where it is already worked out
        if self.left_out:
            self.attributed = None
        elif attribution:
            self.attributed = attributed(facts, filters, audience.perturbing)
        else:
            self.attributed = kept_attribution(facts, filters, audience.perturbing)
        self.with_attribution = not (self.attributed and self.attributed[1] == NOT_ASKED)
        # The filters as asked: the summary leaves out the forces without a scheme itself, and shields the filters
        # the user chose (not those forces) against subtraction.
        self.doc = build_summary(
            facts.children,
            facts.episodes,
            facts.forces,
            filters=self.asked,
            exact=audience.exact,
            attributed=self.attributed,
            method=audience.method,
        )
        self.groups = cohorts(facts.children, filters)
        chosen = facts.forces[facts.forces["force_code"].isin(filters.force)] if filters.force else facts.forces
        self.forces = chosen

    def kept(self, key, make):
        """What ``make()`` gives, made once for this view (a series by month, say) and shared by its pages,
        which read it and never change it."""
        if key not in self._kept:
            self._kept[key] = make()
        return self._kept[key]

    def band(self, period: str, label: str) -> float | None:
        """The "at least L%" a view shows in place of a retention rate that is c only because 1 to 7 children went
        missing (docs/metrics.md version 3, disclosure.at_least), for this audience; None where there is none."""
        if self.audience.exact or self.audience.perturbing:
            return None
        if self.periods[period]["retention"][label].get("rate") != SUPPRESSED:
            return None

        counts = horizon_counts(self.groups[period], HORIZONS[label])
        return at_least(counts["retained"], counts["at_risk"]) if counts["at_risk"] else None

    def banded(self, period: str, label: str):
        """A table's cell for a retention rate: the published rate, or in place of a c rate with a band its words
        ("at least 87%") as text, so that a table holds what its title says."""
        value = self.periods[period]["retention"][label]["rate"]
        band = self.band(period, label)
        if band is None:
            return value

        return Cell(rate_shown(value, band), "text")

    @property
    def wider(self) -> list[dict]:
        """The cohorts of this view with each filter the user chose removed in turn (none for an exact audience,
        which hides nothing), made once per view."""
        if self._wider is None:
            hides = self.audience.exact or self.audience.perturbing  # no secondary suppression under perturbation
            self._wider = [] if hides else wider_cohorts(self.facts.children, self.asked, self.filters)
        return self._wider

    def small_step(self, period: str, counts_of) -> bool:
        """Whether a figure of ``period`` resting on the counts ``counts_of`` gives for a cohort would give a small
        group away against a wider view (filters that cannot be subtracted, as the summary's figures are shielded),
        so that it is c for publication."""

        if not self.wider:
            return False
        mine = tuple(int(v) for v in counts_of(self.groups[period]))
        return any(small_step(mine, tuple(int(v) for v in counts_of(w[period]))) for w in self.wider)

    def cell(self, period: str, select=None, frame=None):
        """The cell (metrics.perturbation.Cell: how many, and their cell key) of the period's children that
        ``select`` (a function of the frame, giving a mask) picks, all of them without it; or of ``frame``'s rows
        (the period's episodes, say). What the audience is handed for a count it decides how to show."""
        rows = self.groups[period] if frame is None else frame
        return cell_of(rows, None if select is None else select(rows))

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
        who = names[0] if len(names) == 1 and not self.left_out else f"{len(names)} forces together"
        if self.left_out:
            named = self.facts.forces.set_index("force_code")["force_name"]
            out = [str(named.get(code, code)) for code in self.left_out]
            without = out[0] if len(out) == 1 else f"{', '.join(out[:-1])} and {out[-1]}"
            who = (
                f"{len(names)} forces with a scheme together ({without} "
                f"{'has none and is' if len(out) == 1 else 'have none and are'} left out)"
                if len(out) <= 3
                # Many: counted here (the scope heads every slide and image); named in the view's notice.
                else f"{len(names)} forces with a scheme together ({len(out)} without one are left out)"
            )
        base, pilot = self.periods["baseline"], self.periods["pilot"]
        if base["start"] and pilot["start"]:
            when = (
                f"baseline {long_date(base['start'])} to {long_date(base['end'])}, "
                f"pilot {long_date(pilot['start'])} to {long_date(pilot['end'])}"
            )
        elif base["start"]:
            when = f"baseline {long_date(base['start'])} to {long_date(base['end'])}, no scheme yet"
        else:
            when = "each child's period from its own force"
        # The filters besides the force (named already), in words rather than codes ("sex F" read as a code).

        others = replace(self.asked, force=())
        names = {
            "sex": SEX_LABELS,
            "contact_route": ROUTE_LABELS,
            "nationality": {n: nationality_label(n) for n in others.nationality},
        }
        narrowed = others.describe(names, long_date)
        return f"{who}: {when}" + (f"; {narrowed}" if narrowed != "all children" else "")

    def scheme(self) -> str | None:
        schemes = {s for s in self.forces["scheme_name"] if isinstance(s, str) and s.strip()}  # blank: NaN or ""
        return schemes.pop() if len(schemes) == 1 else None

    def left_out_notices(self) -> list[str]:
        if len(self.left_out) <= 3:
            return []  # named in the scope already
        named = self.facts.forces.set_index("force_code")["force_name"]
        return [
            "Left out of these comparisons, having no scheme (no pilot period to compare): "
            + ", ".join(str(named.get(code, code)) for code in self.left_out)
            + "."
        ]

    def sparse_notices(self) -> list[str]:
        """Under perturbation, a period of fewer than 10 children (perturbed) shows that count and nothing else."""
        few = [(name, p["children"]) for name, p in self.periods.items() if p.get("too_few")]
        return [
            f"Too few children to show more in the {name}: {n} (fewer than 10, after perturbation), so only their "
            "number is shown."
            for name, n in few
        ]

    def withheld_notices(self) -> list[str]:
        if not self.withheld_by:
            return []
        label = FILTER_WORDS[self.withheld_by]
        return [
            f"Every figure of this view is c: without its {label} filter it would count only 1 to 7 more "
            "children, and the two views side by side would give those children away. Choose a wider group."
        ]

    def precision_notices(self) -> list[str]:
        """Forces whose placements and missing episodes came from an SSDA903 return are known to the day."""
        if "day_precision" not in self.forces:
            return []
        days = self.forces[self.forces["day_precision"].astype(bool)]
        if days.empty:
            return []
        names = ", ".join(days["force_name"])
        return [
            f"Placements and missing episodes of {names} come from local authorities' SSDA903 returns, which "
            "give dates without times: they are known to the day, and horizons count calendar days (an episode "
            "on the day of placement or the day after counts within 24 hours)."
        ]

    def extract_date(self) -> str | None:
        return self.doc["extract_date"]

    def view(self, page: str, title: str, lead: str, panels: list, notices=(), **extra):
        """A view of this request's scope, audience and extract (see views.model.View)."""

        for panel in panels:  # a chart of nothing but c is no chart: its table and its words stand instead
            if panel.figure is not None and not drawable(panel.figure):
                panel.figure, panel.open_table = None, True
        if self.withheld_by:  # each panel's words say that it is c, not why a smaller group would be
            withheld = self.withheld_notices()[0]
            for panel in panels:
                if panel.source is None:
                    panel.finding = f"{panel.title}: c for this group"
                    panel.summary = (
                        "Every figure here is c: without one of its filters this group would count "
                        "only 1 to 7 more children, whom the two views side by side would give away."
                    )
                    panel.speaker_notes = withheld
            for card in extra.get("kpis") or []:
                card["sentence"] = f"{card['title']}: c for this group."
                card["change"] = hidden_if(True, card.get("change") or "")
        return View(
            page,
            title,
            lead,
            panels,
            self.synthetic,
            self.scope(),
            [
                *self.withheld_notices(),
                *self.sparse_notices(),
                *self.left_out_notices(),
                *self.precision_notices(),
                *notices,
            ],
            extract_date=self.extract_date(),
            scheme=self.scheme(),
            marking=self.audience.marking,
            disclosure=self.audience.disclosure,
            **extra,
        )


_CONTEXTS: OrderedDict = OrderedDict()
_CONTEXTS_LOCK = threading.Lock()
CONTEXTS_KEPT = 16  # each holds its cohorts: up to about 5 MB on the national demo (all forces)


def context_for(facts, filters: Filters, audience: Audience = PUBLICATION, attribution: bool = True) -> Context:
    """The Context of one view (its facts, filters and audience), made once and shared by every page of that view
    and every request for it, the most recent ``CONTEXTS_KEPT`` kept (a person moves between a view's pages): the
    summary and cohorts are the largest part of building a page, and the same for each of a view's pages. A Context
    is read, never changed, by the pages (tests/test_context.py builds every page and compares its summary with a
    fresh one)."""
    key = (id(facts), facts.generation, filters, audience)
    with _CONTEXTS_LOCK:
        found = _CONTEXTS.get(key)
        if found is not None and found.facts is facts and (found.with_attribution or not attribution):
            _CONTEXTS.move_to_end(key)
            return found
    # A page that shows the attribution, after pages of this view that did not ask for it: made again with it.
    made = Context(facts, filters, audience, attribution)
    with _CONTEXTS_LOCK:
        _CONTEXTS[key] = made
        while len(_CONTEXTS) > CONTEXTS_KEPT:
            _CONTEXTS.popitem(last=False)
    return made


def forget_contexts() -> None:
    """Drop every Context kept (a benchmark times a page as a person's first look at a view: its Context made)."""
    with _CONTEXTS_LOCK:
        _CONTEXTS.clear()
