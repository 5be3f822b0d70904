"""Imported benchmark packs (peers): store, list, remove. Each keeps its provenance."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Engine, delete, insert, select

from warehouse import schema

P = schema.benchmark_peers
S = schema.benchmark_peer_signers
K = schema.trusted_keys


def add(engine: Engine, pack: dict, source_name: str, signer: str | None = None) -> tuple[int, bool]:
    """(peer_id, newly added); a pack already imported (same checksum) is not added twice. ``signer`` is the
    key id that verified it, None for a pack imported unsigned."""
    with engine.begin() as conn:
        found = conn.execute(select(P.c.peer_id).where(P.c.sha256 == pack["sha256"])).scalar()
        if found is not None:
            return int(found), False
        peer_id = conn.execute(insert(P).values(
            force_code=pack["force"]["code"], force_name=pack["force"]["name"][:80],
            imported_at=datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0), made=pack["made"],
            harbour_version=str(pack["harbour_version"])[:20], source_name=source_name[:255], sha256=pack["sha256"],
            pack=pack)).inserted_primary_key[0]
        conn.execute(insert(S).values(peer_id=peer_id, key_id=signer))
    return int(peer_id), True


def all_peers(engine: Engine) -> list[dict]:
    """Every imported peer with its pack, provenance and ``signer`` (None: imported unsigned)."""
    with engine.connect() as conn:
        rows = conn.execute(select(P, S.c.key_id.label("signer")).select_from(P.outerjoin(S, S.c.peer_id == P.c.peer_id))
                            .order_by(P.c.peer_id)).mappings().all()
    return [dict(r) for r in rows]


def fingerprint(engine: Engine) -> str:
    """Which peers are held, and who signed them: a change to either (an import, a removal) changes it."""
    import hashlib

    with engine.connect() as conn:
        rows = conn.execute(select(P.c.peer_id, P.c.sha256, S.c.key_id).select_from(
            P.outerjoin(S, S.c.peer_id == P.c.peer_id)).order_by(P.c.peer_id)).all()
    return hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()


def trust(engine: Engine, key_id: str, force_code: str, public_pem: str) -> bool:
    """Add a force's public key to the keyring; False when that key is already trusted."""
    with engine.begin() as conn:
        if conn.execute(select(K.c.key_id).where(K.c.key_id == key_id)).scalar() is not None:
            return False
        conn.execute(insert(K).values(key_id=key_id, force_code=force_code, public_pem=public_pem,
                                      added_at=datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)))
    return True


def keyring(engine: Engine) -> dict[str, tuple[str, bytes]]:
    """key id -> (force code, public key PEM) of every trusted key."""
    with engine.connect() as conn:
        rows = conn.execute(select(K.c.key_id, K.c.force_code, K.c.public_pem)).all()
    return {kid: (code, pem.encode("ascii")) for kid, code, pem in rows}


def remove(engine: Engine, peer_id: int) -> bool:
    with engine.begin() as conn:
        conn.execute(delete(S).where(S.c.peer_id == peer_id))
        return conn.execute(delete(P).where(P.c.peer_id == peer_id)).rowcount > 0
