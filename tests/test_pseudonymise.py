"""Child identifiers are replaced by keyed pseudonyms before anything is stored."""

import hashlib
import hmac
import unicodedata

from sqlalchemy import select

from harbour.etl.load import load_bundle
from harbour.etl.pseudonymise import Pseudonymiser, normalise
from harbour.warehouse import schema

from . import bundles


def test_pseudonym_is_hmac_sha256_of_the_normalised_id():
    key = b"k"
    expected = hmac.new(key, b"ab-001", hashlib.sha256).hexdigest()
    assert Pseudonymiser(key)("AB-001") == expected


def test_many_pseudonyms_at_once_are_each_the_hmac_of_its_normalised_id():
    ids = ["AB-001", " ab-002 ", "Zoë-7", "AB-001"]
    expected = [hmac.new(b"k", normalise(i).encode(), hashlib.sha256).hexdigest() for i in ids]
    pseudonymiser = Pseudonymiser(b"k")
    pseudonymiser("AB-001")  # one already remembered
    assert pseudonymiser.many(ids) == expected


def test_pseudonym_is_deterministic_and_keyed():
    assert Pseudonymiser(b"one")("X1") == Pseudonymiser(b"one")("X1")
    assert Pseudonymiser(b"one")("X1") != Pseudonymiser(b"two")("X1")


def test_normalisation_trims_casefolds_and_composes():
    decomposed = unicodedata.normalize("NFD", "Zoë-7")
    assert decomposed != "Zoë-7"
    assert normalise(f"  {decomposed.upper()} ") == normalise("zoë-7")
    assert Pseudonymiser(b"k")(" ZOË-7") == Pseudonymiser(b"k")(decomposed.lower())


def test_raw_child_ids_never_reach_the_database_file(sqlite_engine, tmp_path, pseudonymiser):
    tables = bundles.base()
    load_bundle(sqlite_engine, [bundles.write(tmp_path / "b", tables)], pseudonymiser)
    with sqlite_engine.connect() as conn:
        keys = conn.execute(select(schema.contacts.c.child_key)).scalars().all()
    sqlite_engine.dispose()
    assert sorted(keys) == sorted(pseudonymiser(c["child_id"]) for c in tables["contacts"])
    content = b"".join(p.read_bytes() for p in tmp_path.glob("warehouse.sqlite*"))
    for contact in tables["contacts"]:
        for form in {contact["child_id"], contact["child_id"].lower()}:
            assert form.encode() not in content
