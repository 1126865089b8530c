"""Small tasks for the worker tests (tests/reports/test_tasks.py): module-level, so a
`manage.py task_worker` process can import them by path."""

import os
import time

from django_tasks import TaskContext, task


@task()
def note_worker(seconds: float) -> int:
    """Hold the worker a moment, then say which process ran the task."""
    time.sleep(seconds)
    return os.getpid()


@task(takes_context=True)
def stall_first_attempt(context: TaskContext, seconds: float) -> int:
    """The first attempt hangs (for the test to kill its worker); a later one is quick."""
    if context.attempt == 1:
        time.sleep(seconds)
    return context.attempt
