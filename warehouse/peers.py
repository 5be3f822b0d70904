"""Imported benchmark packs (peers): store, list, remove. Each keeps its provenance."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Engine, delete, insert, select

from warehouse import schema

P = schema.benchmark_peers


def add(engine: Engine, pack: dict, source_name: str) -> tuple[int, bool]:
    """(peer_id, newly added); a pack already imported (same checksum) is not added twice."""
    with engine.begin() as conn:
        found = conn.execute(select(P.c.peer_id).where(P.c.sha256 == pack["sha256"])).scalar()
        if found is not None:
            return int(found), False
        peer_id = conn.execute(insert(P).values(
            force_code=pack["force"]["code"], force_name=pack["force"]["name"][:80],
            imported_at=datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0), made=pack["made"],
            harbour_version=str(pack["harbour_version"])[:20], source_name=source_name[:255], sha256=pack["sha256"],
            pack=pack)).inserted_primary_key[0]
    return int(peer_id), True


def all_peers(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(P).order_by(P.c.peer_id)).mappings().all()
    return [dict(r) for r in rows]


def remove(engine: Engine, peer_id: int) -> bool:
    with engine.begin() as conn:
        return conn.execute(delete(P).where(P.c.peer_id == peer_id)).rowcount > 0
