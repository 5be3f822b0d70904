"""The benchmarking exchange through a real hub: `harbour hub serve` under gunicorn on a loopback port, on SQLite
and on PostgreSQL, and two Harbours with warehouses of their own (ELMSHIRE's, the demo; WESTMERE's, a renamed
demo), talking to it over real HTTP with `harbour benchmark publish`, `trust --from-hub` and `pull`.

Written as the attacks a hostile hub or force would make, each asserting the safe outcome: a hub that alters a pack,
rolls a force
back, offers a key of its own or stops mid-transfer changes nothing in a Harbour that pulls from it; a token of
one force cannot upload another's pack; and so on."""

from __future__ import annotations

import http.client
import json
import os
import socket
import sqlite3
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, update

from harbour.exchange.packs import checksum
from harbour.exchange.signing import generate, sign

from .hubs import api, copy_sqlite, enrol, harbour, hub_database, keygen, post_huge, publish, pull, serving_hub, trust
from .support import require

pytestmark = pytest.mark.xdist_group("exchange")  # its fixtures are built once, on one worker


def peers(ex, who) -> list[dict]:
    from harbour.exchange.store import all_peers
    from harbour.warehouse.engine import engine_for

    return all_peers(engine_for(ex[who]))


def hub_engine(ex):
    from harbour.hub.store import engine_for

    return engine_for(ex["hub_db"])


def held_on_hub(ex, code) -> dict:
    from harbour.hub import schema as H

    with hub_engine(ex).connect() as conn:
        body = conn.execute(
            select(H.packs.c.body).where(H.packs.c.force_code == code).order_by(H.packs.c.pack_id.desc()).limit(1)
        ).scalar()
    return json.loads(body)


def serve_instead(ex, code, pack: dict) -> None:
    """The hub's operator (or whoever holds its database) makes the hub serve ``pack`` as ``code``'s latest."""
    from harbour.hub import schema as H
    from harbour.hub.store import now

    with hub_engine(ex).begin() as conn:
        latest = (
            conn.execute(
                select(H.packs).where(H.packs.c.force_code == code).order_by(H.packs.c.pack_id.desc()).limit(1)
            )
            .mappings()
            .first()
        )
        conn.execute(
            H.packs.insert().values(
                force_code=code,
                extract_month=str(pack.get("force", {}).get("extract_month", "")),
                made="2026-12",
                sha256=str(pack.get("sha256", "0" * 64))[:64],
                key_id=latest["key_id"],
                token_id=latest["token_id"],
                uploaded_at=now(),
                body=json.dumps(pack),
            )
        )


def rehashed(pack: dict) -> dict:
    body = {k: v for k, v in pack.items() if k not in ("sha256", "signature")}
    return {**pack, "sha256": checksum(body)}


def warehouse_rows(url: str) -> dict:
    """Every peer and trusted key a warehouse holds, as rows: what "unchanged" is checked against."""
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("benchmark_peers", "benchmark_peer_signers", "benchmark_peer_origins", "trusted_keys")
        }
    finally:
        conn.close()


def no_token_in(ex, *outputs: str) -> None:
    text = "\n".join(outputs) + ex["log"].read_text()
    for token in ex["tokens"].values():
        assert token not in text


def test_each_harbour_publishes_and_pulls_the_other_as_a_verified_peer(exchange):
    ex = exchange
    outputs = []
    for code in ("ELMSHIRE", "WESTMERE"):
        result = publish(ex, code)
        outputs.append(result.output)
        assert result.exit_code == 0 and result.output.strip().endswith(": stored."), result.output
        # Published again: signed again with the next sequence, so a newer pack of the same month.
        again = publish(ex, code)
        assert again.exit_code == 0 and again.output.strip().endswith(": stored."), again.output
        assert held_on_hub(ex, code)["sequence"] == 2
    # Before a peer's key is trusted, its pack is skipped, and said so; nothing is stored.
    early = pull(ex, "ELMSHIRE")
    outputs.append(early.output)
    assert early.exit_code == 0, early.output
    assert "Skipped Westmere Police (fictional) (WESTMERE): unknown signer" in early.output
    assert "0 imported, 0 replaced, 0 unchanged, 1 skipped" in early.output and peers(ex, "ELMSHIRE") == []
    for who, peer in (("ELMSHIRE", "WESTMERE"), ("WESTMERE", "ELMSHIRE")):
        trusted = trust(ex, who, peer)
        outputs.append(trusted.output)
        assert trusted.exit_code == 0 and "matches the one given" in trusted.output, trusted.output
        result = pull(ex, who)
        outputs.append(result.output)
        assert result.exit_code == 0, result.output
        assert "1 imported, 0 replaced, 0 unchanged, 0 skipped" in result.output, result.output
        (peer_row,) = peers(ex, who)
        # What was imported is the very pack the peer published, verified by the key its force made.
        assert peer_row["force_code"] == peer and peer_row["sha256"] == held_on_hub(ex, peer)["sha256"]
        assert peer_row["signer"] == ex["keys"][peer]["fingerprint"][:16]
        assert peer_row["origin"] == "hub" and peer_row["hub_url"] == ex["base"]
    # A second pull finds the same pack: unchanged, and the time of the last pull moves on.
    from harbour.warehouse import schema
    from harbour.warehouse.engine import engine_for

    with engine_for(ex["ELMSHIRE"]).begin() as conn:
        conn.execute(update(schema.benchmark_peer_origins).values(pulled_at=func.datetime("2020-01-01 00:00:00")))
    again = pull(ex, "ELMSHIRE")
    assert "0 imported, 0 replaced, 1 unchanged, 0 skipped" in again.output, again.output
    assert peers(ex, "ELMSHIRE")[0]["pulled_at"].year >= 2026
    # Each Harbour's /benchmark shows the other as an imported, verified peer, with where and when it came from.
    from harbour.web.inprocess import client, render

    for who, name in (("ELMSHIRE", "Westmere Police (fictional)"), ("WESTMERE", "Elmshire Constabulary (fictional)")):
        status, body = render(client(ex[who]), "/benchmark", "")
        page = json.dumps(json.loads(body), ensure_ascii=False).replace("\\u002f", "/").replace("\\/", "/")
        assert status == 200 and f"{name} (imported)" in page
        assert f"{name}'s pack (signature verified, extract July 2018) came from the hub at {ex['base']}" in page
    no_token_in(ex, *outputs)


def _trusting(ex):
    """ELMSHIRE holds WESTMERE's genuine pack, pulled from the hub; the hub's state as an attacker finds it."""
    assert publish(ex, "WESTMERE").exit_code == 0
    assert trust(ex, "ELMSHIRE", "WESTMERE").exit_code == 0
    assert "1 imported" in pull(ex, "ELMSHIRE").output
    return held_on_hub(ex, "WESTMERE")


def test_a_hub_that_alters_forges_or_rolls_back_a_pack_changes_nothing_in_a_pulling_harbour(exchange):
    ex = exchange
    genuine = _trusting(ex)
    before = warehouse_rows(ex["ELMSHIRE"])
    pilot = genuine["summary"]["periods"]["pilot"]
    attacks = {
        # A figure changed after upload, its checksum recomputed (anyone can), its signature kept.
        "altered": rehashed(
            {
                **genuine,
                "summary": {
                    **genuine["summary"],
                    "periods": {
                        **genuine["summary"]["periods"],
                        "pilot": {**pilot, "children": 105 if pilot["children"] != 105 else 110},
                    },
                },
            }
        ),
        # The same figures re-signed with a key of the hub's own, under the force's name.
        "unknown signer": sign(
            rehashed({**genuine, "force": {**genuine["force"], "scheme_name": "Forged"}}), generate()[0]
        ),
        # The force's own, genuinely signed, earlier pack: a rollback.
        "older than held": sign(
            rehashed(
                {**genuine, "force": {**genuine["force"], "extract_month": "2018-01", "extract_date": "2018-01-31"}}
            ),
            ex["keys"]["WESTMERE"]["private"].read_bytes(),
        ),
        "invalid": {"format": "not-a-pack", "force": {"code": "WESTMERE"}},
    }
    for reason, pack in attacks.items():
        serve_instead(ex, "WESTMERE", pack)
        result = pull(ex, "ELMSHIRE")
        assert result.exit_code == 0, result.output
        assert f": {reason}: " in result.output and "0 imported, 0 replaced, 0 unchanged, 1 skipped" in result.output, (
            reason,
            result.output,
        )
        assert warehouse_rows(ex["ELMSHIRE"]) == before, reason  # the genuine pack is still the one held


def test_no_older_pack_and_no_replay_is_taken_by_the_hub_or_a_pulling_harbour(exchange):
    """Found: the hub's "no rollback" was by extract month only, so an older signed pack of the same month was
    accepted and became the latest, and so back and forth. Now a pack is taken only when it is newer: a later
    extract month, or the same one signed later (the force's count of signed packs, which the pack carries); the
    very pack held before is a replay, refused. A Harbour that pulls applies the same rule."""
    ex = exchange
    first = _trusting(ex)  # WESTMERE's first pack, published, and pulled by ELMSHIRE
    assert first["sequence"] == 1
    assert publish(ex, "WESTMERE").exit_code == 0
    second = held_on_hub(ex, "WESTMERE")
    assert second["sequence"] == 2 and second["force"]["extract_month"] == first["force"]["extract_month"]
    token, private = ex["tokens"]["WESTMERE"], ex["keys"]["WESTMERE"]["private"].read_bytes()
    status, body, _ = api(ex["base"], "POST", "/api/v1/packs", token, json.dumps(first).encode())
    assert (status, body["error"]) == (409, "replayed"), body
    earlier = sign(
        rehashed({**{k: v for k, v in second.items() if k != "signature"}, "sequence": 1, "made": "2019-01"}), private
    )
    status, body, _ = api(ex["base"], "POST", "/api/v1/packs", token, json.dumps(earlier).encode())
    assert (status, body["error"]) == (409, "older-than-held") and "sequence 1 is not after the 2" in body["message"]
    assert held_on_hub(ex, "WESTMERE")["sha256"] == second["sha256"]
    # ELMSHIRE pulls the second; a hub that then serves the first again (its operator, or an attacker with its
    # database) changes nothing there.
    assert "1 replaced" in pull(ex, "ELMSHIRE").output
    serve_instead(ex, "WESTMERE", first)
    again = pull(ex, "ELMSHIRE")
    assert "older than held" in again.output and "sequence 1 is not after the 2 held here" in again.output, again.output
    assert [p["pack"]["sha256"] for p in peers(ex, "ELMSHIRE")] == [second["sha256"]]


def test_a_hub_that_offers_a_key_of_its_own_is_refused_without_the_matching_fingerprint(exchange):
    from harbour.hub import schema as H
    from harbour.warehouse import schema
    from harbour.warehouse.engine import engine_for

    ex = exchange
    private, public = generate()
    from harbour.exchange.signing import fingerprint, load_public

    with hub_engine(ex).begin() as conn:
        conn.execute(
            update(H.keys)
            .where(H.keys.c.force_code == "WESTMERE")
            .values(public_pem=public.decode(), fingerprint=fingerprint(load_public(public)))
        )
    result = trust(ex, "ELMSHIRE", "WESTMERE")
    assert result.exit_code == 1 and "it is not trusted" in result.output, result.output
    assert fingerprint(load_public(public)) in result.output  # the key it was offered, computed here
    with engine_for(ex["ELMSHIRE"]).connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.trusted_keys)).scalar() == 0
    # Without a fingerprint, --from-hub is not even tried.
    bare = harbour(
        "benchmark",
        "trust",
        "--from-hub",
        ex["base"],
        "--force",
        "WESTMERE",
        "--warehouse",
        ex["ELMSHIRE"],
        env={"HARBOUR_HUB_TOKEN": ex["tokens"]["ELMSHIRE"]},
    )
    assert bare.exit_code == 2 and "needs --fingerprint" in bare.output


def test_uploads_are_refused_as_the_issue_lists_over_real_http(exchange):
    from harbour.hub import schema as H

    ex = exchange
    base, tokens = ex["base"], ex["tokens"]
    from harbour.exchange.packs import force_pack
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts

    pack = sign(
        force_pack(facts(engine_for(ex["ELMSHIRE"])), "ELMSHIRE"), ex["keys"]["ELMSHIRE"]["private"].read_bytes()
    )
    assert api(base, "POST", "/api/v1/packs", tokens["ELMSHIRE"], json.dumps(pack).encode())[0] == 201
    westmere_key = ex["keys"]["WESTMERE"]["private"].read_bytes()
    elmshire_key = ex["keys"]["ELMSHIRE"]["private"].read_bytes()
    with hub_engine(ex).connect() as conn:
        stored = conn.execute(select(func.count()).select_from(H.packs)).scalar()
    attacks = {
        "another force's pack": (tokens["WESTMERE"], json.dumps(pack).encode(), 403),
        "signed by a key not the force's": (
            tokens["ELMSHIRE"],
            json.dumps(sign(rehashed({**pack, "made": "2026-11"}), westmere_key)).encode(),
            400,
        ),
        "tampered": (tokens["ELMSHIRE"], json.dumps(rehashed({**pack, "synthetic": False})).encode(), 400),
        "replayed older pack": (
            tokens["ELMSHIRE"],
            json.dumps(
                sign(
                    rehashed(
                        {**pack, "force": {**pack["force"], "extract_month": "2017-12", "extract_date": "2017-12-31"}}
                    ),
                    elmshire_key,
                )
            ).encode(),
            409,
        ),
        "malformed": (tokens["ELMSHIRE"], b'{"format": ', 400),
    }
    for what, (token, body, expected) in attacks.items():
        status, answer, _ = api(base, "POST", "/api/v1/packs", token, body)
        assert status == expected, (what, status, answer)
        assert set(answer) == {"error", "message"} and "Traceback" not in json.dumps(answer), what
    status, answer = post_huge(base, "/api/v1/packs", tokens["ELMSHIRE"], 50 * 2**20)
    assert status == 413 and b"Traceback" not in answer, answer[:300]
    with hub_engine(ex).connect() as conn:
        assert conn.execute(select(func.count()).select_from(H.packs)).scalar() == stored  # nothing refused is kept
    # A revoked token and an expired one are refused, for reads and writes alike.
    assert harbour("hub", "revoke", "--force", "WESTMERE", "--warehouse", ex["hub_db"]).exit_code == 0
    assert api(base, "GET", "/api/v1/packs", tokens["WESTMERE"])[:2] == (
        401,
        {"error": "revoked", "message": "the token was revoked; ask the hub's operator for a new one"},
    )
    with hub_engine(ex).begin() as conn:
        conn.execute(
            update(H.tokens).where(H.tokens.c.force_code == "ELMSHIRE").values(expires_at=H.tokens.c.created_at)
        )  # its year is over
    status, answer, _ = api(base, "POST", "/api/v1/packs", tokens["ELMSHIRE"], json.dumps(pack).encode())
    assert status == 401 and answer["error"] == "expired"


def test_a_flood_of_a_thousand_requests_from_one_token_is_limited_and_others_still_served(harbours, tmp_path):
    """The default limit (10 a second, 300 a minute per token), counted in Redis so that both workers share it."""
    import os

    from .support import require

    redis = os.environ.get("HARBOUR_TEST_REDIS_URL")
    require(bool(redis), "Redis (HARBOUR_TEST_REDIS_URL)")
    with hub_database("sqlite", tmp_path, "flood") as hub_db:
        tokens = {code: enrol(hub_db, code, harbours["keys"][code]["public"]) for code in ("ELMSHIRE", "WESTMERE")}
        with serving_hub(hub_db, tmp_path / "hub.log", HARBOUR_REDIS_URL=redis) as base:
            started = time.monotonic()
            with ThreadPoolExecutor(32) as pool:
                answers = list(pool.map(lambda _: api(base, "GET", "/api/v1/keys", tokens["ELMSHIRE"]), range(1000)))
            seconds = time.monotonic() - started
            statuses = [a[0] for a in answers]
            served, limited = statuses.count(200), statuses.count(429)
            assert served + limited == 1000, sorted(set(statuses))
            # Fixed windows of a second: at most 10 in each second the flood touched, and never over 300.
            assert 1 <= served <= min(300, 10 * (int(seconds) + 2)), (served, seconds)
            assert all(a[2].get("Retry-After") for a in answers if a[0] == 429)
            # Another force's token is a bucket of its own: served at once.
            assert api(base, "GET", "/api/v1/keys", tokens["WESTMERE"])[0] == 200
    print(f"flood: 1000 requests in {seconds:.2f} s ({1000 / seconds:.0f} a second): {served} served, {limited} 429")


def _post_from(address: str, base: str, path: str, token: str, body: bytes) -> int:
    """A POST sent from ``address`` (another loopback address: another machine, as the hub sees it)."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(address, 0))
    try:
        conn.request(
            "POST", path, body=body, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        )
        return conn.getresponse().status
    finally:
        conn.close()


def test_a_flood_of_bogus_tokens_is_limited_by_address_unaudited_and_a_real_upload_goes_through(harbours, tmp_path):
    """Rotating bogus tokens was never limited (each one its own bucket) and wrote an audit row each, holding the
    database's write lock. Now failures are counted by address before anything is read or written, an address past
    its limit is audited once, and a force uploading from its own address is served all the while."""
    redis = os.environ.get("HARBOUR_TEST_REDIS_URL")
    require(bool(redis), "Redis (HARBOUR_TEST_REDIS_URL)")  # the limits counted once for both workers
    with hub_database("sqlite", tmp_path, "bogus") as hub_db:
        token = enrol(hub_db, "ELMSHIRE", harbours["keys"]["ELMSHIRE"]["public"])
        pack = tmp_path / "pack.json"
        made = harbour(
            "benchmark",
            "export",
            "--force",
            "ELMSHIRE",
            "--key",
            str(harbours["keys"]["ELMSHIRE"]["private"]),
            "--out",
            str(pack),
            "--warehouse",
            harbours["ELMSHIRE"],
        )
        assert made.exit_code == 0, made.output
        from harbour.hub.store import audit_entries, engine_for

        audited_before = audit_entries(engine_for(hub_db), 1)[1]
        with serving_hub(
            hub_db,
            tmp_path / "hub.log",
            HARBOUR_HUB_FAILED_RATE="10/minute",
            HARBOUR_HUB_RATE="100/second;3000/minute",
            HARBOUR_REDIS_URL=redis,
        ) as base:
            with ThreadPoolExecutor(8) as pool:
                statuses = list(
                    pool.map(
                        lambda i: _post_from("127.0.0.1", base, "/api/v1/packs", f"bogus-{i}-" + "x" * 40, b"{}"),
                        range(40),
                    )
                )
            real = _post_from("127.0.0.2", base, "/api/v1/packs", token, pack.read_bytes())
            again = _post_from("127.0.0.1", base, "/api/v1/packs", f"bogus-late-{'y' * 40}", b"{}")
        audited = audit_entries(engine_for(hub_db), 50)
    # A failure is counted once it has been answered, so besides the limit's 10, at most the 8 in flight at once pass.
    assert set(statuses) <= {401, 429} and statuses.count(401) <= 10 + 8 and statuses.count(429) >= 40 - 18, statuses
    assert again == 429
    assert real in (200, 201), real
    new = audited[1] - audited_before
    # The upload, and a row for the limited address from each of the hub's two workers at most (not one a request).
    assert new <= 3, [e for e in audited[0][:new]]
    assert any(e["actor"] == "unauthenticated" and "failed attempts" in str(e.values()) for e in audited[0][:new])


class _CuttingProxy:
    """A TCP proxy in front of the hub that passes the request on and the first ``keep`` bytes of the answer back,
    then closes: a hub that stops mid-transfer."""

    def __init__(self, target_port: int, keep: int):
        self.target_port, self.keep = target_port, keep
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.cuts = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client):
        with client, socket.create_connection(("127.0.0.1", self.target_port)) as upstream:
            client.settimeout(5)
            request = b""
            while b"\r\n\r\n" not in request:
                request += client.recv(65536)
            upstream.sendall(request.replace(b"Connection: keep-alive", b"Connection: close"))
            sent = 0
            while sent < self.keep:
                chunk = upstream.recv(min(65536, self.keep - sent))
                if not chunk:
                    break
                client.sendall(chunk)
                sent += len(chunk)
            self.cuts += 1

    def close(self):
        self.listener.close()


def test_a_pull_from_a_hub_that_stops_mid_transfer_leaves_the_warehouse_as_it_was(exchange, monkeypatch):
    ex = exchange
    assert publish(ex, "WESTMERE").exit_code == 0
    assert trust(ex, "ELMSHIRE", "WESTMERE").exit_code == 0
    before = warehouse_rows(ex["ELMSHIRE"])
    monkeypatch.setattr("harbour.exchange.hub_client.BACKOFF_SECONDS", 0.05)
    length = int(api(ex["base"], "GET", "/api/v1/packs", ex["tokens"]["ELMSHIRE"])[2]["Content-Length"])
    proxy = _CuttingProxy(int(ex["base"].rsplit(":", 1)[1]), keep=length // 2)  # the headers and half the packs
    try:
        result = pull(ex, "ELMSHIRE", base=f"http://127.0.0.1:{proxy.port}")
    finally:
        proxy.close()
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
    assert "cannot be reached (the connection was cut, 4 tries); nothing was changed here" in result.output
    assert proxy.cuts == 4  # retried, with backoff, before giving up
    assert warehouse_rows(ex["ELMSHIRE"]) == before
    # The whole answer, from the hub itself, imports.
    assert "1 imported" in pull(ex, "ELMSHIRE").output


def test_a_force_rotates_its_key_through_the_hub_and_its_peers_trust_the_new_one(exchange, tmp_path):
    ex = exchange
    assert publish(ex, "ELMSHIRE").exit_code == 0
    assert trust(ex, "WESTMERE", "ELMSHIRE").exit_code == 0
    new = keygen("ELMSHIRE", tmp_path / "new")
    rotated = harbour(
        "benchmark",
        "rotate-key",
        "--hub",
        ex["base"],
        "--token",
        ex["tokens"]["ELMSHIRE"],
        "--force",
        "ELMSHIRE",
        "--key",
        str(ex["keys"]["ELMSHIRE"]["private"]),
        "--new-key",
        str(new["public"]),
    )
    assert rotated.exit_code == 0 and new["fingerprint"] in rotated.output, rotated.output
    status, keys, _ = api(ex["base"], "GET", "/api/v1/keys", ex["tokens"]["WESTMERE"])
    assert {k["force"]: k["fingerprint"] for k in keys["keys"]}["ELMSHIRE"] == new["fingerprint"]
    # The old key no longer uploads; the new one does, and a peer that trusted only the old key skips the new pack.
    old = publish(ex, "ELMSHIRE")
    assert old.exit_code == 1 and "Refused by the hub (400)" in old.output, old.output
    from harbour.exchange.packs import force_pack
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts

    held = held_on_hub(ex, "ELMSHIRE")["sequence"]
    newer = rehashed(
        {**force_pack(facts(engine_for(ex["ELMSHIRE"])), "ELMSHIRE"), "made": "2027-01", "sequence": held + 1}
    )
    status, _, _ = api(
        ex["base"],
        "POST",
        "/api/v1/packs",
        ex["tokens"]["ELMSHIRE"],
        json.dumps(sign(newer, new["private"].read_bytes())).encode(),
    )
    assert status == 201
    assert "ELMSHIRE): unknown signer" in pull(ex, "WESTMERE").output
    assert trust(ex, "WESTMERE", "ELMSHIRE", new["fingerprint"]).exit_code == 0
    assert "1 imported" in pull(ex, "WESTMERE").output


def test_a_hub_that_cannot_be_reached_is_one_line(harbours, tmp_path):
    from .hubs import free_port

    url = copy_sqlite(harbours["ELMSHIRE"], tmp_path, "elmshire")
    result = harbour(
        "benchmark", "pull", "--hub", f"http://127.0.0.1:{free_port()}", "--token", "x" * 43, "--warehouse", url
    )
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "cannot be reached (connection refused, 4 tries); nothing was changed here" in result.output
    assert "x" * 43 not in result.output
    for hub, words in (
        ("http://hub.example.org", "plain http"),
        ("https://user:pw@hub.example.org", "no user name"),
        ("ftp://hub.example.org", "not a hub address"),
    ):
        result = harbour("benchmark", "pull", "--hub", hub, "--token", "x" * 43, "--warehouse", url)
        assert result.exit_code == 2 and words in result.output, (hub, result.output)
    no_token = harbour(
        "benchmark", "pull", "--hub", "https://hub.example.org", "--warehouse", url, env={"HARBOUR_HUB_TOKEN": ""}
    )
    assert no_token.exit_code == 2 and "HARBOUR_HUB_TOKEN" in no_token.output


def test_a_file_import_never_rolls_a_force_back_and_a_newer_pack_replaces_the_older(harbours, tmp_path):
    from harbour.exchange.packs import force_pack
    from harbour.warehouse.engine import engine_for
    from harbour.warehouse.queries import facts

    url = copy_sqlite(harbours["ELMSHIRE"], tmp_path, "elmshire")
    keys = harbours["keys"]["WESTMERE"]
    assert harbour("benchmark", "trust", str(keys["public"]), "--force", "WESTMERE", "--warehouse", url).exit_code == 0
    genuine = force_pack(facts(engine_for(harbours["WESTMERE"])), "WESTMERE")
    private = keys["private"].read_bytes()

    def file_of(extract, name):
        path = tmp_path / name
        path.write_text(
            json.dumps(
                sign(
                    rehashed(
                        {
                            **genuine,
                            "force": {**genuine["force"], "extract_month": extract, "extract_date": f"{extract}-28"},
                        }
                    ),
                    private,
                )
            )
        )
        return str(path)

    assert "Imported:" in harbour("benchmark", "import", file_of("2018-07", "july.json"), "--warehouse", url).output
    older = harbour("benchmark", "import", file_of("2018-03", "march.json"), "--warehouse", url)
    assert older.exit_code == 1 and "older than the 2018-07 held here" in older.output
    newer = harbour("benchmark", "import", file_of("2018-10", "october.json"), "--warehouse", url)
    assert newer.exit_code == 0 and "replacing the older pack" in newer.output, newer.output
    rows = warehouse_rows(url)
    assert len(rows["benchmark_peers"]) == 1 and "october.json" in str(rows["benchmark_peers"][0])
    assert len(rows["benchmark_peer_origins"]) == 1 and rows["benchmark_peer_origins"][0][1] == "file"


@pytest.mark.slow
def test_the_readme_exchange_section_followed_command_by_command(harbours, tmp_path):
    """The README's hub walkthrough, run as written in bash (ELMSHIRE's Harbour and the hub's operator), against a
    hub where WESTMERE has published already."""
    import os
    import re
    import signal
    import subprocess

    from .hubs import ROOT, free_port, wait_for_hub

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Through a hub, instead of emailing files", 1)[1]
    script = section.split("```", 2)[1].removeprefix("\n")
    commands = [line for line in script.splitlines() if line.strip() and not line.startswith("#")]
    assert commands[0].startswith("harbour benchmark keygen") and commands[-1] == "harbour benchmark list"
    port = free_port()
    hub_db = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    elmshire = copy_sqlite(harbours["ELMSHIRE"], tmp_path, "elmshire")
    # WESTMERE has enrolled and published on this hub already (what its own admin did, by the same commands).
    token = enrol(hub_db, "WESTMERE", harbours["keys"]["WESTMERE"]["public"])
    from harbour.exchange.packs import force_pack
    from harbour.hub.store import accept_pack, authenticate, engine_for
    from harbour.warehouse.engine import engine_for as warehouse
    from harbour.warehouse.queries import facts

    pack = sign(
        force_pack(facts(warehouse(harbours["WESTMERE"])), "WESTMERE"),
        harbours["keys"]["WESTMERE"]["private"].read_bytes(),
    )
    assert accept_pack(engine_for(hub_db), authenticate(engine_for(hub_db), token), json.dumps(pack).encode())[0] == 201
    work = tmp_path / "elmshire-admin"
    work.mkdir()
    env = {
        **os.environ,
        "HUB": f"http://127.0.0.1:{port}",
        "WESTMERE_FINGERPRINT": harbours["keys"]["WESTMERE"]["fingerprint"],
        "HARBOUR_WAREHOUSE": elmshire,
        "HARBOUR_HUB_WAREHOUSE": hub_db,
    }
    env.pop("HARBOUR_HUB_TOKEN", None)
    runnable = script.replace("--port 8060", f"--port {port}")
    assert runnable != script
    # Each command as written; the hub is served in the background, as the README's '&' says, while publish
    # retries with backoff until it answers.
    log = tmp_path / "walkthrough.log"
    with log.open("w") as handle:  # a file, not a pipe: the hub in the background keeps a pipe open
        process = subprocess.Popen(
            ["bash", "-euo", "pipefail", "-c", runnable],
            cwd=work,
            env=env,
            start_new_session=True,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        try:
            process.wait(timeout=240)
        finally:
            try:
                os.killpg(process.pid, signal.SIGTERM)  # the hub it left in the background
            except ProcessLookupError:
                pass
    output = log.read_text()
    assert process.returncode == 0, output
    assert re.search(r"Published the pack of ELMSHIRE .*: stored\.", output), output
    assert "Trusted: key" in output and "(matches the one given)" in output
    assert "1 imported, 0 replaced, 0 unchanged, 0 skipped" in output
    assert re.search(
        r"WESTMERE\tWestmere Police \(fictional\).*from the hub at http://127\.0\.0\.1:\d+, last pulled", output
    ), output
    # The curl examples of the API, each run against the same hub (curl is Debian's; CI has it).
    import shutil

    from .support import require

    require(shutil.which("curl") is not None, "curl")
    api_block = section.split("```", 4)[3].removeprefix("\n")
    # A newer pack of the force than the one held (its next sequence): the very pack held again would be a replay.
    newer_pack = sign(
        rehashed({**{k: v for k, v in pack.items() if k != "signature"}, "sequence": 2}),
        harbours["keys"]["WESTMERE"]["private"].read_bytes(),
    )
    (work / "elmshire-pack.json").write_text(json.dumps(newer_pack))
    env["HARBOUR_HUB_TOKEN"] = token
    port = free_port()  # the walkthrough's hub may still be letting its port go
    env["HUB"] = f"http://127.0.0.1:{port}"
    hub = subprocess.Popen(
        [sys.executable, "-m", "harbour.cli", "hub", "serve", "--port", str(port), "--warehouse", hub_db],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_hub(env["HUB"])
        for line in api_block.splitlines():
            if not line.startswith("curl"):
                continue
            if "rotation.json" in line:
                from harbour.exchange.signing import load_public, rotation_statement, sign_bytes
                from harbour.exchange.signing import public_pem as _pem

                _, new_public = generate()
                new_pem = _pem(load_public(new_public)).decode()
                (work / "rotation.json").write_text(
                    json.dumps(
                        {
                            "force": "WESTMERE",
                            "public_pem": new_pem,
                            "signature": sign_bytes(
                                rotation_statement("WESTMERE", new_pem),
                                harbours["keys"]["WESTMERE"]["private"].read_bytes(),
                            ),
                        }
                    )
                )
            answer = subprocess.run(["bash", "-c", line], cwd=work, env=env, capture_output=True, text=True, timeout=60)
            doc = json.loads(answer.stdout)
            assert answer.returncode == 0 and "error" not in doc, (line, answer.stdout)
    finally:
        hub.terminate()
        hub.wait(timeout=15)
