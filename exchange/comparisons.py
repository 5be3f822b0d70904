"""Comparison forces from the exchange (docs/metrics.md version 4, Attribution): the quarterly 28-day counts that
verified version 2 packs hold, as attribution takes them beside the warehouse's own forces.

A pack's counts are another force's published figures: perturbed, or c under suppression (a c quarter is left
out). Only a pack whose signature this warehouse verified serves; a force whose records the warehouse holds is
taken from its records; a version 1 pack, an unsigned one or one whose quarters were withheld is named with the
reason it cannot serve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from harbour.exchange.packs import readable
from harbour.metrics.attribution import Quarter
from harbour.metrics.disclosure import SUPPRESSED


@dataclass(frozen=True)
class PackForce:
    """A force whose verified pack serves attribution, and where its counts came from."""

    code: str
    name: str
    pilot_start: date | None  # the first day of its pilot's month (a pack gives months): quarters before it serve
    data_start: date | None  # the first day of its baseline's month
    extract_date: date
    signer: str  # the key id that verified the pack
    fingerprint: str  # the signer's public key fingerprint
    method: str
    synthetic: bool

    @property
    def source(self) -> str:
        """Where its counts came from, in words."""
        return (
            f"its signed pack (extract {self.extract_date.day} {self.extract_date:%b %Y}, signed by key "
            f"{self.fingerprint})"
        )


@dataclass(frozen=True)
class Comparisons:
    """The packs' quarterly rows (force_code, quarter as a Quarter, retained, at_risk; c quarters left out), the
    forces they come from, and the packs that cannot serve with the reason for each."""

    rows: pd.DataFrame
    forces: tuple[PackForce, ...] = ()
    unusable: tuple[tuple[str, str], ...] = ()  # (force name and code, why)
    digest: str = ""
    by_code: dict = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def empty(cls) -> Comparisons:
        return cls(pd.DataFrame(columns=["force_code", "quarter", "retained", "at_risk"]))


def _first_of(month: str | None) -> date | None:
    return date(int(month[:4]), int(month[5:7]), 1) if month else None


def from_peers(peers: list[dict], own: set[str], fingerprints: dict[str, str], digest: str = "") -> Comparisons:
    """The comparison forces in the stored ``peers`` (exchange.store.all_peers), leaving out the forces in ``own``
    (taken from their records); ``fingerprints``: key id -> the public key's fingerprint."""
    usable, _ = readable(peers)
    rows, forces, unusable = [], [], []
    for peer in usable:
        pack = peer["pack"]
        force = pack["force"]
        label = f"{force['name'][:80]} ({force['code']})"
        if force["code"] in own:
            continue  # its records are here: counted from them
        if pack.get("pack_version", 1) < 2:
            unusable.append((label, "its pack is version 1, which holds no quarterly counts (benchmarking only)"))
            continue
        if peer.get("signer") is None:
            unusable.append((label, "its pack was imported unsigned, so nothing verifies who made it"))
            continue
        if pack.get("quarterly") is None:
            unusable.append((label, f"its pack holds no quarterly counts ({pack.get('quarterly_note') or 'withheld'})"))
            continue
        extract = date.fromisoformat(force["extract_date"])
        forces.append(
            PackForce(
                force["code"],
                force["name"][:80],
                _first_of(force.get("pilot_start")),
                _first_of(force.get("baseline_start")),
                extract,
                peer["signer"],
                fingerprints.get(peer["signer"], peer["signer"]),
                pack["summary"].get("disclosure", "suppression"),
                bool(pack.get("synthetic")),
            )
        )
        for q in pack["quarterly"]:
            at_risk, missing = q["at_risk"], q["not_retained"]
            if SUPPRESSED in (at_risk, missing) or at_risk is None or missing is None:
                continue  # a c quarter is left out
            year, n = int(q["quarter"][:4]), int(q["quarter"][-1])
            rows.append(
                {
                    "force_code": force["code"],
                    "quarter": Quarter(year, n),
                    "retained": int(at_risk) - int(missing),
                    "at_risk": int(at_risk),
                }
            )
    frame = pd.DataFrame(rows, columns=["force_code", "quarter", "retained", "at_risk"])
    return Comparisons(frame, tuple(forces), tuple(unusable), digest, {f.code: f for f in forces})


def read(engine, own: set[str]) -> Comparisons:
    """The comparison forces of the warehouse's stored packs (none where it has no exchange tables yet)."""
    from harbour.exchange.signing import fingerprint, load_public
    from harbour.exchange.store import all_peers, keyring
    from harbour.exchange.store import fingerprint as peers_fingerprint

    try:
        peers, ring, digest = all_peers(engine), keyring(engine), peers_fingerprint(engine)
    except Exception:  # noqa: BLE001 - no exchange tables: no comparison force from packs
        return Comparisons.empty()
    prints = {}
    for key_id, (_, pem) in ring.items():
        try:
            prints[key_id] = fingerprint(load_public(pem))
        except ValueError:
            prints[key_id] = key_id
    return from_peers(peers, own, prints, digest)


_OF: dict = {}


def of(facts) -> Comparisons | None:
    """The comparison forces of the packs held in the warehouse ``facts`` were read from, read once per generation
    (which changes with the packs held); None for facts read from no warehouse."""
    url = getattr(facts, "warehouse_url", None)
    if not url:
        return None
    key = (url, facts.generation)
    if key not in _OF:
        from harbour.warehouse.engine import engine_for

        if len(_OF) > 32:
            _OF.clear()
        _OF[key] = read(engine_for(url), set(facts.forces["force_code"]))
    return _OF[key]
