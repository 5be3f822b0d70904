"""The benchmarking hub's API, tried as an attacker would, through Flask's test client on a real SQLite hub database:
each refusal asserted with its status, nothing of a refused upload stored, every write in the audit log.
(The hub under gunicorn, on SQLite and PostgreSQL, with the client side: tests/test_exchange_hub.py.)"""

import hashlib
import json
import time

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from sqlalchemy import func, select, update

from harbour.cli import main
from harbour.exchange.packs import checksum
from harbour.exchange.signing import sign


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A demo warehouse, two forces' key pairs, and ELMSHIRE's and MARSHCOTE's signed packs."""
    folder = tmp_path_factory.mktemp("hub")
    url = f"sqlite:///{folder / 'demo.sqlite'}"
    runner = CliRunner()
    assert runner.invoke(main, ["demo", "--warehouse", url]).exit_code == 0
    out = {}
    for code in ("ELMSHIRE", "MARSHCOTE"):
        assert runner.invoke(main, ["benchmark", "keygen", "--force", code, "--out", str(folder)]).exit_code == 0
        pack = folder / f"{code}.json"
        result = runner.invoke(
            main,
            [
                "benchmark",
                "export",
                "--force",
                code,
                "--out",
                str(pack),
                "--key",
                str(folder / f"{code}-private.pem"),
                "--warehouse",
                url,
            ],
        )
        assert result.exit_code == 0, result.output
        out[code] = {
            "pack": pack.read_bytes(),
            "private": (folder / f"{code}-private.pem").read_bytes(),
            "public": folder / f"{code}-public.pem",
        }
    return folder, out


def _hub(tmp_path, made, monkeypatch, rate="1000/second"):
    from harbour.hub.app import create_hub

    monkeypatch.setenv("HARBOUR_HUB_RATE", rate)
    monkeypatch.delenv("HARBOUR_REDIS_URL", raising=False)
    hub_url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    runner = CliRunner()
    tokens = {}
    for code, files in made[1].items():
        result = runner.invoke(
            main, ["hub", "register", "--force", code, "--key", str(files["public"]), "--warehouse", hub_url]
        )
        assert result.exit_code == 0, result.output
        result = runner.invoke(main, ["hub", "token", "--force", code, "--warehouse", hub_url])
        assert result.exit_code == 0, result.output
        tokens[code] = result.stdout.strip().splitlines()[0]
        assert len(tokens[code]) >= 43  # 256 bits in URL-safe base64
    return create_hub(hub_url).server.test_client(), tokens, hub_url


def _post(client, token, body: bytes, path="/api/v1/packs"):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return client.post(path, data=body, headers=headers)


def _resigned(pack: dict, private: bytes) -> bytes:
    body = {k: v for k, v in pack.items() if k not in ("sha256", "signature")}
    return json.dumps(sign({**body, "sha256": checksum(body)}, private)).encode()


def test_uploads_are_checked_refused_with_their_status_and_audited(made, tmp_path, monkeypatch):
    from harbour.hub import schema as H
    from harbour.hub.store import engine_for

    client, tokens, hub_url = _hub(tmp_path, made, monkeypatch)
    elm, marsh = made[1]["ELMSHIRE"], made[1]["MARSHCOTE"]
    first = _post(client, tokens["ELMSHIRE"], elm["pack"])
    assert first.status_code == 201, first.get_json()
    replayed = _post(client, tokens["ELMSHIRE"], elm["pack"])  # the same pack again: a replay, refused
    assert replayed.status_code == 409 and replayed.get_json()["error"] == "replayed"
    pack = json.loads(elm["pack"])
    assert pack["sequence"] == 1  # the force's first signed pack
    later = _post(client, tokens["ELMSHIRE"], _resigned({**pack, "sequence": 5}, elm["private"]))
    assert later.status_code == 201, later.get_json()  # the same month, signed later: newer
    attacks = {
        "the same month, signed earlier (a rollback within the month)": (
            tokens["ELMSHIRE"],
            _resigned({**pack, "sequence": 4}, elm["private"]),
            409,
        ),
        "the same month without the signer's sequence": (
            tokens["ELMSHIRE"],
            _resigned({k: v for k, v in pack.items() if k != "sequence"}, elm["private"]),
            409,
        ),
        "the first pack replayed": (tokens["ELMSHIRE"], elm["pack"], 409),
        "another force's pack with ELMSHIRE's token": (tokens["ELMSHIRE"], marsh["pack"], 403),
        "ELMSHIRE's pack signed by MARSHCOTE's key": (tokens["ELMSHIRE"], _resigned(pack, marsh["private"]), 400),
        "unsigned": (tokens["ELMSHIRE"], json.dumps({k: v for k, v in pack.items() if k != "signature"}).encode(), 400),
        "tampered after signing": (tokens["ELMSHIRE"], elm["pack"].replace(b'"made": "', b'"made": "1', 1), 400),
        "older extract month (a rollback)": (
            tokens["ELMSHIRE"],
            _resigned(
                {**pack, "force": {**pack["force"], "extract_month": "2001-01", "extract_date": "2001-01-31"}},
                elm["private"],
            ),
            409,
        ),
        "not JSON": (tokens["ELMSHIRE"], b"{not json", 400),
        "no token": ("", elm["pack"], 401),
        "a made-up token": ("x" * 43, elm["pack"], 401),
    }
    for name, (token, body, status) in attacks.items():
        answer = _post(client, token, body)
        assert answer.status_code == status, (name, answer.status_code, answer.get_data()[:200])
        assert answer.is_json and "Traceback" not in answer.get_data(as_text=True), name
    big = _post(client, tokens["ELMSHIRE"], b"{" + b" " * (50 * 2**20) + b"}")
    assert big.status_code == 413

    engine = engine_for(hub_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(H.packs)).scalar() == 2  # nothing refused was stored
        refused = conn.execute(select(func.count()).select_from(H.audit).where(H.audit.c.outcome == "refused")).scalar()
    # Every refused upload with a live token is in the audit log, the first replay too (the 413 is refused before
    # it is read); a request with no live token writes nothing (the rate limit counts it by address).
    assert refused == len(attacks) - 2 + 1

    # A revoked token, and an expired one, are refused.
    assert CliRunner().invoke(main, ["hub", "revoke", "--force", "MARSHCOTE", "--warehouse", hub_url]).exit_code == 0
    assert _post(client, tokens["MARSHCOTE"], marsh["pack"]).status_code == 401
    with engine.begin() as conn:
        conn.execute(update(H.tokens).where(H.tokens.c.force_code == "ELMSHIRE").values(expires_at=H_past()))
    answer = client.get("/api/v1/packs", headers={"Authorization": f"Bearer {tokens['ELMSHIRE']}"})
    assert answer.status_code == 401 and answer.get_json()["error"] == "expired"


def H_past():
    from datetime import datetime

    return datetime(2000, 1, 1)


def test_peers_read_the_latest_packs_and_keys_whose_fingerprints_the_test_computes_itself(made, tmp_path, monkeypatch):
    client, tokens, _ = _hub(tmp_path, made, monkeypatch)
    elm = made[1]["ELMSHIRE"]
    assert _post(client, tokens["ELMSHIRE"], elm["pack"]).status_code == 201
    auth = {"Authorization": f"Bearer {tokens['MARSHCOTE']}"}
    packs = client.get("/api/v1/packs", headers=auth).get_json()["packs"]
    assert [p["force"] for p in packs] == ["ELMSHIRE"] and packs[0]["pack"] == json.loads(elm["pack"])
    assert client.get("/api/v1/packs?since=2999-01-01T00:00:00Z", headers=auth).get_json()["packs"] == []
    assert client.get("/api/v1/packs?since=yesterday", headers=auth).status_code == 400
    keys = {k["force"]: k for k in client.get("/api/v1/keys", headers=auth).get_json()["keys"]}
    for code, files in made[1].items():
        public = serialization.load_pem_public_key(files["public"].read_bytes())
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        assert keys[code]["fingerprint"] == hashlib.sha256(raw).hexdigest()
    assert client.get("/api/v1/keys").status_code == 401  # reading needs a participating force's token
    assert client.get("/api/v1/keys", headers={**auth, "Host": "evil.example"}).status_code == 400


def test_a_flood_from_one_token_is_answered_429_and_another_token_is_still_served(made, tmp_path, monkeypatch):
    client, tokens, _ = _hub(tmp_path, made, monkeypatch, rate="10/second")
    flood = {"Authorization": f"Bearer {tokens['ELMSHIRE']}"}
    started = time.monotonic()
    codes = [client.get("/api/v1/keys", headers=flood).status_code for _ in range(1000)]
    elapsed = time.monotonic() - started
    served = codes.count(200)
    assert set(codes) <= {200, 429}
    # A fixed window of one second allows 10 in each second that the flood touched.
    assert served <= 10 * (int(elapsed) + 2), (served, elapsed)
    assert codes.count(429) >= 1000 - 10 * (int(elapsed) + 2)
    assert client.get("/api/v1/keys", headers={"Authorization": f"Bearer {tokens['MARSHCOTE']}"}).status_code == 200


def test_unknown_calls_and_wrong_methods_are_json_without_a_traceback(made, tmp_path, monkeypatch):
    client, tokens, _ = _hub(tmp_path, made, monkeypatch)
    auth = {"Authorization": f"Bearer {tokens['ELMSHIRE']}"}
    for method, path, status in (
        ("GET", "/api/v1/nothing", 404),
        ("PUT", "/api/v1/packs", 405),
        ("DELETE", "/api/v1/keys", 405),
        ("GET", "/api/v2/packs", 404),
    ):
        response = client.open(path, method=method, headers=auth)
        assert response.status_code == status, (method, path)
        assert set(response.get_json()) == {"error", "message"}
        assert b"Traceback" not in response.data and b"werkzeug" not in response.data.lower()
    # The hub's own database failing mid-request is a 500 in words, never the exception.
    from harbour.hub import store

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail: /srv/hub.sqlite is corrupt")

    monkeypatch.setattr(store, "latest_packs", broken)
    response = client.get("/api/v1/packs", headers=auth)
    assert response.status_code == 500 and b"secret detail" not in response.data and b"Traceback" not in response.data


def test_a_hub_served_beyond_this_machine_refuses_to_start_without_sign_in(tmp_path, monkeypatch):
    monkeypatch.delenv("HARBOUR_OIDC_ISSUER", raising=False)
    result = CliRunner().invoke(
        main, ["hub", "serve", "--host", "0.0.0.0", "--warehouse", f"sqlite:///{tmp_path / 'hub.sqlite'}"]
    )
    assert result.exit_code == 3 and "refuses to start" in result.output
    assert not (tmp_path / "hub.sqlite").exists()  # nothing was made either
