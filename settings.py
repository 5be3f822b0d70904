"""Every Harbour setting, its default and its help, read from the environment in one place.

Nothing else in the project reads ``os.environ`` for a Harbour setting: the CLI and the app ask
this module, and the README documents every entry of ``SETTINGS`` (a test checks that).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# The repository's data/ (with its README), which a wheel does not carry: run from the repository, the warehouse
# lives there; installed from a wheel, in the user's data folder, never inside site-packages.
OWN_DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "HARBOUR_DATA_DIR",
        None,
        "The folder where the default SQLite warehouse (harbour.sqlite) and the view cache (cache/) live. "
        "Default: data/ of the checkout when Harbour runs from one (git-ignored); installed with pip, "
        "$XDG_DATA_HOME/harbour (~/.local/share/harbour).",
    ),
    Setting(
        "HARBOUR_WAREHOUSE",
        None,
        "SQLAlchemy URL of the warehouse. Default: harbour.sqlite in the data folder (HARBOUR_DATA_DIR). "
        "For a shared deployment use postgresql+psycopg://user:password@host/dbname.",
    ),
    Setting(
        "HARBOUR_PSEUDONYM_KEY",
        None,
        "Secret key for the keyed HMAC-SHA256 that replaces every child_id before anything is "
        "stored. Required by `harbour load`; keep it outside the warehouse and never commit it. "
        "The synthetic demo uses a fixed demo key of its own.",
    ),
    Setting(
        "HARBOUR_PACK_KEY",
        None,
        "Path of the force's private key (from `harbour benchmark keygen`) that signs its benchmark packs. "
        "Keep it outside the warehouse and the repository.",
    ),
    Setting(
        "HARBOUR_MAX_FILE_MB",
        "200",
        "Largest bundle file (CSV or XLSX) the loader will read, in MiB; a larger file is refused (E01).",
    ),
    Setting(
        "HARBOUR_MAX_XLSX_UNCOMPRESSED_MB",
        "500",
        "Largest total uncompressed size of an XLSX workbook, in MiB (E01 beyond it).",
    ),
    Setting(
        "HARBOUR_MAX_XLSX_RATIO",
        "200",
        "Largest compression ratio of any member of an XLSX workbook (a zip bomb defence, E01).",
    ),
    Setting(
        "HARBOUR_LOCK_TIMEOUT",
        "30",
        "Seconds to wait for a SQLite warehouse that another process (another load) has locked, before "
        "giving up with a clear message.",
    ),
    Setting(
        "HARBOUR_OIDC_ISSUER",
        None,
        "OpenID Connect issuer URL (for Microsoft Entra ID: https://login.microsoftonline.com/<tenant>/v2.0). "
        "Setting it turns sign-in on; its discovery document is read from <issuer>/.well-known/openid-configuration.",
    ),
    Setting("HARBOUR_OIDC_CLIENT_ID", None, "The client (application) id registered with the OpenID Connect provider."),
    Setting("HARBOUR_OIDC_CLIENT_SECRET", None, "The client secret registered with the OpenID Connect provider."),
    Setting(
        "HARBOUR_SECRET_KEY",
        None,
        "Secret that signs sign-in sessions: at least 32 random characters, the same on every worker. "
        "Required with sign-in.",
    ),
    Setting(
        "HARBOUR_FORCE_HTTPS_CALLBACK",
        None,
        "Set to 1 behind a reverse proxy that ends TLS, so that the sign-in redirect URI is https.",
    ),
    Setting(
        "HARBOUR_ROLE_CLAIM",
        "roles",
        "The ID token claim that carries the user's groups or app roles (Entra ID: roles, or groups).",
    ),
    Setting(
        "HARBOUR_ROLE_MAP",
        "harbour-viewer=viewer,harbour-analyst=analyst,harbour-admin=admin",
        "Which claim value gives which Harbour role (viewer, analyst, admin), comma-separated VALUE=ROLE pairs. "
        "A user with none of them is signed in but sees nothing.",
    ),
    Setting(
        "HARBOUR_AUTH",
        None,
        "Leave unset: sign-in when HARBOUR_OIDC_ISSUER is set, else a loopback-only server for the person at "
        "the machine. 'none' serves a closed network without sign-in (every user a viewer), with a banner on "
        "every page.",
    ),
    Setting(
        "HARBOUR_TRUSTED_PROXIES",
        "",
        "Addresses (comma-separated) of the reverse proxies whose X-Forwarded-For, -Proto and -Host headers are "
        "believed, one hop each; from anyone else they are dropped before anything reads them. The forwarded "
        "host must be in HARBOUR_ALLOWED_HOSTS.",
    ),
    Setting(
        "HARBOUR_ALLOWED_HOSTS",
        "127.0.0.1,localhost,::1",
        "Host names (comma-separated) the dashboard answers to; any other Host header gets 400. Add the "
        "name users type (for example harbour.herts.police.uk) when serving behind a reverse proxy.",
    ),
    Setting(
        "HARBOUR_MAX_REQUEST_KB",
        "1024",
        "Largest request body the dashboard accepts, in KiB; a larger one gets 413 before it is read.",
    ),
    Setting(
        "HARBOUR_REDIS_URL",
        "",
        "A Redis server for the view and page cache (redis://host:6379/0), where the deployment has one: "
        "shared by every worker on every machine. Empty: the file system cache of HARBOUR_CACHE_DIR.",
    ),
    Setting(
        "HARBOUR_LOG_FORMAT",
        "",
        "json: every log line (one per request, one per load) is a JSON object with a request id (also sent back "
        "as X-Request-Id), the role and an opaque id of the person, and timings; text: the same as plain text. "
        "Servers log at INFO either way; a command logs only when this is set. Never a child identifier, a count of "
        "children or a value from a bundle.",
    ),
    Setting(
        "HARBOUR_CACHE_KEY",
        None,
        "Signs every cache entry (HMAC-SHA256): an entry without its signature is refused and the page built "
        "afresh, so that whoever can write to the Redis or the cache folder cannot plant anything in a page. The "
        "same on every machine that shares a Redis; default: HARBOUR_SECRET_KEY, else a key made once for this "
        "machine (cache.key in the data folder, readable by its owner only).",
    ),
    Setting(
        "HARBOUR_CACHE_DIR",
        None,
        "Folder of the view cache that every worker shares (cachelib's file system cache; default: cache/ in "
        "the data folder, HARBOUR_DATA_DIR): views are keyed "
        "by the warehouse's load, the audience and the canonical query, so a new load invalidates them. "
        "Set to 'off' to turn the cache off.",
    ),
    Setting(
        "HARBOUR_HUB_WAREHOUSE",
        None,
        "SQLAlchemy URL of a benchmarking hub's own database (`harbour hub ...`): the forces, their public keys, "
        "tokens (as hashes), every accepted pack and the audit log. Default: hub.sqlite in the data folder; "
        "PostgreSQL in production.",
    ),
    Setting(
        "HARBOUR_HUB_TOKEN",
        None,
        "The bearer token a force's Harbour gives its hub (`harbour benchmark publish`, `pull`, `trust --from-hub`) "
        "where --token is not given. Never printed or logged.",
    ),
    Setting(
        "HARBOUR_HUB_FAILED_RATE",
        "10/minute",
        "How many failed API requests (no live token, another force's pack) a hub takes from one client address "
        "(a trusted proxy's X-Forwarded-For applied) before it answers 429 to that address without reading the "
        "request; an address past it is written to the audit log once a minute, not once a request.",
    ),
    Setting(
        "HARBOUR_HUB_RATE",
        "10/second;300/minute",
        "How many API requests a hub answers per token (and, before sign-in, per address), in Flask-Limiter's "
        "notation; beyond it, 429 with Retry-After. Counted in HARBOUR_REDIS_URL's Redis where set (shared by "
        "every worker), else in each worker's memory.",
    ),
    Setting(
        "HARBOUR_DISCLOSURE",
        "perturbation",
        "How figures for the publication audience are protected (docs/metrics.md version 4): `perturbation` "
        "(the cell-key method of the ONS and the ABS: every count moved by up to 3, by none on average) or "
        "`suppression` (version 3: counts of 1 to 7 shown as c, others rounded to 5). Chosen once per deployment: "
        "changing it changes every published figure.",
    ),
    Setting(
        "HARBOUR_DEBUG",
        "0",
        "Set to 1 to run the Dash development server in debug mode. Off by default, and always "
        "off under gunicorn unless set.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str | None:
    """The value of a setting: the environment's if set and non-empty, else its default."""
    setting = _BY_NAME[name]
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return setting.default
    return value


def data_dir() -> Path:
    """The data folder: HARBOUR_DATA_DIR, else the repository's data/, else the user's data folder."""
    chosen = get("HARBOUR_DATA_DIR")
    if chosen:
        return Path(chosen).expanduser()
    if OWN_DATA_DIR.is_dir():
        return OWN_DATA_DIR
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "harbour"


def default_warehouse_url() -> str:
    """The SQLite warehouse in the data folder, which is made when it is not there yet."""
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'harbour.sqlite'}"


def warehouse_url(override: str | None = None) -> str:
    return override or get("HARBOUR_WAREHOUSE") or default_warehouse_url()


def pseudonym_key() -> bytes | None:
    value = get("HARBOUR_PSEUDONYM_KEY")
    return value.encode("utf-8") if value else None


def max_file_bytes() -> int:
    return int(float(get("HARBOUR_MAX_FILE_MB")) * 1024 * 1024)


def max_xlsx_uncompressed_bytes() -> int:
    return int(float(get("HARBOUR_MAX_XLSX_UNCOMPRESSED_MB")) * 1024 * 1024)


def max_xlsx_ratio() -> float:
    return float(get("HARBOUR_MAX_XLSX_RATIO"))


def role_map() -> dict[str, str]:
    out = {}
    for pair in (get("HARBOUR_ROLE_MAP") or "").split(","):
        if "=" in pair:
            value, role = pair.split("=", 1)
            out[value.strip()] = role.strip().lower()
    return out


def trusted_proxies() -> set[str]:
    return {h.strip() for h in get("HARBOUR_TRUSTED_PROXIES").split(",") if h.strip()}


def allowed_hosts() -> list[str]:
    return [h.strip() for h in get("HARBOUR_ALLOWED_HOSTS").split(",") if h.strip()]


def max_request_bytes() -> int:
    return int(float(get("HARBOUR_MAX_REQUEST_KB")) * 1024)


def redis_url() -> str | None:
    return get("HARBOUR_REDIS_URL").strip() or None


def cache_dir() -> str | None:
    value = get("HARBOUR_CACHE_DIR") or str(data_dir() / "cache")
    return None if value.strip().lower() == "off" else value


def lock_timeout_seconds() -> float:
    return float(get("HARBOUR_LOCK_TIMEOUT"))


def debug() -> bool:
    return get("HARBOUR_DEBUG") in {"1", "true", "True", "yes"}


def hub_warehouse_url(override: str | None = None) -> str:
    """The hub's database: ``override``, HARBOUR_HUB_WAREHOUSE, else hub.sqlite in the data folder."""
    if override or get("HARBOUR_HUB_WAREHOUSE"):
        return override or get("HARBOUR_HUB_WAREHOUSE")
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'hub.sqlite'}"


def hub_rate() -> str:
    return get("HARBOUR_HUB_RATE")


def hub_failed_rate() -> str:
    return get("HARBOUR_HUB_FAILED_RATE")


class BadSetting(ValueError):
    """A setting whose value is not one it may take; the message is one line naming it."""


def disclosure_method() -> str:
    """HARBOUR_DISCLOSURE: "perturbation" or "suppression"."""
    value = get("HARBOUR_DISCLOSURE").strip().lower()
    if value not in ("perturbation", "suppression"):
        raise BadSetting(f"HARBOUR_DISCLOSURE is {value!r}; it is perturbation or suppression")
    return value
