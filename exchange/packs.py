"""Benchmark packs: a force's disclosure-controlled aggregates, in a file that forces can exchange.

A pack holds the force's summary and monthly series after disclosure control, its scheme's name
and months, the extract month, the data standard and Harbour versions and the month it was made;
nothing child-level, and no date finer than a month. A SHA-256 of its content detects damage; the
force's Ed25519 signature (exchange.signing) proves who made it, and every field is checked
against the schema in exchange.schema before anything of it is stored or drawn.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from importlib.metadata import PackageNotFoundError, version

from harbour import settings
from harbour.exchange.schema import SchemaError, check_pack
from harbour.metrics.attribution import Quarter, quarterly_sums
from harbour.metrics.disclosure import PERTURBATION, PUBLICATION, Audience, pack_quarters
from harbour.metrics.filters import Filters
from harbour.metrics.monthly import monthly_series
from harbour.metrics.summary import STANDARD_VERSION, build_summary

FORMAT = "harbour-benchmark-pack"
PACK_VERSION = 2  # version 2: the quarterly counts attribution takes from a force (docs/metrics.md version 4)
READ_PACK_VERSIONS = (1, 2)  # a version 1 pack still serves benchmarking, not attribution
_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


MAX_PACK_BYTES = 2 * 2**20


class PackError(ValueError):
    """A pack that cannot be imported; the message says why, in words."""


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number a pack may hold")


def month(value) -> str | None:
    if value is None:
        return None
    return str(value)[:7]


# Version 3's attribution and precision describe the force's own change, not a figure peers benchmark: a pack
# carries the period figures and the comparison only, as its schema (exchange.schema) checks them.
READ_STANDARD_VERSIONS = (3, STANDARD_VERSION)  # version 3's packs (suppression) are still read
NOT_PACKED = ("attribution", "attribution_reason", "precision", "precision_reason")


def _months_only(summary: dict) -> dict:
    out = json.loads(json.dumps({k: v for k, v in summary.items() if k not in NOT_PACKED}))
    out["extract_date"] = month(out.get("extract_date"))
    for period in out["periods"].values():
        period["start"], period["end"] = month(period["start"]), month(period["end"])
    return out


def _text_or_none(value) -> str | None:
    """A text field of the force's row; a blank or missing one (pandas gives NaN) is None."""
    if value is None or (isinstance(value, float) and value != value) or not str(value).strip():
        return None
    return str(value)


def checksum(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def make_pack(
    force: dict,
    summary: dict,
    monthly: list[dict],
    harbour_version: str,
    made: date,
    quarterly: tuple[list[dict] | None, str | None] = ([], None),
) -> dict:
    """The pack of one force. ``summary`` must be disclosure-controlled (``exact`` false); ``quarterly``: its
    published 28-day counts by quarter (disclosure.pack_quarters), or none and why."""
    if summary.get("exact"):
        raise PackError("a benchmark pack holds disclosure-controlled figures only")
    body = {
        "format": FORMAT,
        "pack_version": PACK_VERSION,
        "standard_version": STANDARD_VERSION,
        "harbour_version": harbour_version,
        "made": month(made.isoformat()),
        "force": {
            "code": force["force_code"],
            "name": force["force_name"],
            "scheme_name": _text_or_none(force.get("scheme_name")),
            "pilot_start": month(force.get("pilot_start")),
            "baseline_start": month(force.get("baseline_start")),
            "extract_month": month(force.get("extract_date")),
            # The extract date itself: the last day the force's records cover, not a child's date.
            "extract_date": str(force.get("extract_date"))[:10],
        },
        "synthetic": bool(force.get("synthetic")),
        "summary": _months_only(summary),
        "monthly": monthly,
        "quarterly": quarterly[0],
        "quarterly_note": quarterly[1],
    }
    return {**body, "sha256": checksum(body)}


def with_sequence(pack: dict, sequence: int) -> dict:
    """The pack with the signing force's ``sequence`` (its count of signed packs), its checksum made again."""
    body = {k: v for k, v in pack.items() if k not in ("sha256", "signature")}
    body["sequence"] = int(sequence)
    return {**body, "sha256": checksum(body)}


def newer(pack: dict, held: dict) -> str | None:
    """None when ``pack`` may replace ``held`` (the same force's pack held now); otherwise why not, in words. A
    pack must not be older by its extract month, and where the held one has a sequence, must carry a greater one:
    so neither an older pack nor a replay of the held one passes for the latest."""
    extract, held_extract = pack["force"].get("extract_month") or "", held["force"].get("extract_month") or ""
    if extract < held_extract:
        return f"its extract month {extract} is older than the {held_extract} held: no rollback"
    held_sequence = held.get("sequence")
    if held_sequence is not None and (pack.get("sequence") or 0) <= held_sequence:
        return (
            f"its sequence {pack.get('sequence', 'none')} is not after the {held_sequence} held (an older or replayed "
            "pack): no rollback"
        )
    return None


def force_pack(facts, code: str, made: date | None = None, method: str | None = None) -> dict | None:
    """The unsigned pack of force ``code`` from the warehouse's facts (None when it holds no such force): its
    disclosure-controlled summary and monthly series, exactly as `harbour benchmark export` writes them, by the
    deployment's method (HARBOUR_DISCLOSURE) unless ``method`` names one; the summary says which."""

    chosen = facts.forces[facts.forces["force_code"] == code]
    if chosen.empty:
        return None
    method = method or settings.disclosure_method()
    doc = build_summary(facts.children, facts.episodes, facts.forces, force=code, method=method)
    audience = Audience(PUBLICATION.name, method=method)
    too_few = [name for name, period in doc["periods"].items() if period.get("too_few")]
    series = audience.series(
        monthly_series(Filters(force=(code,)).apply(facts.children), facts.extract_dates()), too_few
    )
    monthly = [
        {
            "month": r["month"],
            "children": r["children"],
            "retention_7d": r["retention_7d"],
            "within_24h": r["within_24h"],
            "median_engagement_hours": r["median_engagement_hours"],
        }
        for r in series.astype(object).where(series.notna(), None).to_dict("records")
    ]
    try:
        harbour_version = version("harbour")
    except PackageNotFoundError:
        harbour_version = "unknown"
    row = chosen.iloc[0].to_dict()
    quarterly = pack_quarters_of(facts.children[facts.children["force_code"] == code], row, method, doc)
    return make_pack(row, doc, monthly, harbour_version, made or date.today(), quarterly)


def pack_quarters_of(children, force: dict, method: str, doc: dict) -> tuple[list[dict] | None, str | None]:
    """The force's published 28-day counts by quarter of first contact, for attribution elsewhere (docs/metrics.md
    version 4): its complete quarters wholly within its data period and wholly before its own pilot_start (the only
    quarters a comparison force contributes), each as the force publishes it; none where, beside its baseline's own
    published counts, they would give a small count away."""
    if children.empty:
        return [], None
    sums = quarterly_sums(children, keyed=method == PERTURBATION)
    quarters = [Quarter(int(n) // 4, int(n) % 4 + 1) for n in sums["quarter"]]
    start, extract, pilot = force.get("baseline_start"), force.get("extract_date"), force.get("pilot_start")
    pilot = pilot if isinstance(pilot, date) else None
    keep = [q.start >= start and q.end <= extract and (pilot is None or q.end < pilot) for q in quarters]
    sums = sums.assign(quarter=[q.label for q in quarters])[keep].reset_index(drop=True)
    return pack_quarters(sums, method, doc["periods"]["baseline"])


def _walk(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, path + (str(i),))
    else:
        yield path, node


def validate(text: str | bytes) -> dict:
    """The pack in ``text``, checked; raises PackError naming the problem."""
    if len(text) > MAX_PACK_BYTES:
        raise PackError(f"the file is {len(text):,} bytes; a benchmark pack is at most {MAX_PACK_BYTES:,}")
    try:
        pack = json.loads(text, parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError, RecursionError) as exc:
        raise PackError(f"the file is not a benchmark pack: it is not valid JSON ({exc.__class__.__name__})") from None
    if not isinstance(pack, dict) or pack.get("format") != FORMAT:
        raise PackError("the file is not a Harbour benchmark pack (its format field is missing or different)")
    if pack.get("pack_version") not in READ_PACK_VERSIONS:
        raise PackError(
            f"the pack is version {pack.get('pack_version')!r}; this Harbour reads versions "
            f"{' and '.join(map(str, READ_PACK_VERSIONS))}"
        )
    if pack.get("standard_version") not in READ_STANDARD_VERSIONS:
        raise PackError(
            f"the pack follows data standard version {pack.get('standard_version')!r}; this Harbour uses "
            f"version {STANDARD_VERSION}"
        )
    try:
        check_pack(pack)
    except SchemaError as exc:
        raise PackError(f"the pack is malformed at {exc}") from None
    body = {k: v for k, v in pack.items() if k not in ("sha256", "signature")}
    if pack.get("sha256") != checksum(body):
        raise PackError("the pack's checksum does not match its content: it was damaged or edited after it was made")
    # The schema has checked every field's type and range, the count rule, and that no key it does not
    # know (such as a child identifier) is present; free text (a name) may still hold a full date.
    for path, value in _walk(pack):
        if path == ("force", "extract_date"):
            continue  # the one full date a pack holds (version 2): the day its records end, no child's
        if isinstance(value, str) and path[-1] not in ("sha256", "value") and _FULL_DATE.search(value):
            raise PackError(f"the pack has a date finer than a month at {'.'.join(path)}: refused")
    return pack


def readable(peers: list[dict]) -> tuple[list[dict], list[str]]:
    """The stored peers whose packs pass the schema, and the names of those that do not. Checked again as they
    are read: a pack stored by an older Harbour, or edited in the warehouse, is skipped and named rather than
    breaking a page for everyone."""
    kept, skipped = [], []
    for peer in peers:
        try:
            check_pack(peer["pack"])
        except (SchemaError, KeyError, TypeError, AttributeError):
            skipped.append(str(peer.get("force_name", "a peer"))[:80])
            continue
        kept.append(peer)
    return kept, skipped
