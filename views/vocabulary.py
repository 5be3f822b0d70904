"""The words a hall sees for each statistical term (issue: "jargon on the screen"). Cards, titles, the words beside
a chart, its legend and axes, slides and presentation mode say the plain words; the notes, the speaker notes and
the methodology page keep the technical names beside them (the methodology page prints this table).

``TERMS`` is (technical name, what the screen says, what it means). ``ON_SCREEN_NEVER`` is what a test holds every
screen's words to: none of these technical names appears there."""

from __future__ import annotations

TERMS = [
    (
        "Fisher's exact test (p)",
        "p = …",
        "How likely a difference at least this large would be by chance alone if nothing had changed.",
    ),
    (
        "Mann-Whitney U test (p)",
        "p = …",
        "The same question for the times to first engagement, comparing all the children's times, not only the "
        "medians.",
    ),
    (
        "Log-rank test (p)",
        "the periods differ by more than chance (p = …)",
        "Whether the two curves of children still in safe accommodation differ by more than chance.",
    ),
    (
        "Newcombe's hybrid score interval",
        "95% interval of the difference",
        "The range of differences the data are consistent with.",
    ),
    (
        "Kaplan-Meier estimated survival",
        "still in safe accommodation",
        "The share of placed children who had not yet gone missing, day by day, allowing for children followed for "
        "less time.",
    ),
    ("XmR chart", "quarter by quarter, with the usual range", "A control chart of single points and their ranges."),
    ("Process limits", "usual range", "Where points fall by ordinary variation, from the points' own spread."),
    ("Trial limits", "provisional range", "A usual range worked out from fewer than 12 points."),
    ("Special cause variation", "unusual", "A point or run of points unlikely to be ordinary variation."),
    ("Common cause variation", "usual variation", "Ordinary variation from quarter to quarter."),
    (
        "Statistical power",
        "the chance of showing a gain",
        "How likely the force's numbers are to show a gain of a given size as more than chance.",
    ),
    (
        "Placebo test (placebo p, the smallest possible p)",
        "in k of the J forces without a scheme a change this large arose by chance",
        "Each force without a scheme treated as if it had started one when this force did: how often a change as "
        "large as this force's, either way, arises without a scheme. With J forces the least it can say is 1 in "
        "J + 1.",
    ),
    (
        "Signed estimate (delta, on the log-odds scale)",
        "about E points of the rise (or fall) stand out as the scheme's",
        "The model's estimate of the scheme's effect, as points of 28-day retention over the pilot's children.",
    ),
    (
        "Quasi-binomial standard errors",
        "intervals widened where forces vary more than chance",
        "The attribution model's intervals, allowing for forces that vary more than chance would.",
    ),
]

# Technical names that never appear on the screen (a test reads every page's titles, words, legends and axes).
ON_SCREEN_NEVER = (
    "Fisher",
    "Mann-Whitney",
    "log-rank",
    "Newcombe",
    "Kaplan",
    "estimated survival",
    "XmR",
    "process limits",
    "trial limits",
    "special cause",
    "common cause",
    "quasi-binomial",
    "Power (%)",
    "placebo",
    "smallest possible",
    "log-odds",
)

# How an XmR chart's points are named on the screen, by their variation.
VARIATION_WORDS = {
    "common": "Usual variation",
    "improvement": "Unusual: better",
    "concern": "Unusual: worse",
    "neutral high": "Unusual: higher",
    "neutral low": "Unusual: lower",
}
