"""Imported benchmark packs (peers): store, list, remove. Each keeps its provenance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, delete, insert, select, update

from harbour.exchange.packs import newer
from harbour.warehouse import schema
from harbour.warehouse.connect import locked_transaction
from harbour.warehouse.queries import peers_digest

P = schema.benchmark_peers
S = schema.benchmark_peer_signers
K = schema.trusted_keys


OR = schema.benchmark_peer_origins


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class Admitted:
    """What became of one arriving pack: ``outcome`` is imported, replaced (a newer pack of a force held),
    unchanged (this very pack is held already) or older (a newer pack of that force is held: nothing changed)."""

    outcome: str
    peer_id: int | None
    held_extract: str | None = None
    why: str = ""  # for an older one: what makes it older, in words


def admit(
    conn: Connection, pack: dict, signer: str | None, origin: str, source_name: str, hub_url: str | None = None
) -> Admitted:
    """Store a checked pack as a peer inside the caller's transaction, never rolling a force back: a pack whose
    extract month is older than the one held for its force is not stored, and a newer one replaces it. ``signer``
    is the key id that verified it (None: imported unsigned); ``origin`` is file or hub. Where the held pack carries
    the signing force's sequence, a pack is newer only with a greater one (exchange.packs.newer)."""
    code = pack["force"]["code"]
    now = _now()
    same = conn.execute(select(P.c.peer_id).where(P.c.sha256 == pack["sha256"])).scalar()
    if same is not None:
        if signer is not None:
            conn.execute(update(S).where(S.c.peer_id == same).values(key_id=signer))
        conn.execute(delete(OR).where(OR.c.peer_id == same))
        conn.execute(insert(OR).values(peer_id=same, origin=origin, hub_url=hub_url, pulled_at=now))
        return Admitted("unchanged", int(same))
    held = conn.execute(select(P.c.peer_id, P.c.pack).where(P.c.force_code == code)).all()
    newest = max(((p["force"].get("extract_month") or "") for _, p in held), default=None)
    reasons = [why for _, p in held if (why := newer(pack, p))]  # older by extract month, or by the signer's sequence
    if reasons:
        return Admitted("older", None, newest, reasons[0])
    for peer_id, _ in held:
        _delete(conn, peer_id)
    peer_id = conn.execute(
        insert(P).values(
            force_code=code,
            force_name=pack["force"]["name"][:80],
            imported_at=now,
            made=pack["made"],
            harbour_version=str(pack["harbour_version"])[:20],
            source_name=source_name[:255],
            sha256=pack["sha256"],
            pack=pack,
        )
    ).inserted_primary_key[0]
    conn.execute(insert(S).values(peer_id=peer_id, key_id=signer))
    conn.execute(insert(OR).values(peer_id=peer_id, origin=origin, hub_url=hub_url and hub_url[:255], pulled_at=now))
    return Admitted("replaced" if held else "imported", int(peer_id), newest)


def next_sequence(engine: Engine, code: str) -> int:
    """Advance force ``code``'s count of signed packs by one, in a transaction of its own; the new count."""
    table = schema.pack_sequences
    with locked_transaction(engine) as conn:  # the write lock first: two signers never read the same count
        last = conn.execute(select(table.c.last_sequence).where(table.c.force_code == code).with_for_update()).scalar()
        if last is None:
            conn.execute(insert(table).values(force_code=code, last_sequence=1))
            return 1
        conn.execute(update(table).where(table.c.force_code == code).values(last_sequence=last + 1))
        return last + 1


def add(engine: Engine, pack: dict, source_name: str, signer: str | None = None) -> Admitted:
    """A pack from a file, stored as :func:`admit` stores it, in a transaction of its own."""
    with engine.begin() as conn:
        return admit(conn, pack, signer, "file", source_name)


def all_peers(engine: Engine) -> list[dict]:
    """Every imported peer with its pack, provenance, ``signer`` (None: imported unsigned), ``origin`` (file or
    hub; None for a peer imported before origins were kept), ``hub_url`` and ``pulled_at``."""
    with engine.connect() as conn:
        rows = (
            conn.execute(
                select(P, S.c.key_id.label("signer"), OR.c.origin, OR.c.hub_url, OR.c.pulled_at)
                .select_from(P.outerjoin(S, S.c.peer_id == P.c.peer_id).outerjoin(OR, OR.c.peer_id == P.c.peer_id))
                .order_by(P.c.peer_id)
            )
            .mappings()
            .all()
        )
    return [dict(r) for r in rows]


def origin_words(peer: dict) -> str:
    """Where a peer's pack came from and when, in words: 'the hub at URL, last pulled ...' or 'the file NAME,
    imported ...'."""
    if peer.get("origin") == "hub":
        return f"the hub at {peer['hub_url']}, last pulled {peer['pulled_at']:%d %b %Y %H:%M} UTC"
    if peer.get("origin") == "demo":
        return f"{peer['source_name']} (synthetic: made with the demo)"
    when = peer.get("pulled_at") or peer["imported_at"]
    return f"the file {peer['source_name']}, imported {when:%d %b %Y %H:%M} UTC"


def fingerprint(engine: Engine) -> str:
    """Which peers are held, who signed them, where they came from and when: a change to any (an import, a pull,
    a removal) changes it (the facts' generation holds it too)."""
    return peers_digest(engine)


def trust(engine: Engine, key_id: str, force_code: str, public_pem: str) -> bool:
    """Add a force's public key to the keyring; False when that key is already trusted."""
    with engine.begin() as conn:
        if conn.execute(select(K.c.key_id).where(K.c.key_id == key_id)).scalar() is not None:
            return False
        conn.execute(insert(K).values(key_id=key_id, force_code=force_code, public_pem=public_pem, added_at=_now()))
    return True


def keyring(engine: Engine) -> dict[str, tuple[str, bytes]]:
    """key id -> (force code, public key PEM) of every trusted key."""
    with engine.connect() as conn:
        rows = conn.execute(select(K.c.key_id, K.c.force_code, K.c.public_pem)).all()
    return {kid: (code, pem.encode("ascii")) for kid, code, pem in rows}


def _delete(conn: Connection, peer_id: int) -> int:
    # Children first: SQLite enforces no foreign keys unless asked, so the cascade is not relied on.
    conn.execute(delete(OR).where(OR.c.peer_id == peer_id))
    conn.execute(delete(S).where(S.c.peer_id == peer_id))
    return conn.execute(delete(P).where(P.c.peer_id == peer_id)).rowcount


def remove(engine: Engine, peer_id: int) -> bool:
    with engine.begin() as conn:
        return _delete(conn, peer_id) > 0
