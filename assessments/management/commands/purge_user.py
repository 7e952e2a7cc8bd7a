"""Pseudonymise a departed user (privacy): `python manage.py purge_user USERNAME [--actor ADMIN]`."""

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessments.services import user_purge
from assessments.text import whole_number


class Command(BaseCommand):
    help = (
        "Pseudonymise a departed user: username slettet-<id>, names and e-mail emptied, no usable "
        "password, roles and sessions removed, their name replaced in review comments. The audit log "
        "still verifies."
    )

    def add_arguments(self, parser):
        parser.add_argument("user", help="username, or the user's numeric id")
        parser.add_argument("--actor", help="username of the administrator doing this (for the audit log)")

    def _find(self, value: str):
        User = get_user_model()
        user = User.objects.filter(username=value).first()
        if user is None and whole_number(value) is not None:
            user = User.objects.filter(pk=whole_number(value)).first()
        return user

    def handle(self, *args, user, actor=None, **options):
        target = self._find(user)
        if target is None:
            raise CommandError(f"No user {user!r}", returncode=2)
        actor_user = None
        if actor:
            actor_user = self._find(actor)
            if actor_user is None:
                raise CommandError(f"No user {actor!r} (--actor)", returncode=2)
        try:
            counts = user_purge(user=target, actor=actor_user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=2) from None
        self.stdout.write(json.dumps(counts))
