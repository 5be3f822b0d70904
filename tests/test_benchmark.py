"""Benchmark packs and the benchmarking figures: exact per-force counts, pack safety, round trips."""

import json
import re

import pytest
from click.testing import CliRunner

from harbour.cli import main
from harbour.exchange.packs import PackError, checksum, validate
from harbour.metrics.benchmark import force_counts
from harbour.metrics.disclosure import is_publishable_count
from harbour.web.inprocess import client, render

from .hubs import peer_warehouse
from .support import demo_copy


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = demo_copy(tmp_path_factory.mktemp("bench"), "pilot", "--no-exchange")  # peers: the tests' own
    return url


def test_a_pack_of_a_force_the_warehouse_holds_is_refused_and_never_counted_twice(pack_file, demo_url, tmp_path):
    from harbour.exchange import store as peers
    from harbour.warehouse.engine import engine_for

    result = CliRunner().invoke(main, ["benchmark", "import", str(pack_file), "--warehouse", demo_url, "--unsigned"])
    assert result.exit_code == 1 and "holds the records of Elmshire" in result.output
    # A pack stored before the force's own records were loaded is not shown beside them.
    pack = json.loads(pack_file.read_text())
    added = peers.add(engine_for(demo_url), pack, "elmshire.json", None)
    try:
        status, body = render(client(demo_url), "/benchmark", "?force=ELMSHIRE")
        assert status == 200 and "(imported, " not in body.decode()  # no peer row of its own pack
        assert "is not shown: this warehouse holds that force" in body.decode()
    finally:
        peers.remove(engine_for(demo_url), added.peer_id)  # (the demo's own exchange stays)


def test_a_version_1_pack_serves_benchmarking_and_says_it_cannot_serve_attribution(pack_file, demo_url, tmp_path):
    from harbour.exchange import store as peers
    from harbour.warehouse.engine import engine_for

    pack = json.loads(pack_file.read_text())
    old = {k: v for k, v in pack.items() if k not in ("quarterly", "quarterly_note", "signature")}
    old["pack_version"] = 1
    old["force"] = {k: v for k, v in pack["force"].items() if k != "extract_date"}
    old["force"].update(code="VONE", name="Vone Police (fictional)")
    old["summary"] = dict(pack["summary"], force="VONE")
    result = CliRunner().invoke(
        main, ["benchmark", "import", str(_write(tmp_path, old)), "--unsigned", "--warehouse", demo_url]
    )
    assert result.exit_code == 0 and "version 1 pack: it serves benchmarking, not attribution" in result.output
    try:
        status, body = render(client(demo_url), "/benchmark", "?force=ELMSHIRE")
        assert status == 200 and "Vone Police" in body.decode()  # benchmarked
        status, body = render(client(demo_url), "/attribution", "?force=ELMSHIRE")
        text = body.decode()
        assert "Packs that cannot serve attribution" in text and "its pack is version 1" in text
    finally:
        for p in peers.all_peers(engine_for(demo_url)):
            if p["force_code"] == "VONE":
                peers.remove(engine_for(demo_url), p["peer_id"])


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """ELMSHIRE's key pair, as `harbour benchmark keygen` makes it."""
    folder = tmp_path_factory.mktemp("keys")
    result = CliRunner().invoke(main, ["benchmark", "keygen", "--force", "ELMSHIRE", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    private = folder / "ELMSHIRE-private.pem"
    assert private.stat().st_mode & 0o077 == 0  # readable by its owner only
    return private, folder / "ELMSHIRE-public.pem"


@pytest.fixture(scope="module")
def pack_file(demo_url, keys, tmp_path_factory):
    out = tmp_path_factory.mktemp("pack") / "elmshire.json"
    result = CliRunner().invoke(
        main,
        [
            "benchmark",
            "export",
            "--force",
            "ELMSHIRE",
            "--out",
            str(out),
            "--key",
            str(keys[0]),
            "--warehouse",
            demo_url,
        ],
    )
    assert result.exit_code == 0 and "signed with key" in result.output, result.output
    return out


def test_force_counts_equal_the_exact_summary_of_each_force(demo_url):
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts

    f = facts(engine_for(demo_url))
    counts = force_counts(f.children, "pilot").set_index("force_code")
    for code in counts.index:
        doc = json.loads(
            CliRunner().invoke(main, ["summary", "--exact", "--force", code, "--warehouse", demo_url]).output
        )
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
    perturbed = pack["summary"]["disclosure"] == "perturbation"  # the pack says its method
    assert pack["standard_version"] == 4 and perturbed
    assert not re.search(r"\b[0-9a-f]{64}\b", text.replace(pack["sha256"], "")), "a pseudonym is in the pack"
    assert "ELM-K" not in text and "child" not in json.dumps(list(pack.keys()))
    for path, value in _walk(pack):
        if isinstance(value, str) and path[-1] != "sha256" and path != ("force", "extract_date"):
            # (version 2's one full date: the day the force's records end, which attribution needs; no child's)
            assert not re.search(r"\d{4}-\d{2}-\d{2}", value), path
        if path and path[-1] in {
            "children",
            "placed",
            "at_risk",
            "retained",
            "not_retained",
            "recorded",
            "n",
            "count",
            "episodes",
            "open",
            "harmed",
            "not_placed",
            "not_recorded",
        }:
            # Perturbed (the default: any whole number, 0 only for none; a monthly point's count c under 10), or
            # suppressed (0, c, or a multiple of 5).
            whole = isinstance(value, int) and value >= 0
            ok = (
                whole or (path[0] in ("monthly", "quarterly") and value == "c")
                if perturbed
                else is_publishable_count(value)
            )
            assert ok, (path, value)
    assert pack["force"]["extract_month"] == "2018-07" and pack["synthetic"] is True
    assert pack["pack_version"] == 2 and pack["force"]["extract_date"] == "2018-07-31" and pack["quarterly"]
    assert pack["summary"]["exact"] is False


def _write(tmp_path, pack, rehash=True, name="pack.json"):
    """The pack as an attacker would write it: changed, with its checksum recomputed (anyone can)."""
    body = {k: v for k, v in pack.items() if k not in ("sha256", "signature")}
    out = dict(pack, sha256=checksum(body) if rehash else pack["sha256"])
    path = tmp_path / name
    path.write_text(json.dumps(out))
    return path


def test_import_refuses_a_tampered_a_wrong_version_and_a_malformed_pack(pack_file, tmp_path, demo_url):
    pack = json.loads(pack_file.read_text())
    runner = CliRunner()
    tampered = json.loads(json.dumps(pack))
    tampered["summary"]["periods"]["pilot"]["retention"]["28d"]["rate"] = 0.99
    result = runner.invoke(
        main, ["benchmark", "import", str(_write(tmp_path, tampered, rehash=False)), "--warehouse", demo_url]
    )
    assert result.exit_code == 1 and "checksum does not match" in result.output
    wrong = dict(pack, pack_version=3)
    result = runner.invoke(main, ["benchmark", "import", str(_write(tmp_path, wrong)), "--warehouse", demo_url])
    assert result.exit_code == 1 and "version 3" in result.output
    broken = json.loads(json.dumps(pack))
    del broken["summary"]["periods"]["pilot"]
    result = runner.invoke(main, ["benchmark", "import", str(_write(tmp_path, broken)), "--warehouse", demo_url])
    assert result.exit_code == 1 and "malformed" in result.output
    unsafe = json.loads(json.dumps(pack))  # a pack that says it suppresses is held to the rule
    unsafe["summary"]["disclosure"] = "suppression"
    unsafe["summary"]["periods"]["pilot"]["missing"]["harmed"] = 3
    with pytest.raises(PackError, match="disclosure rule"):
        validate(json.dumps(dict(unsafe, sha256=checksum({k: v for k, v in unsafe.items() if k != "sha256"}))))
    (tmp_path / "junk.json").write_text("not json")
    result = runner.invoke(main, ["benchmark", "import", str(tmp_path / "junk.json"), "--warehouse", demo_url])
    assert result.exit_code == 1 and "not valid JSON" in result.output and "Traceback" not in result.output


def test_export_import_list_remove_and_the_page_shows_the_same_figures(pack_file, keys, tmp_path):
    runner = CliRunner()
    other = peer_warehouse(tmp_path, 99)
    trusted = runner.invoke(main, ["benchmark", "trust", str(keys[1]), "--force", "ELMSHIRE", "--warehouse", other])
    assert trusted.exit_code == 0 and "Trusted: key" in trusted.output, trusted.output
    imported = runner.invoke(main, ["benchmark", "import", str(pack_file), "--warehouse", other])
    assert imported.exit_code == 0 and "Imported" in imported.output and "signature verified" in imported.output
    again = runner.invoke(main, ["benchmark", "import", str(pack_file), "--warehouse", other])
    assert "Already imported" in again.output
    listed = runner.invoke(main, ["benchmark", "list", "--warehouse", other])
    assert "ELMSHIRE" in listed.output and "1 imported peer." in listed.output
    pack = json.loads(pack_file.read_text())
    r28 = pack["summary"]["periods"]["pilot"]["retention"]["28d"]
    status, body = render(client(other), "/benchmark", "?force=ELMSHIRE")
    assert status == 200
    text = body.decode()
    row = re.search(
        r'"Elmshire Constabulary \(fictional\) \(imported\)".*?"imported peer".*?"children":"([^"]*)".*?'
        r'"children":"([^"]*)"',
        text,
    )
    assert row and (row.group(1), row.group(2)) == (str(r28["retained"]), str(r28["at_risk"]))
    peer_id = re.search(r"^(\d+)\t", listed.output, re.M).group(1)
    assert runner.invoke(main, ["benchmark", "remove", peer_id, "--warehouse", other]).exit_code == 0
    assert "0 imported peers." in runner.invoke(main, ["benchmark", "list", "--warehouse", other]).output


@pytest.fixture
def other(tmp_path):
    return peer_warehouse(tmp_path, 98)


def _import(path, url, *extra):
    return CliRunner().invoke(main, ["benchmark", "import", str(path), "--warehouse", url, *extra])


def test_an_unsigned_or_unknown_signers_pack_needs_unsigned_and_is_marked(pack_file, tmp_path, other, demo_url):
    unknown = _import(pack_file, other)  # signed, but ELMSHIRE's key is not in this keyring
    assert unknown.exit_code == 1 and "not in this warehouse's keyring" in unknown.output
    plain = tmp_path / "plain.json"
    result = CliRunner().invoke(
        main, ["benchmark", "export", "--force", "ELMSHIRE", "--unsigned", "--out", str(plain), "--warehouse", demo_url]
    )
    assert result.exit_code == 0 and "unsigned" in result.output
    refused = _import(plain, other)
    assert refused.exit_code == 1 and "not signed" in refused.output and "--unsigned" in refused.output
    accepted = _import(plain, other, "--unsigned")
    assert accepted.exit_code == 0 and "UNVERIFIED" in accepted.output
    status, body = render(client(other), "/benchmark", "?force=ELMSHIRE")
    assert status == 200 and b"(imported, unverified)" in body


def test_a_signed_pack_altered_and_rehashed_is_refused_even_with_unsigned(pack_file, keys, tmp_path, other):
    assert (
        CliRunner()
        .invoke(main, ["benchmark", "trust", str(keys[1]), "--force", "ELMSHIRE", "--warehouse", other])
        .exit_code
        == 0
    )
    pack = json.loads(pack_file.read_text())
    pack["summary"]["periods"]["pilot"]["retention"]["28d"]["rate"] = 0.99  # a better figure, checksum recomputed
    for extra in ((), ("--unsigned",)):
        result = _import(_write(tmp_path, pack), other, *extra)
        assert result.exit_code == 1 and "signature does not match" in result.output, result.output
    # A key trusted for another force cannot sign for this one.
    stolen = json.loads(pack_file.read_text())
    stolen["force"]["code"] = stolen["summary"]["force"] = "FENWICK"
    result = _import(_write(tmp_path, stolen), other, "--unsigned")
    assert result.exit_code == 1 and "signed with the key trusted for ELMSHIRE" in result.output


@pytest.mark.parametrize(
    "attack, words",
    [
        (lambda p: p["summary"]["periods"]["pilot"]["retention"]["28d"].update(at_risk=10**30), "a count must be"),
        (
            lambda p: p["summary"]["periods"]["pilot"]["retention"]["28d"].update(retained=95, at_risk=50),
            "larger than at_risk",
        ),
        (lambda p: p["summary"]["periods"]["pilot"].update(children=False), "a count must be"),
        (lambda p: p["force"].update(name=["not", "text"]), "must be text"),
        (lambda p: p["force"].update(name={"$ref": "x"}), "must be text"),
        (lambda p: p["summary"]["periods"]["pilot"]["engagement"].update(median_hours="soon"), "must be a number"),
        (
            lambda p: p.update(
                monthly=[
                    {
                        "month": "2017-08",
                        "children": 10,
                        "retention_7d": 0.5,
                        "within_24h": 0.5,
                        "median_engagement_hours": 1.0,
                    }
                ]
                * 400
            ),
            "at most 360",
        ),
        (lambda p: p.update(extra={"a": 1}), "does not know"),
        (lambda p: p["summary"].update(exact=True), "publication figures only"),
    ],
)
def test_every_field_of_a_pack_is_checked_against_its_schema(pack_file, tmp_path, other, attack, words):
    pack = json.loads(pack_file.read_text())
    attack(pack)
    result = _import(_write(tmp_path, pack), other, "--unsigned")
    assert result.exit_code == 1 and words in result.output and "Traceback" not in result.output, result.output


def test_a_deeply_nested_or_not_a_number_pack_is_refused_in_one_line(tmp_path, other, pack_file):
    deep = tmp_path / "deep.json"
    deep.write_text('{"format": "harbour-benchmark-pack", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    result = _import(deep, other, "--unsigned")
    assert result.exit_code == 1 and "Traceback" not in result.output
    nan = tmp_path / "nan.json"
    nan.write_text(pack_file.read_text().replace('"rate": 0.', '"rate": NaN, "x": 0.', 1))
    result = _import(nan, other, "--unsigned")
    assert result.exit_code == 1 and "not valid JSON" in result.output


def test_one_bad_stored_pack_is_skipped_and_named_not_a_broken_page(pack_file, keys, other):
    import sqlalchemy as sa

    assert _import(pack_file, other, "--unsigned").exit_code == 0
    engine = sa.create_engine(other)
    with engine.begin() as conn:  # a pack edited in the warehouse, or stored by an older Harbour
        pack = json.loads(pack_file.read_text())
        pack["summary"]["periods"]["pilot"]["retention"]["28d"]["at_risk"] = 10**30
        conn.execute(sa.text("UPDATE benchmark_peers SET pack = :p"), {"p": json.dumps(pack)})
    engine.dispose()
    status, body = render(client(other), "/benchmark", "?force=ELMSHIRE")
    assert status == 200 and b"was skipped" in body and b"Elmshire Constabulary (fictional)" in body


@pytest.mark.parametrize("command", ["keygen", "trust"])
def test_a_force_code_that_is_a_path_is_refused(command, tmp_path, keys):
    # A force code names the key files: '../../etc' would write outside the folder asked for.
    args = (
        ["benchmark", "keygen", "--force", "../../etc", "--out", str(tmp_path / "k")]
        if command == "keygen"
        else [
            "benchmark",
            "trust",
            str(keys[1]),
            "--force",
            "X'; DROP TABLE x",
            "--warehouse",
            f"sqlite:///{tmp_path / 'w.sqlite'}",
        ]
    )
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "is not a force code" in result.output
    assert not (tmp_path.parent / "ETC-private.pem").exists() and not list(tmp_path.rglob("*.pem"))


@pytest.mark.parametrize("content", [b"not a key", b"x" * 20_000])
def test_a_public_key_that_is_not_one_is_refused(content, tmp_path):
    key = tmp_path / "public.pem"
    key.write_bytes(content)
    result = CliRunner().invoke(
        main, ["benchmark", "trust", str(key), "--force", "BEDS", "--warehouse", f"sqlite:///{tmp_path / 'w.sqlite'}"]
    )
    assert result.exit_code == 1 and "Refused" in result.output and "Traceback" not in result.output


def test_every_point_of_a_funnel_is_named_and_the_legend_says_each_role(demo_url):
    from harbour.warehouse import current
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts
    from harbour.web.build import build_uncached

    current.use(demo_url)
    f = facts(engine_for(demo_url))
    from harbour.pages.benchmark import short_name

    view = build_uncached(
        "/benchmark", {"force": "ELMSHIRE", "peers": "MARSHCOTE,HOLLINGTON", "bench_period": "baseline"}, f
    )
    funnel = next(p for p in view.panels if p.panel_id == "chart-funnel-retention")
    points = [t for t in funnel.figure["data"] if "markers" in t.get("mode", "")]
    drawn = [r for r in funnel.table.rows if not r[-1].startswith("left out")]
    assert len(points) == len(drawn) >= 3
    # Each point named on the chart, or, where its name would print over another, in the chart's words; and
    # every point named in its hover.
    on_chart = [t["text"][0] for t in points if t["text"][0]]
    said = [short_name(r[0]) for r in drawn if short_name(r[0]) not in on_chart]
    assert sorted(on_chart + said) == sorted(r[0].split(" ")[0] for r in drawn)
    assert all(name in funnel.summary for name in said)
    assert all(t["customdata"][0] for t in points)
    # Every force the chart leaves out (its rate c: too few children, or a count of 1 to 7 it would give away) is in
    # the table, said as left out, and named in the summary; none is silently dropped.
    left = [r for r in funnel.table.rows if r[-1].startswith("left out")]
    assert set(f.forces["force_name"]) <= {r[0] for r in funnel.table.rows}
    assert all(r[4] in ("c", "–") for r in left) and all(short_name(r[0]) in funnel.summary for r in left)
    legend = {t["name"] for t in points if t["showlegend"]}
    assert {"Selected force", "Peer group", "Other forces"} <= legend
    ranked = next(p for p in view.panels if p.panel_id == "chart-ranked")
    assert any(label.endswith("(selected)") for label in ranked.figure["data"][0]["y"])
    assert [a["text"].split(" ")[0] for a in ranked.figure["layout"]["annotations"]] == ["All", "Peer"]


def test_the_ranked_chart_places_each_force_as_a_hand_count_of_published_rates_does(demo_url):
    """The ranked chart's title says where the selected force stands: counted here from `harbour summary`'s
    published rates of every force with at least 10 children at risk, ties said as ties."""
    from harbour.warehouse import current
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts
    from harbour.web.build import build_uncached

    codes = ("ELMSHIRE", "FENWICK", "HOLLINGTON", "MARSHCOTE", "OAKVALE", "RAVENSMOOR")
    shown = {}
    for code in codes:
        r28 = json.loads(CliRunner().invoke(main, ["summary", "--force", code, "--warehouse", demo_url]).output)[
            "periods"
        ]["baseline"]["retention"]["28d"]
        if isinstance(r28.get("at_risk"), int) and r28["at_risk"] >= 10 and isinstance(r28.get("rate"), float):
            shown[code] = round(r28["rate"] * 100)
    # The pilot demo's pilot periods are short and few went missing in them: every force's pilot 28-day rate is c
    # (version 3), so the baseline's are ranked here.
    assert len(shown) >= 3, shown
    current.use(demo_url)
    f = facts(engine_for(demo_url))
    for code, own in shown.items():
        higher = sum(1 for v in shown.values() if v > own)
        level = sum(1 for v in shown.values() if v == own) - 1
        words = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", 6: "6th"}
        if level:
            place = f"joint {words[higher + 1]}"
        elif higher == 0:
            place = "highest"
        elif higher == len(shown) - 1:
            place = "lowest"
        else:
            place = words[higher + 1]
        ranked = next(
            p
            for p in build_uncached("/benchmark", {"force": code, "bench_period": "baseline"}, f).panels
            if p.panel_id == "chart-ranked"
        )
        assert f"{own}%, {place} of" in ranked.finding and f"of {len(shown)} forces" in ranked.finding, (
            code,
            ranked.finding,
        )
        assert "peer group" not in ranked.finding  # no peer group chosen, none named


def test_a_pack_name_with_terminal_escapes_is_printed_inert(pack_file, keys, tmp_path):
    """Found: `Beds\\x1b[8m` would hide the rest of the line on an admin's terminal, 'UNVERIFIED' included; OSC
    sequences retitle the window. Every command prints them as '?'."""
    from harbour.exchange.signing import sign

    pack = json.loads(pack_file.read_text())
    hostile = {
        **pack,
        "force": {**pack["force"], "name": "Beds\x1b[8m\x9b2J\x1b]0;owned\x07"},
        "harbour_version": "1\x1b[2K",
    }
    body = {k: v for k, v in hostile.items() if k not in ("sha256", "signature")}
    path = tmp_path / "beds.json"
    path.write_text(json.dumps(sign({**body, "sha256": checksum(body)}, keys[0].read_bytes())))
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    outputs = [
        CliRunner().invoke(main, ["benchmark", "import", str(path), "--unsigned", "--warehouse", url]),
        CliRunner().invoke(main, ["benchmark", "list", "--warehouse", url]),
    ]
    for result in outputs:
        assert result.exit_code == 0, result.output
        assert not any(ord(ch) < 32 and ch not in "\n\t" or 127 <= ord(ch) < 160 for ch in result.output)
    assert "Beds?[8m?2J?]0;owned?" in outputs[0].output and "UNVERIFIED" in outputs[0].output
    from harbour.untrusted import terminal_text

    assert terminal_text("a\x1b[8mb\nc\td\x9b\x00") == "a?[8mb\nc\td??"


def test_the_benchmark_page_says_which_filters_it_does_not_apply(demo_url):
    """Found: /benchmark ignored the sex and age filters silently while the filter bar showed them applied."""
    from harbour.warehouse import current
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts
    from harbour.web.build import build_uncached

    current.use(demo_url)
    f = facts(engine_for(demo_url))
    query = {"force": "ELMSHIRE", "bench_period": "baseline"}
    plain = build_uncached("/benchmark", query, f)
    filtered = build_uncached("/benchmark", {**query, "sex": "F", "age_band": "16-17"}, f)
    assert not any("not applied here" in n for n in plain.notices)
    assert filtered.notices[0].startswith(
        "Benchmarking compares whole forces: the age band and sex filters are not applied here"
    )
    # and they are indeed not applied: the same figures either way
    assert [p.table.rows for p in plain.panels] == [p.table.rows for p in filtered.panels]


def test_the_page_says_how_a_force_takes_part_and_when_periods_differ_in_length(demo_url):
    """Found: the page never said how a force takes part, and compared an 8-year pilot with a 1-year one unsaid."""
    from harbour.warehouse import current
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts
    from harbour.web.build import build_uncached

    current.use(demo_url)
    f = facts(engine_for(demo_url))
    view = build_uncached("/benchmark", {"force": "ELMSHIRE"}, f)
    assert any(n.startswith("How a force takes part") and "harbour benchmark export" in n for n in view.notices)
    # By hand, in calendar months from each scheme's start to its extract date.
    months = [
        (e.year - s.year) * 12 + e.month - s.month + 1
        for s, e in zip(f.forces["pilot_start"], f.forces["extract_date"])
        if s is not None
    ]
    words = f"The forces' pilot periods differ in length, from {min(months)} to {max(months)} months"
    assert (max(months) >= 2 * min(months)) == any(n.startswith(words) for n in view.notices)


def test_all_forces_is_one_number_on_the_page_the_pooled_rate_its_row_reproduces(demo_url):
    """Found: the funnel's pooled rate was 92% while the ranked chart's title said 'all forces 89%', and its table
    printed 115 retained of 125 at risk as 89%."""
    from harbour.warehouse import current
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts
    from harbour.web.build import build_uncached

    current.use(demo_url)
    f = facts(engine_for(demo_url))
    view = build_uncached("/benchmark", {"force": "ELMSHIRE", "peers": "MARSHCOTE", "bench_period": "baseline"}, f)
    ranked = next(p for p in view.panels if p.panel_id == "chart-ranked")
    forces = [r for r in ranked.table.rows if r[1] != "–"]
    pooled = next(r for r in ranked.table.rows if r[0] == "All forces (pooled)")
    retained, at_risk = sum(int(r[2]) for r in forces), sum(int(r[3]) for r in forces)  # by hand, from the rows
    assert (int(pooled[2]), int(pooled[3])) == (retained, at_risk)
    assert pooled[4] == f"{int(100 * retained / at_risk + 0.5)}%"
    assert f"all forces {pooled[4]}" in ranked.finding
    funnel = next(p for p in view.panels if p.panel_id == "chart-funnel-retention")
    assert f"pooled {pooled[4]}" in funnel.finding or f"pooled rate {pooled[4]}" in funnel.finding


def test_no_peer_group_line_or_row_when_no_peer_is_chosen(demo_url):
    """Found: a peer-group line (the selected force's own rate) was drawn when no peer was chosen."""
    from harbour.warehouse import current
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts
    from harbour.web.build import build_uncached

    current.use(demo_url)
    f = facts(engine_for(demo_url))
    alone = build_uncached("/benchmark", {"force": "ELMSHIRE", "bench_period": "baseline"}, f)
    ranked = next(p for p in alone.panels if p.panel_id == "chart-ranked")
    assert not any(r[0].startswith("Peer group") for r in ranked.table.rows)
    assert [s["line"]["dash"] for s in ranked.figure["layout"]["shapes"]] == ["solid"]
    grouped = build_uncached("/benchmark", {"force": "ELMSHIRE", "peers": "MARSHCOTE", "bench_period": "baseline"}, f)
    ranked = next(p for p in grouped.panels if p.panel_id == "chart-ranked")
    assert any(r[0] == "Peer group (pooled)" for r in ranked.table.rows)
    labels = [a for a in ranked.figure["layout"]["annotations"]]
    assert len(labels) == 2 and labels[0]["yshift"] != labels[1]["yshift"]  # a line apart, never on each other


def test_funnel_names_are_placed_apart_where_there_is_room():
    """Found: names piled on each other and one was struck through by a limit line. Four forces in a row 40 px apart
    and a line just above them: each name is placed where, by a box model of its own (7.5 px a character, 16 px
    high, beside or over its point), it meets no other name and no line."""
    from harbour.pages.benchmark import label_places

    points = [(100.0 + 40 * i, 50.0, f"Force {i}") for i in range(4)]
    line = ([float(x) for x in range(0, 400, 2)], [56.0] * 200)  # 6 px above the points, the pooled rate's line
    places = label_places(points, [line], (0.0, 400.0), (0.0, 100.0), width_px=400, height_px=100)

    def box(x, y, text, place):
        w, h = len(text) * 7.5, 16
        dx = {"center": -w / 2, "right": 6, "left": -6 - w}[place.split()[1]]
        dy = {"top": 6, "bottom": -6 - h, "middle": -h / 2}[place.split()[0]]
        return (x + dx, y + dy, x + dx + w, y + dy + h)

    boxes = [box(x, y, t, p) for (x, y, t), p in zip(points, places)]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (places, a, b)
        assert not (a[1] < 56 < a[3]), (places, a)  # no name across the line


def test_a_name_that_would_print_over_another_is_left_off_and_said():
    """Nine forces on one spot: no place is free for most names; each is left off (None) rather than overprinted."""
    from harbour.pages.benchmark import label_places

    points = [(200.0 + i, 50.0, f"Force {i}") for i in range(9)]
    places = label_places(points, [], (0.0, 400.0), (0.0, 100.0), width_px=400, height_px=100)
    assert places[0] is not None and None in places
    assert len({p for p in places if p}) == sum(1 for p in places if p)  # each place used once at most


def test_under_perturbation_every_force_of_ten_children_is_drawn_and_the_selected_one_always(demo_url):
    """Both funnels, both periods: every force whose published (perturbed) children at risk, or recorded, number 10
    or more is a point, and the selected force is drawn whenever it has such figures."""
    from harbour.metrics.benchmark import published_units
    from harbour.metrics.disclosure import Audience
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts
    from harbour.web.build import build_uncached

    f = facts(engine_for(demo_url))
    audience = Audience("publication", method="perturbation")
    for period in ("baseline", "pilot"):
        units = published_units(f.children, f.forces, period, [], "perturbation")
        for code in f.forces["force_code"]:
            view = build_uncached("/benchmark", {"force": code, "bench_period": period}, f, audience)
            for panel_id, denominator in (("chart-funnel-retention", "at_risk"), ("chart-funnel-within24", "recorded")):
                panel = next(p for p in view.panels if p.panel_id == panel_id)
                drawn = {
                    name
                    for trace in panel.figure["data"]
                    if trace.get("mode", "").startswith("markers")
                    for name in (trace.get("customdata") or trace.get("text") or [])
                    if isinstance(name, str)
                }
                big = units[units[denominator].map(lambda v: isinstance(v, int) and v >= 10)]
                rows = {str(r[0]): " ".join(str(c) for c in r) for r in panel.table.rows}
                for name in big["name"]:
                    assert name in rows and "left out" not in rows[name], (period, panel_id, name)
                roles = {str(r[0]): str(r[1]) for r in panel.table.rows}
                mine = units[units["unit"] == code]
                if len(mine) and isinstance(mine.iloc[0][denominator], int) and mine.iloc[0][denominator] >= 10:
                    assert roles.get(mine.iloc[0]["name"]) == "selected", (period, panel_id, code)
                assert drawn or not len(big)


def test_under_perturbation_each_funnel_row_is_the_forces_own_summary(demo_url):
    """The same cell, the same number: each force's row on the funnels (at risk, retained and the rate at 28 days;
    recorded, engaged within 24 hours and the share) is what the force's own published summary says, so the rows
    add nothing an attacker could subtract beyond the summaries (the perturbation attack searches those)."""
    from harbour.metrics.benchmark import published_units
    from harbour.metrics.filters import Filters
    from harbour.metrics.summary import build_summary
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts

    f = facts(engine_for(demo_url))
    checked = 0
    for period in ("baseline", "pilot"):
        units = published_units(f.children, f.forces, period, [], "perturbation").set_index("unit")
        for code in f.forces["force_code"]:
            doc = build_summary(
                f.children,
                f.episodes,
                f.forces,
                filters=Filters(force=(code,)),
                method="perturbation",
                attributed=(None, "not needed"),
            )
            mine = doc["periods"][period]
            if (
                not isinstance(mine.get("placed"), int)
                or f.forces.set_index("force_code").at[code, "pilot_start"] is None
            ):
                continue  # a force without a scheme has no periods of its own; a sparse period shows its count alone
            row, r28, w = units.loc[code], mine["retention"]["28d"], mine["engagement"]["within_24h"]
            assert (row["at_risk"], row["retained"], row["retained_rate"]) == (
                r28["at_risk"],
                r28["retained"],
                r28["rate"],
            )
            assert (row["recorded"], row["within"], row["within_rate"]) == (
                mine["engagement"]["recorded"],
                w["count"],
                w["rate"],
            )
            checked += 1
    assert checked >= 4


def test_a_ranking_of_no_published_rate_is_words_not_an_empty_axis(demo_url, monkeypatch):
    """Under suppression the pilot demo's forces each have a c rate in the pilot: the ranked chart was drawn empty,
    on an axis from -1 to 4, titled "28-day retention across 0 forces: all forces –". Now words say why."""
    from harbour.metrics.disclosure import PUBLICATION
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts
    from harbour.web.build import build_uncached

    f = facts(engine_for(demo_url))

    def ranked(method):
        monkeypatch.setenv("HARBOUR_DISCLOSURE", method)  # benchmarking publishes by the deployment's method
        view = build_uncached("/benchmark", {"bench_period": "pilot"}, f, PUBLICATION)
        return next(p for p in view.panels if p.panel_id == "chart-ranked")

    panel = ranked("suppression")
    assert panel.figure is None and "0 forces" not in panel.finding and "–" not in panel.finding
    assert panel.finding.startswith("No force's 28-day retention can be published") and "is c." in panel.summary
    assert ranked("perturbation").figure is not None
