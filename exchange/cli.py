"""``harbour benchmark``: the exchange's commands (keys, packs, the keyring, imported peers)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

import settings
from command_line import EXIT_REFUSED, EXIT_USAGE, _engine, warehouse_option


@click.group()
def benchmark() -> None:
    """Benchmark packs: disclosure-controlled aggregates that forces can exchange."""


def _force_code(value: str) -> str:
    """A force code as the data standard defines it, or a usage error (it names files and keyring entries)."""
    import re

    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z0-9_]{2,16}", code):
        raise click.UsageError(f"--force {value[:40]!r} is not a force code (2 to 16 capitals, digits or _)")
    return code


def _read_checked(path: Path, most: int, what: str, parse, problems):
    """``parse`` of the file's bytes; a file over ``most`` bytes, or one ``parse`` refuses, ends the command."""
    if path.stat().st_size > most:
        click.echo(f"Refused: the file is too large to be {what}.", err=True)
        sys.exit(EXIT_REFUSED)
    try:
        return parse(path.read_bytes())
    except problems as exc:
        click.echo(f"Refused: {exc}.", err=True)
        sys.exit(EXIT_REFUSED)


@benchmark.command("keygen")
@click.option("--force", "force", metavar="CODE", required=True, help="The force the key pair signs for.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="The folder to write CODE-private.pem (keep it secret) and CODE-public.pem (send it to peers).")
def benchmark_keygen(force: str, out: Path) -> None:
    """Make the force's Ed25519 key pair for signing its benchmark packs."""
    import os

    from exchange.signing import generate, key_id, load_public

    code = _force_code(force)
    private_path, public_path = out / f"{code}-private.pem", out / f"{code}-public.pem"
    if private_path.exists() or public_path.exists():
        click.echo(f"Error: {private_path.name} or {public_path.name} already exists in {out}; not overwritten.", err=True)
        sys.exit(EXIT_REFUSED)
    out.mkdir(parents=True, exist_ok=True)
    private_pem, public_pem = generate()
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private_pem)
    public_path.write_bytes(public_pem)
    click.echo(f"Wrote {private_path} (keep it secret: it signs {code}'s packs; set HARBOUR_PACK_KEY to it) and "
               f"{public_path} (send it to the forces you benchmark with). Key id {key_id(load_public(public_pem))}.")


@benchmark.command("trust")
@click.argument("path", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--force", "force", metavar="CODE", required=True, help="The force this public key signs for.")
@warehouse_option
def benchmark_trust(path: Path, force: str, warehouse: str | None) -> None:
    """Add a force's public key to this warehouse's keyring, so that its signed packs can be imported."""
    from exchange.signing import SignatureProblem, key_id, load_public, public_pem
    from exchange.store import trust

    code = _force_code(force)
    public = _read_checked(path, 10_000, "a public key", load_public, SignatureProblem)
    kid = key_id(public)
    added = trust(_engine(warehouse), kid, code, public_pem(public).decode("ascii"))
    click.echo(f"{'Trusted' if added else 'Already trusted'}: key {kid} for {code}.")


@benchmark.command("export")
@click.option("--force", "force", metavar="CODE", required=True, help="The force whose pack to write.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The pack file to write (JSON).")
@click.option("--key", "key_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The force's private key (from `harbour benchmark keygen`); default: HARBOUR_PACK_KEY.")
@click.option("--unsigned", is_flag=True, help="Write the pack without a signature (peers must import it with --unsigned).")
@warehouse_option
def benchmark_export(force: str, out: Path, key_path: Path | None, unsigned: bool, warehouse: str | None) -> None:
    """Write a force's signed benchmark pack: its summary and monthly series after disclosure control."""
    from exchange.signing import SignatureProblem, sign

    key_path = key_path or (Path(settings.get("HARBOUR_PACK_KEY")) if settings.get("HARBOUR_PACK_KEY") else None)
    if not unsigned and (key_path is None or not key_path.is_file()):
        click.echo("Error: a pack is signed with the force's private key: give --key (or set HARBOUR_PACK_KEY), "
                   "making one first with `harbour benchmark keygen`; or add --unsigned.", err=True)
        sys.exit(EXIT_USAGE)
    from datetime import date
    from importlib.metadata import PackageNotFoundError, version

    from metrics.disclosure import disclose_monthly
    from metrics.filters import Filters
    from metrics.monthly import monthly_series
    from exchange.packs import make_pack
    from metrics.summary import build_summary
    from warehouse.queries import facts

    f = facts(_engine(warehouse))
    code = force.strip().upper()
    chosen = f.forces[f.forces["force_code"] == code]
    if chosen.empty:
        click.echo(f"Error: no force {code!r} in the warehouse.", err=True)
        sys.exit(EXIT_USAGE)
    row = chosen.iloc[0].to_dict()
    doc = build_summary(f.children, f.episodes, f.forces, force=code)
    series = disclose_monthly(monthly_series(Filters(force=(code,)).apply(f.children), f.extract_dates()))
    monthly = [{"month": r["month"], "children": r["children"], "retention_7d": r["retention_7d"],
                "within_24h": r["within_24h"], "median_engagement_hours": r["median_engagement_hours"]}
               for r in series.astype(object).where(series.notna(), None).to_dict("records")]
    try:
        harbour_version = version("harbour")
    except PackageNotFoundError:
        harbour_version = "unknown"
    pack = make_pack(row, doc, monthly, harbour_version, date.today())
    if not unsigned:
        try:
            pack = sign(pack, key_path.read_bytes())
        except SignatureProblem as exc:
            click.echo(f"Error: {key_path}: {exc}.", err=True)
            sys.exit(EXIT_REFUSED)
    out.write_text(json.dumps(pack, indent=1, ensure_ascii=False, allow_nan=False), encoding="utf-8")
    signed = "unsigned" if unsigned else f"signed with key {pack['signature']['key_id']}"
    click.echo(f"Wrote the benchmark pack of {code} to {out} (disclosure-controlled; "
               f"{'synthetic' if pack['synthetic'] else 'real'} data; {signed}; checksum {pack['sha256'][:12]}).")


@benchmark.command("import")
@click.argument("path", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--unsigned", is_flag=True,
              help="Accept a pack that is unsigned or signed by a key not in the keyring; it is marked on the page.")
@warehouse_option
def benchmark_import(path: Path, unsigned: bool, warehouse: str | None) -> None:
    """Check a benchmark pack (schema, checksum, signature) and store it as a peer, with its provenance."""
    from exchange.signing import SignatureProblem, Tampered, verify
    from exchange.packs import MAX_PACK_BYTES, PackError, validate
    from exchange.store import add, keyring

    pack = _read_checked(path, MAX_PACK_BYTES, "a benchmark pack", validate, PackError)
    engine = _engine(warehouse)
    from sqlalchemy import select

    from warehouse import schema

    with engine.connect() as conn:
        held = conn.execute(select(schema.forces.c.force_name).where(
            schema.forces.c.force_code == pack["force"]["code"])).scalar()
    if held is not None:
        click.echo(f"Refused: this warehouse holds the records of {held} ({pack['force']['code']}) itself, so its pack "
                   "would count that force twice. Benchmarking already shows it from its own records.", err=True)
        sys.exit(EXIT_REFUSED)
    signer = None
    try:
        signer = verify(pack, keyring(engine))
    except SignatureProblem as exc:
        altered = isinstance(exc, Tampered)
        if altered or not unsigned:
            click.echo(f"Refused: {exc}." + ("" if altered else " To import it all the same, marked as unverified, "
                                              "add --unsigned."), err=True)
            sys.exit(EXIT_REFUSED)
    peer_id, added = add(engine, pack, path.name[:255], signer)
    word = "Imported" if added else "Already imported"
    how = f"signature verified (key {signer})" if signer else "UNVERIFIED: unsigned or by an unknown key"
    click.echo(f"{word}: {pack['force']['name']} ({pack['force']['code']}) as peer {peer_id}, made {pack['made']} "
               f"with Harbour {pack['harbour_version']}; {how}.")


@benchmark.command("list")
@warehouse_option
def benchmark_list(warehouse: str | None) -> None:
    """List the imported peers."""
    from exchange.store import all_peers

    peers = all_peers(_engine(warehouse))
    for p in peers:
        click.echo(f"{p['peer_id']}\t{p['force_code']}\t{p['force_name']}\tmade {p['made']}\t"
                   f"Harbour {p['harbour_version']}\tfrom {p['source_name']}\timported {p['imported_at']:%Y-%m-%d}")
    click.echo(f"{len(peers)} imported peer{'s' if len(peers) != 1 else ''}.")


@benchmark.command("remove")
@click.argument("peer_id", type=int)
@warehouse_option
def benchmark_remove(peer_id: int, warehouse: str | None) -> None:
    """Remove an imported peer."""
    from exchange.store import remove

    if not remove(_engine(warehouse), peer_id):
        click.echo(f"Error: no imported peer {peer_id}.", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"Removed peer {peer_id}.")
