"""The disclosure attack on what the pages show beside the summary (docs/metrics.md version 3: no ``c`` may be
recoverable, to within one child, from other figures of the same output).

``test_disclosure_attack`` searches each published rate on its own. A page holds more: /engagement shows the share
engaged at nine fixed times and the within-24-hours count beside the recorded children, who are a part of all the
children; /missing shows the ended episodes beside the episodes and those still missing, the share offered a return
interview, the risk gradings that add up to the episodes, and the children by time to first going missing, who add
up to the children who went missing, with the share of the placed (a part of all children) missing within 72 hours.

Here the attacker takes every figure of a view's /engagement and /missing pages and its summary, and searches every
exact count that gives back all of them at once: a count by the count rule, parts by the parts rule, a rate to whole
points and its Wilson interval (statsmodels) where it is shown, or the rule's ``c`` where it is not. The attacker
knows the rule, so a ``c`` is only the values the rule would have hidden. Counts linked across families (all
children; the children who went missing; the episodes) are narrowed by each family in turn. Any ``c`` that every
solution pins to within one child, and rightly, fails the test."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

import pytest
from statsmodels.stats.proportion import proportion_confint

from harbour.metrics import disclosure
from harbour.metrics.disclosure import INTERNAL, PUBLICATION, parts_of_a_total
from harbour.metrics.filters import Filters
from harbour.pages import engagement, missing
from harbour.views.context import Context
from harbour.views.model import Cell

from .support import publication_views

C = disclosure.SUPPRESSED
PERIODS = ("baseline", "pilot")
SMALL = disclosure.SMALL_COUNT
WIDE = 60  # how far above 7 a count hidden to protect another (a part, or a total of two c parts) is searched


# ---- what a view publishes, as plain values -------------------------------------------------------------------


def _value(cell):
    return cell.value if isinstance(cell, Cell) else cell


def _rows(view, panel_id: str) -> dict[str, list]:
    panel = next(p for p in view.panels if p.panel_id == panel_id)
    return {str(row[0]): [_value(v) for v in row[1:]] for row in panel.table.rows}


def published_figures(ctx: Context) -> dict[str, dict]:
    """Per period, every figure the attack uses, as the view's pages and summary show it."""
    shown_engagement, shown_missing = engagement.view(ctx), missing.view(ctx)
    within = _rows(shown_engagement, "chart-engagement-within24")
    distribution = _rows(shown_engagement, "chart-engagement-distribution")
    timing = _rows(shown_missing, "chart-missing-timing")
    outcomes = _rows(shown_missing, "chart-missing-outcomes")
    out = {}
    for i, period in enumerate(PERIODS):
        p = ctx.periods[period]
        label = period.capitalize()
        recorded, count, rate, low, high = within[label]
        bands = [row[i] for name, row in timing.items() if not name.startswith("Share")]
        out[period] = {
            "children": p["children"],
            "placed": p["placed"],
            "not_placed": p["not_placed"],
            "recorded": recorded,
            "not_recorded": p["engagement"]["not_recorded"],
            "within": count,
            "within_rate": {"rate": rate, "ci_low": low, "ci_high": high},
            "shares": {name: row[i] for name, row in distribution.items() if name != "Median hours"},
            "bands": bands,
            "share72": timing["Share of placed children missing within 72 hours"][i],
            "went_missing": outcomes["Children with a missing episode"][i],
            "episodes": outcomes["Missing episodes"][i],
            "open": outcomes["Still missing at the extract date"][i],
            "ended": outcomes["Ended episodes"][i],
            "offered": outcomes["Return interview offered"][i],
            "offered_share": outcomes["Share of ended episodes with an interview offered"][i],
            "per_child": outcomes["Episodes per child who went missing"][i],
            "grades": [outcomes[f"Episodes graded {g} risk"][i] for g in ("high", "medium", "low", "unknown")],
        }
    return out


# ---- the search -------------------------------------------------------------------------------------------


def window(published, top: int = WIDE) -> list[int]:
    """The exact counts a published count could be before the rule is applied: its rounding window, 0 for 0, and
    for c every count from 1 (the rule, checked afterwards, says which of them would have been c)."""
    if published == C:
        return list(range(1, top + 1))
    if published in (0, None):
        return [0]
    return [n for n in range(published - 2, published + 3) if n >= 0]


def counted(published, top: int = WIDE) -> list[int]:
    """The exact counts that the count rule alone publishes as ``published`` (a count with no parts beside it)."""
    return [n for n in window(published, top) if disclosure.count(n) == published]


@cache
def share_fits(k: int, n: int, shown, low=None, high=None, shown_n=None, shieldable=False, rule=True) -> bool:
    """Whether k of n gives the published share (and its interval, where one is shown), or would have been c: by
    the rule, or in a filtered view (``shieldable``) for any counts, since a filter that cannot be subtracted makes a
    share c against a wider view the attacker cannot see exactly. ``rule=False``: as an older rule that showed it."""
    if n == 0:
        return shown is None
    hidden = disclosure.rate_hidden(k, n, shown_n) if rule else False
    if shown == C:
        return shieldable or hidden
    if shown is None or hidden or k > n:
        return False
    if abs(k / n - shown) > 0.005 + 1e-9:
        return False
    if low is None or low == C:
        return True
    wl, wh = _interval(k, n)
    return abs(wl - low) < 1e-9 and abs(wh - high) < 1e-9


@cache
def some_share_fits(n: int, shown, shown_n, shieldable: bool) -> bool:
    """Whether any count of n gives the published share (no interval shown). Only counts within half a point of the
    share can give it, so only they are tried (and every count where it is c)."""
    if shown == C or shown is None or n == 0:
        candidates = range(n + 1)
    else:
        candidates = range(max(0, math.floor((shown - 0.006) * n)), min(n, math.ceil((shown + 0.006) * n)) + 1)
    return any(share_fits(k, n, shown, shown_n=shown_n, shieldable=shieldable) for k in candidates)


@cache
def _interval(k: int, n: int) -> tuple[float, float]:
    """The Wilson interval by statsmodels, to whole points, halves away from zero."""
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    return math.floor(low * 100 + 0.5 + 1e-9) / 100, math.floor(high * 100 + 0.5 + 1e-9) / 100


@cache
def parting_fits(total: int, part: int, shown_total, shown_parts: tuple) -> bool:
    """Whether all children parted as (part, total - part) give the published parts beside the published total: by
    the parts rule, and where the total is c (from either parting), with every part but a 0 c too."""
    shown = disclosure.parts(total, part, total - part)
    if shown_total == C:
        return tuple(v if n == 0 else C for v, n in zip(shown[1:], (part, total - part))) == shown_parts
    return shown[1:] == shown_parts and shown[0] == shown_total


def running_totals_fit(exact: tuple, shown: list) -> bool:
    """The children by time to first going missing as suppression shows them (running totals: within 72 hours,
    within 28 days, at any time): each total by the count rule, or c where the summary's parts rule hid it."""
    if min(exact) < 0:
        return False
    totals = (exact[0], exact[0] + exact[1], exact[0] + exact[1] + exact[2])
    return all(s == C or s == disclosure.count(n) for n, s in zip(totals, shown))


def bands_fit(exact: tuple, shown: list) -> bool:
    """The children by time to first going missing, parts of those who went missing: each by the count rule, and
    all c (a 0 too) where one is."""
    if min(exact) < 0:
        return False
    counts = [disclosure.count(n) for n in exact]
    return list(shown) == ([C] * len(counts) if C in counts else counts)


def solutions(domains: dict, checks: list) -> list[dict]:
    """Every assignment of the named counts (each domain a list, or a function of the counts assigned before it)
    that passes every check (a set of names and a test of them, run as soon as they are all assigned)."""
    names, found = list(domains), []
    # Each check runs at the count that completes it: the last of its names in the order they are assigned.
    at = [[] for _ in names]
    for need, test in checks:
        if need <= set(names):
            at[max(names.index(n) for n in need)].append(test)

    def go(i: int, env: dict):
        if i == len(names):
            found.append(dict(env))
            return
        name, tests = names[i], at[i]
        domain = domains[name](env) if callable(domains[name]) else domains[name]
        for value in domain:
            env[name] = value
            if all(test(env) for test in tests):
                go(i + 1, env)
        env.pop(name, None)

    go(0, {})
    return found


@dataclass
class Attack:
    """One period's figures and what each family of counts leaves possible for the counts they share."""

    shown: dict
    shieldable: bool = False  # a filtered view, whose c shares (and the within-24-hours count) may stand for anything
    known: dict = field(default_factory=dict)  # name -> the values still possible

    def fits(self, k: int, n: int, shown, low=None, high=None, shown_n=None) -> bool:
        return share_fits(k, n, shown, low, high, shown_n, self.shieldable)

    def narrowed(self, name: str, domain: list[int]) -> list[int]:
        return [v for v in domain if v in self.known[name]] if name in self.known else domain

    def run(self, domains: dict, checks: list) -> list[dict]:
        found = solutions(
            {k: (lambda env, d=d, k=k: self.narrowed(k, d(env) if callable(d) else d)) for k, d in domains.items()},
            checks,
        )
        for name in domains:
            self.known[name] = {s[name] for s in found}
        self.last_names = list(domains)
        return found

    def engagement(self) -> list[dict]:
        s = self.shown
        parts = (s["recorded"], s["not_recorded"])
        rate = s["within_rate"]
        shares = {name: v for name, v in s["shares"].items() if name != "24 hours"}
        return self.run(
            {
                "children": window(s["children"]),
                "recorded": lambda e: range(e["children"] + 1),
                "within": lambda e: (
                    range(e["recorded"] + 1)
                    if self.shieldable and s["within"] == C
                    else [w for w in counted(s["within"], e["recorded"]) if w <= e["recorded"]]
                ),
            },
            [
                ({"children", "recorded"}, lambda e: parting_fits(e["children"], e["recorded"], s["children"], parts)),
                (
                    {"recorded"},
                    lambda e: all(
                        some_share_fits(e["recorded"], v, s["recorded"], self.shieldable) for v in shares.values()
                    ),
                ),
                (
                    {"recorded", "within"},
                    lambda e: (
                        self.fits(
                            e["within"], e["recorded"], rate["rate"], rate["ci_low"], rate["ci_high"], s["recorded"]
                        )
                        and self.fits(
                            e["within"], e["recorded"], s["shares"].get("24 hours", rate["rate"]), shown_n=s["recorded"]
                        )
                    ),
                ),
            ],
        )

    def run_joined(self, first: tuple[dict, list], second: tuple[dict, list], on: tuple[str, ...]) -> None:
        """Two families of counts that share only the counts ``on``: every solution of both together is a solution
        of each that agree on those counts. Searched apart and joined on them, the values each count can take are
        those of the search of both at once, without enumerating every pairing of the two (the time bands against
        every parting of the children into placed and not)."""
        left = solutions(
            {k: (lambda env, d=d, k=k: self.narrowed(k, d(env) if callable(d) else d)) for k, d in first[0].items()},
            first[1],
        )
        keys = {tuple(s[name] for name in on) for s in left}
        linked = {
            name: (lambda env, i=i: sorted({key[i] for key in keys if key[:i] == tuple(env[n] for n in on[:i])}))
            for i, name in enumerate(on)
        }
        wrapped = {k: (lambda env, d=d, k=k: self.narrowed(k, d(env))) for k, d in second[0].items()}
        right = solutions({**linked, **wrapped}, second[1])
        joint = keys & {tuple(s[name] for name in on) for s in right}
        for found, names in ((left, first[0]), (right, second[0])):
            for name in names:
                self.known[name] = {s[name] for s in found if tuple(s[n] for n in on) in joint}
        self.last_names = [*first[0], *second[0]]

    def placed_and_timing(self) -> None:
        s = self.shown
        parts = (s["placed"], s["not_placed"])
        first, second, third = s["bands"]
        self.run_joined(
            (
                {
                    "children": window(s["children"]),
                    "placed": lambda e: range(e["children"] + 1),
                    "went_missing": lambda e: [m for m in counted(s["went_missing"], e["placed"])],
                    "first72": lambda e: (
                        range(e["went_missing"] + 1) if first == C else counted(first, e["went_missing"])
                    ),
                },
                [
                    ({"children", "placed"}, lambda e: parting_fits(e["children"], e["placed"], s["children"], parts)),
                    (
                        {"placed", "first72"},
                        lambda e: self.fits(e["first72"], e["placed"], s["share72"], shown_n=s["placed"]),
                    ),
                ],
            ),
            (
                {
                    "second": lambda e: (  # shown as the running total within 28 days
                        range(e["went_missing"] - e["first72"] + 1)
                        if second == C
                        else [t - e["first72"] for t in counted(second, e["went_missing"]) if t >= e["first72"]]
                    ),
                },
                [
                    (
                        {"went_missing", "first72", "second"},
                        lambda e: running_totals_fit(
                            (e["first72"], e["second"], e["went_missing"] - e["first72"] - e["second"]), s["bands"]
                        ),
                    ),
                ],
            ),
            on=("went_missing", "first72"),
        )

    def episodes(self) -> list[dict]:
        s = self.shown
        parts = (s["episodes"], s["ended"], s["open"])
        per = s["per_child"]

        def per_child_fits(e) -> bool:
            rule = disclosure.ratio(e["episodes"], e["went_missing"])
            if per == C and self.shieldable:
                return True  # c one small step from a wider view, whatever the counts
            if per == C or rule == C or per is None or rule is None:
                return rule == per
            return abs(e["episodes"] / e["went_missing"] - per) <= 0.05 + 1e-9

        return self.run(
            {
                "episodes": window(s["episodes"], 3 * WIDE),
                "open": lambda e: range(e["episodes"] + 1),
                "went_missing": lambda e: [m for m in counted(s["went_missing"], e["episodes"]) if m <= e["episodes"]],
                "offered": lambda e: [
                    f for f in counted(s["offered"], e["episodes"]) if f <= e["episodes"] - e["open"]
                ],
            },
            [
                (
                    {"episodes", "open"},
                    lambda e: disclosure.parts(e["episodes"], e["episodes"] - e["open"], e["open"]) == parts,
                ),
                ({"episodes", "went_missing"}, per_child_fits),
                (
                    {"episodes", "open", "offered"},
                    lambda e: self.fits(
                        e["offered"], e["episodes"] - e["open"], s["offered_share"], shown_n=s["ended"]
                    ),
                ),
            ],
        )

    def grades(self) -> list[dict]:
        grades = self.shown["grades"]

        def each(shown, before: tuple):
            """The counts a grade can be: no more than the episodes less the grades before it (the rest is the
            unknown grade, never below 0)."""

            def domain(e):
                left = e["episodes"] - sum(e[name] for name in before)
                return range(left + 1) if shown == C else [n for n in counted(shown, e["episodes"]) if n <= left]

            return domain

        return self.run(
            {
                "episodes": window(self.shown["episodes"], 3 * WIDE),
                "high": each(grades[0], ()),
                "medium": each(grades[1], ("high",)),
                "low": each(grades[2], ("high", "medium")),
            },
            [
                (
                    {"episodes", "high", "medium", "low"},
                    lambda e: bands_fit(
                        (e["high"], e["medium"], e["low"], e["episodes"] - e["high"] - e["medium"] - e["low"]), grades
                    ),
                )
            ],
        )

    def everything(self) -> dict[str, set]:
        """Each family in turn, twice, so that what one learns about a shared count narrows the others. A family
        whose counts no other family has narrowed since it ran is not run again: its own last findings are its
        domains, so it would find the very same solutions."""
        after = {}
        for _ in range(2):
            for family in (self.engagement, self.placed_and_timing, self.episodes, self.grades):
                last = after.get(family.__name__)
                if last is not None and all(self.known.get(name) == values for name, values in last.items()):
                    continue
                family()
                after[family.__name__] = {name: set(self.known[name]) for name in self.last_names}
        return self.known


# Where each searched count is published, to name what was recovered (derived counts are searched through their
# parts: not recorded is children less recorded, and so on).
DERIVED = {
    "not_recorded": ("children", "recorded"),
    "not_placed": ("children", "placed"),
    "ended": ("episodes", "open"),
}


def recovered(shown: dict, exact: dict, shieldable: bool = False, known: dict | None = None) -> list[str]:
    """Every c among one period's figures that the search pins to within one child, and rightly (``known``, where
    given, is filled with what the search leaves possible for each count)."""
    attack = Attack(shown, shieldable)
    found_known = attack.everything()
    if known is not None:
        known.update(found_known)
    known = found_known
    if not all(known.values()):
        # Nothing fits: the search has a gap (a figure it models wrongly), which must not pass as "nothing found".
        return [f"no exact counts give back the published figures ({', '.join(k for k, v in known.items() if not v)})"]
    values = {name: sorted(v) for name, v in known.items()}
    for name, (a, b) in DERIVED.items():
        if a in known and b in known:
            values[name] = sorted({x - y for x in known[a] for y in known[b] if x >= y})
    exact_value = {
        **{
            k: exact[k]
            for k in (
                "children",
                "placed",
                "recorded",
                "within",
                "went_missing",
                "episodes",
                "open",
                "offered",
                "not_recorded",
                "not_placed",
                "ended",
            )
        },
        "first72": exact["bands"][0],
        "second": exact["bands"][1],
        "high": exact["grades"][0],
        "medium": exact["grades"][1],
        "low": exact["grades"][2],
    }
    published = {
        **{k: shown[k] for k in exact_value if k in shown},
        "first72": shown["bands"][0],
        "second": shown["bands"][1],
        "high": shown["grades"][0],
        "medium": shown["grades"][1],
        "low": shown["grades"][2],
    }
    found = []
    for name, possible in values.items():
        true = exact_value.get(name)
        if (
            published.get(name) == C
            and possible
            and possible[-1] - possible[0] <= 1
            and possible[0] <= true <= possible[-1]
        ):
            found.append(f"{name} c is {possible[0]} to {possible[-1]}")
    return found


ACTIVE = ("force", "age_band", "sex", "nationality", "contact_route")


def attack_view(facts, filters, known: dict | None = None) -> list[str]:
    """Every c the view's pages give away (``known``, where given, gets {period: what each count can be})."""
    context = Context(facts, filters, PUBLICATION)
    if context.withheld_by:
        return []  # c throughout: nothing to search (the step to its wider view is test_disclosure_attack's)
    shown = published_figures(context)
    exact = published_figures(Context(facts, filters, INTERNAL))
    shieldable = any(getattr(filters, name) for name in ACTIVE)
    found = []
    for period in PERIODS:
        possible = {}
        found += [
            f"{filters.describe()}, {period}: {p}"
            for p in recovered(shown[period], exact[period], shieldable, possible)
        ]
        if known is not None and all(possible.values()):
            known[period] = possible
    return found


def left_out(mine: set, wider: set) -> tuple[int, int]:
    """The fewest and most children a wider view can hold beyond this one, from what each count can be."""
    if len(mine) * len(wider) <= 40000:
        gaps = {b - a for a in mine for b in wider if b >= a}
        return (min(gaps), max(gaps)) if gaps else (0, 0)
    return max(0, min(wider) - max(mine)), max(wider) - min(mine)


def one_filter_steps(known: dict) -> list[str]:
    """For each view with a filter and the view without it, the children the filter leaves out are the wider view's
    less this one's, count by count: any group the two pin to 1 to 7, within one child, is given away."""
    found = []
    for filters, periods in known.items():
        for name in ACTIVE:
            if not getattr(filters, name):
                continue
            wider = known.get(Filters(**{**filters.__dict__, name: ()}))
            if not wider:
                continue
            for period, counts in periods.items():
                for count_name, values in counts.items():
                    theirs = wider.get(period, {}).get(count_name)
                    if not theirs or not values:
                        continue
                    low, high = left_out(values, theirs)
                    if 1 <= low and high <= SMALL and high - low <= 1:
                        found.append(
                            f"{filters.describe()}, without its {name}, {period}: {count_name} leaves "
                            f"{low} to {high} out"
                        )
    return found


# ---- the tests ---------------------------------------------------------------------------------------------


def _shown(**figures) -> dict:
    """One period's published figures with nothing of interest in them, and ``figures`` in their place."""
    base = {
        "children": 60,
        "placed": 55,
        "not_placed": 0,
        "recorded": 60,
        "not_recorded": 0,
        "within": 0,
        "within_rate": {"rate": 0.0, "ci_low": 0.0, "ci_high": 0.06},
        "shares": {},
        "bands": [0, 0, 0],
        "share72": 0.0,
        "went_missing": 0,
        "episodes": 0,
        "open": 0,
        "ended": 0,
        "offered": 0,
        "offered_share": None,
        "per_child": None,
        "grades": [0, 0, 0, 0],
    }
    return {**base, **figures}


def test_the_search_finds_what_a_rate_beside_a_hidden_denominator_gave_away():
    """Found by this test on the pilot demo's lead force (fixed in disclosure.rate's ``shown_denominator``): 58
    children, 51 with an engagement recorded and 7 without (both c by the parts rule), and 19 of the 51 engaged within
    24 hours, published as "20 of c, 37% (25% to 51%)". The share and its interval pin the recorded to 49 or 51, and
    the 60 children then leave the 7 not recorded exactly. Under today's rule the share is c and nothing is found."""
    # The old rule let the share stand beside a c denominator; what its figures leave possible:
    found = solutions(
        {
            "children": window(60),
            "recorded": lambda e: range(e["children"] + 1),
            "within": lambda e: counted(20, e["recorded"]),
        },
        [
            ({"children", "recorded"}, lambda e: parting_fits(e["children"], e["recorded"], 60, (C, C))),
            ({"recorded", "within"}, lambda e: share_fits(e["within"], e["recorded"], 0.37, 0.25, 0.51, rule=False)),
        ],
    )
    assert {s["children"] - s["recorded"] for s in found} == {7}  # the 7 not recorded, given away
    # Today's rule publishes that share as c, and the search then finds nothing.
    shown = disclosure.rate(19, 51, disclosure.parts(58, 51, 7)[1])
    assert shown["rate"] == C
    today = _shown(
        children=60,
        placed=C,
        not_placed=C,
        share72=C,
        recorded=C,
        not_recorded=C,
        within=20,
        within_rate=shown,
        shares={"24 hours": C},
    )
    exact = _shown(children=58, placed=54, not_placed=4, recorded=51, not_recorded=7, within=19)
    possible = {}
    assert recovered(today, exact, known=possible) == []
    assert len({c - r for c in possible["children"] for r in possible["recorded"] if 1 <= c - r <= 7}) > 2


def test_the_search_finds_the_issues_c_of_60():
    """The reported "c of 60 in the pilot (7%)": 4 children who went missing within 72 hours, given back by the
    share beside the placed children. The search pins them; under today's rule the share is c."""
    found = solutions(
        {"placed": window(60), "first72": lambda e: counted(C, e["placed"])},
        [({"placed", "first72"}, lambda e: share_fits(e["first72"], e["placed"], 0.07, rule=False))],
    )
    assert {s["first72"] for s in found} == {4}
    assert disclosure.rate(4, 60)["rate"] == C  # today's rule, so the attack on today's figures finds nothing
    today = _shown(
        children=60,
        placed=60,
        bands=[C, C, C],
        went_missing=C,
        share72=C,
        episodes=C,
        ended=C,
        open=0,
        per_child=C,
        offered_share=C,
        grades=[C, C, C, C],
    )
    exact = _shown(
        children=60, placed=60, bands=[4, 0, 0], went_missing=4, episodes=4, ended=4, open=0, grades=[4, 0, 0, 0]
    )
    assert recovered(today, exact) == []


def test_counts_that_add_up_to_a_total_beside_them_are_all_c_where_one_is():
    """Found by this test on the national demo: 14 children went missing (pinned by the episodes per child), and by
    time to first going missing they were "c, 0, c": 7 and 7. The search pins them; today every band is c where one
    is (disclosure.parts_of_a_total), a 0 too, and the search finds nothing."""
    old = _shown(went_missing=15, bands=[C, 0, C])
    attack = Attack(old)
    found = attack.run(
        {"went_missing": [14], "first72": range(15), "second": [0]},
        [
            (
                {"went_missing", "first72", "second"},
                lambda e: all(1 <= v <= 7 for v in (e["first72"], e["went_missing"] - e["first72"])),
            )
        ],
    )
    assert {s["first72"] for s in found} == {7}
    assert parts_of_a_total([C, 0, C]) == [C, C, C] and parts_of_a_total([15, 0, 10]) == [15, 0, 10]
    attack = Attack(
        _shown(
            went_missing=15,
            bands=[C, C, C],
            placed=60,
            share72=C,
            episodes=35,
            ended=35,
            offered=25,
            offered_share=0.71,
            per_child=2.4,
            grades=[15, 10, 10, 0],
        )
    )
    attack.known["went_missing"] = {14}
    attack.placed_and_timing()
    assert len(attack.known["first72"]) > 2  # 0 to 14 less what the second band can be: not pinned


@pytest.fixture(scope="module", params=["pilot", "national"])
def demo_facts(request, tmp_path_factory):
    from .support import built_demo

    return built_demo(tmp_path_factory.mktemp("page-attack"), request.param)[1]


@pytest.mark.slow
def test_no_c_is_recovered_from_any_views_pages(demo_facts, monkeypatch):
    # Attribution's refits publish no count the attack uses (its figures are the pages' and the summary's periods):
    # not fitted here, for every force and cohort, only to be left unread.
    monkeypatch.setattr("harbour.views.context.attributed", lambda *_: (None, "not searched"))
    problems, known = [], {}
    for filters in publication_views(demo_facts):
        known[filters] = {}
        problems += attack_view(demo_facts, filters, known[filters])
    problems += one_filter_steps(known)
    assert not problems, f"{len(problems)} recovered, e.g. " + "; ".join(problems[:10])
