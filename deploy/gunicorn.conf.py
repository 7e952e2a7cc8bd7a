"""gunicorn settings for KI-veileder: `gunicorn -c deploy/gunicorn.conf.py kiveileder.wsgi`.

Every value can be changed by environment variables, so the same file serves a systemd unit, a container
and deploy/smoke.sh. With KIV_LOG_JSON=True gunicorn's own lines and its access log are JSON objects
like the app's (assessments/logging.py), and each access line carries the request id the app returned.
"""

import multiprocessing
import os

from gunicorn.glogging import Logger

# gunicorn puts the working directory (the project) on the path before it reads this file.
from assessments.logging import JsonFormatter

bind = os.environ.get("KIV_BIND", "127.0.0.1:8000")
# Sync workers: the app's requests are short (reports are made by the Celery worker, not here).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows into an outage.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Only the municipality's proxy may set X-Forwarded-*: list its addresses (comma-separated).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
limit_request_line = 8190
# Worker heartbeat files in memory: a slow or full disk must not make workers look dead.
_SHM = "/dev/shm"  # noqa: S108  (gunicorn's own advice; the files hold no data)
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", _SHM if os.path.isdir(_SHM) else None)
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("KIV_LOG_LEVEL", "info").lower()
capture_output = False
proc_name = os.environ.get("GUNICORN_PROC_NAME", "kiveileder-web")
# gunicorn >= 25.1 opens a control socket at one fixed path per user: two instances on one machine would
# fight over it. Off unless a path is given (then use one path per instance).
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
# Load the app in each worker: a bad deploy fails per worker with a clear error, and psycopg
# connections are never shared across a fork.
preload_app = False

JSON_LOGS = os.environ.get("KIV_LOG_JSON", "") in ("True", "true", "1")


class JsonLogger(Logger):
    """gunicorn's logger with one JSON object per line (error log and access log)."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(_JsonLineFormatter())

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        headers = dict((name.lower(), value) for name, value in (resp.headers or []))
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        self.access_log.info(
            "access",
            extra={
                "access": {
                    "remote": environ.get("REMOTE_ADDR", "-"),
                    "method": environ.get("REQUEST_METHOD"),
                    "path": environ.get("PATH_INFO"),
                    "status": int(status),
                    "bytes": getattr(resp, "sent", None),
                    "duration_ms": round(request_time.total_seconds() * 1000, 1),
                    "request_id": headers.get("x-request-id", "-"),
                    "user_agent": environ.get("HTTP_USER_AGENT", "-")[:200],
                }
            },
        )


class _JsonLineFormatter(JsonFormatter):
    """The app's fields, and an access line's."""

    def fields(self, record) -> dict:
        return {**super().fields(record), **(getattr(record, "access", None) or {})}


if JSON_LOGS:
    logger_class = JsonLogger
