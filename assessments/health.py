"""Health checks shared by /healthz and start-up: each returns {"ok": bool, "detail": str}."""

from collections.abc import Callable

import redis
from django.conf import settings

# Other modules (signing) register further checks here, so /healthz reports them too.
_EXTRA_CHECKS: dict[str, Callable[[], dict]] = {}


def register(name: str, check: Callable[[], dict]) -> None:
    _EXTRA_CHECKS[name] = check


def extra_checks() -> dict[str, dict]:
    results = {}
    for name, check in _EXTRA_CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # a health check must report, never raise
            results[name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    return results


def check_database(connection) -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "detail": connection.vendor}
    except Exception as exc:
        # A dropped connection must not stay broken: close it so the next request reconnects.
        try:
            connection.close()
        except Exception:  # noqa: S110  # nosec B110 - closing a broken connection may fail too
            pass
        return {"ok": False, "detail": f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc) else ''}"}


def check_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "detail": "in-process (no CELERY_BROKER_URL)"}

    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        client.close()
        return {"ok": True, "detail": "redis"}
    except Exception as exc:
        return {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
