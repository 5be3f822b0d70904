"""The pilot demo's synthetic exchange: signed packs of fictional forces without a scheme, so that the demo's
attribution rests on enough comparison forces to answer (docs/metrics.md version 4, Attribution).

Each force is generated as the demo's own are (etl.demo: the same national trend, or none for a few; one or two
with a change of their own that is not a scheme), loaded through the loader into a warehouse of its own (the
exchange's Harbour, with its own pseudonym key), and published as a version 2 pack: its summary and quarterly
counts after disclosure control, signed by a key made for it and thrown away after signing, so that nobody can
sign for these forces again. The demo's warehouse trusts those public keys and stores the packs, marked
synthetic like everything else of the demo.
"""

from __future__ import annotations

import hashlib
import random
import tempfile
import threading
from datetime import date
from pathlib import Path

from harbour.etl import assumptions as A
from harbour.etl.demo import ForcePlan, generate_forces, write_bundle

# (code, name, children a year, national trend, a change of its own: from, and its factor on going missing)
EXCHANGE_FORCES = (
    ("ASHCOMBE", "Ashcombe Police (fictional)", 90, True, None),
    ("BRACKLEY", "Brackley Constabulary (fictional)", 75, True, None),
    ("CARRICK", "Carrick Police (fictional)", 120, True, None),
    ("DUNMORE", "Dunmore Constabulary (fictional)", 70, True, None),
    ("EASTLING", "Eastling Police (fictional)", 85, False, None),
    ("FARTHING", "Farthing Constabulary (fictional)", 110, True, None),
    ("GLENHOLM", "Glenholm Police (fictional)", 70, True, None),
    ("HALSTOW", "Halstow Constabulary (fictional)", 140, True, None),
    ("IVYBRIDGE", "Ivybridge Police (fictional)", 80, False, None),
    ("KESWORTH", "Kesworth Constabulary (fictional)", 100, True, None),
    # A new placement provider from January 2018: fewer children go missing, and it is not a scheme.
    ("LANGDALE", "Langdale Police (fictional)", 115, True, (date(2018, 1, 1), 0.6)),
    ("MORWICK", "Morwick Constabulary (fictional)", 75, True, None),
    ("NETHERBY", "Netherby Police (fictional)", 95, False, None),
    # Its placements fill up from October 2017: more children go missing.
    ("PENROSE", "Penrose Constabulary (fictional)", 90, True, (date(2017, 10, 1), 1.35)),
    ("QUARLEY", "Quarley Police (fictional)", 130, True, None),
    ("ROSLYN", "Roslyn Constabulary (fictional)", 80, True, None),
)
MADE = date(2018, 8, 1)  # the month the demo's packs say they were made: the month after the lead's extract
EXCHANGE_KEY = b"harbour-synthetic-demo-exchange-only"  # the exchange Harbour's pseudonym key (demo only)
SOURCE = "the demo's synthetic exchange"

_made: dict = {}
_lock = threading.Lock()


def plans(seed: int) -> list[ForcePlan]:
    lead = A.LEAD_FORCE
    return [
        ForcePlan(code, name, None, None, date(2016, 8, 1), lead["extract_date"], per_year, own_change, trend)
        for code, name, per_year, trend, own_change in EXCHANGE_FORCES
    ]


def unsigned_packs(seed: int, method: str, keep=None) -> list[dict]:
    """Each exchange force's pack (unsigned), made once per process for a seed and method; ``keep(name, make)``,
    where given, keeps them between processes (the view cache, which the command passes in: synthetic, published
    figures, no child's), so that the next process building the demo signs them without making them again."""
    with _lock:
        if (seed, method) not in _made:
            make = lambda: _make_packs(seed, method)  # noqa: E731
            _made[(seed, method)] = keep(f"demo-exchange-{seed}-{method}", make) if keep else make()
        return _made[(seed, method)]


def _make_packs(seed: int, method: str) -> list[dict]:
    """The packs, made: a separate Harbour's warehouse, loaded through the loader."""
    from harbour.etl.load import load_bundle
    from harbour.etl.pseudonymise import Pseudonymiser
    from harbour.exchange.packs import force_pack
    from harbour.warehouse.engine import ensure_schema, make_engine
    from harbour.warehouse.queries import read_facts

    rng = random.Random(hashlib.sha256(f"harbour-demo-exchange:{seed}".encode()).digest())
    rows = generate_forces(plans(seed), rng)
    with tempfile.TemporaryDirectory(prefix="harbour-exchange-") as folder:
        write_bundle(rows, Path(folder) / "bundle")
        engine = make_engine(f"sqlite:///{Path(folder) / 'exchange.sqlite'}")
        try:
            ensure_schema(engine)
            load_bundle(engine, [Path(folder) / "bundle"], Pseudonymiser(EXCHANGE_KEY))
            facts = read_facts(engine)
        finally:
            engine.dispose()
    return [force_pack(facts, code, made=MADE, method=method) for code, *_ in EXCHANGE_FORCES]


def publish(engine, seed: int, method: str, keep=None) -> int:
    """The exchange's packs, each signed by a key of its own (made here and thrown away), stored in the demo's
    warehouse with those keys trusted, in one transaction; how many. ``keep``: as for :func:`unsigned_packs`."""
    from harbour.exchange.packs import with_sequence
    from harbour.exchange.signing import generate, key_id, load_public, sign
    from harbour.exchange.store import _now, admit
    from harbour.warehouse import schema

    signed = []
    for pack in unsigned_packs(seed, method, keep):
        private, public = generate()
        signed.append((sign(with_sequence(pack, 1), private), key_id(load_public(public)), public))
        del private
    with engine.begin() as conn:
        for pack, kid, public in signed:
            code = pack["force"]["code"]
            conn.execute(
                schema.trusted_keys.insert().values(
                    key_id=kid, force_code=code, public_pem=public.decode("ascii"), added_at=_now()
                )
            )
            admit(conn, pack, kid, "demo", SOURCE)
    return len(signed)
