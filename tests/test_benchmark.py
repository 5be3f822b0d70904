"""Benchmark packs and the benchmarking figures: exact per-force counts, pack safety, round trips."""

import json
import re

import pytest
from click.testing import CliRunner

from cli import main
from metrics.benchmark import force_counts
from metrics.disclosure import is_publishable_count
from metrics.packs import PackError, checksum, validate
from tests.page_requests import client, render


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'demo.sqlite'}"
    assert CliRunner().invoke(main, ["demo", "--warehouse", url]).exit_code == 0
    return url


@pytest.fixture(scope="module")
def pack_file(demo_url, tmp_path_factory):
    out = tmp_path_factory.mktemp("pack") / "elmshire.json"
    result = CliRunner().invoke(main, ["benchmark", "export", "--force", "ELMSHIRE", "--out", str(out), "--warehouse", demo_url])
    assert result.exit_code == 0, result.output
    return out


def test_force_counts_equal_the_exact_summary_of_each_force(demo_url):
    from warehouse.engine import engine_for
    from warehouse.queries import facts

    f = facts(engine_for(demo_url))
    counts = force_counts(f.children, "pilot").set_index("force_code")
    for code in counts.index:
        doc = json.loads(CliRunner().invoke(main, ["summary", "--exact", "--force", code, "--warehouse", demo_url]).output)
        pilot = doc["periods"]["pilot"]
        assert counts.loc[code, "retained"] == pilot["retention"]["28d"]["retained"]
        assert counts.loc[code, "at_risk"] == pilot["retention"]["28d"]["at_risk"]
        assert counts.loc[code, "within"] == pilot["engagement"]["within_24h"]["count"]
        assert counts.loc[code, "recorded"] == pilot["engagement"]["recorded"]


def _walk(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, path + (i,))
    else:
        yield path, node


def test_a_pack_holds_no_identifier_no_fine_date_and_no_unsafe_count(pack_file):
    text = pack_file.read_text()
    pack = json.loads(text)
    assert not re.search(r"\b[0-9a-f]{64}\b", text.replace(pack["sha256"], "")), "a pseudonym is in the pack"
    assert "ELM-K" not in text and "child" not in json.dumps(list(pack.keys()))
    for path, value in _walk(pack):
        if isinstance(value, str) and path[-1] != "sha256":
            assert not re.search(r"\d{4}-\d{2}-\d{2}", value), path
        if path and path[-1] in {"children", "placed", "at_risk", "retained", "not_retained", "recorded", "n", "count",
                                 "episodes", "open", "harmed", "not_placed", "not_recorded"}:
            assert is_publishable_count(value), (path, value)
    assert pack["force"]["extract_month"] == "2018-07" and pack["synthetic"] is True
    assert pack["summary"]["exact"] is False


def _write(tmp_path, pack, rehash=True):
    body = {k: v for k, v in pack.items() if k != "sha256"}
    out = dict(body, sha256=checksum(body) if rehash else pack["sha256"])
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(out))
    return path


def test_import_refuses_a_tampered_a_wrong_version_and_a_malformed_pack(pack_file, tmp_path, demo_url):
    pack = json.loads(pack_file.read_text())
    runner = CliRunner()
    tampered = json.loads(json.dumps(pack))
    tampered["summary"]["periods"]["pilot"]["retention"]["28d"]["retained"] = 60
    result = runner.invoke(main, ["benchmark", "import", str(_write(tmp_path, tampered, rehash=False)), "--warehouse", demo_url])
    assert result.exit_code == 1 and "checksum does not match" in result.output
    wrong = dict(pack, pack_version=2)
    result = runner.invoke(main, ["benchmark", "import", str(_write(tmp_path, wrong)), "--warehouse", demo_url])
    assert result.exit_code == 1 and "version 2" in result.output
    broken = json.loads(json.dumps(pack))
    del broken["summary"]["periods"]["pilot"]
    result = runner.invoke(main, ["benchmark", "import", str(_write(tmp_path, broken)), "--warehouse", demo_url])
    assert result.exit_code == 1 and "malformed" in result.output
    unsafe = json.loads(json.dumps(pack))
    unsafe["summary"]["periods"]["pilot"]["missing"]["harmed"] = 3
    with pytest.raises(PackError, match="disclosure rule"):
        validate(json.dumps(dict(unsafe, sha256=checksum({k: v for k, v in unsafe.items() if k != "sha256"}))))
    (tmp_path / "junk.json").write_text("not json")
    result = runner.invoke(main, ["benchmark", "import", str(tmp_path / "junk.json"), "--warehouse", demo_url])
    assert result.exit_code == 1 and "not valid JSON" in result.output and "Traceback" not in result.output


def test_export_import_list_remove_and_the_page_shows_the_same_figures(pack_file, tmp_path):
    runner = CliRunner()
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    assert runner.invoke(main, ["demo", "--seed", "99", "--warehouse", other]).exit_code == 0
    imported = runner.invoke(main, ["benchmark", "import", str(pack_file), "--warehouse", other])
    assert imported.exit_code == 0 and "Imported" in imported.output
    again = runner.invoke(main, ["benchmark", "import", str(pack_file), "--warehouse", other])
    assert "Already imported" in again.output
    listed = runner.invoke(main, ["benchmark", "list", "--warehouse", other])
    assert "ELMSHIRE" in listed.output and "1 imported peer." in listed.output
    pack = json.loads(pack_file.read_text())
    r28 = pack["summary"]["periods"]["pilot"]["retention"]["28d"]
    status, body = render(client(other), "/benchmark", "?force=ELMSHIRE")
    assert status == 200
    text = body.decode()
    row = re.search(r'"Elmshire Constabulary \(fictional\) \(imported\)".*?"imported peer".*?"(\d+)".*?"(\d+)"', text)
    assert row and (int(row.group(1)), int(row.group(2))) == (r28["retained"], r28["at_risk"])
    peer_id = re.search(r"^(\d+)\t", listed.output, re.M).group(1)
    assert runner.invoke(main, ["benchmark", "remove", peer_id, "--warehouse", other]).exit_code == 0
    assert "0 imported peers." in runner.invoke(main, ["benchmark", "list", "--warehouse", other]).output
