"""The default e-mail backend for development and the demo: the console, on stderr.

Django's console backend writes to stdout, where the management commands print their JSON summary
(`seed_demo` makes decisions that notify people); e-mail is a log of what would have been sent, so it
goes to stderr with the other messages.
"""

import sys

from django.core.mail.backends.console import EmailBackend as ConsoleBackend


class StderrEmailBackend(ConsoleBackend):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("stream", sys.stderr)
        super().__init__(*args, **kwargs)
