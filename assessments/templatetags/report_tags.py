"""{% report_panel assessment %}: the report status for the assessment page (templates/reports/)."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.inclusion_tag("reports/_report_status.html", takes_context=True)
def report_panel(context, assessment):
    from assessments.views.reports import panel_context

    return {**panel_context(context["request"], assessment), "csrf_token": context.get("csrf_token")}


@register.filter
def css_string(value) -> str:
    """`value` as a quoted CSS string, for the report's page-margin content. Every character but letters,
    digits and spaces is written as a CSS escape, so nothing in it can end the string or the <style>."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in str(value))
    return mark_safe(f'"{escaped}"')  # noqa: S308  # nosec B308, B703 - all but letters, digits, spaces escaped above
