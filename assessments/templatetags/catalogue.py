"""{% tool_of answers as tool %}: the tool overview entry an answer set was answered with (services/catalogue.py)."""

from django import template

from assessments.permissions import may_edit_catalogue, roles_for
from assessments.queries.catalogue import closed_flags, newer_version, open_flags, tool_summary

register = template.Library()


@register.simple_tag
def tool_of(answers):
    return tool_summary(answers)


@register.simple_tag
def tool_flags(assessment):
    """Open flags: the tool's entry got stricter since this assessment was answered."""
    return list(open_flags().filter(assessment=assessment)) if assessment is not None else []


@register.simple_tag
def flagged_for_review(limit: int = 50):
    """UKE's queue: the newest open flags (approved or submitted assessments whose tool got stricter)."""
    return list(open_flags()[:limit])


@register.simple_tag
def tool_closed_flags(assessment):
    """Closed flags: the history of the tool's changes, resolved by a re-assessment or dismissed by UKE."""
    return closed_flags(assessment) if assessment is not None else []


@register.simple_tag
def tool_newer(answers):
    """The entry's current version when a draft names an older one (its facts are refreshed on the next save)."""
    return newer_version(answers)


@register.simple_tag
def may_close_flags(user):
    return may_edit_catalogue(roles_for(user))
