"""Background jobs of the audit trail."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from lintas.audit.services import seal_pending

__all__ = ["seal_audit_chain", "seal_audit_chain_periodically"]


@db_task(retries=3, retry_delay=5)
def seal_audit_chain() -> int:
    """Seal pending audit events; requested a few seconds after events are written."""
    with lock_task("audit-seal"):
        return seal_pending()


@db_periodic_task(crontab(minute="*"))
def seal_audit_chain_periodically() -> int:
    """Backstop: seal anything a lost nudge left behind."""
    with lock_task("audit-seal"):
        return seal_pending()
