"""Benchmark packs as signed documents (Ed25519, with the `cryptography` package).

A force makes a key pair once (`harbour benchmark keygen`), keeps the private key to itself and sends
the public key to the forces it benchmarks with, which trust it (`harbour benchmark trust`). Export
signs the pack's canonical content (everything but its checksum and signature); import verifies it
against the keyring, so a pack whose checksum anyone could recompute now also proves who made it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "Ed25519"


class SignatureProblem(ValueError):
    """A signature that cannot be trusted; the message says why, in words."""


class Tampered(SignatureProblem):
    """A signature that is there but false: the pack was altered, or claims another force's key."""


def canonical(pack: dict) -> bytes:
    body = {k: v for k, v in pack.items() if k not in ("sha256", "signature")}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("utf-8")


def generate() -> tuple[bytes, bytes]:
    """(private key PEM, public key PEM) of a new Ed25519 key pair."""
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return private_pem, public_pem(private.public_key())


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public(pem: bytes) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError):
        raise SignatureProblem("the file is not a public key in PEM form") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SignatureProblem("the public key is not an Ed25519 key")
    return key


def load_private(pem: bytes) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise SignatureProblem("the file is not an unencrypted private key in PEM form") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SignatureProblem("the private key is not an Ed25519 key")
    return key


def fingerprint(public: Ed25519PublicKey) -> str:
    """The SHA-256 of the raw public key, in hex: what a force tells its peers out of band, so that a key
    offered by a hub can be checked (`harbour benchmark trust --from-hub ... --fingerprint`)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def key_id(public: Ed25519PublicKey) -> str:
    """The key's short name in packs and keyrings: the first 16 hex digits of its fingerprint."""
    return fingerprint(public)[:16]


def normal_fingerprint(text: str) -> str | None:
    """A fingerprint as typed (any case, with colons or spaces between pairs) in its canonical form, or None
    when it is not 64 hex digits."""

    compact = re.sub(r"[\s:]", "", str(text)).lower()
    return compact if re.fullmatch(r"[0-9a-f]{64}", compact) else None


ROTATION = "harbour-hub-key-rotation"


def rotation_statement(force_code: str, new_public_pem: str) -> bytes:
    """What a force's current key signs to announce its next one to a hub."""
    return json.dumps(
        {"purpose": ROTATION, "force": force_code, "public_pem": new_public_pem}, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")


def sign_bytes(data: bytes, private_pem: bytes) -> dict:
    private = load_private(private_pem)
    return {
        "algorithm": ALGORITHM,
        "key_id": key_id(private.public_key()),
        "value": base64.b64encode(private.sign(data)).decode("ascii"),
    }


def verify_bytes(data: bytes, signature: dict, public_pem_bytes: bytes) -> bool:
    try:
        load_public(public_pem_bytes).verify(base64.b64decode(str(signature.get("value")), validate=True), data)
    except (InvalidSignature, ValueError, AttributeError):
        return False
    return True


def sign(pack: dict, private_pem: bytes) -> dict:
    """The pack with its signature."""
    private = load_private(private_pem)
    value = base64.b64encode(private.sign(canonical(pack))).decode("ascii")
    return {**pack, "signature": {"algorithm": ALGORITHM, "key_id": key_id(private.public_key()), "value": value}}


def verify(pack: dict, keyring: dict[str, tuple[str, bytes]]) -> str:
    """The key id that signed ``pack``, checked against ``keyring`` (key id -> (force code, public PEM)).
    Raises SignatureProblem for an unsigned pack, an unknown signer, another force's key or a bad signature."""
    signature = pack.get("signature")
    if not signature:
        raise SignatureProblem("the pack is not signed")
    if signature.get("algorithm") != ALGORITHM:
        raise SignatureProblem(f"the pack is signed with {str(signature.get('algorithm'))[:20]!r}, not {ALGORITHM}")
    kid = str(signature.get("key_id"))
    if kid not in keyring:
        raise SignatureProblem(
            f"the pack is signed by key {kid[:16]}, which is not in this warehouse's keyring "
            "(add the force's public key with `harbour benchmark trust`)"
        )
    force_code, pem = keyring[kid]
    if force_code != pack["force"]["code"]:
        raise Tampered(f"the pack is for {pack['force']['code']} but signed with the key trusted for {force_code}")
    try:
        load_public(pem).verify(base64.b64decode(str(signature.get("value")), validate=True), canonical(pack))
    except (InvalidSignature, ValueError):
        raise Tampered(
            "the pack's signature does not match its content: it was altered after it was signed, "
            "or not signed by that key"
        ) from None
    return kid
