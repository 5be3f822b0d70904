"""Cell-key perturbation (docs/metrics.md version 4): the ONS's method for the 2021 Census flexible tables and the
ABS's for TableBuilder, with Harbour's own table (docs/perturbation-table.csv).

Every record (a child, a missing episode) has a record key, a number from 0 to 4095 made from the pseudonym key
on load. A published count is a cell: its cell key is the sum of its records' keys modulo 4096, and the table
gives the noise for the cell's count and key. The same records always get the same noise, wherever the cell is
published; without the pseudonym key the noise cannot be known.

The mechanics here also read the ONS's own table format (one row a key, with its rule for large counts), so that
the tests can reproduce the ONS's published test case cell by cell.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

KEY_SPACE = 4096  # record and cell keys run from 0 to 4095
TABLE = Path(__file__).resolve().parents[1] / "docs" / "perturbation-table.csv"  # part of the standard


def record_key(secret: bytes, kind: str, force_code: str, identifier: str) -> int:
    """A record's key: the first four bytes, big-endian, of HMAC-SHA256 under the pseudonym key of
    ``harbour-record-key:{kind}:{force_code}:{identifier}``, modulo 4096. ``kind`` is "child" (the identifier is
    the child's stored pseudonym, lower-case hex) or "episode" (the episode's identifier as stored)."""
    if kind not in ("child", "episode"):
        raise ValueError(f"a record key is a child's or an episode's, not a {kind!r}'s")
    message = f"harbour-record-key:{kind}:{force_code}:{identifier}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") % KEY_SPACE


def cell_key(keys: Iterable[int], space: int = KEY_SPACE) -> int:
    """The cell key of the records whose keys are ``keys``: their sum modulo the key space (0 for no records)."""
    return int(sum(int(k) for k in keys) % space)


@dataclass(frozen=True)
class PerturbationTable:
    """Noise by (pcv, cell key): for each pcv, the upper ends of its key ranges in order and their noise. ``pcv``
    maps a count to the row that serves it (Harbour's: min(count, 4); the ONS's: the count, with counts above
    750 reusing rows 501 to 750)."""

    ranges: dict[int, tuple[tuple[int, ...], tuple[int, ...]]]
    pcv: Callable[[int], int]
    space: int = KEY_SPACE

    def noise(self, count: int, key: int) -> int:
        """The noise for a cell of ``count`` records whose cell key is ``key``."""
        if count < 0:
            raise ValueError("a count is never negative")
        row = self.pcv(int(count))
        if row not in self.ranges:
            return 0  # the ONS's tables leave rows out where they add no noise
        upper, values = self.ranges[row]
        at = bisect.bisect_left(upper, int(key) % self.space)
        return values[at]

    def published(self, count: int, key: int) -> int:
        """The count as published: the count plus its noise."""
        return int(count) + self.noise(count, key)

    def published_many(self, counts, keys) -> np.ndarray:
        """``published`` over arrays of counts and cell keys, elementwise (one search per row of the table)."""
        counts, keys = np.asarray(counts, dtype=np.int64), np.asarray(keys, dtype=np.int64) % self.space
        rows = np.array([self.pcv(int(c)) for c in counts.ravel()], dtype=np.int64).reshape(counts.shape)
        noise = np.zeros(counts.shape, dtype=np.int64)
        for row in np.unique(rows):
            if int(row) not in self.ranges:
                continue
            upper, values = self.ranges[int(row)]
            here = rows == row
            noise[here] = np.asarray(values, dtype=np.int64)[np.searchsorted(np.asarray(upper), keys[here])]
        return counts + noise


def harbour_pcv(count: int) -> int:
    return min(count, 4)


def ons_pcv(count: int) -> int:
    """The ONS's rule: a count up to 750 is its own row; a larger count reuses rows 501 to 750."""
    return count if count <= 750 else ((count - 1) % 250) + 501


def read_ranges(rows: Iterable[dict], space: int = KEY_SPACE) -> dict[int, tuple[tuple[int, ...], tuple[int, ...]]]:
    """Harbour's table (pcv, ckey_from, ckey_to, pvalue), checked: each pcv's ranges cover every key once, in order."""
    by_pcv: dict[int, list[tuple[int, int, int]]] = {}
    for row in rows:
        by_pcv.setdefault(int(row["pcv"]), []).append((int(row["ckey_from"]), int(row["ckey_to"]), int(row["pvalue"])))
    out = {}
    for pcv, spans in by_pcv.items():
        spans.sort()
        expected = 0
        for low, high, _ in spans:
            if low != expected or high < low:
                raise ValueError(f"the perturbation table's row {pcv} does not cover the keys 0 to {space - 1} once")
            expected = high + 1
        if expected != space:
            raise ValueError(f"the perturbation table's row {pcv} stops at key {expected - 1}, not {space - 1}")
        out[pcv] = (tuple(high for _, high, _ in spans), tuple(value for _, _, value in spans))
    return out


@lru_cache(maxsize=1)
def harbour_table() -> PerturbationTable:
    """Harbour's table, read once per process from docs/perturbation-table.csv."""
    with TABLE.open(newline="", encoding="utf-8") as handle:
        return PerturbationTable(read_ranges(csv.DictReader(handle)), harbour_pcv)


def ons_table(rows: Iterable[dict]) -> PerturbationTable:
    """A table in the ONS's format (pcv, ckey, pvalue: one row a key), with the ONS's rule for large counts."""
    by_pcv: dict[int, dict[int, int]] = {}
    for row in rows:
        by_pcv.setdefault(int(row["pcv"]), {})[int(row["ckey"])] = int(row["pvalue"])
    space = max(max(keys) for keys in by_pcv.values()) + 1
    ranges = {}
    for pcv, keys in by_pcv.items():
        ordered = sorted(keys)
        ranges[pcv] = (tuple(ordered), tuple(keys[k] for k in ordered))
    return PerturbationTable(ranges, ons_pcv, space)


class MissingRecordKeys(RuntimeError):
    """Facts without record keys (a warehouse an older Harbour built): nothing can be published under perturbation
    until `harbour upgrade` makes them."""


@dataclass(frozen=True)
class Cell:
    """A published count as a cell: how many records it counts, and their cell key."""

    count: int
    key: int | None  # None for facts without record keys (a warehouse not yet upgraded; hand-made test facts)

    @property
    def published(self) -> int:
        if self.key is None:
            raise MissingRecordKeys("these facts carry no record keys: run harbour upgrade with the pseudonym key")
        return harbour_table().published(self.count, self.key)


def keys_of(frame) -> np.ndarray:
    """The record keys of a frame of facts, refused when any is missing."""
    if "record_key" not in frame.columns:
        raise MissingRecordKeys("these facts carry no record keys: run harbour upgrade with the pseudonym key")
    keys = frame["record_key"]
    if keys.isna().any():
        raise MissingRecordKeys("some facts have no record key: run harbour upgrade with the pseudonym key")
    return keys.to_numpy(dtype=np.int64)


def cell_of(frame, mask=None) -> Cell:
    """The cell of the rows of ``frame`` (facts of children or of episodes) that ``mask`` selects (all without
    one); its key is None where the facts carry no record keys."""
    chosen = np.ones(len(frame), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    n = int(chosen.sum())
    if "record_key" not in frame.columns:
        return Cell(n, None)
    keys = frame["record_key"].to_numpy()[chosen]
    if pd.isna(keys).any():
        return Cell(n, None)
    return Cell(n, int(keys.astype(np.int64).sum() % KEY_SPACE))


def cell(keys: np.ndarray, mask=None) -> Cell:
    """The cell of the records ``mask`` selects (all of them without one)."""
    chosen = keys if mask is None else keys[np.asarray(mask, dtype=bool)]
    return Cell(int(chosen.size), int(chosen.sum() % KEY_SPACE))
