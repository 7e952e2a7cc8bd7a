"""Reading the environment strictly, for the settings: a bad value raises ImproperlyConfigured naming the variable.

Kept apart from `kiveileder/settings.py` (the one settings entry point) so that the product settings in
`kiveileder/product.py` parse their variables the same way.
"""

import os
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"True", "true", "1"}
_FALSE = {"False", "false", "0"}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of True/False/true/false/1/0, got {value!r}")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str) -> str | None:
    """A secret from NAME, or read from the file named by NAME_FILE (systemd credentials, Docker secrets)."""
    path = env_str(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip() or None
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE cannot be read: {exc}") from None
    return env_str(name)


def env_url(name: str, default: str | None = None, *, allow_http: bool = False) -> str | None:
    """An https URL; plain http only on loopback, or anywhere when allow_http (a named opt-out)."""
    value = env_str(name, default)
    if value is None:
        return None
    parsed = urlparse(value)
    loopback = parsed.hostname in ("127.0.0.1", "localhost", "::1")
    if parsed.scheme != "https" and not (parsed.scheme == "http" and (loopback or allow_http)):
        raise ImproperlyConfigured(f"{name} must be an https:// URL (http only on loopback), got {value!r}")
    return value


SUPPORTED_DATABASES = {
    "sqlite": "django.db.backends.sqlite3",
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "pgsql": "django.db.backends.postgresql",
}


def parse_database_url(url: str, *, pool: bool) -> dict:
    """DATABASE_URL (sqlite:///path or postgres://user:pass@host:port/name) through dj-database-url.

    The library parses; this wrapper keeps the settings strict: only the two databases the app is tested
    on, a name or path present, and any problem as one line naming the variable.
    """
    scheme = urlparse(url).scheme
    if scheme not in SUPPORTED_DATABASES:
        raise ImproperlyConfigured(f"DATABASE_URL must start with sqlite:/// or postgres://, got {url!r}")
    if scheme == "sqlite" and not url.startswith("sqlite:///"):
        # dj-database-url reads a bare sqlite:// as an in-memory database: a typo would lose every write.
        raise ImproperlyConfigured(f"DATABASE_URL: a SQLite URL needs a path (sqlite:///path), got {url!r}")
    try:
        config = dict(dj_database_url.parse(url, conn_health_checks=scheme != "sqlite"))
    except ValueError:
        raise ImproperlyConfigured(f"DATABASE_URL: a bad port or an unquoted character in {url!r}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"DATABASE_URL: the URL names no database or path, got {url!r}")
    if scheme == "sqlite":
        path = config["NAME"]
        config["NAME"] = path if path == ":memory:" else str(Path(path) if path.startswith("/") else BASE_DIR / path)
        # IMMEDIATE: a write transaction takes the write lock when it begins, so a second writer waits
        # (up to `timeout` seconds, SQLite's busy timeout) instead of failing mid-transaction with
        # "database is locked"; races then end in the same compare-and-set 409s as on PostgreSQL.
        config["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
        return config
    config["PORT"] = str(config.get("PORT") or "")
    config["OPTIONS"] = {}
    config["TEST"] = {"NAME": f"test_{config['NAME']}"}
    if pool:
        # Django's psycopg pool requires CONN_MAX_AGE = 0. Sizes are per process. After a failover
        # every pooled connection is dead and psycopg_pool checks them one by one with a growing
        # pause (0, 1, 2, 4 s ...), so a small pool recovers in the next request and a large one
        # keeps it waiting. A request waits at most `timeout` s (psycopg_pool's default is 30):
        # with the database down, /healthz must say so before the proxy gives up.
        config["OPTIONS"]["pool"] = {
            "min_size": env_int("KIV_DB_POOL_MIN_SIZE", 1, minimum=1),
            "max_size": env_int("KIV_DB_POOL_MAX_SIZE", 4, minimum=1),
            "timeout": env_int("KIV_DB_POOL_TIMEOUT", 10, minimum=1),
        }
        config["CONN_MAX_AGE"] = 0
        # With health checks on, Django gives the pool check=ConnectionPool.check_connection: a connection
        # cut while idle in the pool is found and replaced at checkout (one reconnect), instead of failing
        # the request or waiting out `timeout` (tests/integration/test_faults.py).
        config["CONN_HEALTH_CHECKS"] = True
    else:
        config["CONN_MAX_AGE"] = env_int("KIV_DB_CONN_MAX_AGE", 60)
    return config


def data_dir() -> Path:
    """KIV_DATA_DIR, the folder for the SQLite file, uploads, reports and the archive drop (default var/)."""
    return Path(env_str("KIV_DATA_DIR", str(BASE_DIR / "var"))).resolve()
