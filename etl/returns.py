"""The merge of returns: placements and missing episodes from the authorities' SSDA903 returns joined to the
bundle's own, before the cross-table rules check them all."""

from __future__ import annotations

import pandas as pd

from harbour.etl.pseudonymise import Pseudonymiser
from harbour.etl.ssda903.derive import derive as derive_return
from harbour.etl.valid import ValidBundle, add_rows


def merge_returns(
    bundle: ValidBundle, returns: list, pseudonymise: Pseudonymiser, contacts_file: str, contacts_known: bool
) -> None:
    """Placements and missing episodes from the authorities' SSDA903 returns, for the children whose
    contact links to them (la_code and la_child_id); W06 for a link a return does not hold; and each
    return's coverage: its unaccompanied children by month of first DECOM, how many had a contact, a pack."""
    c = bundle.contacts
    linked = c[c["la_code"].notna() & c["la_child_key"].notna() & c["_ok"]] if contacts_known else c.iloc[0:0]
    default_force = next(iter(bundle.forces["force_code"].dropna()), None)
    placements, episodes = [], []
    for ret in returns:
        mine = linked[linked["la_code"] == ret.la_code]
        links = dict(zip(mine["la_child_key"], zip(mine["force_code"], mine["child_key"])))
        packs = dict(zip(mine["la_child_key"], mine["pack_completed"] == "Y"))
        derived = derive_return(ret, pseudonymise, links, bundle.findings)
        placements += derived.placements
        episodes += derived.episodes
        absent = ~mine["la_child_key"].isin(derived.children)
        add_rows(
            bundle,
            contacts_file,
            mine,
            absent.to_numpy(),
            "la_child_id",
            "W06",
            f"the la_child_id is not in the SSDA903 return of {ret.la_code} (the identifier is not shown)",
        )
        forces = mine["force_code"].value_counts()
        force = forces.index[0] if len(forces) else default_force
        for code in set(mine["force_code"]):
            bundle.day_precision.setdefault(code, []).append(ret.la_code)
        counts: dict[str, list[int]] = {}
        for key, month in derived.uasc.items():
            cell = counts.setdefault(month or "unknown", [0, 0, 0])
            cell[0] += 1
            cell[1] += key in links
            cell[2] += bool(packs.get(key, False))
        bundle.coverage += [
            {
                "force_code": force,
                "la_code": ret.la_code,
                "month": month,
                "uasc_children": n,
                "linked": k,
                "with_pack": w,
            }
            for month, (n, k, w) in sorted(counts.items())
        ]
    for name, rows in (("placements", placements), ("missing_episodes", episodes)):
        if not rows:
            continue
        frame = pd.DataFrame(rows)
        frame["_ok"] = True
        current = bundle.placements if name == "placements" else bundle.episodes
        combined = pd.concat([current, frame], ignore_index=True) if len(current) else frame
        for column in current.columns:
            if column not in combined:
                combined[column] = None
        if name == "placements":
            bundle.placements = combined
        else:
            bundle.episodes = combined
