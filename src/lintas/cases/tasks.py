"""Periodic jobs of cases."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from lintas.cases.services import remind_reviews
from lintas.core.context import use_context

__all__ = ["remind_case_reviews"]


@db_periodic_task(crontab(hour="2", minute="15"))
def remind_case_reviews() -> int:
    """Every night: owners hear six months ahead that a case's nominal data is due for review."""
    with lock_task("case-review-reminders"), use_context("job:remind_case_reviews"):
        return remind_reviews()
