"""The synthetic demo bundle: generated from a seed, written in the data standard's own format.

It is loaded through the ordinary loader, so the loader validates it. Every force is marked
``synthetic = Y``. Rates come from ``etl.assumptions``, where each has its source.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from harbour.etl import assumptions as A
from harbour.etl.parse import LONDON, SkippedHour, end_of_day_utc, local_to_utc, parse_datetime, utc_to_local_date
from harbour.etl.spec import SPEC

UTC = UTC


@dataclass
class ForcePlan:
    code: str
    name: str
    scheme: str | None
    pilot_start: date | None
    baseline_start: date
    extract_date: date
    per_year: float
    # A change of the force's own, not a scheme (a new placement provider, say): from this date, the chance of going
    # missing is multiplied by this factor. The synthetic exchange's forces (etl.demo_exchange) have one or two.
    own_change: tuple[date, float] | None = None
    trend: bool = True  # whether its children follow the national trend (etl.assumptions.SECULAR_TREND)


@dataclass
class _Rows:
    forces: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    placements: list[dict] = field(default_factory=list)
    missing_episodes: list[dict] = field(default_factory=list)


def fmt_moment(utc: datetime) -> str:
    """A UTC instant as a force would export it: UK local time, with an offset only where the
    local time is ambiguous (the repeated hour), so that it reads back as the same instant."""
    local = utc.replace(tzinfo=UTC).astimezone(LONDON).replace(tzinfo=None)
    try:
        if local_to_utc(local) == utc:
            return local.strftime("%Y-%m-%d %H:%M")
    except SkippedHour:  # cannot happen for a real instant; kept for safety
        pass
    return utc.strftime("%Y-%m-%dT%H:%M") + "+00:00"


def plans(scale: str, rng: random.Random) -> list[ForcePlan]:
    lead = A.LEAD_FORCE
    if scale == "pilot":
        out = [
            ForcePlan(
                lead["force_code"],
                lead["force_name"],
                lead["scheme_name"],
                lead["pilot_start"],
                lead["baseline_start"],
                lead["extract_date"],
                A.CHILDREN_PER_YEAR.value,
            )
        ]
        for code, name, pilot, per_year in A.OTHER_PILOT_FORCES:
            out.append(
                ForcePlan(
                    code,
                    name,
                    "Safe First Contact" if pilot else None,
                    pilot,
                    date(2016, 8, 1),
                    lead["extract_date"],
                    per_year,
                )
            )
        return out
    if scale != "national":
        raise ValueError("scale must be 'pilot' or 'national'")
    out = []
    start, extract = date(2016, 4, 1), date(2026, 3, 31)
    for i in range(1, 44):
        per_year = rng.choice([20, 30, 45, 60, 60, 80, 120, 200])
        pilot = None
        if rng.random() < 0.7:
            pilot = date(rng.randint(2018, 2024), rng.randint(1, 12), 1)
        out.append(
            ForcePlan(
                f"F{i:02d}",
                f"Force {i:02d} (fictional)",
                "Safe First Contact" if pilot else None,
                pilot,
                start,
                extract,
                per_year,
            )
        )
    return out


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _child(rng: random.Random, plan: ForcePlan, n: int, contact: datetime, cut: datetime, rows: _Rows) -> None:
    code = plan.code
    pilot = plan.pilot_start is not None and contact >= local_to_utc(
        datetime.combine(plan.pilot_start, datetime.min.time())
    )
    child_id = f"{code[:3]}-K{n:05d}"
    age_roll = rng.random()
    age = (
        ""
        if age_roll < 0.05
        else str(rng.choice([11, 12]))
        if age_roll < 0.09
        else str(rng.choice([13, 14, 15]))
        if age_roll < 0.38
        else str(rng.choice([16, 16, 17, 17, 17]))
    )
    base_median, pilot_median = A.ENGAGEMENT_MEDIAN_HOURS.value
    engagement = None
    if rng.random() < (0.97 if pilot else 0.88):
        hours = rng.lognormvariate(0, 0.9) * (pilot_median if pilot else base_median)
        engagement = min(contact + timedelta(hours=hours), cut)
    submitted = None
    if pilot and rng.random() < 0.92:
        submitted = min((engagement or contact) + timedelta(hours=rng.uniform(1, 30)), cut)
    rows.contacts.append(
        {
            "contact_id": f"{code[:3]}-C{n:05d}",
            "child_id": child_id,
            "force_code": code,
            "first_contact_at": fmt_moment(contact),
            "first_engagement_at": fmt_moment(engagement) if engagement else "",
            "pack_completed": "Y" if submitted else "N",
            "pack_submitted_at": fmt_moment(submitted) if submitted else "",
            "age_at_contact": age,
            "age_disputed": rng.choice(["Y", "N", "N", "N", "U"]),
            "sex": rng.choices(["M", "F", "U"], weights=[88, 11, 1])[0],
            "nationality": _weighted(rng, A.NATIONALITY_WEIGHTS),
            "contact_route": _weighted(rng, A.ROUTE_WEIGHTS),
            "interpreter_used": rng.choice(["Y", "Y", "Y", "N", ""]),
            "trafficking_indicators": rng.choice(["Y", "N", "N", "U"]),
            "nrm_referral": rng.choice(["Y", "N", "N", ""]),
            "missing_risk": rng.choice(["HIGH", "HIGH", "MEDIUM", "LOW", "U"]),
        }
    )
    if rng.random() > A.PLACED_SHARE.value:
        return
    t0 = contact + timedelta(hours=rng.lognormvariate(1.5, 0.8))
    if t0 > cut:
        return
    years = (contact - datetime(A.TREND_FROM.year, A.TREND_FROM.month, A.TREND_FROM.day)).total_seconds() / (
        365.25 * 86400
    )
    risk = (
        A.MISSING_SHARE_BASELINE.value
        * (A.SECULAR_TREND.value ** max(0.0, years) if plan.trend else 1.0)
        * (A.PILOT_EARLY_MISSING_RELATIVE_RISK.value if pilot else 1.0)
        * (
            plan.own_change[1]
            if plan.own_change and contact >= local_to_utc(datetime.combine(plan.own_change[0], datetime.min.time()))
            else 1.0
        )
    )
    missing_at = None
    if rng.random() < risk:
        early = rng.random() < A.MISSING_EARLY_SHARE.value
        missing_at = t0 + timedelta(hours=rng.uniform(0.5, 72) if early else rng.uniform(72, 24 * 120))
        if missing_at > cut:
            missing_at = None
    placement_n = 0

    def placement(start, end, reason):
        nonlocal placement_n
        placement_n += 1
        if end is not None and end > cut:
            end, reason = None, None
        rows.placements.append(
            {
                "placement_id": f"{code[:3]}-P{n:05d}-{placement_n}",
                "child_id": child_id,
                "force_code": code,
                "start_at": fmt_moment(start),
                "end_at": fmt_moment(end) if end else "",
                "placement_type": rng.choice(["U1", "U4", "U6", "K2", "K2", "H5", "T0"]),
                "provider": rng.choice(["PR1", "PR1", "PR4", "PR5", ""]),
                "end_reason": reason or "",
            }
        )

    episode_n = 0

    def episode(kind, start, end, outcome):
        nonlocal episode_n
        episode_n += 1
        if end is not None and end > cut:
            end, outcome = None, None
        offered = rng.choice(["Y", "Y", "Y", "N"]) if end else "U"
        rows.missing_episodes.append(
            {
                "episode_id": f"{code[:3]}-M{n:05d}-{episode_n}",
                "child_id": child_id,
                "force_code": code,
                "episode_type": kind,
                "start_at": fmt_moment(start),
                "end_at": fmt_moment(end) if end else "",
                "risk_grading": rng.choice(["HIGH", "HIGH", "MEDIUM", "LOW"]),
                "outcome": outcome or "",
                "return_interview_offered": offered,
                "return_interview_accepted": (rng.choice(["Y", "N"]) if offered == "Y" else "U"),
            }
        )

    if rng.random() < 0.08:  # an away episode: whereabouts known, not a missing event
        away = t0 + timedelta(hours=rng.uniform(2, 24 * 60))
        if away < cut:
            episode("A", away, away + timedelta(hours=rng.uniform(2, 20)), "SAFE")
    if missing_at is None:
        roll = rng.random()
        if roll < 0.10:
            placement(t0, t0 + timedelta(days=rng.uniform(5, 200)), "TRANSFERRED_LA")
        elif roll < 0.15:
            placement(t0, t0 + timedelta(days=rng.uniform(3, 60)), "AGE_ASSESSED_ADULT")
        elif roll < 0.40:
            move = t0 + timedelta(days=rng.uniform(10, 150))
            placement(t0, move, "PLANNED_MOVE")
            if move < cut:
                placement(move, None, None)
        else:
            placement(t0, None, None)
        return
    never_found = rng.random() < A.NEVER_FOUND_SHARE.value
    if never_found:
        placement(t0, missing_at + timedelta(hours=rng.uniform(1, 20)), "MISSING")
        episode("M", missing_at, None, None)
        return
    placement(t0, None, None)
    start = missing_at
    while start < cut:
        within_2d = rng.random() < A.EPISODES_ENDING_IN_48H.value
        duration = rng.uniform(1, 48) if within_2d else rng.uniform(48, 24 * 10)
        end = start + timedelta(hours=duration)
        episode("M", start, end, rng.choices(["SAFE", "HARMED", "U"], weights=[88, 5, 7])[0])
        if rng.random() > 0.45:
            break
        start = end + timedelta(hours=rng.uniform(24, 24 * 30))


def generate(seed: int = 2017, scale: str = "pilot") -> _Rows:
    rng = random.Random(seed)
    return generate_forces(plans(scale, rng), rng)


def generate_forces(planned: list[ForcePlan], rng: random.Random) -> _Rows:
    """The bundle's rows of the ``planned`` forces, drawn from ``rng``."""
    rows = _Rows()
    for plan in planned:
        rows.forces.append(
            {
                "force_code": plan.code,
                "force_name": plan.name,
                "scheme_name": plan.scheme or "",
                "pilot_start": plan.pilot_start.isoformat() if plan.pilot_start else "",
                "baseline_start": plan.baseline_start.isoformat(),
                "extract_date": plan.extract_date.isoformat(),
                "synthetic": "Y",
            }
        )
        start = local_to_utc(datetime.combine(plan.baseline_start, datetime.min.time()))
        cut = end_of_day_utc(plan.extract_date)
        span_hours = (cut - start).total_seconds() / 3600
        expected = plan.per_year * span_hours / (365.25 * 24)
        count = max(1, int(round(rng.gauss(expected, expected**0.5))))
        moments = sorted(start + timedelta(minutes=int(rng.uniform(0, span_hours * 60))) for _ in range(count))
        for n, contact in enumerate(moments, start=1):
            _child(rng, plan, n, contact, cut, rows)
    return rows


def write_bundle(rows: _Rows, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    for name in ("forces", "contacts", "placements", "missing_episodes"):
        columns = [c.name for c in SPEC[name]]
        with (out / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(getattr(rows, name))
    return out


# --- the demo's placements as local authorities' SSDA903 returns (data standard v2) ----------------------------

# The return's REC for each of the demo's end reasons. SSDA903 has no REC for going missing (a child who
# goes missing stays looked after); a placement the demo ends MISSING with no placement after it is
# written as E8, "ceased for any other reason", so it loads back as OTHER.
_REC_OF = {
    "TRANSFERRED_LA": "E3",
    "AGE_ASSESSED_ADULT": "E15",
    "RETURNED_FAMILY": "E4A",
    "REACHED_18": "E17",
    "OTHER": "E8",
    "MISSING": "E8",
}
_REASON_OF = {"PLANNED_MOVE": "CARPL", "UNPLANNED_MOVE": "CREQB", "MISSING": "CHILD"}
_UNLINKED_SHARE = 0.08  # unaccompanied children of the authority whom the force never met: coverage under 100%


def la_code_of(index: int) -> str:
    """A fictional authority's ONS-style code for the demo's n-th force (E10 is the county prefix)."""
    return f"E1099{index:04d}"


def _day(text: str) -> str:
    """A bundle date-time as the return writes its dates: the UK day, dd/mm/yyyy."""

    return utc_to_local_date(parse_datetime(text)).strftime("%d/%m/%Y")


def write_ssda903_bundle(rows: _Rows, out: Path, seed: int = 2017) -> Path:
    """The demo with its placements and missing episodes as each force's authority's SSDA903 return:
    forces.csv, contacts.csv (with la_code, la_child_id) and ssda903/<la_code>/{header,episodes,uasc,missing}.csv,
    the return's real columns, its identifying ones left blank."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    la_of = {f["force_code"]: la_code_of(i) for i, f in enumerate(rows.forces, start=1)}
    ref: dict[tuple[str, str], str] = {}
    in_care = {(p["force_code"], p["child_id"]) for p in rows.placements}
    contacts = []
    for c in rows.contacts:
        key = (c["force_code"], c["child_id"])
        if key not in in_care:  # never looked after: the authority has no reference to share
            contacts.append({**c, "la_code": "", "la_child_id": ""})
            continue
        ref[key] = f"{c['force_code'][:3]}{len(ref) + 1:06d}"
        contacts.append({**c, "la_code": la_of[c["force_code"]], "la_child_id": ref[key]})
    for name, table in (("forces", rows.forces), ("contacts", contacts)):
        with (out / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=[c.name for c in SPEC[name]])
            writer.writeheader()
            writer.writerows(table)
    for force in rows.forces:
        code, la = force["force_code"], la_of[force["force_code"]]
        folder = out / "ssda903" / la
        folder.mkdir(parents=True, exist_ok=True)
        mine = [p for p in rows.placements if p["force_code"] == code]
        by_child: dict[str, list[dict]] = {}
        for p in mine:
            by_child.setdefault(p["child_id"], []).append(p)
        header, episodes, uasc, missing = [], [], [], []
        for child, placements in by_child.items():
            ident = ref[(code, child)]
            header.append([ident, "1", "", "", "", "", ""])
            uasc.append([ident, "1", "", ""])
            placements.sort(key=lambda p: p["start_at"])
            moved_in = False  # the placement before ended the day this one began: a move (RNE P), not a new start
            for i, p in enumerate(placements):
                following = placements[i + 1] if i + 1 < len(placements) else None
                same_day = bool(following and p["end_at"] and _day(following["start_at"]) == _day(p["end_at"]))
                rne = "P" if moved_in else "S"
                reason = _REASON_OF.get(placements[i - 1]["end_reason"], "CARPL") if moved_in else ""
                moved_in = same_day
                rec = "" if not p["end_at"] else "X1" if same_day else _REC_OF.get(p["end_reason"], "E8")
                episodes.append(
                    [
                        ident,
                        _day(p["start_at"]),
                        rne,
                        "C2",
                        "N1",
                        p["placement_type"],
                        p["provider"],
                        _day(p["end_at"]) if p["end_at"] else "",
                        rec,
                        reason,
                        "",
                        "",
                        "",
                    ]
                )
        for e in (e for e in rows.missing_episodes if e["force_code"] == code):
            missing.append(
                [
                    ref[(code, e["child_id"])],
                    "",
                    e["episode_type"],
                    _day(e["start_at"]),
                    _day(e["end_at"]) if e["end_at"] else "",
                ]
            )
        for n in range(int(len(uasc) * _UNLINKED_SHARE)):
            ident = f"{code[:3]}9{n:05d}"  # in the authority's care, never met by the force
            start = episodes[rng.randrange(len(episodes))][1] if episodes else "01/01/2018"
            header.append([ident, "1", "", "", "", "", ""])
            uasc.append([ident, "1", "", ""])
            episodes.append([ident, start, "S", "C2", "N1", "U4", "PR1", "", "", "", "", "", ""])
        for name, columns, table in (
            ("header", ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"], header),
            (
                "episodes",
                [
                    "CHILD",
                    "DECOM",
                    "RNE",
                    "LS",
                    "CIN",
                    "PLACE",
                    "PLACE_PROVIDER",
                    "DEC",
                    "REC",
                    "REASON_PLACE_CHANGE",
                    "HOME_POST",
                    "PL_POST",
                    "URN",
                ],
                episodes,
            ),
            ("uasc", ["CHILD", "SEX", "DOB", "DUC"], uasc),
            ("missing", ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"], missing),
        ):
            with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(columns)
                writer.writerows(table)
    return out
