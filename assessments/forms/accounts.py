"""The password sign-in form: Django's, with messages that say what to do (the field's generic "required" did not
show on the page, which only had room for a failed sign-in)."""

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = _("Skriv brukernavnet ditt.")
        self.fields["password"].error_messages["required"] = _("Skriv passordet ditt.")
