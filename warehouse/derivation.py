"""Which code derived a warehouse's facts: a digest of the derivation's source (etl/derive.py and the periods it
uses), stored with every load batch. Facts that another version derived are stale: `harbour upgrade` derives them
again from the stored rows, and until it has, nothing serves them (warehouse.migrate.check).

The digest reads the files by path, so that the warehouse layer can tell a stale warehouse without importing the
pipeline that sits above it."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

SOURCES = ("etl/derive.py", "etl/periods.py")


@lru_cache(maxsize=1)
def derivation_version() -> str:
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for name in SOURCES:
        digest.update((root / name).read_bytes())
    return digest.hexdigest()[:16]
