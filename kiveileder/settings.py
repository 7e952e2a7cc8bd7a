"""KI-veileder settings: the one entry point, every value from the environment, parsed strictly.

A bad value raises ImproperlyConfigured naming the variable, so a misconfigured deployment stops at
start-up with a one-line cause instead of failing later in a request.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# The parsing helpers stay importable from here (tests, bench/queries.py).
from kiveileder.env import (  # noqa: F401
    BASE_DIR,
    SUPPORTED_DATABASES,
    data_dir,
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_str,
    env_url,
    parse_database_url,
)

# The product's own settings (KIV_*), the Celery settings and the beat schedule.
from kiveileder.product import *  # noqa: F403

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

DATA_DIR = data_dir()
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
    "assessments.middleware.RefuseNulHeadersMiddleware",
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
    # Inside the CSP and frame headers, so the page it renders carries them (and flash messages wait for a page).
    "assessments.middleware.OnlyPageMethodsMiddleware",
    "assessments.middleware.ActionOpenedAsLinkMiddleware",
    "assessments.middleware.RefuseInvalidUtf8Middleware",
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
                "assessments.context_processors.return_path",
            ],
            # Every page translates and most format dates or labels, so these tag libraries need no
            # {% load %} line; the other libraries (catalogue, report_tags) are loaded where used.
            "builtins": [
                "django.templatetags.i18n",
                "django.templatetags.static",
                "assessments.templatetags.kiv",
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
CELERY_TIMEZONE = TIME_ZONE

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
