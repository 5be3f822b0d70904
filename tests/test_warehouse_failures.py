"""A warehouse that is locked, full, read-only or unreadable: written as the failure happens, each must
end with one clear line and exit 1, no traceback, and no row of data (pseudonyms, dates) on stderr."""

import re
import sqlite3

from click.testing import CliRunner

from harbour.cli import main
from harbour.warehouse import connect as engine_module  # where make_engine and its SQLite recipe live
from harbour.warehouse.engine import engine_for

PSEUDONYM = re.compile(r"\b[0-9a-f]{64}\b")
ROW_DATA = re.compile(r"\b20\d\d-\d\d-\d\d|parameters|\[SQL")


def _demo(tmp_path, name="w.sqlite"):
    path = tmp_path / name
    result = CliRunner().invoke(main, ["demo", "--warehouse", f"sqlite:///{path}"])
    assert result.exit_code == 0, result.output
    engine_for.cache_clear()
    return path


def _assert_one_clean_line(result, words):
    assert result.exit_code == 1, result.output
    assert words in result.output, result.output
    assert "Traceback" not in result.output and not PSEUDONYM.search(result.output), result.output
    assert not ROW_DATA.search(result.output), result.output


def test_a_locked_warehouse_is_waited_for_then_refused_in_one_line(tmp_path, monkeypatch):
    path = _demo(tmp_path)
    monkeypatch.setenv("HARBOUR_LOCK_TIMEOUT", "1")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another load holds the file
    try:
        result = CliRunner().invoke(main, ["demo", "--seed", "5", "--warehouse", f"sqlite:///{path}"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _assert_one_clean_line(result, "locked by another process")


def test_a_full_disk_is_one_line_with_no_row_data(tmp_path, monkeypatch):
    path = _demo(tmp_path)
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
    real = engine_module._sqlite_real_transactions

    def full_disk(engine, *args):
        real(engine, *args)

        @engine_module.event.listens_for(engine, "connect")
        def _cap(dbapi_connection, _record):
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 3}")  # the disk fills mid-load

    monkeypatch.setattr(engine_module, "_sqlite_real_transactions", full_disk)
    result = CliRunner().invoke(main, ["demo", "--scale", "national", "--warehouse", f"sqlite:///{path}"])
    _assert_one_clean_line(result, "disk that holds the warehouse is full")
    # Nothing was lost: the warehouse still holds the first demo, whole.
    assert sqlite3.connect(path).execute("SELECT count(*) FROM child_facts").fetchone()[0] > 0


def test_a_read_only_warehouse_is_one_line(tmp_path):
    path = _demo(tmp_path)
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    result = CliRunner().invoke(main, ["demo", "--seed", "9", "--warehouse", url])
    _assert_one_clean_line(result, "read-only")
    summary = CliRunner().invoke(main, ["summary", "--warehouse", url])
    assert summary.exit_code == 0, summary.output  # reading still works


def test_an_unopenable_warehouse_is_one_line(tmp_path):
    url = f"sqlite:///file:{tmp_path}/absent.sqlite?mode=ro&uri=true"
    result = CliRunner().invoke(main, ["summary", "--warehouse", url])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "cannot open the warehouse" in result.output


def test_pages_degrade_to_a_clear_message_when_the_warehouse_cannot_be_read(tmp_path):
    from harbour.web.inprocess import client, render

    test_client = client(f"sqlite:///file:{tmp_path}/absent.sqlite?mode=ro&uri=true")
    for path in ("/", "/retention", "/value"):
        status, body = render(test_client, path)
        assert status == 200 and b"cannot be read just now" in body
