"""Benchmarking between forces: funnel plots, a ranked chart with peer groups, from published aggregates."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

import numpy as np
from dash import Input, Output, State, callback, dcc, html, no_update

from harbour import settings
from harbour.components.ids import PAGES_LOCATION
from harbour.exchange.packs import readable
from harbour.exchange.store import all_peers, fingerprint, origin_words
from harbour.metrics.benchmark import published_units, usable
from harbour.metrics.disclosure import FOOTNOTE, PERTURBATION, PERTURBATION_FOOTNOTE, SUPPRESSED, SUPPRESSION
from harbour.metrics.filters import FILTER_NAMES, FILTER_WORDS
from harbour.metrics.funnel import LEVELS, classify, limits, overdispersion, pooled_rate
from harbour.views import theme
from harbour.views.ask import Ask, updated_search
from harbour.views.format import long_date, pct, plotly_text
from harbour.views.model import Panel, Table, View
from harbour.views.report import Report
from harbour.views.theme import figure, layout
from harbour.warehouse.current import engine

MEASURES = (
    ("retention", "retained", "at_risk", "28-day retention", "Children at risk at 28 days"),
    ("within24", "within", "recorded", "Engaged within 24 hours", "Children with an engagement recorded"),
)
FUNNEL_NOTE = (
    "Funnel plot (Spiegelhalter, 2005): each force's rate against its number of children, with 95% and "
    "99.8% control limits around the pooled rate from the exact binomial distribution. A force outside the "
    "99.8% limits is unlikely to differ by chance alone. Forces with fewer than 10 children (rounded), or whose rate "
    "is "
    "c (it would give a count of 1 to 7 away), are left out of the chart; the table lists them."
)
PERTURBED_NOTE = (
    "Every force's figures are the published ones: counts perturbed, rates from the perturbed counts to whole "
    "points; imported peers' come from their packs. The pooled rate and the limits use the published counts."
)


FUNNEL_NOTE_PERTURBED = (
    "Funnel plot (Spiegelhalter, 2005): each force's rate against its number of children, with 95% and "
    "99.8% control limits around the pooled rate from the exact binomial distribution. A force outside the "
    "99.8% limits is unlikely to differ by chance alone. Forces with fewer than 10 children (perturbed) are left "
    "out of the chart; the table lists them."
)


def _funnel_note(method: str) -> str:
    return FUNNEL_NOTE_PERTURBED if method == PERTURBATION else FUNNEL_NOTE


def _footnote(method: str) -> str:
    return PERTURBATION_FOOTNOTE if method == PERTURBATION else FOOTNOTE


ROUNDED_NOTE = (
    "Every force's figures are the published ones: rates from exact counts to whole points, counts rounded; "
    "imported peers' come from their packs. The pooled rate and the limits use the rounded counts."
)


def _marker(row, selected: str, peers: set[str]) -> dict:
    if row.unit == selected:
        return {
            "symbol": "star",
            "size": 22,
            "color": theme.SERIES["vermillion"],
            "line": {"width": 1.5, "color": theme.INK},
        }
    if row.imported:
        return {"symbol": "square-open", "size": 13, "color": theme.SERIES["green"], "line": {"width": 2.5}}
    if row.unit in peers:
        return {"symbol": "diamond", "size": 13, "color": theme.SERIES["blue"]}
    return {"symbol": "circle", "size": 10, "color": "#8c8c8c"}


ROLE_NAMES = {
    "selected": "Selected force",
    "peer group": "Peer group",
    "imported peer": "Imported peer",
    "force": "Other forces",
}


def short_name(name: str) -> str:
    """A force's name as a point's label: 'Elmshire Constabulary (fictional)' -> 'Elmshire'."""

    text = re.sub(r"\s*\([^)]*\)\s*$", "", str(name))
    text = re.sub(r"\s+(Constabulary|Police Service|Police)$", "", text)
    return text or str(name)


# Where a point's name may go, in the order tried, with the label box's offset from the point (in label widths
# and heights; the box is anchored at its centre).
LABEL_PLACES = (
    ("top center", 0, 1),
    ("bottom center", 0, -1),
    ("middle right", 0.62, 0),
    ("middle left", -0.62, 0),
    ("top right", 0.62, 1),
    ("bottom right", 0.62, -1),
    ("top left", -0.62, 1),
    ("bottom left", -0.62, -1),
)


def label_places(
    points: list[tuple[float, float, str]],
    lines: list[tuple[list, list]],
    x_range: tuple,
    y_range: tuple,
    width_px: float = 900,
    height_px: float = 360,
    font_px: float = 13,
) -> list[str]:
    """Each point's label position (Plotly's textposition), chosen so that no name sits on another, on a point or
    across a limit line (names piled on each other, and one struck through by a limit line).

    Greedy, in pixels on a chart of about ``width_px`` by ``height_px``: each label takes the first place in
    LABEL_PLACES where its box overlaps nothing placed before it and no line; failing that, the least crowded, and
    where even that would print over another name, None: the name is left off the chart (its point keeps its hover,
    the chart's words and table name it), never printed over another."""
    sx = width_px / max(x_range[1] - x_range[0], 1e-9)
    sy = height_px / max(y_range[1] - y_range[0], 1e-9)

    def px(x, y):
        return (x - x_range[0]) * sx, (y - y_range[0]) * sy

    markers = [px(x, y) for x, y, _ in points]
    line_points = [[px(x, y) for x, y in zip(xs, ys)] for xs, ys in lines]
    boxes, out = [], []
    for (_x, _y, text), (mx, my) in zip(points, markers):
        w, h = max(len(text), 1) * font_px * 0.58, font_px * 1.25
        best, best_cost = LABEL_PLACES[0][0], None
        for place, dx, dy in LABEL_PLACES:
            cx, cy = mx + dx * (w + 12), my + dy * (h / 2 + 7)
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            cost = sum(1 for b in boxes if box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]) * 10
            cost += 5 * sum(1 for qx, qy in markers if box[0] - 4 < qx < box[2] + 4 and box[1] - 4 < qy < box[3] + 4)
            # A line across a name costs less than a name on a name, which cannot be read at all.
            cost += 3 * sum(
                1 for line in line_points if any(box[0] < qx < box[2] and box[1] < qy < box[3] for qx, qy in line)
            )
            cost += 0 if 0 <= box[0] and box[2] <= width_px and box[3] <= height_px + 20 else 5
            if best_cost is None or cost < best_cost:
                best, best_cost, best_box = place, cost, box
            if cost == 0:
                break
        if best_cost >= 10:  # on another name whichever way: left off, said beside the chart
            out.append(None)
            continue
        boxes.append(best_box)
        out.append(best)
    return out


def _role(row, selected, peers) -> str:
    return (
        "imported peer"
        if row.imported
        else ("selected" if row.unit == selected else ("peer group" if row.unit in peers else "force"))
    )


def _left_out(units, ok, num, den, selected, peers) -> list[list[str]]:
    """The table's rows for the forces the chart leaves out, each with its published figures and why."""
    rows = []
    for row in units[~units["unit"].isin(ok["unit"])].itertuples():
        rate = getattr(row, f"{num}_rate")
        why = (
            "left out: rate c"
            if rate == SUPPRESSED
            else "left out: fewer than 10 children"
            if rate is not None
            else "left out: none"
        )
        rows.append(
            [
                row.name,
                _role(row, selected, peers),
                str(getattr(row, num)),
                str(getattr(row, den)),
                pct(rate) if rate is not None else "–",
                why,
            ]
        )
    return rows


def funnel_panel(key, num, den, label, x_title, units, selected, peers, adjust, method=SUPPRESSION) -> Panel:
    ok = usable(units, num, den)
    columns = ["Force", "Role", "Numerator", "Denominator", "Rate", "Against the limits"]
    if len(ok) < 2:
        summary = f"Too few forces with published figures to draw a funnel plot of {label.lower()}."
        return Panel(
            panel_id=f"chart-funnel-{key}",
            title=f"Funnel plot: {label}",
            finding=summary,
            summary=summary,
            figure=None,
            table=Table(f"table-funnel-{key}", label, columns, _left_out(units, ok, num, den, selected, peers)),
            notes=[_funnel_note(method), _footnote(method)],
            speaker_notes=summary,
        )
    theta = pooled_rate(ok[num], ok[den])
    phi = overdispersion(ok[num], ok[den], theta) if adjust else 1.0
    used_phi = phi if adjust and phi > 1 else 1.0
    # The funnel from half the smallest force's size: drawn from 10 children, its mouth set the axis 50 points deep
    # and squeezed every force into a band where their names piled up.
    start = max(10, int(ok[den].min() * 0.5))
    n_grid = np.unique(np.linspace(start, max(ok[den].max() * 1.1, start + 10), 120).astype(int))
    data = []
    lowest = float(ok["rate"].min())
    for level, dash in zip(LEVELS, ("dash", "dot")):
        lower, upper = limits(theta, n_grid, level, used_phi)
        lowest = min(lowest, float(np.min(lower)))
        for values, name in ((upper, f"{level * 100:g}% limits"), (lower, None)):
            data.append(
                {
                    "type": "scatter",
                    "x": n_grid.tolist(),
                    "y": (values * 100).tolist(),
                    "mode": "lines",
                    "name": name or "",
                    "showlegend": name is not None,
                    "legendgroup": str(level),
                    "line": {"color": "#3d3d3d", "dash": dash, "width": 2},
                    "hoverinfo": "skip",
                }
            )
    data.append(
        {
            "type": "scatter",
            "x": [int(n_grid[0]), int(n_grid[-1])],
            "y": [theta * 100] * 2,
            "mode": "lines",
            "name": f"Pooled rate {pct(theta, 0)}",
            "line": {"color": theme.INK, "width": 2},
            "hoverinfo": "skip",
        }
    )
    rows = []
    in_legend: set[str] = set()
    y_low = max(0.0, 10 * float(np.floor((lowest * 100 - 5) / 10)))
    lines = [(t["x"], t["y"]) for t in data]  # the limits and the pooled rate, which no name may cross
    x_range = (float(n_grid[0]), float(n_grid[-1]))  # drawn exactly so, so that the names are placed as they will be
    # Placed from the most crowded end (the smallest forces, where the funnel is widest and names meet) outwards.
    order = ok.sort_values(den)
    places = dict(
        zip(
            order["unit"],
            label_places(
                [(float(getattr(r, den)), float(r.rate) * 100, short_name(r.name)) for r in order.itertuples()],
                lines,
                x_range,
                (y_low, 101.0),
                width_px=880,
                height_px=360,
                font_px=16,
            ),
        )
    )  # 16: names as large as a slide draws them
    for row in ok.itertuples():
        position = classify(row.rate, getattr(row, den), theta, used_phi)
        role = _role(row, selected, peers)
        rows.append([row.name, role, str(getattr(row, num)), str(getattr(row, den)), pct(row.rate), position])
        # Every point carries its force's name; the legend says which marker is which role.
        data.append(
            {
                "type": "scatter",
                "x": [getattr(row, den)],
                "y": [row.rate * 100],
                "mode": "markers+text",
                "text": [plotly_text(short_name(row.name)) if places[row.unit] else ""],
                "textposition": places[row.unit] or "top center",
                "textfont": {"size": 13, "color": theme.INK},
                "cliponaxis": False,
                "name": ROLE_NAMES[role],
                "legendgroup": role,
                "showlegend": role not in in_legend,
                "marker": _marker(row, selected, peers),
                # The name goes in as data, never into the template, where %{...} would be read.
                "customdata": [plotly_text(row.name)],
                "hovertemplate": f"%{{customdata}}<br>{pct(row.rate)} of %{{x}} children<br>{position} limits"
                "<extra></extra>",
            }
        )
        in_legend.add(role)
    sel = ok[ok["unit"] == selected]
    if len(sel):
        s = sel.iloc[0]
        finding = (
            f"{label}: {s['name']} {pct(s['rate'])} against a pooled {pct(theta, 0)}, "
            f"{classify(s['rate'], s[den], theta, used_phi)} the limits"
        )
    else:
        finding = f"{label}: pooled rate {pct(theta, 0)} across {len(ok)} forces"
        mine = units[units["unit"] == selected]
        if len(mine):  # the selected force, not drawn: the title says why, so that no reader looks for it
            r = mine.iloc[0][f"{num}_rate"]
            finding += (
                f"; {mine.iloc[0]['name']} is not drawn, its rate being c"
                if r == SUPPRESSED
                else f"; {mine.iloc[0]['name']} is not drawn, with too few children"
                if r is not None
                else ""
            )
    dispersion = (
        f"Over-dispersion adjustment used: phi = {phi:.2f}."
        if adjust and phi > 1
        else f"No over-dispersion adjustment (phi = {phi:.2f})."
        if adjust
        else "Exact binomial limits, not adjusted for over-dispersion."
    )
    outside = sum(1 for r in rows if r[-1] != "within")
    left = _left_out(units, ok, num, den, selected, peers)
    summary = f"{finding}. {outside} of {len(rows)} forces fall outside the 95% limits. {dispersion}"
    if left:
        summary += (
            f" {len(left)} force{'s are' if len(left) != 1 else ' is'} left out of the chart: "
            f"{', '.join(short_name(r[0]) for r in left)} (see the table)."
        )
    unnamed = [short_name(r.name) for r in ok.itertuples() if not places[r.unit]]
    if unnamed:
        summary += (
            f" Where a name would print over another it is left off the chart (hover on the point, or see the "
            f"table): {', '.join(unnamed)}."
        )
    rows += left
    return Panel(
        panel_id=f"chart-funnel-{key}",
        title=f"Funnel plot: {label}",
        finding=finding,
        summary=summary,
        figure=figure(
            data,
            layout(
                x_title=x_title,
                y_title=f"{label} (%)",
                height=480,
                # From a round ten below the lowest limit or point, not from 0: the funnel fills the chart.
                xaxis={"range": list(x_range)},
                yaxis={"range": [y_low, 101]},
            ),
        ),
        table=Table(f"table-funnel-{key}", f"{label}: each force against the funnel limits", columns, rows),
        notes=[
            _funnel_note(method),
            dispersion,
            PERTURBED_NOTE if method == PERTURBATION else ROUNDED_NOTE,
            _footnote(method),
        ],
        speaker_notes=f"{summary} What this does not show: why forces differ; case mix and recording differ "
        "between forces.",
    )


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def ranked_panel(units, selected, peers, method=SUPPRESSION) -> Panel:
    ok = usable(units, "retained", "at_risk").sort_values("rate")
    peer_rows = ok[ok["unit"].isin(peers | {selected})]
    # One number for "all forces" on the page: the funnel's pooled rate of the rounded counts, which the table's
    # row beside it reproduces (a weighted average of rates printed 115 of 125 as 89%, the funnel 92%).
    all_rate = pooled_rate(ok["retained"], ok["at_risk"])
    # A peer group is the selected force with at least one peer; with none chosen there is no peer-group line.
    chosen = [peer for peer in peers if peer != selected and peer in set(ok["unit"])]
    peer_rate = pooled_rate(peer_rows["retained"], peer_rows["at_risk"]) if chosen else None
    colours = [
        theme.SERIES["vermillion"]
        if u == selected
        else theme.SERIES["green"]
        if imp
        else theme.SERIES["blue"]
        if u in peers
        else "#b0b0b0"
        for u, imp in zip(ok["unit"], ok["imported"])
    ]
    # Each dot says its role in words too: colour and shape are never the only signal.
    roles = [
        " (selected)" if u == selected else " (imported)" if imp else " (peer)" if u in peers else ""
        for u, imp in zip(ok["unit"], ok["imported"])
    ]
    labels = [plotly_text(n) + role for n, role in zip(ok["name"], roles)]
    # Dots on an axis that starts near the lowest rate, not bars from 0: forces at 94% and 97% drew bars that looked
    # the same length on a 0-100 axis. A dot's place, not a bar's length, carries the rate, so the axis may start
    # above 0 (and says where it starts).
    symbols = [
        "star" if u == selected else "square" if imp else "diamond" if u in peers else "circle"
        for u, imp in zip(ok["unit"], ok["imported"])
    ]
    rates = [v for v in [*(ok["rate"] * 100).tolist(), *(x * 100 for x in (all_rate, peer_rate) if x is not None)]]
    low = max(0, 5 * math.floor((min(rates) - 3) / 5)) if rates else 0
    data = [
        {
            "type": "scatter",
            "mode": "markers",
            "x": (ok["rate"] * 100).tolist(),
            "y": labels,
            "marker": {
                "color": colours,
                "symbol": symbols,
                "size": [22 if u == selected else 16 for u in ok["unit"]],
                "line": {"width": 1, "color": theme.INK},
            },
            "name": "28-day retention",
            "hovertemplate": "%{y}: %{x:.0f}%<extra></extra>",
        }
    ]
    shapes, notes = [], []
    for value, dash, words, shift in ((all_rate, "solid", "All forces", 0), (peer_rate, "dash", "Peer group", 20)):
        if value is not None:
            shapes.append(theme.rule(x=value * 100, dash=dash, width=2))
            # Each line is named where it is drawn, the two names a line apart (they collided when the rates were near).
            notes.append(
                {
                    "x": value * 100,
                    "y": 1.0,
                    "xref": "x",
                    "yref": "paper",
                    "yanchor": "bottom",
                    "yshift": shift,
                    "text": f"{words} {pct(value, 0)}",
                    "showarrow": False,
                    "font": {"size": 13, "color": theme.INK},
                }
            )
    summary = (
        f"All forces pooled: {pct(all_rate, 0)}, the solid line"
        + (f"; the peer group pooled: {pct(peer_rate, 0)}, the dashed line" if chosen else "; no peer group chosen")
        + ". The selected force is an orange star marked '(selected)'; peer-group forces blue diamonds, marked "
        "'(peer)'; imported peers green squares, marked '(imported)'; other forces grey circles."
    )
    rows = [
        [
            r.name,
            "selected"
            if r.unit == selected
            else "imported peer"
            if r.imported
            else ("peer group" if r.unit in peers else "force"),
            str(r.retained),
            str(r.at_risk),
            pct(r.rate),
        ]
        for r in ok.iloc[::-1].itertuples()
    ]
    rows += (
        [["All forces (pooled)", "–", str(int(ok["retained"].sum())), str(int(ok["at_risk"].sum())), pct(all_rate, 0)]]
        if len(ok)
        else []
    )
    if chosen:
        rows += [
            [
                "Peer group (pooled)",
                "–",
                str(int(peer_rows["retained"].sum())),
                str(int(peer_rows["at_risk"].sum())),
                pct(peer_rate, 0),
            ]
        ]
    # The title states what the chart shows for the selected force: where it stands, against which averages.
    averages = f"all forces {pct(all_rate, 0)}" + (f", peer group {pct(peer_rate, 0)}" if chosen else "")
    sel = ok[ok["unit"] == selected]
    if len(sel):
        # Placed by the published (whole-point) rates that the chart and the table show, ties said as ties.
        shown = (ok["rate"] * 100).round()
        own = round(float(sel["rate"].iloc[0]) * 100)
        position, level = 1 + int((shown > own).sum()), int((shown == own).sum()) - 1
        place = (
            "highest"
            if position == 1 and not level
            else "lowest"
            if position == len(ok) and not level
            else f"{'joint ' if level else ''}{ordinal(position)}"
        )
        name, rate = sel["name"].iloc[0], pct(float(sel["rate"].iloc[0]))
        finding = f"28-day retention: {name} {rate}, {place} of {len(ok)} forces; {averages}"
    else:
        finding = f"28-day retention across {len(ok)} forces: {averages}"
    if ok.empty:  # no force's rate can be published (suppression at a county's numbers): no empty axis, words
        finding = "No force's 28-day retention can be published for this period, so forces are not ranked"
        summary = (
            "Each force's rate rests on too few children, or on 1 to 7 who went missing, and is c. Published by "
            "perturbation instead (the ONS's method), each force's rate could be shown."
            if method != PERTURBATION
            else "Each force has fewer than 10 children at risk at 28 days in this period."
        )
    return Panel(
        panel_id="chart-ranked",
        title="Forces ranked by 28-day retention",
        finding=finding,
        summary=summary,
        figure=None
        if ok.empty
        else figure(
            data,
            layout(
                height=max(320, 26 * len(ok) + 120),
                x_title=f"28-day retention (%): the axis starts at {low}%" if low else "28-day retention (%)",
                xaxis={"range": [low, 101]},
                shapes=shapes,
                annotations=notes,
                showlegend=False,
                margin={"l": 300, "r": 20, "t": 60, "b": 60},
            ),
        ),
        table=Table(
            "table-ranked",
            "Forces ranked by 28-day retention, with the pooled rates",
            ["Force", "Role", "Retained", "At risk", "Rate"],
            rows,
        ),
        notes=[
            "The lines are the pooled rates of the forces' published counts, as the funnel plot's (all forces: "
            "solid line; peer group: dashed).",
            PERTURBED_NOTE if method == PERTURBATION else ROUNDED_NOTE,
            _footnote(method),
        ],
        speaker_notes=f"{summary} What this does not show: whether the differences are more than chance; see the "
        "funnel plot.",
    )


def _months(start, end) -> int | None:

    def as_date(value):
        if isinstance(value, date):
            return value
        text = str(value or "")
        return date(int(text[:4]), int(text[5:7]), 1) if len(text) >= 7 and text[:4].isdigit() else None

    start, end = as_date(start), as_date(end)
    if start is None or end is None or end < start:
        return None
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _period_months(forces, peers: list[dict], period: str) -> dict[str, int]:
    """Each force's and peer's period, in calendar months (an 8-year pilot beside a 1-year one, unsaid)."""

    out = {}
    for row in forces.itertuples():
        pilot = row.pilot_start if row.pilot_start is not None and row.pilot_start == row.pilot_start else None
        if period == "pilot":
            months = _months(pilot, row.extract_date) if pilot else None
        else:
            months = _months(row.baseline_start, (pilot - timedelta(days=1)) if pilot else row.extract_date)
        if months:
            out[row.force_code] = months
    for peer in peers:
        force = peer["pack"]["force"]
        pilot = force.get("pilot_start")
        if period == "pilot":
            months = _months(pilot, force.get("extract_month")) if pilot else None
        else:
            months = _months(force.get("baseline_start"), pilot or force.get("extract_month"))
            months = months - 1 if months and pilot else months
        if months:
            out[f"{peer['force_code']} (imported)"] = months
    return out


def view(
    facts, peers: list[dict], selected: str, peer_group: set[str], period: str, adjust: bool, method: str = SUPPRESSION
) -> View:

    # A pack of a force whose own records are here would count that force twice: its records win.
    held = set(facts.forces["force_code"])
    doubled = [p for p in peers if p["force_code"] in held]
    peers = [p for p in peers if p["force_code"] not in held]
    usable_peers, skipped = readable(peers)
    units = published_units(facts.children, facts.forces, period, usable_peers, method)
    imported_units = {u for u, imp in zip(units["unit"], units["imported"]) if imp}
    peer_group = peer_group | imported_units
    panels = [funnel_panel(*m, units, selected, peer_group, adjust, method) for m in MEASURES] + [
        ranked_panel(units, selected, peer_group, method)
    ]
    notices = []
    if facts.synthetic:
        notices.append("The forces here are fictional and their figures synthetic.")
    if peers:
        notices.append(
            f"{len(peers)} imported peer{'s' if len(peers) != 1 else ''}, marked '(imported)': their figures "
            "are the published ones in their benchmark packs. A peer marked 'unverified' was imported "
            "without a signature from a trusted key."
        )

    for p in usable_peers:
        mark = "signature verified" if p.get("signer") else "unverified"
        notices.append(
            f"{p['force_name']}'s pack ({mark}, extract {long_date(p['pack']['force'].get('extract_month'))}) "
            f"came from {origin_words(p)}."
        )
    for p in doubled:
        notices.append(
            f"The imported pack of {p['force_name']} is not shown: this warehouse holds that force's own "
            "records, which are shown instead. An admin can remove the pack (harbour benchmark remove)."
        )
    for name in skipped:
        notices.append(
            f"The imported pack of {name} was skipped: it does not pass this Harbour's checks. An admin "
            "can remove it and import a fresh one."
        )
    lengths = _period_months(facts.forces, usable_peers, period)
    if lengths and max(lengths.values()) >= 2 * min(lengths.values()):
        notices.append(
            f"The forces' {period} periods differ in length, from {min(lengths.values())} to "
            f"{max(lengths.values())} months: a longer period holds more children, and so narrower limits. "
            "Their rates can be compared; their counts cannot."
        )
    # How a force takes part (the page never said): its own figures are here once loaded; another force's come
    # in its signed pack, by hand or through a hub.
    notices.append(
        "How a force takes part: a force whose records this Harbour loads is here already. Another force "
        "exports a signed pack of its published figures (harbour benchmark export), and an admin here "
        "imports it (harbour benchmark import) or pulls it from a benchmarking hub (harbour benchmark "
        "pull); the pack holds no child-level record and no exact count."
    )
    return View(
        "/benchmark",
        "Benchmarking between forces",
        f"How each force's scheme compares, in the {period} period, on published figures only.",
        panels,
        facts.synthetic or any(p["pack"].get("synthetic") for p in peers),
        f"{len(units)} forces, {period} period (each chart says which it leaves out)",
        notices,
        disclosure=method,
    )


def controls(query: dict, facts) -> list:
    """The peer-group, period and limits controls above the charts."""
    peers = [p for p in str(query.get("peers", "")).split(",") if p]
    options = [{"label": n, "value": c} for c, n in zip(facts.forces["force_code"], facts.forces["force_name"])]
    # Imported peers are in every peer group (the page compares with them because they were imported): listed,
    # ticked and fixed, so that the choices show every force the charts do (an imported peer was missing).

    held = set(facts.forces["force_code"])
    try:
        imported = [p for p in all_peers(engine()) if p["force_code"] not in held]
    except Exception:  # noqa: BLE001 - no exchange tables yet: no imported peer to list
        imported = []
    for peer in imported:
        unit = f"{peer['force_code']} (imported)"
        options.append(
            {"label": f"{peer['force_name']} (imported: always in the peer group)", "value": unit, "disabled": True}
        )
        peers = peers if unit in peers else [*peers, unit]
    controls = html.Section(
        [
            html.H2("Compare with"),
            html.Div(
                [
                    html.Fieldset(
                        [
                            html.Legend("Peer group (the selected force is the one in the filter bar)"),
                            dcc.Checklist(
                                id="bench-peers",
                                value=peers,
                                className="choices",
                                inputClassName="choice-input",
                                labelClassName="choice-label",
                                options=options,
                            ),
                        ],
                        className="filter-group",
                    ),
                    html.Fieldset(
                        [
                            html.Legend("Period"),
                            dcc.RadioItems(
                                id="bench-period",
                                value=query.get("bench_period", "pilot"),
                                className="choices",
                                inputClassName="choice-input",
                                labelClassName="choice-label",
                                options=[
                                    {"label": "Pilot", "value": "pilot"},
                                    {"label": "Baseline", "value": "baseline"},
                                ],
                            ),
                        ],
                        className="filter-group",
                    ),
                    html.Fieldset(
                        [
                            html.Legend("Limits"),
                            dcc.Checklist(
                                id="bench-od",
                                value=["od"] if query.get("od") == "1" else [],
                                className="choices",
                                inputClassName="choice-input",
                                labelClassName="choice-label",
                                options=[{"label": "Adjust for over-dispersion", "value": "od"}],
                            ),
                        ],
                        className="filter-group",
                    ),
                ],
                className="filter-grid",
            ),
            html.Button("Apply", id="bench-apply", n_clicks=0, className="button primary", type="button"),
        ],
        className="chart no-present",
    )
    return [controls]


@callback(
    Output(PAGES_LOCATION, "search", allow_duplicate=True),
    Input("bench-apply", "n_clicks"),
    State("bench-peers", "value"),
    State("bench-period", "value"),
    State("bench-od", "value"),
    State(PAGES_LOCATION, "search"),
    prevent_initial_call=True,
)
def apply(n_clicks, peers, period, od, search):
    if not n_clicks:
        return no_update
    return updated_search(
        search,
        {
            "peers": ",".join(peers) if peers else None,
            "bench_period": "baseline" if period == "baseline" else "pilot",
            "od": "1" if od else None,
        },
    )


def _peers_fingerprint() -> str:
    return fingerprint(engine())


def build(ask: Ask, facts) -> View:
    filters = ask.resolved(facts)
    selected = filters.force[0] if len(filters.force) == 1 else ""
    group = {p for p in str(ask.query.get("peers", "")).split(",") if p}
    period = "baseline" if ask.query.get("bench_period") == "baseline" else "pilot"
    built = view(
        facts, all_peers(engine()), selected, group, period, ask.query.get("od") == "1", settings.disclosure_method()
    )
    # A filter shown as applied is applied, or the page says it is not: a peer's pack holds whole forces only.
    ignored = list(
        dict.fromkeys(FILTER_WORDS[name] for name in FILTER_NAMES if name != "force" and getattr(filters, name))
    )
    if ignored:
        built.notices.insert(
            0,
            f"Benchmarking compares whole forces: the {' and '.join(ignored)} "
            f"filter{'s are' if len(ignored) > 1 else ' is'} not applied here, since a peer's pack "
            "holds its whole force's published figures only.",
        )
    return built


# Benchmarking shows publication figures of every force whatever the audience; only the selection counts.
REPORT = Report(
    "/benchmark",
    "Benchmarking",
    build,
    order=6,
    audiences=False,
    shaped_by="force",
    settings=("peers", "bench_period", "od"),
    reads=_peers_fingerprint,
    warm=True,
    controls=controls,
)
