"""The Celery app. With a broker (CELERY_BROKER_URL) tasks go to Redis and a worker; without one they run in
this process (kiveileder/inprocess.py), explicitly: never Celery's default broker."""

import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.utils import uuid

from . import inprocess

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiveileder.settings")


class AppTask(DjangoTask):
    """A task that, without a broker (task_always_eager), runs in-process without touching kombu: on the
    web process's background thread when that runner is started, otherwise at once (`apply`)."""

    def apply_async(self, args=None, kwargs=None, task_id=None, producer=None, link=None, link_error=None,
                    shadow=None, **options):  # fmt: skip
        if not self.app.conf.task_always_eager:
            return super().apply_async(
                args, kwargs, task_id=task_id, producer=producer, link=link, link_error=link_error,
                shadow=shadow, **options,
            )  # fmt: skip
        for broker_only in ("retry", "retry_policy", "countdown", "eta", "expires", "queue"):
            options.pop(broker_only, None)
        task_id = task_id or uuid()
        if inprocess.active():
            inprocess.submit(self, args, kwargs, {"task_id": task_id, **options})
            return self.AsyncResult(task_id)
        return self.apply(args, kwargs, task_id=task_id, link=link, link_error=link_error, **options)


app = Celery("kiveileder", task_cls=AppTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
