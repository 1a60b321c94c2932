"""Periodic jobs of mutual assistance."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from lintas.assistance.deadlines import check_deadlines
from lintas.core.context import use_context

__all__ = ["escalate_deadlines"]


@db_periodic_task(crontab(minute="*"))
def escalate_deadlines() -> dict:
    """Every minute: urgent requests are due in hours, so escalations must not wait."""
    with lock_task("request-deadlines"), use_context("job:escalate_deadlines"):
        return check_deadlines()
