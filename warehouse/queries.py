"""The queries the CLI and pages need. They read derived facts, never the raw tables.

Frames are cached per warehouse and load generation: a new load (a new batch) invalidates them.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, func, select

from harbour.warehouse import schema
from harbour.warehouse.schema import access_log


@dataclass(frozen=True)
class Facts:
    """Everything a page aggregates.

    ``children``: the child_facts columns (row labels 0..n-1); ``episodes``: the episode_facts
    columns and ``child_row``, the label of the episode's child in ``children``;
    ``forces``: force_code, force_name, scheme_name, pilot_start, baseline_start,
    extract_date, synthetic, batch_id (dates as ``datetime.date``).
    """

    children: pd.DataFrame
    episodes: pd.DataFrame
    forces: pd.DataFrame
    # Which warehouse and which load these facts are: what a cache of views built from them is keyed by.
    generation: str | None = None
    # force_code, la_code, children: the local authorities each force's bundle names, by number of children.
    authorities: pd.DataFrame | None = None
    # The warehouse these facts were read from (its URL), for what is read beside them on demand: the comparison
    # forces of its verified packs (exchange.comparisons.of). The packs held are part of the generation: a pull
    # or an import that changes them makes new keys.
    warehouse_url: str | None = None

    @property
    def synthetic(self) -> bool:
        return bool(self.forces["synthetic"].any()) if len(self.forces) else False

    def extract_dates(self) -> dict:
        return dict(zip(self.forces["force_code"], self.forces["extract_date"]))


_lock = threading.Lock()
_cache: dict[str, tuple[object, Facts]] = {}


def generation(engine: Engine) -> object:
    """The latest load: its batch, when, and its content's hash (so that a warehouse rebuilt at the same
    path is never mistaken for the one before)."""
    b = schema.load_batches
    with engine.connect() as conn:
        row = conn.execute(
            select(b.c.batch_id, b.c.loaded_at, b.c.content_sha256)
            .where(b.c.outcome == "loaded")
            .order_by(b.c.batch_id.desc())
            .limit(1)
        ).first()
        # And the derivation of every batch whose facts are held: facts derived again (harbour upgrade) are new.
        derived = conn.execute(
            select(b.c.batch_id, b.c.derivation)
            .where(b.c.batch_id.in_(select(schema.forces.c.batch_id).distinct()))
            .order_by(b.c.batch_id)
        ).all()
    return None if row is None else (row[0], str(row[1]), row[2], ";".join(f"{i}:{d}" for i, d in derived))


def read_facts(engine: Engine) -> Facts:
    with engine.connect() as conn:
        # In key order: sums of floats are the same however the rows were inserted (a load, a re-derivation) and
        # whichever order a database returns them in.
        c, e = schema.child_facts, schema.episode_facts
        children = pd.DataFrame(
            conn.execute(select(c).order_by(c.c.force_code, c.c.child_key)).mappings().all(),
            columns=[col.name for col in c.columns],
        )
        episodes = pd.DataFrame(
            conn.execute(select(e).order_by(e.c.force_code, e.c.child_key, e.c.seq)).mappings().all(),
            columns=[col.name for col in e.columns],
        )
        f = schema.forces
        forces = pd.DataFrame(
            conn.execute(
                select(
                    f.c.force_code,
                    f.c.force_name,
                    f.c.scheme_name,
                    f.c.pilot_start,
                    f.c.baseline_start,
                    f.c.extract_date,
                    f.c.synthetic,
                    f.c.batch_id,
                ).order_by(f.c.force_code)
            )
            .mappings()
            .all(),
            columns=[
                "force_code",
                "force_name",
                "scheme_name",
                "pilot_start",
                "baseline_start",
                "extract_date",
                "synthetic",
                "batch_id",
            ],
        )
    for column in ("placed", "pack_completed"):
        children[column] = children[column].astype(bool)
    children["event"] = children["event"].astype("boolean").fillna(False).astype(bool)
    for column in ("followup_hours", "obs_hours", "engagement_hours"):
        children[column] = pd.to_numeric(children[column], errors="coerce").astype(float)
    episodes["harmed"] = episodes["harmed"].astype(bool)
    for column in ("hours_after_placement", "duration_hours"):
        episodes[column] = pd.to_numeric(episodes[column], errors="coerce").astype(float)
    # Low-cardinality codes as categories: filtering and grouping on them is several times faster.
    for column in ("force_code", "period", "age_band", "sex", "nationality", "contact_route"):
        children[column] = children[column].astype("category")
    # Each episode knows its child's row, so a cohort's episodes are found by integer label.
    children = children.reset_index(drop=True)
    rows = pd.Series(
        children.index, index=pd.MultiIndex.from_arrays([children["force_code"].astype(str), children["child_key"]])
    )
    episodes["child_row"] = rows.reindex(pd.MultiIndex.from_frame(episodes[["force_code", "child_key"]])).to_numpy()
    with engine.connect() as conn:
        days = dict(conn.execute(select(schema.day_precision.c.force_code, schema.day_precision.c.la_codes)).all())
    forces["day_precision"] = forces["force_code"].isin(list(days))
    forces["la_codes"] = forces["force_code"].map(days)
    forces["pilot_start"] = forces["pilot_start"].astype(object).where(forces["pilot_start"].notna(), None)
    forces["synthetic"] = forces["synthetic"].astype(bool)
    with engine.connect() as conn:
        a = schema.force_authorities
        authorities = pd.DataFrame(
            conn.execute(select(a.c.force_code, a.c.la_code, a.c.children)).mappings().all(),
            columns=["force_code", "la_code", "children"],
        )
    return Facts(children, episodes, forces, authorities=authorities)


def peers_digest(engine: Engine) -> str:
    """Which benchmark packs are held, who signed them, where they came from and when: a change to any (an import,
    a pull, a removal) changes it."""
    p, sg, o = schema.benchmark_peers, schema.benchmark_peer_signers, schema.benchmark_peer_origins
    with engine.connect() as conn:
        rows = conn.execute(
            select(p.c.peer_id, p.c.sha256, sg.c.key_id, o.c.origin, o.c.hub_url, o.c.pulled_at)
            .select_from(p.outerjoin(sg, sg.c.peer_id == p.c.peer_id).outerjoin(o, o.c.peer_id == p.c.peer_id))
            .order_by(p.c.peer_id)
        ).all()
    return hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()


def _peers_digest(engine: Engine) -> str:
    try:
        return peers_digest(engine)
    except Exception:  # noqa: BLE001 - no exchange tables yet: no peers
        return ""


def facts(engine: Engine) -> Facts:
    """The warehouse's facts, read once per load generation and shared by every callback; their generation made
    anew (the facts kept) when a pull or an import changes the packs held."""
    key = str(engine.url)
    load = generation(engine)
    current = (load, _peers_digest(engine))
    with _lock:
        cached = _cache.get(key)
        if cached and cached[0] == current:
            return cached[1]
    if cached and cached[0][0] == load:
        loaded = cached[1]  # the same load: only the packs changed
    else:
        loaded = read_facts(engine)
    loaded = Facts(
        loaded.children,
        loaded.episodes,
        loaded.forces,
        generation=hashlib.sha256(f"{engine.url!r}|{current}".encode()).hexdigest()[:24],
        authorities=loaded.authorities,
        warehouse_url=engine.url.render_as_string(hide_password=False),
    )
    with _lock:
        _cache[key] = (current, loaded)
    return loaded


def coverage(engine: Engine) -> pd.DataFrame:
    """The scheme's coverage from SSDA903 returns: by force, authority and month (counts only)."""
    t = schema.ssda903_coverage
    with engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.force_code, t.c.la_code, t.c.month)).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in t.columns])


def load_history(engine: Engine) -> pd.DataFrame:
    b = schema.load_batches
    with engine.connect() as conn:
        rows = conn.execute(select(b).order_by(b.c.batch_id.desc())).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in b.columns])


def warnings_by_rule(engine: Engine) -> pd.DataFrame:
    """Warnings of the batches whose data is held now: columns rule, file, warnings."""
    w, f = schema.load_warnings, schema.forces
    held = select(f.c.batch_id).distinct()
    with engine.connect() as conn:
        rows = conn.execute(
            select(w.c.rule, w.c.file, func.count().label("warnings"))
            .where(w.c.batch_id.in_(held))
            .group_by(w.c.rule, w.c.file)
            .order_by(w.c.rule, w.c.file)
        ).all()
    return pd.DataFrame(rows, columns=["rule", "file", "warnings"])


def access_entries(engine: Engine, limit: int = 500, before: int | None = None) -> tuple[list[dict], int]:
    """The newest ``limit`` entries of the access log (older than entry ``before`` where given), newest first, and
    how many entries it holds in all: every entry is reachable, a page at a time."""

    query = select(access_log).order_by(access_log.c.entry_id.desc()).limit(limit)
    if before is not None:
        query = query.where(access_log.c.entry_id < before)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
        total = conn.execute(select(func.count()).select_from(access_log)).scalar() or 0
    return [dict(r) for r in rows], int(total)
