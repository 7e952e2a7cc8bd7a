"""KI-veileder settings: one file, every value from the environment, parsed strictly.

A bad value raises ImproperlyConfigured naming the variable, so a misconfigured deployment stops at
start-up with a one-line cause instead of failing later in a request.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

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


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = env_secret("DJANGO_SECRET_KEY")  # or DJANGO_SECRET_KEY_FILE
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off")
    # Bandit B105: a fixed key only in debug mode; with DEBUG off the key must come from the environment.
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-do-not-use-in-production"  # noqa: S105  # nosec B105 - debug only

# The audit chain's HMAC key (KIV_AUDIT_KEY or KIV_AUDIT_KEY_FILE), never stored in the database. With
# debug on and none set, one is generated into the data folder on first use (assessments/audit/key.py).
KIV_AUDIT_KEY = env_secret("KIV_AUDIT_KEY")
if KIV_AUDIT_KEY and len(KIV_AUDIT_KEY) < 32:
    raise ImproperlyConfigured("KIV_AUDIT_KEY must be at least 32 characters long")
if not KIV_AUDIT_KEY and not DEBUG:
    raise ImproperlyConfigured("KIV_AUDIT_KEY (or KIV_AUDIT_KEY_FILE) is required when DJANGO_DEBUG is off")
# Decided here, not from DEBUG at run time (the test runner turns DEBUG off after the settings are read).
KIV_AUDIT_KEY_GENERATE = not KIV_AUDIT_KEY

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])

DATA_DIR = Path(env_str("KIV_DATA_DIR", str(BASE_DIR / "var"))).resolve()
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"  # never served directly: downloads go through the permission layer

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # full-text and trigram search, GIN indexes (nothing on SQLite)
    "formtools",
    "django_htmx",
    "assessments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "assessments.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "assessments.middleware.PrivateResponseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "kiveileder.urls"
WSGI_APPLICATION = "kiveileder.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "assessments.context_processors.roles",
                "assessments.context_processors.sign_in",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'kiveileder.sqlite3'}"),
        pool=env_bool("KIV_DB_POOL", False),
    )
}
# A fresh checkout has no data folder yet, and SQLite does not create the folder of its file.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and DATABASES["default"]["NAME"] != ":memory:":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "assessments:login"
LOGIN_REDIRECT_URL = "assessments:home"
LOGOUT_REDIRECT_URL = "assessments:login"

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norsk bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language switcher (set_language) remembers the choice in a cookie for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# npm packages (`npm ci`) are served from node_modules when installed; the app works without them.
# Punkt's CSS refers to its fonts as ../fonts/, so both land side by side under vendor/punkt/.
_NPM_STATIC = {
    "vendor/punkt/css": "@oslokommune/punkt-css/dist/css",
    "vendor/punkt/fonts": "@oslokommune/punkt-assets/dist/fonts",
    "vendor/punkt/logos": "@oslokommune/punkt-assets/dist/logos",
    "vendor/htmx": "htmx.org/dist",
}
for _prefix, _folder in _NPM_STATIC.items():
    if (BASE_DIR / "node_modules" / _folder).is_dir():
        STATICFILES_DIRS.append((_prefix, BASE_DIR / "node_modules" / _folder))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Reports on S3-compatible object storage when KIV_S3_BUCKET is set: the same names as on disk
# (reports/<agency>/<assessment>/…), private objects, read back through the app (never a public URL).
KIV_S3_BUCKET = env_str("KIV_S3_BUCKET")
if KIV_S3_BUCKET:
    _s3_addressing = env_str("KIV_S3_ADDRESSING_STYLE", "auto")
    if _s3_addressing not in ("auto", "path", "virtual"):
        raise ImproperlyConfigured(f"KIV_S3_ADDRESSING_STYLE must be auto, path or virtual, not {_s3_addressing!r}")
    # Server-side encryption: AES256 (SSE-S3) by default; "none" for stores without it.
    _s3_sse = env_str("KIV_S3_SSE", "AES256")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": KIV_S3_BUCKET,
            # KIV_S3_ALLOW_HTTP=True: a store on a private network without TLS (compose's MinIO).
            "endpoint_url": env_url("KIV_S3_ENDPOINT_URL", allow_http=env_bool("KIV_S3_ALLOW_HTTP", False)),
            "region_name": env_str("KIV_S3_REGION"),
            "access_key": env_str("KIV_S3_ACCESS_KEY_ID"),
            "secret_key": env_secret("KIV_S3_SECRET_ACCESS_KEY"),
            "location": env_str("KIV_S3_PREFIX", ""),
            "addressing_style": _s3_addressing,
            "signature_version": "s3v4",
            "default_acl": None,  # the bucket's own (private) policy applies
            "querystring_auth": True,  # any URL made is signed and short-lived, never public
            "querystring_expire": 300,
            "file_overwrite": False,  # like FileSystemStorage: a name in use gets a new one
            "object_parameters": {} if _s3_sse == "none" else {"ServerSideEncryption": _s3_sse},
        },
    }
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads (questionnaire definitions, answers files, PDFs to verify) are capped.
KIV_MAX_UPLOAD_BYTES = env_int("KIV_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Evidence files are scanned by clamd on this unix socket after upload (assessments/scanning.py); unset,
# they are marked "not scanned" and can be downloaded as such.
KIV_CLAMD_SOCKET = env_str("KIV_CLAMD_SOCKET", "")
KIV_CLAMD_TIMEOUT_SECONDS = env_int("KIV_CLAMD_TIMEOUT_SECONDS", 60, minimum=1)

# --- Tasks (resilient jobs) -------------------------------------------------------------------
# No broker configured means tasks run in-process: in the web process after the response, on a
# background thread, with the beat schedule kept by a scheduler thread there (kiveileder/inprocess.py);
# in management commands and the tests at once. We never fall back to Celery's default
# amqp://localhost: these machines run a RabbitMQ that would silently swallow tasks.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
if CELERY_BROKER_URL and urlparse(CELERY_BROKER_URL).scheme not in ("redis", "rediss"):
    raise ImproperlyConfigured(f"CELERY_BROKER_URL must be a redis:// URL, got {CELERY_BROKER_URL!r}")
KIV_TASKS_IN_PROCESS = not CELERY_BROKER_URL
CELERY_TASK_ALWAYS_EAGER = KIV_TASKS_IN_PROCESS
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"  # never connected to: see kiveileder/celery.py
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 400_000  # KiB
CELERY_TIMEZONE = TIME_ZONE
# With JSON logs the worker keeps Django's LOGGING (one JSON object per line) instead of its own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = not env_bool("KIV_LOG_JSON", False)
# The same schedule runs under `celery beat` and, without a broker, inside the web process.
CELERY_BEAT_SCHEDULE = {
    # Reports whose worker died (lease run out) or whose enqueue failed.
    "requeue-stale-reports": {"task": "assessments.tasks.requeue_stale_reports", "schedule": 30.0},
    # Report files that no row names (a run died between storing and recording its file).
    "remove-orphan-report-files": {"task": "assessments.tasks.remove_orphan_report_files", "schedule": 3600.0},
    # E-mails the outbox still holds (the broker was down, the mail relay failed).
    "deliver-outbox": {"task": "assessments.tasks.deliver_outbox", "schedule": 60.0},
    "review-reminders": {"task": "assessments.tasks.send_review_reminders", "schedule": 24 * 3600.0},
    # Action plan items near their due date, and weekly while overdue (assessments/services/plan_reminders.py).
    "plan-reminders": {"task": "assessments.tasks.send_plan_reminders", "schedule": 24 * 3600.0},
    # Tool overview entries whose approval or data processing agreement has run out (docs/catalogue.md).
    "catalogue-expiry": {"task": "assessments.tasks.catalogue.expire_catalogue_entries", "schedule": 24 * 3600.0},
    # Evidence files still waiting for their virus scan (the scanner or the broker was away).
    "scan-pending-evidence": {"task": "assessments.tasks.evidence.scan_pending_evidence", "schedule": 300.0},
    # Decisions not yet handed to the archive (the archive was down, or the report was not ready).
    "archive-pending": {"task": "assessments.tasks.archive.archive_pending", "schedule": 300.0},
    # Personal data past its retention period (KIV_RETENTION_*; docs/privacy.md).
    "apply-retention": {"task": "assessments.tasks.retention.apply_retention_task", "schedule": 24 * 3600.0},
    # The audit chain's head, signed and written to report storage (a decision also writes one at once).
    "audit-checkpoint": {
        "task": "assessments.tasks.write_audit_checkpoint",
        "schedule": float(env_int("KIV_AUDIT_CHECKPOINT_SECONDS", 3600, minimum=60)),
    },
}
# A rendering claim's lease: renewed every third of it while the report renders; a claim whose lease ran
# out belongs to a dead worker and is taken over.
KIV_REPORT_LEASE_SECONDS = env_int("KIV_REPORT_LEASE_SECONDS", 30, minimum=3)
# --- end of Tasks ------------------------------------------------------------------------------

# --- Reports and signing -----------------------------------------------------------------------
KIV_SIGNING_P12 = env_str("KIV_SIGNING_P12")
KIV_SIGNING_P12_PASSWORD = env_str("KIV_SIGNING_P12_PASSWORD")
_password_file = env_str("KIV_SIGNING_P12_PASSWORD_FILE")
if _password_file:
    try:
        KIV_SIGNING_P12_PASSWORD = Path(_password_file).read_text().strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"KIV_SIGNING_P12_PASSWORD_FILE cannot be read: {exc}") from None
KIV_TSA_URL = env_str("KIV_TSA_URL")
KIV_REPORT_MAX_ATTEMPTS = env_int("KIV_REPORT_MAX_ATTEMPTS", 5, minimum=1)

# --- Product -----------------------------------------------------------------------------------
KIV_PUBLIC_REGISTER = env_bool("KIV_PUBLIC_REGISTER", False)
# The archive (arkivlova; docs/archive.md): "file" drops one Noark 5 package per decision in KIV_ARCHIVE_DIR,
# "http" posts it to the archive's service, "off" hands nothing over.
KIV_ARCHIVE_ADAPTER = env_str("KIV_ARCHIVE_ADAPTER", "file")
if KIV_ARCHIVE_ADAPTER not in ("file", "http", "off"):
    raise ImproperlyConfigured(f"KIV_ARCHIVE_ADAPTER must be file, http or off, got {KIV_ARCHIVE_ADAPTER!r}")
KIV_ARCHIVE_DIR = Path(env_str("KIV_ARCHIVE_DIR", str(DATA_DIR / "archive"))).resolve()
KIV_ARCHIVE_URL = env_url("KIV_ARCHIVE_URL")
KIV_ARCHIVE_TOKEN = env_secret("KIV_ARCHIVE_TOKEN")
KIV_ARCHIVE_TIMEOUT = env_int("KIV_ARCHIVE_TIMEOUT", 30, minimum=1)
if KIV_ARCHIVE_ADAPTER == "http" and not KIV_ARCHIVE_URL:
    raise ImproperlyConfigured("KIV_ARCHIVE_URL is required with KIV_ARCHIVE_ADAPTER=http")
KIV_ARCHIVE_SERIES = env_str("KIV_ARCHIVE_SERIES", "KI-risikovurderinger")
KIV_ARCHIVE_DISPOSAL_DECISION = env_str("KIV_ARCHIVE_DISPOSAL_DECISION", "Bevares")
KIV_ARCHIVE_DISPOSAL_AUTHORITY = env_str("KIV_ARCHIVE_DISPOSAL_AUTHORITY", "Kommunens arkivplan")
KIV_ARCHIVE_RETENTION_YEARS = env_int("KIV_ARCHIVE_RETENTION_YEARS", 0, minimum=0)
# Retention (docs/privacy.md): days a closed assessment keeps names in answers and comments, and days
# failed sign-in records are kept.
KIV_RETENTION_CLOSED_DAYS = env_int("KIV_RETENTION_CLOSED_DAYS", 365, minimum=1)
KIV_RETENTION_SIGNIN_DAYS = env_int("KIV_RETENTION_SIGNIN_DAYS", 90, minimum=1)
# The accessibility statement: where users report a barrier, and (optional) the published uustatus.no statement.
KIV_ACCESSIBILITY_CONTACT = env_str("KIV_ACCESSIBILITY_CONTACT", "ki-veileder@oslo.kommune.no")
if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", KIV_ACCESSIBILITY_CONTACT):
    raise ImproperlyConfigured(f"KIV_ACCESSIBILITY_CONTACT must be an e-mail address: {KIV_ACCESSIBILITY_CONTACT!r}")
KIV_ACCESSIBILITY_STATEMENT_URL = env_url("KIV_ACCESSIBILITY_STATEMENT_URL")
KIV_LOGIN_MAX_FAILURES = env_int("KIV_LOGIN_MAX_FAILURES", 5, minimum=1)
KIV_LOGIN_LOCKOUT_SECONDS = env_int("KIV_LOGIN_LOCKOUT_SECONDS", 300, minimum=1)

EMAIL_BACKEND = env_str(
    "KIV_EMAIL_BACKEND", "assessments.notifications.mail.StderrEmailBackend"
)  # the console, on stderr
DEFAULT_FROM_EMAIL = env_str("KIV_FROM_EMAIL", "KI-veileder <ki-veileder@oslo.kommune.no>")
# SMTP, for KIV_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend (the municipality's relay).
EMAIL_HOST = env_str("KIV_SMTP_HOST", "localhost")
EMAIL_PORT = env_int("KIV_SMTP_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("KIV_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_secret("KIV_SMTP_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("KIV_SMTP_STARTTLS", False)
EMAIL_TIMEOUT = 10
KIV_BASE_URL = env_str("KIV_BASE_URL", "http://127.0.0.1:8000")

# --- Cache (degrades, never fails a request) ---------------------------------------------------
# Nothing the app must remember lives in the cache (sessions and sign-in lockouts are in the database),
# so with Redis down the cache answers "not cached" instead of raising: django-redis' IGNORE_EXCEPTIONS,
# with short timeouts so a dead Redis costs a request at most a second. Ignored errors are logged.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env_str("KIV_CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": env_str("KIV_CACHE_URL"),
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# --- end of Cache ------------------------------------------------------------------------------

# --- Sign-in: passwords, lockouts, Entra ID ----------------------------------------------------
# Kept libraries do the security work here: argon2-cffi hashes passwords, django-axes counts failed
# sign-ins in the database on every path that calls authenticate() (our sign-in page and /admin/login/),
# and django-allauth runs the OpenID Connect flow. Our code around them: assessments/accounts/ (auth_backends.py,
# lockout.py, provider.py, entra.py, group_roles.py) and assessments/views/accounts.py.
INSTALLED_APPS += ["allauth", "allauth.account", "allauth.socialaccount", "axes"]
MIDDLEWARE += ["allauth.account.middleware.AccountMiddleware", "axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out client before any password check
    "assessments.accounts.auth_backends.PasswordBackend",  # administrators and the embedded default
    "assessments.accounts.auth_backends.EntraSessionBackend",  # holds the sessions Entra ID sign-in makes
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Hashes made before Argon2 still verify, and are rehashed with Argon2 at the next sign-in.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Lockouts (django-axes). KIV_LOGIN_MAX_FAILURES failed sign-ins lock that username *from that address*
# for KIV_LOGIN_LOCKOUT_SECONDS after the last one: one address cannot lock everyone out, and nobody can
# lock a known account out from elsewhere. Counted in the database (row-locked), never in the cache.
AXES_HANDLER = "assessments.accounts.lockout.AuditedDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "assessments.accounts.lockout.failure_limit"  # reads KIV_LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = "assessments.accounts.lockout.cool_off"  # reads KIV_LOGIN_LOCKOUT_SECONDS
AXES_USERNAME_CALLABLE = "assessments.accounts.lockout.username_key"  # case-insensitive, like the old throttle
AXES_LOCKOUT_CALLABLE = "assessments.accounts.lockout.lockout_response"  # our sign-in page, translated, 429
AXES_RESET_ON_SUCCESS = True
# A refused try is not counted again: the lockout runs from the last evaluated failure, and is audited once.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit log already
AXES_VERBOSE = False
# The client address: REMOTE_ADDR, or behind the documented proxy the entry that the outermost trusted
# proxy put into X-Forwarded-For, counted from the right so entries a client sends itself are ignored.
# KIV_TRUSTED_PROXIES counts the proxies in front of the app (nginx = 1; the municipality's proxy and
# nginx = 2); the last one's address is REMOTE_ADDR, not a header entry, hence the "- 1" for ipware.
KIV_BEHIND_PROXY = env_bool("KIV_BEHIND_PROXY", False)
KIV_TRUSTED_PROXIES = env_int("KIV_TRUSTED_PROXIES", 1, minimum=1)
if KIV_BEHIND_PROXY:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR",)
    AXES_IPWARE_PROXY_COUNT = KIV_TRUSTED_PROXIES - 1
    IPWARE_STRICT = False  # take the trusted entry even when a client prepended its own
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

# Entra ID (OpenID Connect) through django-allauth, configured when KIV_OIDC_CLIENT_ID is set: then a
# client secret and either a discovery URL or the issuer with all three endpoints are required. Provider
# URLs must be https (plain http only on loopback, for the fake provider in tests and deploy/smoke.sh).
KIV_OIDC_CLIENT_ID = env_str("KIV_OIDC_CLIENT_ID")
KIV_OIDC_CLIENT_SECRET = env_secret("KIV_OIDC_CLIENT_SECRET")
KIV_OIDC_DISCOVERY_URL = env_url("KIV_OIDC_DISCOVERY_URL")
KIV_OIDC_ISSUER = env_str("KIV_OIDC_ISSUER")
KIV_OIDC_AUTHORIZATION_ENDPOINT = env_url("KIV_OIDC_AUTHORIZATION_ENDPOINT")
KIV_OIDC_TOKEN_ENDPOINT = env_url("KIV_OIDC_TOKEN_ENDPOINT")
KIV_OIDC_JWKS_URI = env_url("KIV_OIDC_JWKS_URI")
KIV_OIDC_REDIRECT_URI = env_url("KIV_OIDC_REDIRECT_URI")
KIV_OIDC_SCOPES = env_str("KIV_OIDC_SCOPES", "openid profile email")
KIV_OIDC_GROUPS_CLAIM = env_str("KIV_OIDC_GROUPS_CLAIM", "groups")
KIV_OIDC_TIMEOUT = env_int("KIV_OIDC_TIMEOUT", 10, minimum=1)
KIV_OIDC_ENABLED = bool(KIV_OIDC_CLIENT_ID)
if KIV_OIDC_ENABLED:
    if not KIV_OIDC_CLIENT_SECRET:
        raise ImproperlyConfigured(
            "KIV_OIDC_CLIENT_SECRET (or KIV_OIDC_CLIENT_SECRET_FILE) is required with KIV_OIDC_CLIENT_ID"
        )
    _endpoints = (KIV_OIDC_ISSUER, KIV_OIDC_AUTHORIZATION_ENDPOINT, KIV_OIDC_TOKEN_ENDPOINT, KIV_OIDC_JWKS_URI)
    if not KIV_OIDC_DISCOVERY_URL and not all(_endpoints):
        raise ImproperlyConfigured(
            "KIV_OIDC_DISCOVERY_URL, or KIV_OIDC_ISSUER with KIV_OIDC_AUTHORIZATION_ENDPOINT, "
            "KIV_OIDC_TOKEN_ENDPOINT and KIV_OIDC_JWKS_URI, is required with KIV_OIDC_CLIENT_ID"
        )
    if "openid" not in KIV_OIDC_SCOPES.split():
        raise ImproperlyConfigured(f"KIV_OIDC_SCOPES must include openid, got {KIV_OIDC_SCOPES!r}")
ACCOUNT_ADAPTER = "assessments.accounts.entra.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "assessments.accounts.entra.EntraAdapter"  # the app from the settings above, groups -> roles
ACCOUNT_RATE_LIMITS = False  # lockouts are django-axes' job, in the database
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = False  # users are matched on the provider's id, never on an e-mail address
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = KIV_OIDC_TIMEOUT
# "all": everyone with a password may use the password form (the embedded default). "staff": only
# administrators may; everyone else signs in with Entra ID.
KIV_PASSWORD_LOGIN = env_str("KIV_PASSWORD_LOGIN", "all")
if KIV_PASSWORD_LOGIN not in ("all", "staff"):
    raise ImproperlyConfigured(f"KIV_PASSWORD_LOGIN must be all or staff, got {KIV_PASSWORD_LOGIN!r}")
# --- End of sign-in ------------------------------------------------------------------------------

# --- Security ----------------------------------------------------------------------------------
# Secure by default when debug is off; KIV_ALLOW_HTTP=True is the named opt-out for plain-HTTP
# runs on loopback (demo, smoke tests behind no proxy).
ALLOW_HTTP = env_bool("KIV_ALLOW_HTTP", DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("KIV_BEHIND_PROXY", False) else None
SECURE_SSL_REDIRECT = not ALLOW_HTTP
# Load balancers probe the instances directly over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not ALLOW_HTTP
CSRF_COOKIE_SECURE = not ALLOW_HTTP
LANGUAGE_COOKIE_SECURE = not ALLOW_HTTP
SECURE_HSTS_SECONDS = 0 if ALLOW_HTTP else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not ALLOW_HTTP
SECURE_HSTS_PRELOAD = not ALLOW_HTTP
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SESSION_COOKIE_AGE = env_int("KIV_SESSION_SECONDS", 8 * 3600, minimum=60)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "assessments.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "assessments.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if env_bool("KIV_LOG_JSON", False) else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("KIV_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}
