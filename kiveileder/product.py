"""The product's own settings (KIV_*): background tasks and their schedule, reports and signing, the archive,
retention, accessibility, sign-in limits and e-mail. Every value from the environment, parsed strictly.

`kiveileder/settings.py` imports everything here, so `DJANGO_SETTINGS_MODULE=kiveileder.settings` stays the one
entry point; this module only keeps that file short.
"""

import re
from pathlib import Path
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

from kiveileder.env import data_dir, env_bool, env_int, env_secret, env_str, env_url

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
KIV_ARCHIVE_DIR = Path(env_str("KIV_ARCHIVE_DIR", str(data_dir() / "archive"))).resolve()
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
