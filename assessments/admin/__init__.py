from allauth.socialaccount.models import SocialApp, SocialToken
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from assessments.admin.audited import AuditedAdmin
from assessments.admin.people import KivUserAdmin  # noqa: F401  (the user admin with the leaver's action)
from assessments.admin.questionnaires import QuestionnaireAdmin  # noqa: F401  (registers Questionnaire)
from assessments.admin.widgets import CheckedAutocompleteMixin
from assessments.models import Agency, GroupMapping, GroupRoles, Membership, MunicipalRole

# The admin says which service it administers, not "Django administration".
admin.site.site_header = _("KI-veileder – administrasjon")
admin.site.site_title = _("KI-veileder")
admin.site.index_title = _("Administrasjon")


class MembershipInline(CheckedAutocompleteMixin, admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ["name", "kind", "slug", "org_number"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "org_number"]
    readonly_fields = ["slug"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "agency", "role"]
    list_filter = ["role", "agency"]
    search_fields = ["user__username", "agency__name"]
    autocomplete_fields = ["user", "agency"]


@admin.register(MunicipalRole)
class MunicipalRoleAdmin(AuditedAdmin):
    list_display = ["user", "role"]
    list_filter = ["role"]
    search_fields = ["user__username"]
    filter_horizontal = ["agencies"]


@admin.register(GroupMapping)
class GroupMappingAdmin(AuditedAdmin):
    list_display = ["group_id", "role", "agency", "note"]
    list_filter = ["role", "agency"]
    search_fields = ["group_id", "note", "agency__name"]
    autocomplete_fields = ["agency"]


@admin.register(GroupRoles)
class GroupRolesAdmin(AuditedAdmin):
    """Read-only: which roles the groups granted at the last Entra ID sign-in (the identity link itself is
    allauth's social account, listed under its own heading)."""

    list_display = ["user", "updated_at"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "managed_roles", "updated_at"]

    def has_add_permission(self, request):
        return False


# The Entra ID app comes from the KIV_OIDC_* settings and tokens are not stored: these would only mislead.
for _model in (SocialApp, SocialToken):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
