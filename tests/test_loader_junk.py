"""The loader under junk: a file of many thousands of bad rows prints the first hundred of each rule and a
count, not a line each; CR CR LF line endings are named as the cause, first and once, not as thousands of blank
values; a NUL byte is refused in an SSDA903 return too, even in a column Harbour drops; and a warehouse in a
read-only folder still answers read-only commands."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys

import pytest
from click.testing import CliRunner

from harbour.cli import main

from .bundles import base, write
from .hubs import ROOT

KEY = {"HARBOUR_PSEUDONYM_KEY": "a-real-key-for-tests-only-0123456789abcdef"}


def _load(path, url):
    return CliRunner(env=KEY).invoke(main, ["load", str(path), "--warehouse", url])


def test_many_bad_rows_print_a_hundred_of_each_rule_and_a_count(tmp_path):
    rows = base()
    template = rows["contacts"][0]
    rows["contacts"] = [
        {**template, "contact_id": f"C-{i}", "child_id": f"AB-{i:06d}", "sex": "Q", "age_at_contact": "99"}
        for i in range(5000)
    ]
    folder = write(tmp_path / "junk", rows)
    result = _load(folder, f"sqlite:///{tmp_path / 'w.sqlite'}")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) < 600, len(lines)
    assert any(line.startswith("  … and 4,900 more E04 in contacts.csv") for line in lines), lines[-8:]
    assert "By rule:" in result.output and "E04 5000" in result.output.replace(",", "")
    assert "contacts.csv (10,000):" in result.output  # every finding counted, though only some are kept


def test_a_file_of_junk_rows_is_counted_not_held(tmp_path):
    """Found: 2 million junk rows held a finding object each (15.9 GB on a 154 MB file here, and 2 million lines
    printed). Findings beyond a thousand of a rule in a file are counted, not kept."""
    from harbour.etl.findings import KEPT_PER_RULE, Finding, Findings

    found = Findings()
    for row in range(50_000):
        found.append(Finding("contacts.csv", row, "sex", "E04", "x"))
        found.append(Finding("contacts.csv", row, "age_at_contact", "E05", "x"))
    assert len(found) == 2 * KEPT_PER_RULE and found.found(errors=True) == 100_000


def _measured_load(bundle, url) -> tuple[int, list[str], float, float]:
    """``harbour load`` in its own process: exit code, every line it printed, peak memory in GiB (its own, from
    wait4, not the largest of this worker's children) and the processor seconds it took (its own work, whatever
    else the machine is doing: the tests run on both cores at once)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "harbour.cli", "load", str(bundle), "--warehouse", url],
        cwd=ROOT,
        env={**os.environ, **KEY},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, output.splitlines(), usage.ru_maxrss / 2**20, usage.ru_utime + usage.ru_stime


@pytest.mark.slow
def test_two_million_junk_rows_of_csv_stream_through_in_bounded_memory(tmp_path):
    """Found: the loader streams. A 190 MB CSV of 2 million bad contacts read whole took 2.8 GiB here (the text,
    its rows, their transposition and the frame at once); read a chunk at a time it takes 1.1 GiB, the typed
    columns the rules need, and prints about 210 lines: the first hundred of each rule and a count."""
    from .junk_files import junk_csv_bundle

    bundle = junk_csv_bundle(tmp_path / "junk", 2_000_000)
    code, lines, gib, seconds = _measured_load(bundle, f"sqlite:///{tmp_path / 'w.sqlite'}")
    print(f"2,000,000 junk CSV rows: {gib:.2f} GiB peak, {seconds:.0f} s of processor time, {len(lines)} lines")
    assert code == 1, lines[:5]
    assert lines[0].startswith("Refused: contacts.csv row 2, column age_at_contact:"), lines[0]
    assert "4000003 errors in all" in lines[0].replace(",", "")
    assert len(lines) < 300
    assert any("… and 1,999,900 more E05 in contacts.csv" in line for line in lines)
    assert gib < 2.0, f"{gib:.2f} GiB"
    assert seconds < 150


@pytest.mark.slow
def test_two_million_junk_rows_of_a_workbook_are_counted_in_bounded_memory(tmp_path):
    """Found: a workbook of 2 million junk rows took 129 s and 2.0 GB and printed 2,020,412 lines. Now the sheet's
    rows are read a chunk at a time from calamine's parsed sheet (2.1 GiB here, 1.2 GiB of it calamine's own copy
    of the sheet: the floor for a workbook, bounded by HARBOUR_MAX_XLSX_UNCOMPRESSED_MB), in about 75 s, and
    about 210 lines are printed."""
    from .junk_files import junk_workbook

    book = junk_workbook(tmp_path / "junk.xlsx", 2_000_000)
    code, lines, gib, seconds = _measured_load(book, f"sqlite:///{tmp_path / 'w.sqlite'}")
    print(f"2,000,000 junk workbook rows: {gib:.2f} GiB peak, {seconds:.0f} s of processor time, {len(lines)} lines")
    assert code == 1, lines[:5]
    assert lines[0].startswith("Refused: junk.xlsx[contacts] row 2, column first_contact_at:"), lines[0]
    assert "12000003 errors in all" in lines[0].replace(",", "")
    assert len(lines) < 300
    assert gib < 2.6, f"{gib:.2f} GiB"
    assert seconds < 150


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
    subprocess.run(
        [sys.executable, "-m", "harbour.cli", "demo", "--placements", "ssda903", "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
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
    from harbour.warehouse.engine import engine_for

    engine_for.cache_clear()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda p, mode, *a, **k: False if (mode & os.W_OK and str(p) == str(folder)) else real_access(p, mode, *a, **k),
    )
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
