"""Periodic jobs of the trends: the roll-ups of recent months every hour, all months every night."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from lintas.core.context import use_context
from lintas.insights.selectors import add_months
from lintas.insights.services import refresh_rollups

__all__ = ["refresh_all_rollups", "refresh_recent_rollups"]


@db_periodic_task(crontab(minute="25"))
def refresh_recent_rollups() -> dict:
    """Every hour: this month and the last (where new cases, hits and requests land)."""
    this_month = timezone.now().date().replace(day=1)
    with lock_task("trends-rollups"), use_context("job:refresh_recent_rollups"):
        return refresh_rollups(months=[add_months(this_month, -1), this_month])


@db_periodic_task(crontab(hour="3", minute="40"))
def refresh_all_rollups() -> dict:
    """Every night: every month (cases recorded late for an old incident month, corrected rates, deleted cases)."""
    with lock_task("trends-rollups"), use_context("job:refresh_all_rollups"):
        return refresh_rollups()
