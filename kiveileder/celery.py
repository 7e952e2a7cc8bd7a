import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiveileder.settings")

app = Celery("kiveileder")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
