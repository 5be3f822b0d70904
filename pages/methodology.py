"""Methodology: every definition, the disclosure rule and its symbols, the demo's assumptions."""

from __future__ import annotations

from harbour import settings
from harbour.etl import assumptions
from harbour.etl.spec import STANDARD_VERSION as SPEC_VERSION
from harbour.metrics.disclosure import (
    FOOTNOTE,
    MARKING,
    PERTURBATION,
    PERTURBATION_FOOTNOTE,
    PERTURBATION_SYMBOLS,
    PUBLICATION,
    SYMBOLS,
    Audience,
)
from harbour.metrics.spc import RULE_NAMES
from harbour.metrics.summary import STANDARD_VERSION
from harbour.metrics.value import COST_SOURCE, DEFLATOR_SOURCE
from harbour.reference import dfe
from harbour.views.ask import Ask
from harbour.views.model import Panel, Table, View
from harbour.views.report import Report
from harbour.views.vocabulary import TERMS

DEFINITIONS = [
    (
        "Period",
        "From the UK local date of first contact: baseline from baseline_start (default: 12 months before the "
        "pilot) to the day before pilot_start; pilot from pilot_start to the extract date. Other contacts are out of "
        "scope "
        "and used only on the data-quality page. With several forces, each child's period comes from its own force.",
    ),
    (
        "Time zone",
        "UK local times are converted to UTC on load; durations are real elapsed hours, so a span across a "
        "clock change is an hour shorter or longer than the wall clocks say.",
    ),
    (
        "Follow-up",
        "From the start of the child's first placement (t0) to the end of the extract date, or to the end of "
        "care for another reason than going missing (assessed as an adult, transferred to another authority, returned "
        "to "
        "family, reached 18), whichever is first.",
    ),
    (
        "Event",
        "The first missing episode of type M (whereabouts unknown) starting at or after t0. Episodes of type A "
        "(away, whereabouts known) are not events.",
    ),
    (
        "Retention at a horizon",
        "At 24 hours, 72 hours, 7, 28 and 90 days: children retained (no event by the horizon "
        "and followed to it) over those retained or not retained (an event by the horizon, an event at exactly the "
        "horizon "
        "included). Children followed for less than the horizon without an event are left out. 95% Wilson interval. "
        "The "
        "headline is the 28-day rate.",
    ),
    (
        "Estimated survival (Kaplan-Meier)",
        "Over all placed children, with the 95% interval from Greenwood's variance "
        "on the log(-log) scale. It shows when children went missing; the figure for a horizon is the retention rate, "
        "so "
        "estimated survival is never given as a second number for the same horizon.",
    ),
    (
        "Time to first engagement",
        "Hours from first contact to the first welfare engagement; median and quartiles by "
        "linear interpolation; the share within 24 hours with a Wilson interval.",
    ),
    (
        "Missing episodes",
        "Type M episodes of placed children starting within follow-up: children, episodes, episodes "
        "per child, median duration of ended episodes, those still open, those where the child came to harm.",
    ),
    (
        "Pilot against baseline",
        "Pilot minus baseline on exact counts: Newcombe's hybrid score interval and Fisher's "
        "exact test for each horizon; the log-rank test of the curves; the median difference in engagement with the "
        "Mann-Whitney U test; the difference in the share engaged within 24 hours.",
    ),
    (
        "Special-cause variation",
        "XmR charts in NHS England's 'Making Data Count' style with NHSRplotthedots' rules, limits recalculated at "
        "the pilot start (moving ranges of 3.267 times their mean or more left out): "
        + "; ".join(RULE_NAMES.values())
        + ". A point in a trend is an improvement or a concern by the trend's direction. A quarter that straddles "
        "the pilot's start is in neither period. A segment of fewer than 12 points has trial limits.",
    ),
    (
        "Value for money",
        "Avoided children = (baseline not-retained rate at 28 days − pilot's) × pilot children at risk "
        f"at 28 days, in whole children and never below zero; avoided episodes = that × baseline episodes per child; "
        f"avoided cost = that × the cost of one investigation × the price uplift; net = avoided cost − the scheme's "
        f"cost; "
        f"return per pound = avoided cost ÷ the scheme's cost. Costs: {COST_SOURCE}. Prices: {DEFLATOR_SOURCE}.",
    ),
    (
        "Audiences",
        "Publication figures (anything that can leave the force) pass disclosure control. Internal figures "
        f"are exact, for people entitled to the records, and every page, image, slide and table of them is marked "
        f"'{MARKING}'. Benchmark packs are always publication figures.",
    ),
]
SUPPRESSION_RULES = [
    (
        "Counts",
        "A count of 0 stays 0; 1 to 7 is c; any other count is rounded to the nearest 5 (1 and 2 round down, "
        "3 and 4 up).",
    ),
    (
        "Rates",
        "Computed from the exact numerator and denominator and published to whole percentage points (halves away "
        "from zero), with the interval likewise; c where the denominator is under 10, or where the numerator or "
        "the rest is 1 to 7. A retention rate that is c because 1 to 7 went missing may be shown as 'at least "
        "L%', L = 100 x (at risk - 7) / at risk rounded down, which says no more than c does.",
    ),
    (
        "Times and curves",
        "A median, mean or percentile is c on fewer than 10 children, otherwise one decimal place of hours. "
        "Kaplan-Meier figures are c under 10 placed children and where 1 to 7 had gone missing; a curve stops "
        "where fewer than 10 remain at risk.",
    ),
    (
        "Differences",
        "The difference of the two published rates; intervals and p-values on exact counts, to whole points and "
        "three decimals; c where either period has fewer than 10 at risk, and wherever either rate beside it is "
        "c (a shown rate and a difference would give the other back).",
    ),
    (
        "Parts of a total",
        "Where one part of a total is c, the other part is c too (and the total, where both parts are). The "
        "children by time to first going missing are shown as running totals (within 72 hours, within 28 days, "
        "at any time): bands between them could be worked out from the rates at 72 hours and 28 days.",
    ),
    (
        "Points over time",
        "A monthly or quarterly point is c where its denominator is under 10: months are shown where at least "
        "two thirds of them can be published, quarters otherwise.",
    ),
    (
        "Filters",
        "A filter takes one value or all, never a list. A filtered view is c throughout where the view without "
        "one of its filters holds 1 to 7 more children, and a figure of it is c where that step would leave 1 to "
        "7 at risk, retained or engaged. Months of first contact are chosen as whole periods for publication "
        "(the force's baseline, its pilot, a financial year, or all): ranges of quarters subtract, and stay with "
        "exact figures.",
    ),
    (
        "What remains possible",
        "Views several filter steps apart (every nationality but one, added up, against all) are not checked "
        "against each other.",
    ),
]
PUBLICATION_RULE = " ".join(f"{name}: {words}" for name, words in SUPPRESSION_RULES)
PERTURBATION_RULES = [
    (
        "The method",
        "Cell-key perturbation, as the Office for National Statistics (ONS) published the 2021 Census flexible "
        "tables and the Australian Bureau of Statistics (ABS) publishes TableBuilder: every published count is "
        "moved by a small amount of noise, so that no count can be worked back exactly, however views are "
        "combined, while the numbers still tell the story.",
    ),
    (
        "Record keys",
        "Every child and every missing episode has a record key, a number from 0 to 4095 made on load from the "
        "force's secret pseudonym key. It is never shown, exported or logged; without the secret key the noise "
        "cannot be known.",
    ),
    (
        "Cells and noise",
        "A published count is a cell: its key is the sum of its records' keys (modulo 4096), and the published "
        "perturbation table gives its noise. A 0 stays 0 and no other count becomes 0; a 1 stays 1; a 2 is "
        "published as 1 to 5, a 3 as 1 to 6; any count of 4 or more moves by at most 3, by none on average. The "
        "same children always get the same noise, on every page, slide, file, pack and summary.",
    ),
    (
        "Tables that add up",
        "Where a total has two parts, one part is perturbed and the other is the total less it (retained = at "
        "risk less not retained; placed = children less not placed). Episodes are the children who went missing "
        "and their later episodes. The children by time to first going missing are the differences of those not "
        "retained at 72 hours, at 28 days and all who went missing. Other tables (risk gradings, the parts of "
        "several forces) are perturbed cell by cell and may not add up.",
    ),
    (
        "Rates and tests",
        "Every rate, interval, difference and test is computed from the perturbed counts: rates and intervals "
        "to whole percentage points, p-values to three decimal places. Medians and other statistics of times "
        "come from the exact records where they rest on 10 or more children.",
    ),
    (
        "Survival curves",
        "Drawn from a weekly life table of perturbed counts (children still at risk at the start of each week "
        "after placement, and those who first went missing in it), stopping before the first week with fewer "
        "than 10 at risk.",
    ),
    (
        "Too few children",
        "A view whose perturbed children number fewer than 10 shows that count only (its months and quarters "
        "are c). A rate, median or point whose perturbed denominator is under 10 is c, and so is a month's or "
        "quarter's count under 10 (a 0 too). Months and quarters show their rates without the counts beneath "
        "them: a run of months of 1 child beside the period's count would give each 1 back. Nothing else is "
        "ever c.",
    ),
    (
        "Filters",
        "A filter takes one value or all. Months of first contact are chosen as whole periods (the force's "
        "baseline, its pilot, a financial year, or all), since ranges of quarters differ by the same children "
        "again and again; a range of quarters is for exact figures.",
    ),
    (
        "Suppression instead",
        "A force whose policy requires it may choose version 3's suppression (HARBOUR_DISCLOSURE=suppression): "
        "1 to 7 shown as c, other counts rounded to the nearest 5.",
    ),
]
CAVEATS = [
    "A before-after comparison shows what changed, not why: other things changed at the same time (routes, numbers, "
    "placements), and children in the two periods may differ.",
    "Small numbers: a county force meets about 60 unaccompanied children a year, so intervals are wide.",
    "Rounding: counts are rounded to the nearest 5 and small ones suppressed; rates are computed from exact counts "
    "and rounded to whole points, so a rounded count beside a rate may not reproduce it exactly; a difference is "
    "the difference of the two rates shown, and the exact difference lies within a point of it.",
]


PERTURBATION_CAVEAT = (
    "Noise: published counts are moved by up to 3, by none on average, so a county's 28-day rate moves by about "
    "1.5 points; rates are computed from the perturbed counts, and tables may not add up."
)


def view(synthetic: bool, audience: Audience = PUBLICATION, method: str | None = None) -> View:
    """The page; ``method``: the deployment's disclosure method (HARBOUR_DISCLOSURE) unless given."""
    method = method or settings.disclosure_method()
    panels = [
        _definitions_panel(),
        _disclosure_panel(method),
        _caveats_panel(method),
        _attribution_panel(),
        _dfe_panel(),
        _assumptions_panel(),
        _vocabulary_panel(),
    ]
    return View(
        "/methodology",
        "Methodology",
        "How every figure in Harbour is defined: the Harbour outcome measures, "
        f"version {STANDARD_VERSION}, on bundles in the Harbour data standard, version {SPEC_VERSION}.",
        panels,
        synthetic,
        "every page",
        marking=audience.marking,
        disclosure="none" if audience.exact else method,
    )


def _definitions_panel() -> Panel:
    return Panel(
        panel_id="method-definitions",
        title="Definitions",
        finding="How every figure is defined",
        summary=f"Every definition, as the outcome measures (version {STANDARD_VERSION}) give it.",
        figure=None,
        table=Table("table-definitions", "Definitions", ["Term", "Definition"], [list(d) for d in DEFINITIONS]),
        notes=[],
        speaker_notes="",
        open_table=True,
    )


def _disclosure_panel(method: str) -> Panel:
    if method == PERTURBATION:
        return Panel(
            panel_id="method-disclosure",
            title="Disclosure control: cell-key perturbation",
            finding="Small numbers are protected by a little noise, as the ONS and the ABS protect theirs",
            summary=PERTURBATION_FOOTNOTE,
            figure=None,
            table=Table(
                "table-disclosure-rules",
                "The rule, in full",
                ["Rule", "What it says"],
                [list(r) for r in PERTURBATION_RULES] + [[f"Symbol {s}", m] for s, m in PERTURBATION_SYMBOLS.items()],
            ),
            notes=[],
            speaker_notes=PERTURBATION_FOOTNOTE,
            open_table=True,
        )
    return Panel(
        panel_id="method-disclosure",
        title="Disclosure control",
        finding="Small numbers are protected",
        summary=FOOTNOTE,
        figure=None,
        table=Table(
            "table-disclosure-rules",
            "The rule, in full",
            ["Rule", "What it says"],
            [list(r) for r in SUPPRESSION_RULES] + [[f"Symbol {s}", m] for s, m in SYMBOLS.items()],
        ),
        notes=[],
        speaker_notes=FOOTNOTE,
        open_table=True,
    )


def _vocabulary_panel() -> Panel:
    """The words the screens and slides use, beside the technical names (views.vocabulary)."""
    return Panel(
        panel_id="method-vocabulary",
        title="Words on the screen, and their technical names",
        finding="The pages and slides say what a statistic tells; here is what each is called",
        summary=(
            "Cards, titles, charts and slides use plain words; the notes beneath each chart, the speaker notes and "
            "this page keep the technical names."
        ),
        figure=None,
        table=Table(
            "table-vocabulary",
            "Words on the screen, and their technical names",
            ["Technical name", "On the screen", "What it tells"],
            [list(t) for t in TERMS],
        ),
        notes=[],
        speaker_notes="",
        open_table=True,
    )


def _caveats_panel(method: str) -> Panel:
    caveats = CAVEATS[:-1] + [PERTURBATION_CAVEAT] if method == PERTURBATION else CAVEATS
    return Panel(
        panel_id="method-caveats",
        title="What these figures cannot show",
        finding="What these figures cannot show",
        summary=" ".join(caveats),
        figure=None,
        table=Table("table-caveats", "Caveats", ["Caveat"], [[c] for c in caveats]),
        notes=[],
        speaker_notes=" ".join(caveats),
        open_table=True,
    )


ATTRIBUTION_RULES = [
    (
        "The question",
        "How much of a force's change in 28-day retention stands out against forces that had no scheme over the "
        "same quarters: a binomial model with a level for every force and every quarter, and the scheme's effect "
        "on the force's pilot quarters; its intervals are widened where forces vary more than chance "
        "(quasi-binomial).",
    ),
    (
        "Comparison forces",
        "Every other force of this warehouse without a scheme in those quarters, and every force whose signed "
        "benchmark pack (version 2) this warehouse has verified: the pack holds that force's 28-day children at "
        "risk and not retained by quarter, as it published them (perturbed, or c under suppression: a c quarter "
        "is left out), for its quarters before any scheme of its own. A force in both is taken from its records. "
        "The page names each force and where its counts came from.",
    ),
    (
        "Filters",
        "A pack holds a whole force's counts, so a view filtered by age, sex, nationality or route compares only "
        "this warehouse's forces, and says so; filtered and whole-force counts are never mixed.",
    ),
    (
        "How often by chance (the placebo test)",
        "Each comparison force in turn is treated as if it had started a scheme when this force did. The screen "
        "says in how many of them a change as large as this force's arose, either way; the notes give the placebo "
        "p, (1 + that number) / (J + 1), beside the smallest it can be with J forces, 1 / (J + 1).",
    ),
    (
        "The signed estimate",
        "The screen gives the size and direction in words (points of the rise or fall); the notes give the signed "
        "estimate in points and on the model's log-odds scale, with its interval, and the pre-trend test.",
    ),
    (
        "A pack's quarters withheld",
        "A force's pack leaves its quarterly counts out where, beside its baseline's own published counts, they "
        "would pin a count of 1 to 7 (for example quarters published as 1 whose least possible total exceeds the "
        "period's greatest); that force then cannot serve as a comparison force.",
    ),
    (
        "No comparison forces",
        "A force with its own records alone cannot be compared: trust each comparison force's key (harbour "
        "benchmark trust), then pull their signed packs from a hub (harbour benchmark pull --hub URL) or import a "
        "pack (harbour benchmark import FILE). The planning page works with no records at all.",
    ),
]


def _attribution_panel() -> Panel:
    words = " ".join(f"{name}: {text}" for name, text in ATTRIBUTION_RULES)
    return Panel(
        panel_id="method-attribution",
        title="Was it the scheme? How forces without a scheme are compared",
        finding="Was it the scheme? How forces without a scheme are compared",
        summary=words,
        figure=None,
        table=Table(
            "table-method-attribution",
            "Attribution, rule by rule",
            ["Rule", "What it does"],
            [[name, text] for name, text in ATTRIBUTION_RULES],
        ),
        notes=[],
        speaker_notes=words,
        open_table=True,
    )


def _dfe_panel() -> Panel:
    """What the DfE's published figures on /missing measure, and how they differ from retention."""

    rows = [
        [dfe.MEASURES[m], "the DfE's own figure for the authority or England, as published"]
        for m in (
            "looked_after",
            "missing_children",
            "missing_percent",
            "missing_incidents",
            "incidents_per_child",
            "missing_31_march",
            "uasc_looked_after_31_march",
            "uasc_missing_31_march",
        )
    ]
    rows += [[f"Symbol {k}", v] for k, v in dfe.SYMBOLS.items()]
    summary = (
        "The missing-episodes page sets the Department for Education's published figures beside the force's own: "
        "for the local authorities the force's children are placed with (from the bundle's la_code, most "
        "children first) and for England. They are a different measure from retention. The DfE counts every "
        "looked-after child of an authority, not unaccompanied children alone (but for England's two series on "
        "unaccompanied asylum-seeking children), over a year ending 31 March, by its own definition of "
        "missing; retention follows each of the force's children from their first placement, for 28 days. "
        "The figures are shown as the DfE published them, with its symbols; Harbour's rules do not round them "
        "again; where two releases hold the same year, the later release's figures are shown, and the table "
        f"names the release of each. {dfe.LICENCE}"
    )
    return Panel(
        panel_id="method-dfe",
        title="Official context: the DfE's figures",
        finding="The DfE's figures, and how they differ from retention",
        summary=summary,
        figure=None,
        table=Table("table-dfe-measures", "The DfE's measures and symbols", ["Measure or symbol", "Meaning"], rows),
        notes=[],
        speaker_notes=summary,
        open_table=True,
    )


def _assumptions_panel() -> Panel:
    return Panel(
        panel_id="method-assumptions",
        title="The synthetic demonstration data",
        finding="Assumptions of the synthetic demo",
        summary="The demo is generated by Harbour from a seed; no child in it exists, and its forces are "
        "fictional. Its base rates come from published UK figures; the pilot's effect is an assumption of "
        "the demo, not a finding.",
        figure=None,
        table=Table(
            "table-assumptions",
            "Assumptions of the synthetic demo and their sources",
            ["Assumption", "Value", "Source"],
            [[a.name, a.shown, a.source] for a in assumptions.ALL],
        ),
        notes=[],
        speaker_notes="",
        open_table=True,
    )


def build(ask: Ask, facts) -> View:
    return view(facts.synthetic, ask.audience)


REPORT = Report(
    "/methodology", "Methodology", build, order=8, filtered=False, audiences=False, warm=True, needs_data=False
)
