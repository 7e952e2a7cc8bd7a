"""Every change made in Django admin reaches the audit chain, whatever the model.

`AuditedAdmin` hooks the three places every admin write passes through (`log_addition`, `log_change`,
`log_deletions`, the calls that fill Django's own mutable `django_admin_log`) and records an event with
the acting user's id, the object's type and id, and the *names* of the fields changed, inlines included.
Never values: the chain keeps ids only, so `purge_user` keeps working and no personal data is chained.
`audited_admin_site_check` (a system check) refuses a registered ModelAdmin without the mixin.
"""

from django.contrib import admin
from django.core import checks

from assessments.admin.widgets import CheckedAutocompleteMixin
from assessments.audit import chain as audit

ACTIONS = {"added": "admin.created", "changed": "admin.changed", "deleted": "admin.deleted"}


def _ref(obj) -> dict:
    return {"model": obj._meta.label_lower, "id": str(obj.pk)}


def _inline_changes(formsets) -> list[dict]:
    changes = []
    for formset in formsets or []:
        for obj in getattr(formset, "new_objects", []):
            changes.append({**_ref(obj), "change": "added"})
        for obj, fields in getattr(formset, "changed_objects", []):
            changes.append({**_ref(obj), "change": "changed", "fields": sorted(fields)})
        for model, ident in getattr(formset, "_kiv_deleted", []):
            changes.append({"model": model, "id": ident, "change": "deleted"})
    return changes


class AuditedAdmin(CheckedAutocompleteMixin, admin.ModelAdmin):
    """Mix into every ModelAdmin (before admin.ModelAdmin or its subclasses)."""

    def construct_change_message(self, request, form, formsets, add=False):
        # Called after the object and its inlines are saved, before log_addition/log_change: note what changed.
        request._kiv_admin_change = {
            "fields": sorted(getattr(form, "changed_data", []) or []),
            "inlines": _inline_changes(formsets),
        }
        return super().construct_change_message(request, form, formsets, add)

    def save_formset(self, request, form, formset, change):
        # Deleting an inline clears its primary key: note the ids first.
        formset._kiv_deleted = [
            (f.instance._meta.label_lower, str(f.instance.pk)) for f in formset.deleted_forms if f.instance.pk
        ]
        return super().save_formset(request, form, formset, change)

    def _record(self, request, obj, change: str) -> None:
        noted = getattr(request, "_kiv_admin_change", None) or {"fields": [], "inlines": []}
        details = {"model": obj._meta.label_lower, "fields": noted["fields"]}
        audit.record(request.user, ACTIONS[change], obj, details=details)
        for inline in noted["inlines"]:
            details = {"model": inline["model"], "fields": inline.get("fields", []), "parent": _ref(obj)}
            ref = (inline["model"].rsplit(".", 1)[-1], inline["id"])
            audit.record(request.user, ACTIONS[inline["change"]], ref, details=details)
        request._kiv_admin_change = None

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._record(request, obj, "added")
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._record(request, obj, "changed")
        return entry

    def log_deletions(self, request, queryset):
        # Called before the deletion, with the objects still in place.
        for obj in queryset:
            audit.record(request.user, "admin.deleted", obj, details={"model": obj._meta.label_lower, "fields": []})
        return super().log_deletions(request, queryset)


def audit_every_admin(site: admin.AdminSite) -> None:
    """Give the admins of other apps (users, groups, allauth, axes) the mixin too: called once every app's
    admin module is loaded (AssessmentsConfig.ready), so no registered model escapes the audit chain."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, AuditedAdmin):
            continue
        audited = type(f"Audited{type(model_admin).__name__}", (AuditedAdmin, type(model_admin)), {})
        site.unregister(model)
        site.register(model, audited)


@checks.register(checks.Tags.admin)
def audited_admin_site_check(app_configs=None, **kwargs):
    """Every ModelAdmin on the site must record its changes in the audit chain."""
    return [
        checks.Error(
            f"{type(model_admin).__name__} ({model._meta.label}) does not use AuditedAdmin",
            hint="Mix assessments.admin.audited.AuditedAdmin into it so its changes reach the audit chain.",
            id="kiveileder.E010",
        )
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AuditedAdmin)
    ]
