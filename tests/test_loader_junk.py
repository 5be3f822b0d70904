"""The loader under junk (#22): a file of many thousands of bad rows prints the first hundred of each rule and a
count, not a line each; CR CR LF line endings are named as the cause, first and once, not as thousands of blank
values; a NUL byte is refused in an SSDA903 return too, even in a column Harbour drops; and a warehouse in a
read-only folder still answers read-only commands."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys

from click.testing import CliRunner

from cli import main
from tests.bundles import base, write
from tests.hubs import ROOT

KEY = {"HARBOUR_PSEUDONYM_KEY": "a-real-key-for-tests-only-0123456789abcdef"}


def _load(path, url):
    return CliRunner(env=KEY).invoke(main, ["load", str(path), "--warehouse", url])


def test_many_bad_rows_print_a_hundred_of_each_rule_and_a_count(tmp_path):
    rows = base()
    template = rows["contacts"][0]
    rows["contacts"] = [{**template, "contact_id": f"C-{i}", "child_id": f"AB-{i:06d}", "sex": "Q", "age_at_contact": "99"}
                        for i in range(5000)]
    folder = write(tmp_path / "junk", rows)
    result = _load(folder, f"sqlite:///{tmp_path / 'w.sqlite'}")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) < 600, len(lines)
    assert any(line.startswith("  … and 4,900 more E04 in contacts.csv") for line in lines), lines[-8:]
    assert "By rule:" in result.output and "E04 5000" in result.output.replace(",", "")
    assert "contacts.csv (10,000):" in result.output  # every finding counted, though only some are kept


def test_a_file_of_junk_rows_is_counted_not_held(tmp_path):
    """#22: 2 million junk rows held a finding object each (15.9 GB on a 154 MB file here, and 2 million lines
    printed). Findings beyond a thousand of a rule in a file are counted, not kept."""
    from etl.findings import KEPT_PER_RULE, Finding, Findings

    found = Findings()
    for row in range(50_000):
        found.append(Finding("contacts.csv", row, "sex", "E04", "x"))
        found.append(Finding("contacts.csv", row, "age_at_contact", "E05", "x"))
    assert len(found) == 2 * KEPT_PER_RULE and found.found(errors=True) == 100_000


def test_cr_cr_lf_line_endings_are_named_as_the_cause_first(tmp_path):
    folder = write(tmp_path / "crcrlf", base())
    contacts = folder / "contacts.csv"
    contacts.write_bytes(contacts.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\r\n"))
    result = _load(folder, f"sqlite:///{tmp_path / 'w.sqlite'}")
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert "contacts.csv" in first and "CR CR LF" in first, first
    assert "E03" not in result.output  # no "required value is blank" flood


def test_a_nul_byte_in_a_dropped_ssda903_column_is_refused(tmp_path):
    out = tmp_path / "bundle"
    subprocess.run([sys.executable, "-m", "cli", "demo", "--placements", "ssda903", "--out", str(out)], cwd=ROOT,
                   check=True, capture_output=True)
    episodes = next(out.rglob("ssda903/*/episodes*.csv"), None) or next(out.rglob("ssda903/*/*.csv"))
    with episodes.open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    table[0].append("NOTES")  # a column the standard does not read, so Harbour drops it
    for row in table[1:]:
        row.append("x\x00y")
    with episodes.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table)
    result = _load(out, f"sqlite:///{tmp_path / 'w.sqlite'}")
    assert result.exit_code == 1 and "NUL" in result.output.splitlines()[0], result.output[:400]


def test_a_warehouse_in_a_read_only_folder_answers_read_only_commands(tmp_path, monkeypatch):
    """(Root, as CI runs, writes anywhere: the folder is also reported unwritable to the process, as it is to any
    other user.)"""
    folder = tmp_path / "shelf"
    folder.mkdir()
    url = f"sqlite:///{folder / 'w.sqlite'}"
    made = tmp_path / "made.sqlite"
    assert CliRunner().invoke(main, ["demo", "--warehouse", f"sqlite:///{made}"]).exit_code == 0
    # Copied to a read-only share, as an operator would: one file, no -wal or -shm beside it.
    import sqlite3

    with sqlite3.connect(made) as source, sqlite3.connect(folder / "w.sqlite") as target:
        source.backup(target)
    with sqlite3.connect(folder / "w.sqlite") as copy:
        copy.execute("PRAGMA journal_mode=DELETE")
    from warehouse.engine import engine_for

    engine_for.cache_clear()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: False if (mode & os.W_OK and str(p) == str(folder))
                        else real_access(p, mode, *a, **k))
    try:
        result = CliRunner().invoke(main, ["summary", "--warehouse", url])
        assert result.exit_code == 0, result.output
        assert '"periods"' in result.output
        assert not list(folder.glob("w.sqlite-*"))  # nothing was written beside it
        refused = CliRunner().invoke(main, ["demo", "--seed", "3", "--warehouse", url])
        assert refused.exit_code == 1 and "read-only" in refused.output, refused.output
    finally:
        folder.chmod(stat.S_IRWXU)
        engine_for.cache_clear()
