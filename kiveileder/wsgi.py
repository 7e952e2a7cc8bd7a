import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from kiveileder import inprocess
from kiveileder.celery import app as celery_app

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiveileder.settings")
application = get_wsgi_application()

# No broker (the embedded default): this serving process runs the tasks after each response and keeps the
# beat schedule itself (kiveileder/inprocess.py). Management commands never import this module.
if settings.KIV_TASKS_IN_PROCESS:
    inprocess.start(celery_app, settings.CELERY_BEAT_SCHEDULE)
