"""``harbour benchmark``: the exchange's commands (keys, packs, the keyring, imported peers)."""

from __future__ import annotations

# Each command imports what it needs when it runs (pandas, Dash, plotly, the warehouse): `harbour --help` and a
# mistyped option answer at once, without loading the dashboard. These are the project's deliberate late imports.
import json
import sys
from pathlib import Path

import click

from harbour import settings
from harbour.command_line import EXIT_REFUSED, EXIT_USAGE, HarbourGroup, _engine, echo, warehouse_option
from harbour.files import write_whole


@click.group(cls=HarbourGroup)
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
        echo(f"Refused: the file is too large to be {what}.", err=True)
        sys.exit(EXIT_REFUSED)
    try:
        return parse(path.read_bytes())
    except problems as exc:
        echo(f"Refused: {exc}.", err=True)
        sys.exit(EXIT_REFUSED)


@benchmark.command("keygen")
@click.option("--force", "force", metavar="CODE", required=True, help="The force the key pair signs for.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="The folder to write CODE-private.pem (keep it secret) and CODE-public.pem (send it to peers).",
)
def benchmark_keygen(force: str, out: Path) -> None:
    """Make the force's Ed25519 key pair for signing its benchmark packs."""

    from harbour.exchange.signing import fingerprint, generate, key_id, load_public

    code = _force_code(force)
    private_path, public_path = out / f"{code}-private.pem", out / f"{code}-public.pem"
    if private_path.exists() or public_path.exists():
        echo(f"Error: {private_path.name} or {public_path.name} already exists in {out}; not overwritten.", err=True)
        sys.exit(EXIT_REFUSED)
    out.mkdir(parents=True, exist_ok=True)
    private_pem, public_pem = generate()
    # Each whole or not at all (a full disk leaves no half a key), the private one readable by its owner only.
    if not write_whole(private_path, private_pem, replace=False):
        echo(f"Error: {private_path.name} appeared in {out} meanwhile; not overwritten.", err=True)
        sys.exit(EXIT_REFUSED)
    write_whole(public_path, public_pem, mode=None)
    echo(
        f"Wrote {private_path} (keep it secret: it signs {code}'s packs; set HARBOUR_PACK_KEY to it) and "
        f"{public_path} (send it to the forces you benchmark with). Key id {key_id(load_public(public_pem))}, "
        f"fingerprint {fingerprint(load_public(public_pem))}: tell your peers this fingerprint out of band, so "
        "that they can check the key they are given."
    )


hub_options = [
    click.option(
        "--hub", "hub_url", metavar="URL", required=True, help="The hub's address, e.g. https://hub.example.org."
    ),
    click.option(
        "--token",
        "token",
        metavar="TOKEN",
        default=None,
        help="The force's hub token (default: HARBOUR_HUB_TOKEN); never printed.",
    ),
]


def with_hub(function):
    for option in reversed(hub_options):
        function = option(function)
    return function


def _hub(url: str, token: str | None):
    """A client for the hub at ``url``, or the command ends with one line saying why it cannot be."""
    from harbour.exchange.hub_client import Hub, HubError

    token = token or settings.get("HARBOUR_HUB_TOKEN")
    if not token:
        echo("Error: give the force's hub token with --token or set HARBOUR_HUB_TOKEN.", err=True)
        sys.exit(EXIT_USAGE)
    try:
        return Hub(url, token)
    except HubError as exc:
        echo(f"Error: {exc}.", err=True)
        sys.exit(EXIT_USAGE)


def _ask(hub, method: str, path: str, payload: bytes | None = None, expect=(200,)):
    """The hub's answer to one call; an unreachable hub or a refusal ends the command with one line."""
    from harbour.exchange.hub_client import HubError, message

    try:
        answer = hub.get(path) if method == "GET" else hub.post(path, payload)
    except HubError as exc:
        echo(f"Error: {exc}.", err=True)
        sys.exit(EXIT_REFUSED)
    if answer.status not in expect:
        echo(f"Refused by the hub ({answer.status}): {message(answer)}.", err=True)
        sys.exit(EXIT_REFUSED)
    return answer


@benchmark.command("trust")
@click.argument("path", type=click.Path(path_type=Path, exists=True, dir_okay=False), required=False)
@click.option("--force", "force", metavar="CODE", required=True, help="The force this public key signs for.")
@click.option(
    "--from-hub",
    "hub_url",
    metavar="URL",
    default=None,
    help="Take the force's key from this hub instead of a file; --fingerprint is then required.",
)
@click.option(
    "--fingerprint",
    "expected",
    metavar="FP",
    default=None,
    help="The key's fingerprint as the force told it to you out of band; the key is refused unless it "
    "matches. Required with --from-hub.",
)
@click.option(
    "--token",
    "token",
    metavar="TOKEN",
    default=None,
    help="With --from-hub: your force's hub token (default: HARBOUR_HUB_TOKEN); never printed.",
)
@warehouse_option
def benchmark_trust(
    path: Path | None, force: str, hub_url: str | None, expected: str | None, token: str | None, warehouse: str | None
) -> None:
    """Add a force's public key to this warehouse's keyring, from a file or a hub, so that its signed packs can be
    imported."""
    from harbour.exchange.signing import (
        SignatureProblem,
        fingerprint,
        key_id,
        load_public,
        normal_fingerprint,
        public_pem,
    )
    from harbour.exchange.store import trust
    from harbour.untrusted import printable

    code = _force_code(force)
    if (path is None) == (hub_url is None):
        raise click.UsageError("give either the public key's file or --from-hub URL")
    wanted = None
    if expected is not None:
        wanted = normal_fingerprint(expected)
        if wanted is None:
            raise click.UsageError("--fingerprint is 64 hexadecimal digits (colons or spaces between pairs allowed)")
    if path is not None:
        public = _read_checked(path, 10_000, "a public key", load_public, SignatureProblem)
    else:
        if wanted is None:
            raise click.UsageError(
                "--from-hub needs --fingerprint: the key's fingerprint as the force told it to you "
                "out of band, so that the hub cannot slip in a key of its own"
            )
        answer = _ask(_hub(hub_url, token), "GET", "/keys")
        keys = answer.body.get("keys")
        offered = [k for k in keys if isinstance(k, dict) and k.get("force") == code] if isinstance(keys, list) else []
        if not offered or not isinstance(offered[0].get("public_pem"), str) or len(offered[0]["public_pem"]) > 10_000:
            echo(f"Refused: the hub offers no key for {code}.", err=True)
            sys.exit(EXIT_REFUSED)
        try:
            public = load_public(offered[0]["public_pem"].encode("ascii", "replace"))
        except SignatureProblem as exc:
            echo(f"Refused: the hub's key for {code}: {exc}.", err=True)
            sys.exit(EXIT_REFUSED)
    actual = fingerprint(public)  # computed here from the key itself, never taken from the hub's word
    if wanted is not None and actual != wanted:
        source = "the hub offers" if path is None else f"{printable(path.name, 80)} holds"
        echo(
            f"Refused: {source} a key for {code} whose fingerprint is {actual}, not the {wanted} you were "
            "given: it is not trusted. Check the fingerprint with the force itself.",
            err=True,
        )
        sys.exit(EXIT_REFUSED)
    kid = key_id(public)
    added = trust(_engine(warehouse), kid, code, public_pem(public).decode("ascii"))
    echo(
        f"{'Trusted' if added else 'Already trusted'}: key {kid} for {code}, fingerprint {actual}"
        + (" (matches the one given)." if wanted else ".")
    )


def _pack_of(force: str, warehouse: str | None) -> dict:
    """The force's unsigned pack from the warehouse, or the command ends saying the force is not there."""
    from harbour.exchange.packs import force_pack
    from harbour.warehouse.queries import facts

    code = force.strip().upper()
    pack = force_pack(facts(_engine(warehouse)), code)
    if pack is None:
        echo(f"Error: no force {code[:16]!r} in the warehouse.", err=True)
        sys.exit(EXIT_USAGE)
    return pack


def _key_path(key_path: Path | None) -> Path | None:
    return key_path or (Path(settings.get("HARBOUR_PACK_KEY")) if settings.get("HARBOUR_PACK_KEY") else None)


def _signed(pack: dict, key_path: Path, warehouse: str | None) -> dict:
    """The pack signed with the force's key, carrying the force's next sequence (advanced in its warehouse first, in
    a transaction of its own: a pack never carries a number another pack had)."""
    from harbour.exchange.packs import with_sequence
    from harbour.exchange.signing import SignatureProblem, load_private, sign
    from harbour.exchange.store import next_sequence

    try:
        key = key_path.read_bytes()
        load_private(key)  # a key that cannot sign spends no number
        return sign(with_sequence(pack, next_sequence(_engine(warehouse), pack["force"]["code"])), key)
    except (SignatureProblem, OSError) as exc:
        echo(f"Error: {key_path}: {exc}.", err=True)
        sys.exit(EXIT_REFUSED)


@benchmark.command("export")
@click.option("--force", "force", metavar="CODE", required=True, help="The force whose pack to write.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The pack file to write (JSON).")
@click.option(
    "--key",
    "key_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The force's private key (from `harbour benchmark keygen`); default: HARBOUR_PACK_KEY.",
)
@click.option(
    "--unsigned", is_flag=True, help="Write the pack without a signature (peers must import it with --unsigned)."
)
@warehouse_option
def benchmark_export(force: str, out: Path, key_path: Path | None, unsigned: bool, warehouse: str | None) -> None:
    """Write a force's signed benchmark pack: its summary and monthly series after disclosure control."""
    key_path = _key_path(key_path)
    if not unsigned and (key_path is None or not key_path.is_file()):
        echo(
            "Error: a pack is signed with the force's private key: give --key (or set HARBOUR_PACK_KEY), "
            "making one first with `harbour benchmark keygen`; or add --unsigned.",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    pack = _pack_of(force, warehouse)
    if not unsigned:
        pack = _signed(pack, key_path, warehouse)
    write_whole(out, json.dumps(pack, indent=1, ensure_ascii=False, allow_nan=False).encode("utf-8"), mode=None)
    signed = "unsigned" if unsigned else f"signed with key {pack['signature']['key_id']}"
    echo(
        f"Wrote the benchmark pack of {pack['force']['code']} to {out} (disclosure-controlled; "
        f"{'synthetic' if pack['synthetic'] else 'real'} data; {signed}; checksum {pack['sha256'][:12]})."
    )


@benchmark.command("publish")
@click.option("--force", "force", metavar="CODE", required=True, help="The force whose pack to publish.")
@click.option(
    "--key",
    "key_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The force's private key (from `harbour benchmark keygen`); default: HARBOUR_PACK_KEY.",
)
@with_hub
@warehouse_option
def benchmark_publish(
    force: str, key_path: Path | None, hub_url: str, token: str | None, warehouse: str | None
) -> None:
    """Make the force's signed benchmark pack and upload it to a hub, where its peers pull it."""
    key_path = _key_path(key_path)
    if key_path is None or not key_path.is_file():
        echo(
            "Error: a published pack is signed with the force's private key: give --key (or set "
            "HARBOUR_PACK_KEY), making one first with `harbour benchmark keygen`.",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    hub = _hub(hub_url, token)
    pack = _signed(_pack_of(force, warehouse), key_path, warehouse)
    body = json.dumps(pack, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    answer = _ask(hub, "POST", "/packs", body, expect=(200, 201))
    what = "already held there" if answer.status == 200 else "stored"
    echo(
        f"Published the pack of {pack['force']['code']} (extract {pack['force']['extract_month']}, signed "
        f"with key {pack['signature']['key_id']}, checksum {pack['sha256'][:12]}) to {hub.url}: {what}."
    )


@benchmark.command("pull")
@with_hub
@warehouse_option
def benchmark_pull(hub_url: str, token: str | None, warehouse: str | None) -> None:
    """Download every force's latest pack from a hub and import those signed by keys in this warehouse's keyring,
    all in one transaction; list the packs skipped and why."""
    from harbour.exchange.packs import PackError
    from harbour.exchange.pulling import pull

    hub = _hub(hub_url, token)
    engine = _engine(warehouse)
    answer = _ask(hub, "GET", "/packs")
    try:
        report = pull(engine, answer.body, hub.url)
    except PackError as exc:
        echo(f"Refused: {exc}; nothing was changed here.", err=True)
        sys.exit(EXIT_REFUSED)
    for line in report.lines:
        echo(line)
    echo(report.total(hub.url))


@benchmark.command("rotate-key")
@click.option("--force", "force", metavar="CODE", required=True, help="The force whose key to change.")
@click.option(
    "--key",
    "key_path",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    required=True,
    help="The force's current private key, which signs the announcement.",
)
@click.option(
    "--new-key",
    "new_key",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    required=True,
    help="The new public key (CODE-public.pem of a new `harbour benchmark keygen`).",
)
@with_hub
def benchmark_rotate_key(force: str, key_path: Path, new_key: Path, hub_url: str, token: str | None) -> None:
    """Replace the force's key on a hub: the new public key, announced with a signature by the current key."""
    from harbour.exchange.signing import SignatureProblem, load_public, public_pem, rotation_statement, sign_bytes

    code = _force_code(force)
    new_pem = public_pem(_read_checked(new_key, 10_000, "a public key", load_public, SignatureProblem)).decode("ascii")
    try:
        signature = sign_bytes(rotation_statement(code, new_pem), key_path.read_bytes())
    except (SignatureProblem, OSError) as exc:
        echo(f"Error: {key_path}: {exc}.", err=True)
        sys.exit(EXIT_REFUSED)
    hub = _hub(hub_url, token)
    body = json.dumps({"force": code, "public_pem": new_pem, "signature": signature}).encode("utf-8")
    answer = _ask(hub, "POST", "/keys", body, expect=(201,))
    echo(
        f"The hub now holds key {answer.body.get('key_id')} for {code} (fingerprint "
        f"{answer.body.get('fingerprint')}). Sign packs with the new private key from now on, and tell your "
        "peers the new fingerprint: they trust it with `harbour benchmark trust --from-hub`."
    )


@benchmark.command("import")
@click.argument("path", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--unsigned",
    is_flag=True,
    help="Accept a pack that is unsigned or signed by a key not in the keyring; it is marked on the page.",
)
@warehouse_option
def benchmark_import(path: Path, unsigned: bool, warehouse: str | None) -> None:
    """Check a benchmark pack (schema, checksum, signature) and store it as a peer, with its provenance."""
    from harbour.exchange.packs import MAX_PACK_BYTES, PackError, validate
    from harbour.exchange.pulling import Unusable, check, label, own_forces, serves
    from harbour.exchange.store import add, keyring
    from harbour.untrusted import printable

    pack = _read_checked(path, MAX_PACK_BYTES, "a benchmark pack", validate, PackError)
    engine = _engine(warehouse)
    signer = None
    try:
        signer = check(pack, keyring(engine), own_forces(engine))
    except Unusable as problem:
        if problem.kind == "own records":
            echo(f"Refused: {problem.message}. Benchmarking already shows it from its own records.", err=True)
            sys.exit(EXIT_REFUSED)
        if problem.kind == "altered" or not unsigned:
            echo(
                f"Refused: {problem.message}."
                + (
                    ""
                    if problem.kind == "altered"
                    else " To import it all the same, marked as unverified, add --unsigned."
                ),
                err=True,
            )
            sys.exit(EXIT_REFUSED)
    done = add(engine, pack, path.name[:255], signer)
    extract = pack["force"]["extract_month"]
    if done.outcome == "older":
        echo(
            f"Refused: {label(pack)}'s pack is older than the one held here, which is kept: "
            f"{done.why.replace(' held', ' held here')}.",
            err=True,
        )
        sys.exit(EXIT_REFUSED)
    word = {
        "imported": "Imported",
        "replaced": "Imported, replacing the older pack held",
        "unchanged": "Already imported",
    }[done.outcome]
    how = f"signature verified (key {signer})" if signer else "UNVERIFIED: unsigned or by an unknown key"
    cannot = "" if signer else " Unverified: it serves benchmarking, not attribution."
    echo(
        f"{word}: {label(pack)} as peer {done.peer_id}, extract {extract}, made {pack['made']} with Harbour "
        f"{printable(pack['harbour_version'], 20)}; {how}.{serves(pack) or cannot}"
    )


@benchmark.command("list")
@warehouse_option
def benchmark_list(warehouse: str | None) -> None:
    """List the imported peers."""
    from harbour.exchange.store import all_peers, origin_words
    from harbour.untrusted import printable

    peers = all_peers(_engine(warehouse))
    for p in peers:
        echo(
            f"{p['peer_id']}\t{p['force_code']}\t{printable(p['force_name'], 80)}\tmade {p['made']}\t"
            f"Harbour {printable(p['harbour_version'], 20)}\tfrom {printable(origin_words(p), 300)}"
        )
    echo(f"{len(peers)} imported peer{'s' if len(peers) != 1 else ''}.")


@benchmark.command("remove")
@click.argument("peer_id", type=int)
@warehouse_option
def benchmark_remove(peer_id: int, warehouse: str | None) -> None:
    """Remove an imported peer."""
    from harbour.exchange.store import remove

    if not remove(_engine(warehouse), peer_id):
        echo(f"Error: no imported peer {peer_id}.", err=True)
        sys.exit(EXIT_USAGE)
    echo(f"Removed peer {peer_id}.")
