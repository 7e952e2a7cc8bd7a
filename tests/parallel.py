"""Test code run in threads at the same moment: the races the services and the database settings must survive."""

import threading
from collections.abc import Callable

from django.db import connections


def run_together(*targets: Callable[[], None], timeout: float | None = 30) -> None:
    """Run each target in a thread of its own, all released at once by a barrier, and wait for them all. Each
    thread closes the database connections Django opened for it (one per thread)."""
    barrier = threading.Barrier(len(targets))

    def run(target: Callable[[], None]) -> None:
        try:
            barrier.wait(timeout=10)
            target()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
