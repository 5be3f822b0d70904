"""Placements and missing episodes from a checked return, for the children a contact links to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from harbour.etl.findings import Finding
from harbour.etl.parse import is_blank, local_to_utc, parse_date
from harbour.etl.ssda903.check import checked_rows
from harbour.etl.ssda903.codes import REC_END_REASONS, move_reason
from harbour.etl.ssda903.read import Return


@dataclass
class Derived:
    """What a return gives the bundle: placements and missing episodes (typed, with the row they came
    from), the CHILD references it holds, and its unaccompanied children with their first DECOM month."""

    placements: list[dict] = field(default_factory=list)
    episodes: list[dict] = field(default_factory=list)
    children: set[str] = field(default_factory=set)  # pseudonymised CHILD of every table
    uasc: dict[str, str | None] = field(default_factory=dict)  # pseudonymised CHILD: first DECOM month


def _moment(value: str) -> datetime:
    """A return's date as the standard takes it: 00:00 UK local time, as naive UTC."""
    day = parse_date(value)
    return local_to_utc(datetime(day.year, day.month, day.day))


def derive(ret: Return, pseudonymise, links: dict[str, tuple[str, str]], findings: list[Finding]) -> Derived:
    """Placements and missing episodes of the return's children that a contact links to.

    ``links``: pseudonymised CHILD -> (force_code, child_key) for this authority.
    """
    out = Derived()
    rows = {name: checked_rows(table, findings) for name, table in ret.tables.items()}
    for table in ret.tables.values():
        for values in table.rows:
            if values and not is_blank(values[0]):
                out.children.add(pseudonymise(str(values[0]).strip()))
    by_child: dict[str, list[dict]] = {}
    for row in rows.get("episodes", []):
        by_child.setdefault(pseudonymise(row["CHILD"].strip()), []).append(row)
    for episodes in by_child.values():
        episodes.sort(key=lambda r: (parse_date(r["DECOM"]), r["_row"]))
    for row in rows.get("uasc", []):
        key = pseudonymise(row["CHILD"].strip())
        first = by_child.get(key)
        out.uasc[key] = parse_date(first[0]["DECOM"]).strftime("%Y-%m") if first else None
    file = ret.tables["episodes"].file if "episodes" in ret.tables else f"ssda903/{ret.la_code}"
    for key, episodes in by_child.items():
        if key not in links:
            continue
        force, child = links[key]
        out.placements += _placements(ret.la_code, force, child, episodes, file)
    missing_file = ret.tables["missing"].file if "missing" in ret.tables else file
    for row in rows.get("missing", []):
        key = pseudonymise(row["CHILD"].strip())
        if key not in links:
            continue
        force, child = links[key]
        out.episodes.append(
            {
                "episode_id": f"{ret.la_code}-M{row['_row']}",
                "child_key": child,
                "force_code": force,
                "episode_type": row["MISSING"].strip().upper(),
                "start_at": _moment(row["MIS_START"]),
                "end_at": None if is_blank(row["MIS_END"]) else _moment(row["MIS_END"]),
                "risk_grading": "U",
                "outcome": "U",
                "return_interview_offered": "U",
                "return_interview_accepted": "U",
                "_row": row["_row"],
                "_file": missing_file,
            }
        )
    return out


def _placements(la: str, force: str, child: str, episodes: list[dict], file: str) -> list[dict]:
    """One child's episodes as placements: X1 then RNE L (legal status only) goes on; any other
    X1 is a move, its end_reason from the new episode's REASON_PLACE_CHANGE; a last episode with
    another REC ended care, its end_reason from REC."""
    out: list[dict] = []
    current: dict | None = None
    for index, episode in enumerate(episodes):
        following = episodes[index + 1] if index + 1 < len(episodes) else None
        if current is None:
            current = {
                "placement_id": f"{la}-E{episode['_row']}",
                "child_key": child,
                "force_code": force,
                "start_at": _moment(episode["DECOM"]),
                "placement_type": episode["PLACE"].strip().upper(),
                "provider": (episode["PLACE_PROVIDER"] or "").strip().upper() or None,
                "_row": episode["_row"],
                "_file": file,
            }
        ended = not is_blank(episode["DEC"])
        rec = (episode["REC"] or "").strip().upper()
        continues = (
            ended
            and rec == "X1"
            and following is not None
            and parse_date(following["DECOM"]) == parse_date(episode["DEC"])
        )
        if continues and following["RNE"].strip().upper() == "L":
            continue  # the legal status changed; the child stayed where they were
        current["end_at"] = _moment(episode["DEC"]) if ended else None
        if not ended:
            current["end_reason"] = None
        elif continues:
            current["end_reason"] = move_reason((following["REASON_PLACE_CHANGE"] or "").strip().upper() or None)
        elif rec in REC_END_REASONS:
            current["end_reason"] = REC_END_REASONS[rec][0]
        else:  # X1 with no episode beginning that day (SSDA903 rule 388 broken): the reason is unknown
            current["end_reason"] = "OTHER"
        out.append(current)
        current = None
    return out
