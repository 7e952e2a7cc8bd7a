from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("KI-vurderinger")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connect the sign-in audit receivers; register the signing certificate's system check and health;
        # register the Celery tasks and the receiver that delivers the outbox after a commit.
        from django.contrib import admin

        from assessments import checks, signals, tasks  # noqa: F401
        from assessments.admin.audited import audit_every_admin

        # Django's admin has loaded every app's admin module by now (it comes first in INSTALLED_APPS).
        audit_every_admin(admin.site)
