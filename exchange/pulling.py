"""Taking peers' packs into a warehouse: the checks every arriving pack passes, from a file or from a hub.

A pack is untrusted until it has passed, in this order: the schema and checksum (exchange.packs.validate), not
being a force whose own records this warehouse holds, and a signature by the key this warehouse's keyring holds
for its force (exchange.signing.verify). A pull takes every pack a hub sends through these checks first, then
stores those that passed in one transaction (exchange.store.admit): a failure on the way stores nothing, and no
force is ever rolled back to an older extract.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from harbour.exchange.packs import PackError, validate
from harbour.exchange.signing import SignatureProblem, Tampered, verify
from harbour.exchange.store import admit, keyring
from harbour.untrusted import printable
from harbour.warehouse import schema

MOST_PACKS = 500
_CODE = re.compile(r"[A-Z0-9_]{2,16}")


class Unusable(Exception):
    """A pack that did not pass: ``kind`` is invalid, own records, unsigned, unknown signer or altered."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind, self.message = kind, message


def own_forces(engine: Engine) -> dict[str, str]:
    """force code -> name of every force whose own records the warehouse holds."""
    with engine.connect() as conn:
        return dict(conn.execute(select(schema.forces.c.force_code, schema.forces.c.force_name)).all())


def check(pack: dict, ring: dict, own: dict[str, str]) -> str:
    """The key id that verified a validated ``pack``; Unusable when it must not be stored (or, for kind unsigned
    and unknown signer only, stored as unverified where the user asks for that)."""
    code = pack["force"]["code"]
    if code in own:
        raise Unusable(
            "own records",
            f"this warehouse holds the records of {printable(own[code], 80)} ({code}) "
            "itself, so its pack would count that force twice",
        )
    try:
        return verify(pack, ring)
    except Tampered as exc:
        raise Unusable("altered", str(exc)) from None
    except SignatureProblem as exc:
        kind = "unsigned" if not pack.get("signature") else "unknown signer"
        raise Unusable(kind, str(exc)) from None


def serves(pack: dict) -> str:
    """What a stored pack cannot serve, in words (empty where it serves benchmarking and attribution)."""
    if pack.get("pack_version", 1) < 2:
        return " A version 1 pack: it serves benchmarking, not attribution (it holds no quarterly counts)."
    if pack.get("quarterly") is None:
        return " Its quarterly counts were withheld: it serves benchmarking, not attribution."
    return ""


def label(pack: dict) -> str:
    return f"{printable(pack['force']['name'], 80)} ({pack['force']['code']})"


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: str, line: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        self.lines.append(line)

    def total(self, hub_url: str) -> str:
        parts = [f"{self.counts.get(k, 0)} {k}" for k in ("imported", "replaced", "unchanged", "skipped")]
        return f"Pulled from {hub_url}: " + ", ".join(parts) + "."


def pull(engine: Engine, answer: dict, hub_url: str) -> Report:
    """Import what a hub's ``GET /api/v1/packs`` answered (``answer``, untrusted JSON)."""
    report = Report()
    entries = answer.get("packs")
    if not isinstance(entries, list):
        raise PackError("the hub's answer holds no list of packs")
    if len(entries) > MOST_PACKS:
        raise PackError(f"the hub sent {len(entries):,} packs; a pull takes at most {MOST_PACKS}")
    ring, own = keyring(engine), own_forces(engine)
    passed = []
    for number, entry in enumerate(entries, start=1):
        listed = entry.get("force") if isinstance(entry, dict) else None
        where = f"entry {number}" + (f" ({listed})" if isinstance(listed, str) and _CODE.fullmatch(listed) else "")
        try:
            body = entry.get("pack") if isinstance(entry, dict) else None
            if not isinstance(body, dict):
                raise PackError("it is not a pack")
            pack = validate(json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8"))
        except (PackError, ValueError, TypeError, RecursionError) as exc:
            report.add("skipped", f"Skipped {where}: invalid: {printable(exc, 300)}.")
            continue
        try:
            passed.append((pack, check(pack, ring, own)))
        except Unusable as problem:
            if problem.kind != "own records":  # a force's own pack is on the hub too: not worth a line
                report.add("skipped", f"Skipped {label(pack)}: {problem.kind}: {printable(problem.message, 300)}.")
    with engine.begin() as conn:
        for pack, signer in passed:
            done = admit(conn, pack, signer, "hub", hub_url[:255], hub_url[:255])
            extract = pack["force"]["extract_month"]
            if done.outcome == "older":
                report.add(
                    "skipped",
                    f"Skipped {label(pack)}: older than held: {done.why.replace(' held', ' held here')}; "
                    "the held one is kept.",
                )
            else:
                report.add(
                    done.outcome,
                    f"{done.outcome.capitalize()}: {label(pack)}, extract {extract}, signature "
                    f"verified (key {signer}), as peer {done.peer_id}.{serves(pack)}",
                )
    return report
