"""{% tool_of answers as tool %}: the tool overview entry an answer set was answered with (services/catalogue.py)."""

from django import template

from assessments.queries.catalogue import open_flags, tool_summary

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
