"""{% report_panel assessment %}: the report status for the assessment page (templates/reports/)."""

from django import template

register = template.Library()


@register.inclusion_tag("reports/_report_status.html", takes_context=True)
def report_panel(context, assessment):
    from assessments.report_views import panel_context

    return {**panel_context(context["request"], assessment), "csrf_token": context.get("csrf_token")}
