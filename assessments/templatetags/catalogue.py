"""{% tool_of answers as tool %}: the tool overview entry an answer set was answered with (services/catalogue.py);
{{ version|field_label:"vendor" }}: a field's label as the model words it; {% flag_dismiss_form flag refused %}: the
form that closes a flag."""

from django import template
from django.utils.text import capfirst

from assessments.forms.review import FlagDismissForm
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


@register.simple_tag
def flag_dismiss_form(flag, refused=None):
    """The form that closes `flag`: the refused one posted for it (its errors and text kept), else an empty one."""
    if refused is not None and refused.flag_pk == flag.pk:
        return refused
    return FlagDismissForm(flag_pk=flag.pk)


@register.filter
def field_label(instance, name: str) -> str:
    """A model field's verbose_name as a heading, so a label is written once, on the model."""
    return capfirst(instance._meta.get_field(name).verbose_name)
