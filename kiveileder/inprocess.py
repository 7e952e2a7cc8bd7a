"""Tasks without a broker (the embedded default, `make run`): after the response, in this process.

With no CELERY_BROKER_URL there is no queue and no worker. The web process (kiveileder/wsgi.py) starts:
- one background worker thread that runs the tasks the requests enqueue (after their commit), one at a
  time, so a click never waits for a report to be rendered and sealed;
- one small scheduler thread that reads CELERY_BEAT_SCHEDULE and enqueues each entry on the same schedule
  as `celery beat` would (Celery's own schedule objects decide when an entry is due), so sweeps, the
  notification outbox and reminders run, including entries added later.

`AppTask.apply_async` (kiveileder/celery.py) hands work here when the runner is started. Anywhere else
(management commands, the test suite) in-process tasks run synchronously with `Task.apply`, so
`seed_demo` ends with its reports made and tests stay deterministic. Neither path touches kombu: no
broker connection is made (Celery's own eager path opens a producer on the unset broker).
"""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from celery.schedules import maybe_schedule
from django.db import close_old_connections

log = logging.getLogger(__name__)

# The scheduler looks at least this often, so a stop or a clock change is noticed.
MAX_SLEEP_SECONDS = 30.0

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_scheduler: "Scheduler | None" = None


def active() -> bool:
    return _executor is not None


def submit(task, args, kwargs, options: dict) -> None:
    """Run `task` on the background thread; its errors are logged (the durable rows and the sweeps
    recover from them, as they do with a worker)."""
    executor = _executor
    if executor is None:
        raise RuntimeError("the in-process task runner is not started")
    executor.submit(_run, task, tuple(args or ()), dict(kwargs or {}), options)


def _run(task, args: tuple, kwargs: dict, options: dict) -> None:
    close_old_connections()
    try:
        task.apply(args, kwargs, throw=True, **options)
    except Exception:
        log.exception("In-process task %s failed", task.name)
    finally:
        close_old_connections()


class Scheduler(threading.Thread):
    """celery beat's job, in a thread: enqueue each CELERY_BEAT_SCHEDULE entry when it is due."""

    def __init__(self, app, schedule: dict):
        super().__init__(name="kiv-scheduler", daemon=True)
        self.app = app
        self.stopped = threading.Event()
        now = app.now()
        # Like beat, an entry first runs one interval after start-up.
        self.entries = [
            {"name": name, "task": entry["task"], "schedule": maybe_schedule(entry["schedule"], app=app),
             "args": tuple(entry.get("args", ())), "kwargs": dict(entry.get("kwargs", {})), "last_run": now}
            for name, entry in schedule.items()
        ]  # fmt: skip

    def tick(self) -> float:
        """Enqueue what is due; return the seconds until the next entry is due."""
        sleep = MAX_SLEEP_SECONDS
        for entry in self.entries:
            due, next_check = entry["schedule"].is_due(entry["last_run"])
            if due:
                entry["last_run"] = self.app.now()
                try:
                    self.app.tasks[entry["task"]].apply_async(entry["args"], entry["kwargs"])
                except Exception:
                    log.exception("Scheduled task %s could not be started", entry["name"])
            sleep = min(sleep, next_check)
        return max(0.5, sleep)

    def run(self) -> None:
        while not self.stopped.wait(self.tick()):
            pass


def start(app, schedule: dict) -> None:
    """Start the background thread and the scheduler (once per process)."""
    global _executor, _scheduler
    with _lock:
        if _executor is not None:
            return
        # The task modules register the tasks the schedule names (as a worker imports them).
        app.loader.import_default_modules()
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiv-tasks")
        _scheduler = Scheduler(app, schedule)
        _scheduler.start()
    log.info("Tasks run in this process after each response; %s scheduled tasks", len(schedule))


def stop(wait: bool = True) -> None:
    """Stop both threads (tests); queued tasks still run when `wait`."""
    global _executor, _scheduler
    with _lock:
        executor, scheduler = _executor, _scheduler
        _executor = _scheduler = None
    if scheduler is not None:
        scheduler.stopped.set()
    if executor is not None:
        executor.shutdown(wait=wait)
