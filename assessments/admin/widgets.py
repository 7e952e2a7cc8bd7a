"""The admin's autocomplete, safe with any posted value.

Django's `AutocompleteSelect` looks up the posted value to show the chosen option again when a form is refused, with
no check of its type: `abc` or `1e309` for a user or an agency then fails in the database and the page answers 500
(Django 5.2). This widget drops a value the target field cannot read before the lookup, so the form is shown again
with its error ("Select a valid choice"), as for any other refused input.
"""

from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import connections


class CheckedAutocompleteSelect(AutocompleteSelect):
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if self._readable(v)], attr)

    def _readable(self, value) -> bool:
        remote = self.field.remote_field
        target = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        try:
            checked = target.to_python(value)
        except ValidationError:
            return False
        if not isinstance(checked, int):
            return True
        # An id beyond the column's range cannot exist (PostgreSQL would refuse to compare with it).
        low, high = connections[self.db or "default"].ops.integer_field_range(target.get_internal_type())
        return (low is None or checked >= low) and (high is None or checked <= high)


class CheckedAutocompleteMixin:
    """For a ModelAdmin or an inline: its `autocomplete_fields` use CheckedAutocompleteSelect."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
