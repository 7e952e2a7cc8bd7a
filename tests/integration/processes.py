"""Real processes for integration and browser tests: gunicorn, a Celery worker, a throwaway Redis.

Every process is started by the test that needs it and stopped by it (by its own pid), against the
test database pytest-django made, never the machine's shared services' own data.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlparse

import psycopg
from django.conf import settings

from assessments.audit import key as audit_key

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run_in_repo(args: list[str], env: dict | None = None, *, timeout: float = 120) -> subprocess.CompletedProcess:
    """A command run to its end from the repository root (as an operator runs manage.py or a deploy script),
    its output captured as text."""
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)  # noqa: S603


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database a connection is using now (the test database in tests)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def drop_database(url: str, *, create: bool = False) -> None:
    """Drop the database `url` names, ending its sessions first, and create it empty when `create`. Only for
    a database a benchmark or a test made for itself (from the maintenance database: one cannot drop the
    database one is connected to)."""
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or None,
        password=parsed.password or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            admin.execute(f'CREATE DATABASE "{name}"')


def app_env(
    *, data_dir: Path, database: str, broker: str | None = None, secret_key: str | None = None, **extra: str
) -> dict:
    """The environment of an app process: this process's, minus every app setting, plus these. The
    secret key defaults to this process's (sessions made here with force_login are valid there)."""
    app_prefixes = ("DJANGO_", "KIV_", "DATABASE_", "CELERY_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(app_prefixes)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "kiveileder.settings",
            "DJANGO_DEBUG": "False",
            "DJANGO_SECRET_KEY": secret_key or settings.SECRET_KEY,
            "KIV_AUDIT_KEY": audit_key.key().decode(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "KIV_ALLOW_HTTP": "True",
            "KIV_DATA_DIR": str(data_dir),
            "DATABASE_URL": database,
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    if broker:
        env["CELERY_BROKER_URL"] = broker
    env.update(extra)
    return env


def _log(data_dir: Path, name: str):
    data_dir.mkdir(parents=True, exist_ok=True)
    return open(data_dir / f"{name}.log", "ab")  # noqa: SIM115  closed by stop()


class Process:
    def __init__(self, name: str, popen: subprocess.Popen, log_path: Path, log_file):
        self.name, self.popen, self.log_path, self._log_file = name, popen, log_path, log_file

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self, tail: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL the process group: the worker's pool children die with it, as in a real crash."""
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def stop(self, timeout: float = 15) -> None:
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log_file.close()


def start(name: str, args: list[str], env: dict, data_dir: Path) -> Process:
    log_file = _log(data_dir, name)
    popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    return Process(name, popen, data_dir / f"{name}.log", log_file)


def wait_until(condition, timeout: float, what: str, process: Process | None = None, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = condition()
        except OSError:
            # A server still starting (or slow on a loaded machine) refuses or times out: not yet.
            # requests' ConnectionError and Timeout are OSErrors too.
            result = None
        if result:
            return result
        if process is not None and not process.alive():
            raise AssertionError(f"{process.name} exited while waiting for {what}:\n{process.log()}")
        time.sleep(interval)
    tail = f"\n{process.name} log:\n{process.log()}" if process else ""
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{tail}")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_gunicorn(
    env: dict, data_dir: Path, *, workers: int = 1, port: int | None = None, threads: int = 1
) -> tuple[Process, str]:
    port = port or free_port()
    process = start(
        "gunicorn",
        [
            str(BIN / "gunicorn"),
            "kiveileder.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--access-logfile",
            "-",
        ],
        env,
        data_dir,
    )
    wait_until(lambda: port_open(port), 30, f"gunicorn on port {port}", process)
    return process, f"http://127.0.0.1:{port}"


def start_worker(env: dict, data_dir: Path, *, name: str = "worker") -> Process:
    """One Celery worker (prefork, one child) that says when it is ready."""
    process = start(
        name,
        [
            str(BIN / "celery"),
            "-A",
            "kiveileder",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            "--pool=prefork",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}@%h",
        ],
        env,
        data_dir,
    )
    wait_until(lambda: "ready." in process.log(100_000), 60, "the Celery worker to be ready", process)
    return process


def redis_available() -> bool:
    return shutil.which("redis-server") is not None


class ThrowawayRedis:
    """A redis-server of our own on a free port: tests stop and restart it, never the shared one."""

    def __init__(self, data_dir: Path, port: int | None = None):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: Process | None = None

    def up(self) -> None:
        self.process = start(
            f"redis-{self.port}",
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            dict(os.environ),
            self.data_dir,
        )
        wait_until(lambda: port_open(self.port), 15, f"redis-server on {self.port}", self.process)

    def down(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None
            wait_until(lambda: not port_open(self.port), 10, f"redis-server on {self.port} to stop")

    def __enter__(self):
        self.up()
        return self

    def __exit__(self, *exc):
        self.down()


@contextmanager
def celery_broker(url: str):
    """Make this process (the live server, the test client) enqueue to `url` instead of running tasks
    in-process, and restore the in-process default afterwards."""
    from kiveileder.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)

    def drop_connections():
        # Celery caches its broker connections on first use: a test before this one may have made them.
        # They live in kombu's process-wide pool registry, keyed by URL: closing one pool there without
        # clearing the registry leaves a closed pool behind for the next user of that URL
        # ("Acquire on closed pool"), so reset the registry itself.
        from kombu import pools

        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    # Celery's Settings.broker_url prefers the CELERY_BROKER_URL environment variable over the
    # configured value, and CI sets that variable: without overriding it too, tasks would go to CI's
    # Redis, where no worker of this test listens.
    saved_env = os.environ.get("CELERY_BROKER_URL")
    drop_connections()
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    try:
        assert app.conf.broker_url == url
        yield app
    finally:
        drop_connections()
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        app.conf.broker_url, app.conf.task_always_eager = saved
