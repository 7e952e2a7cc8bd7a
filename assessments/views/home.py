"""Start pages, sign-in, the privacy page and /healthz."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from assessments import health
from assessments.accounts.redirects import is_local_path
from assessments.forms.accounts import SignInForm
from assessments.models import Assessment
from assessments.notifications import messages as notifications
from assessments.permissions import public, roles_for, signed_in, visible_assessments
from assessments.queries import lists as queries
from assessments.views import plans as plan_views

log = logging.getLogger(__name__)


@signed_in
def home(request):
    """What this person must do next, by role."""
    roles = roles_for(request.user)
    visible = visible_assessments(request.user).select_related("agency")
    context = {"roles": roles}
    if roles.member_of:
        own = visible.filter(agency_id__in=roles.member_of)
        context["my_drafts"] = own.filter(status=Assessment.Status.DRAFT)[:50]
        context["my_returned"] = own.filter(status=Assessment.Status.RETURNED)[:50]
        context["my_waiting"] = own.filter(status=Assessment.Status.SUBMITTED)[:50]
        context["my_decided"] = own.filter(status__in=[Assessment.Status.APPROVED, Assessment.Status.REJECTED])[:50]
        context["my_overdue"] = own.filter(status=Assessment.Status.APPROVED, review_by__lt=_today())[:50]
        context["my_due_soon"] = own.filter(
            status=Assessment.Status.APPROVED,
            review_by__gte=_today(),
            review_by__lte=_today() + timedelta(days=notifications.REMIND_DAYS_BEFORE),
        ).order_by("review_by")[:50]
    if roles.is_reviewer:
        waiting, _counts = queries.queue(request.user, status=Assessment.Status.SUBMITTED)
        context["awaiting_review"] = queries.rows(waiting[:10])
        context["awaiting_review_count"] = waiting.count()
        context["overdue"] = visible.filter(status=Assessment.Status.APPROVED, review_by__lt=_today()).order_by(
            "review_by"
        )[:50]
    if roles.is_auditor:
        context["recent_decisions"] = visible.filter(
            status__in=[Assessment.Status.APPROVED, Assessment.Status.REJECTED]
        ).order_by("-updated_at")[:20]
    context.update(plan_views.home_context(request.user, roles))
    return render(request, "assessments/home.html", context)


def _today():
    return timezone.localdate()


class LocalNext:
    """`next` held to a path on this site (assessments/accounts/redirects.py), for Django's sign-in and sign-out."""

    def get_redirect_url(self) -> str:
        target = super().get_redirect_url()
        return target if is_local_path(target) else ""


class SignInView(LocalNext, auth_views.LoginView):
    authentication_form = SignInForm


class SignOutView(LocalNext, auth_views.LogoutView):
    pass


@public
@never_cache
def login(request):
    """Django's sign-in. Lockouts after repeated failures are django-axes' job (assessments/accounts/lockout.py): it
    counts every authenticate() call, this page's and the admin's, and answers a locked-out client itself."""
    return SignInView.as_view(redirect_authenticated_user=True)(request)


@public
def logout(request):
    return SignOutView.as_view()(request)


@public
@require_GET
@never_cache
def healthz(request):
    """For the load balancer: 200 when the database and broker answer, 503 when not. Anonymous callers learn
    ok/fail per component only; the details (vendor, hosts, certificate) go to the log and to staff."""
    checks = {"database": health.check_database(connection), "broker": health.check_broker()}
    checks.update(health.extra_checks())
    healthy = all(check["ok"] for check in checks.values())
    for name, check in checks.items():
        if not check["ok"]:
            log.error("Health check %s failed: %s", name, check.get("detail", ""))
    if not _is_staff(request):
        checks = {name: {"ok": check["ok"]} for name, check in checks.items()}
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def _is_staff(request) -> bool:
    """Whether to show the details. Finding out needs the session from the database: with the database down,
    /healthz answers as to anyone (503 with ok/fail only) instead of failing."""
    try:
        return request.user.is_staff
    except DatabaseError:
        return False


@public
def privacy(request):
    periods = {
        "retention_closed_days": settings.KIV_RETENTION_CLOSED_DAYS,
        "retention_signin_days": settings.KIV_RETENTION_SIGNIN_DAYS,
    }
    return render(request, "assessments/privacy.html", periods)
