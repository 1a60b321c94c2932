"""Jobs of matching: the re-match sweep (decision 0036)."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from lintas.core.context import use_context

__all__ = ["clear_allowance_counts", "nightly_rematch", "rematch_tokens", "run_rematch"]


@db_task(retries=3, retry_delay=60, context=True)
def run_rematch(run_id: int, task=None) -> str:
    """Run a queued :class:`~lintas.matching.models.RematchRun` (``matching.sweep.sweep``): its progress is saved
    after every batch; a failure is recorded and raised again for the queue to retry while it has retries left (the
    sweep is idempotent, so a retry creates only what is still missing)."""
    from lintas.matching.models import RematchRun

    run = RematchRun.objects.get(pk=run_id)
    if run.status in (RematchRun.Status.DONE, RematchRun.Status.FAILED):
        return run.status
    return execute(run, retries_left=task.retries if task is not None else 0)


def execute(run, *, retries_left: int = 0, actor_username: str = "job") -> str:
    """Run ``run`` in this process (the job, or ``lintas rematch`` without a queue)."""
    from lintas.matching.models import RematchRun
    from lintas.matching.sweep import sweep

    rows = RematchRun.objects.filter(pk=run.pk)
    rows.update(status=RematchRun.Status.RUNNING, started_at=timezone.now(), error="")

    def progress(report):
        run.report = report.as_dict()
        rows.update(report=run.report)

    with use_context(f"job:rematch:{run.pk}"):
        try:
            sweep(
                reason=run.reason,
                tokens=run.tokens or None,
                progress=progress,
                actor_username=actor_username,
                run_id=run.pk,
            )
        except Exception as exc:  # recorded; raised again for the queue to retry while it has retries left
            status = RematchRun.Status.QUEUED if retries_left > 0 else RematchRun.Status.FAILED
            rows.update(status=status, error=str(exc)[:500], finished_at=timezone.now())
            run.status = status
            raise
    now = timezone.now()
    rows.update(status=RematchRun.Status.DONE, finished_at=now)
    run.status = RematchRun.Status.DONE
    if not run.tokens:  # a whole sweep did what every run queued before it would have done
        RematchRun.objects.filter(status=RematchRun.Status.QUEUED, created_at__lte=run.created_at).update(
            status=RematchRun.Status.DONE, finished_at=now, report={"superseded_by": run.pk}
        )
    return run.status


@db_periodic_task(crontab(hour="3", minute="30"))
def nightly_rematch() -> str:
    """Every night, the whole sweep: whatever made a hit go missing (a job lost in a queue outage, a cap raised, a
    restore), it exists again by morning. A run already going is not doubled."""
    from lintas.matching.models import RematchRun

    with lock_task("rematch-sweep"), use_context("job:nightly_rematch"):
        run = RematchRun.objects.create(reason="nightly")
        return execute(run)


@db_periodic_task(crontab(minute="7"))
def clear_allowance_counts() -> int:
    """Every hour: the database's counts of hourly allowances of hours gone by are deleted (Redis keys expire)."""
    from lintas.matching.allowance import clear_past_hours

    with lock_task("clear-allowance-counts"), use_context("job:clear_allowance_counts"):
        return clear_past_hours()


@db_task(retries=3, retry_delay=30)
def rematch_tokens(tokens: list[str], reason: str) -> int:
    """Match the identifiers carrying ``tokens`` again (a sweep limited to those keys); returns the new hits."""
    from lintas.matching.models import RematchRun

    if not any(tokens):  # an empty list must not widen to every identifier
        return 0
    run = RematchRun.objects.create(reason=reason[:200], tokens=sorted({t for t in tokens if t}))
    execute(run)
    return run.report.get("hits", 0)
