"""Periodic jobs of cases."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from lintas.cases.services import remind_reviews
from lintas.core.context import use_context

__all__ = ["remind_case_reviews", "run_import"]


@db_periodic_task(crontab(hour="2", minute="15"))
def remind_case_reviews() -> int:
    """Every night: owners hear six months ahead that a case's nominal data is due for review."""
    with lock_task("case-review-reminders"), use_context("job:remind_case_reviews"):
        return remind_reviews()


@db_task(retries=2, retry_delay=60, context=True)
def run_import(import_id: int, task=None) -> str:
    """Ingest a queued bulk import with the rules of ``POST /cases/bulk`` (its author's agency, all-or-nothing
    batches, idempotent by external reference, so a retry after a crash picks up where it stopped). The report is
    saved after every batch; the file is deleted when the import is done. When the author's hourly recording
    allowance runs out, the import is queued again for the next hour and resumes there. Rows are validated in
    ``LINTAS_IMPORT_WORKERS`` processes started afresh (forking the worker's thread would be unsafe)."""
    from lintas.cases.ingest import ingest_rows, read_ndjson, storable_text
    from lintas.cases.models import BulkImport
    from lintas.cases.services import check_case_writer, imports_dir

    with use_context(f"job:import:{import_id}"):
        job = BulkImport.objects.select_related("created_by__agency").get(pk=import_id)
        if job.status in (BulkImport.Status.DONE, BulkImport.Status.FAILED):
            return job.status
        path = imports_dir() / job.file_name
        actor = job.created_by
        try:
            if actor is None or not actor.is_active:
                raise PermissionDenied("the author of this import is no longer active")
            check_case_writer(actor)  # roles may have changed since it was queued
        except PermissionDenied as refused:
            _finish(job, BulkImport.Status.FAILED, error=str(refused))
            path.unlink(missing_ok=True)
            return job.status
        BulkImport.objects.filter(pk=job.pk).update(status=BulkImport.Status.RUNNING, started_at=timezone.now())

        def progress(report):
            BulkImport.objects.filter(pk=job.pk).update(report=report.as_dict(), updated_at=timezone.now())

        try:
            with open(path, "rb") as handle:
                report = ingest_rows(
                    actor,
                    read_ndjson(handle, parse=False),
                    progress=progress,
                    workers=settings.IMPORT_WORKERS,
                    start_method="spawn",
                )
        except Exception as exc:  # recorded; raised again for the queue to retry while it has retries left
            error = storable_text(f"{type(exc).__name__}: {exc}")  # what broke, for operators
            if task is not None and task.retries > 0:
                BulkImport.objects.filter(pk=job.pk).update(
                    status=BulkImport.Status.QUEUED, error=error[:500], updated_at=timezone.now()
                )
                raise
            _finish(job, BulkImport.Status.FAILED, error=error)
            return job.status
        if report.retry_after is not None:
            # The author's hourly recording allowance ran out: the job waits for the next hour and goes on from there
            # (rows written are skipped), keeping the file.
            BulkImport.objects.filter(pk=job.pk).update(
                status=BulkImport.Status.QUEUED,
                report=report.as_dict(),
                error=report.detail[:500],
                updated_at=timezone.now(),
            )
            run_import.schedule((import_id,), delay=report.retry_after + 5)
            return BulkImport.Status.QUEUED
        _finish(job, BulkImport.Status.DONE, report=report.as_dict())
        path.unlink(missing_ok=True)
        return BulkImport.Status.DONE


def _finish(job, status: str, *, report: dict | None = None, error: str = "") -> None:
    from lintas.cases.models import BulkImport

    now = timezone.now()
    fields = {"status": status, "finished_at": now, "updated_at": now, "error": error[:500]}
    if report is not None:
        fields["report"] = report
    BulkImport.objects.filter(pk=job.pk).update(**fields)
    job.status = status
