"""The user admin with the leaver's action, and the list of work flagged for reassignment."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assessments.models import ReassignmentFlag
from assessments.services.people import user_deactivate

User = get_user_model()


class KivUserAdmin(UserAdmin):
    actions = ["deactivate"]

    @admin.action(description=_("Deaktiver (avslutt øktene og flagg arbeid som må overføres)"))
    def deactivate(self, request, queryset):
        flagged = 0
        for user in queryset.filter(is_active=True):
            flagged += user_deactivate(user=user, actor=request.user)["flagged"]
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "%(count)d bruker er deaktivert; %(flagged)d vurderinger er flagget for overføring.",
                "%(count)d brukere er deaktivert; %(flagged)d vurderinger er flagget for overføring.",
                count,
            )
            % {"count": count, "flagged": flagged},
            messages.SUCCESS,
        )


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, KivUserAdmin)


@admin.register(ReassignmentFlag)
class ReassignmentFlagAdmin(admin.ModelAdmin):
    list_display = ["assessment", "user", "kind", "created_at", "resolved_at"]
    list_filter = ["kind", "resolved_at"]
    search_fields = ["assessment__title", "user__username"]
    readonly_fields = ["assessment", "user", "kind", "created_at"]

    def has_add_permission(self, request):
        return False
