"""What a hub knows and does, on its own database: forces and their keys, tokens, packs and the audit log.

Every write is one transaction and leaves a line in the audit log, accepted or refused. A pack is checked
whole before it is stored: the pack schema (exchange.packs.validate), the token's force, the signature
against the force's current key, and no rollback (an extract month older than the one held is refused).
Tokens are 256-bit random strings shown once; only their SHA-256 is kept.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import Engine, func, insert, select, update

from harbour.exchange.packs import PackError, newer, validate
from harbour.exchange.signing import (
    SignatureProblem,
    fingerprint,
    key_id,
    load_public,
    rotation_statement,
    verify,
    verify_bytes,
)
from harbour.exchange.signing import public_pem as pem_of
from harbour.hub import schema as H
from harbour.untrusted import printable
from harbour.warehouse import migrate
from harbour.warehouse.engine import ensure_schema, make_engine

TOKEN_DAYS = 365
_CODE = re.compile(r"^[A-Z0-9_]{2,16}$")


class Refused(Exception):
    """A request the hub will not carry out: the HTTP status, a short code and a sentence saying why."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Token:
    token_id: int
    force_code: str

    @property
    def actor(self) -> str:
        return f"token {self.token_id} ({self.force_code})"


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """The hub's database at ``url``, with its tables in place. Every hub transaction writes (an audit line, a
    token's last use), so on SQLite each takes the write lock as it begins: two uploads queue, never fail half-way."""

    engine = make_engine(url, immediate=True)
    try:
        ensure_schema(engine, migrate.HUB, H.metadata)  # a new one made at the head; any other must be current
    except Exception:
        engine.dispose()
        raise
    return engine


def force_code(value: str) -> str:
    code = str(value).strip().upper()
    if not _CODE.fullmatch(code):
        raise Refused(400, "bad-force", "a force code is 2 to 16 capitals, digits or _")
    return code


def _audit(
    conn,
    actor: str,
    force: str | None,
    action: str,
    outcome: str,
    detail: str,
    status: int | None = None,
    remote: str | None = None,
) -> None:
    conn.execute(
        insert(H.audit).values(
            at=now(),
            actor=actor[:40],
            force_code=force,
            action=action,
            outcome=outcome,
            status=status,
            detail=printable(detail, 240),
            remote=(remote or None) and remote[:64],
        )
    )


def audit_refusal(
    engine: Engine, actor: str, force: str | None, action: str, refusal: Refused, remote: str | None = None
) -> None:
    """A refused write, in its own transaction (the refused one wrote nothing)."""
    with engine.begin() as conn:
        _audit(conn, actor, force, action, "refused", refusal.message, refusal.status, remote)


# ---------------------------------------------------------------------------------------------- the operator's


def register(engine: Engine, force: str, public_pem: bytes, replace: bool = False) -> tuple[str, str]:
    """Record ``force``'s public key: (key id, fingerprint). A force that has a key already is refused unless
    ``replace`` (a lost key: the operator's decision, in the audit log); a rotation is the force's own, signed."""

    code = force_code(force)
    try:
        public = load_public(public_pem)
    except SignatureProblem as exc:
        raise Refused(400, "bad-key", str(exc)) from None
    kid, fp = key_id(public), fingerprint(public)
    with engine.begin() as conn:
        if conn.execute(select(H.keys.c.force_code).where(H.keys.c.fingerprint == fp)).first() is not None:
            raise Refused(409, "key-known", f"key {kid} is already registered; a key belongs to one force, once")
        current = conn.execute(
            select(H.keys.c.key_id).where(H.keys.c.force_code == code, H.keys.c.retired_at.is_(None))
        ).scalar()
        if current is not None and not replace:
            raise Refused(
                409,
                "has-key",
                f"{code} already has key {current}: the force rotates it itself (harbour "
                "benchmark rotate-key), or give --replace if its private key was lost",
            )
        if conn.execute(select(H.forces.c.force_code).where(H.forces.c.force_code == code)).first() is None:
            conn.execute(insert(H.forces).values(force_code=code, registered_at=now()))
        if current is not None:
            conn.execute(update(H.keys).where(H.keys.c.key_id == current).values(retired_at=now()))
        conn.execute(
            insert(H.keys).values(
                key_id=kid,
                force_code=code,
                fingerprint=fp,
                public_pem=pem_of(public).decode("ascii"),
                added_at=now(),
                added_by="operator",
            )
        )
        _audit(
            conn,
            "command line",
            code,
            "register key",
            "accepted",
            f"key {kid}" + (f" replacing {current}" if current else ""),
        )
    return kid, fp


def issue_token(engine: Engine, force: str, days: int = TOKEN_DAYS) -> tuple[str, int, datetime]:
    """A new token for ``force``: (the token, shown once and never stored; its id; when it expires)."""
    code = force_code(force)
    if not 1 <= days <= 3660:
        raise Refused(400, "bad-days", "a token lasts 1 to 3,660 days")
    token = secrets.token_urlsafe(32)  # 256 random bits
    expires = now() + timedelta(days=days)
    with engine.begin() as conn:
        if conn.execute(select(H.forces.c.force_code).where(H.forces.c.force_code == code)).first() is None:
            raise Refused(
                404, "unknown-force", f"{code} is not registered: register its public key first (harbour hub register)"
            )
        token_id = conn.execute(
            insert(H.tokens).values(force_code=code, token_hash=token_hash(token), created_at=now(), expires_at=expires)
        ).inserted_primary_key[0]
        _audit(conn, "command line", code, "issue token", "accepted", f"token {token_id}, expires {expires:%Y-%m-%d}")
    return token, int(token_id), expires


def revoke(engine: Engine, force: str) -> int:
    """Revoke every live token of ``force``; how many were revoked."""
    code = force_code(force)
    with engine.begin() as conn:
        count = conn.execute(
            update(H.tokens)
            .where(H.tokens.c.force_code == code, H.tokens.c.revoked_at.is_(None))
            .values(revoked_at=now())
        ).rowcount
        _audit(conn, "command line", code, "revoke tokens", "accepted", f"{count} token(s) revoked")
    return int(count)


# ----------------------------------------------------------------------------------------------- the API's


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def authenticate(engine: Engine, bearer: str | None) -> Token:
    """The live token that ``bearer`` is, with its last use recorded; Refused (401) otherwise."""
    if not bearer:
        raise Refused(401, "no-token", "the request carries no bearer token (Authorization: Bearer TOKEN)")
    with engine.begin() as conn:
        row = conn.execute(select(H.tokens).where(H.tokens.c.token_hash == token_hash(bearer))).mappings().first()
        if row is None:
            raise Refused(401, "bad-token", "the token is not one this hub issued")
        if row["revoked_at"] is not None:
            raise Refused(401, "revoked", "the token was revoked; ask the hub's operator for a new one")
        if row["expires_at"] <= now():
            raise Refused(
                401,
                "expired",
                f"the token expired on {row['expires_at']:%Y-%m-%d}; ask the hub's operator for a new one",
            )
        conn.execute(update(H.tokens).where(H.tokens.c.token_id == row["token_id"]).values(last_used_at=now()))
    return Token(int(row["token_id"]), row["force_code"])


def _keyring(conn) -> dict[str, tuple[str, bytes]]:
    rows = conn.execute(
        select(H.keys.c.key_id, H.keys.c.force_code, H.keys.c.public_pem).where(H.keys.c.retired_at.is_(None))
    ).all()
    return {kid: (code, pem.encode("ascii")) for kid, code, pem in rows}


def accept_pack(engine: Engine, token: Token, body: bytes, remote: str | None = None) -> tuple[int, dict]:
    """Store an uploaded pack: (201, ...) when stored, (200, ...) when the same pack is already held; Refused
    otherwise, with the refusal in the audit log."""

    try:
        try:
            pack = validate(body)
        except PackError as exc:
            raise Refused(400, "invalid-pack", str(exc)) from None
        code = pack["force"]["code"]
        if code != token.force_code:
            raise Refused(403, "wrong-force", f"the token is {token.force_code}'s; it cannot upload {code[:16]}'s pack")
        with engine.begin() as conn:
            # One upload of a force at a time (a row lock on PostgreSQL; SQLite's BEGIN IMMEDIATE already holds it).
            conn.execute(select(H.forces.c.force_code).where(H.forces.c.force_code == code).with_for_update()).first()
            try:
                signer = verify(pack, _keyring(conn))
            except SignatureProblem as exc:
                raise Refused(
                    400,
                    "bad-signature",
                    str(exc)
                    .replace("this warehouse's keyring", f"this hub's keys for {code}")
                    .replace(" (add the force's public key with `harbour benchmark trust`)", ""),
                ) from None
            held = conn.execute(
                select(H.packs.c.pack_id, H.packs.c.body)
                .where(H.packs.c.force_code == code)
                .order_by(H.packs.c.pack_id.desc())
                .limit(1)
            ).first()
            extract = pack["force"]["extract_month"] or ""
            replayed = conn.execute(
                select(H.packs.c.pack_id).where(H.packs.c.force_code == code, H.packs.c.sha256 == pack["sha256"])
            ).first()
            if replayed is not None:
                raise Refused(
                    409,
                    "replayed",
                    f"this pack is one the hub has held already (pack {replayed.pack_id}): a pack is taken once, and "
                    "only when it is newer than the latest",
                )
            if held is not None and (why := newer(pack, json.loads(held.body))):
                raise Refused(
                    409, "older-than-held", f"the pack is not newer than the one this hub holds for {code}: {why}"
                )
            pack_id = conn.execute(
                insert(H.packs).values(
                    force_code=code,
                    extract_month=extract,
                    made=pack["made"],
                    sha256=pack["sha256"],
                    key_id=signer,
                    token_id=token.token_id,
                    uploaded_at=now(),
                    body=json.dumps(pack, ensure_ascii=False, allow_nan=False, separators=(",", ":")),
                )
            ).inserted_primary_key[0]
            _audit(
                conn,
                token.actor,
                code,
                "upload pack",
                "accepted",
                f"pack {pack_id}, extract {extract}, key {signer}",
                201,
                remote,
            )
        return 201, {"status": "stored", "pack_id": int(pack_id), "sha256": pack["sha256"], "extract_month": extract}
    except Refused as refusal:
        audit_refusal(engine, token.actor, token.force_code, "upload pack", refusal, remote)
        raise


def _latest(conn, since: datetime | None = None):
    """The latest stored pack of each force (the highest pack id: uploads only ever move a force forward)."""
    newest = select(func.max(H.packs.c.pack_id)).group_by(H.packs.c.force_code).scalar_subquery()
    query = select(H.packs).where(H.packs.c.pack_id.in_(newest)).order_by(H.packs.c.force_code)
    if since is not None:
        query = query.where(H.packs.c.uploaded_at > since)
    return conn.execute(query).mappings().all()


def latest_packs(engine: Engine, since: datetime | None = None) -> list[dict]:
    """The latest pack of every force (uploaded after ``since`` where given), as stored."""
    with engine.connect() as conn:
        rows = _latest(conn, since)
    out = []
    for r in rows:
        try:
            pack = json.loads(r["body"])
        except ValueError:
            pack = None  # damaged in the database: sent as null, and the pulling Harbour refuses it
        out.append(
            {
                "force": r["force_code"],
                "pack_id": r["pack_id"],
                "extract_month": r["extract_month"],
                "sha256": r["sha256"],
                "uploaded_at": r["uploaded_at"].isoformat() + "Z",
                "pack": pack,
            }
        )
    return out


def current_keys(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(H.keys).where(H.keys.c.retired_at.is_(None)).order_by(H.keys.c.force_code)
        ).mappings()
        return [
            {
                "force": r["force_code"],
                "key_id": r["key_id"],
                "fingerprint": r["fingerprint"],
                "public_pem": r["public_pem"],
                "added_at": r["added_at"].isoformat() + "Z",
            }
            for r in rows
        ]


def rotate(engine: Engine, token: Token, body: bytes, remote: str | None = None) -> dict:
    """A force's new public key, announced with a signature by its current key (exchange.signing.rotation_statement)."""

    try:
        try:
            doc = json.loads(body)
            code, new_pem, signature = doc["force"], doc["public_pem"], doc["signature"]
            if not (isinstance(code, str) and isinstance(new_pem, str) and isinstance(signature, dict)):
                raise TypeError
        except (ValueError, KeyError, TypeError, RecursionError):
            raise Refused(400, "bad-rotation", "a key rotation is JSON with force, public_pem and signature") from None
        if code != token.force_code:
            raise Refused(403, "wrong-force", f"the token is {token.force_code}'s; it cannot change {code[:16]}'s key")
        try:
            new = load_public(new_pem.encode("ascii", "replace"))
        except SignatureProblem as exc:
            raise Refused(400, "bad-key", str(exc)) from None
        with engine.begin() as conn:
            current = (
                conn.execute(
                    select(H.keys).where(H.keys.c.force_code == code, H.keys.c.retired_at.is_(None)).with_for_update()
                )
                .mappings()
                .first()
            )
            if current is None or str(signature.get("key_id")) != current["key_id"]:
                raise Refused(
                    400, "bad-signature", "the new key must be announced with a signature by the force's current key"
                )
            if not verify_bytes(rotation_statement(code, new_pem), signature, current["public_pem"].encode("ascii")):
                raise Refused(
                    400, "bad-signature", "the announcement's signature does not match the force's current key"
                )
            fp = fingerprint(new)
            if conn.execute(select(H.keys.c.key_id).where(H.keys.c.fingerprint == fp)).first() is not None:
                raise Refused(409, "key-known", "that key is already registered")
            conn.execute(update(H.keys).where(H.keys.c.key_id == current["key_id"]).values(retired_at=now()))
            conn.execute(
                insert(H.keys).values(
                    key_id=key_id(new),
                    force_code=code,
                    fingerprint=fp,
                    public_pem=pem_of(new).decode("ascii"),
                    added_at=now(),
                    added_by=f"rotation signed by {current['key_id']}",
                )
            )
            _audit(
                conn,
                token.actor,
                code,
                "rotate key",
                "accepted",
                f"key {key_id(new)} replaces {current['key_id']}",
                201,
                remote,
            )
        return {"status": "rotated", "key_id": key_id(new), "fingerprint": fp, "replaces": current["key_id"]}
    except Refused as refusal:
        audit_refusal(engine, token.actor, token.force_code, "rotate key", refusal, remote)
        raise


# ---------------------------------------------------------------------------------------- the operator's pages


def overview(engine: Engine) -> list[dict]:
    """Each participating force: its current key and fingerprint, its latest pack and when it came."""
    with engine.connect() as conn:
        forces = conn.execute(select(H.forces).order_by(H.forces.c.force_code)).mappings().all()
        current = select(H.keys).where(H.keys.c.retired_at.is_(None))
        keys = {r["force_code"]: r for r in conn.execute(current).mappings()}
        latest = {r["force_code"]: r for r in _latest(conn)}
    out = []
    for f in forces:
        key, pack = keys.get(f["force_code"]), latest.get(f["force_code"])
        name = None
        if pack is not None:
            try:
                name = json.loads(pack["body"])["force"]["name"]
            except (ValueError, KeyError, TypeError):
                name = None
        out.append(
            {
                "force": f["force_code"],
                "name": name,
                "registered_at": f["registered_at"],
                "key_id": key["key_id"] if key else None,
                "fingerprint": key["fingerprint"] if key else None,
                "extract_month": pack["extract_month"] if pack else None,
                "uploaded_at": pack["uploaded_at"] if pack else None,
            }
        )
    return out


def all_tokens(engine: Engine) -> list[dict]:
    """Every token's record (never its value, which is not stored)."""
    with engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                select(
                    H.tokens.c.token_id,
                    H.tokens.c.force_code,
                    H.tokens.c.created_at,
                    H.tokens.c.expires_at,
                    H.tokens.c.revoked_at,
                    H.tokens.c.last_used_at,
                ).order_by(H.tokens.c.token_id)
            ).mappings()
        ]


def audit_entries(engine: Engine, limit: int = 500, before: int | None = None) -> tuple[list[dict], int]:
    """The newest ``limit`` audit entries (older than entry ``before`` where given), and how many there are."""
    query = select(H.audit).order_by(H.audit.c.entry_id.desc()).limit(limit)
    if before is not None:
        query = query.where(H.audit.c.entry_id < before)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(H.audit)).scalar() or 0
        return [dict(r) for r in conn.execute(query).mappings()], int(total)
