"""Jobs of matching."""

from collections import Counter

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from lintas.agencies.models import Agency
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.core.context import use_context
from lintas.matching.engine import rematch

__all__ = ["clear_allowance_counts", "rematch_tokens"]


@db_periodic_task(crontab(minute="7"))
def clear_allowance_counts() -> int:
    """Every hour: the database's counts of hourly allowances of hours gone by are deleted (Redis keys expire)."""
    from lintas.matching.allowance import clear_past_hours

    with lock_task("clear-allowance-counts"), use_context("job:clear_allowance_counts"):
        return clear_past_hours()


@db_task(retries=3, retry_delay=30)
def rematch_tokens(tokens: list[str], reason: str) -> int:
    """Match the identifiers carrying ``tokens`` again (a value left the benign list); hits found are audited in
    both agencies' trails and notified as any new hit."""
    from lintas.matching.notify import notify_match

    with use_context("job:rematch_tokens"), transaction.atomic():
        outcome = rematch(tokens)
        per_agency = Counter()
        for hit in outcome.hits:
            per_agency[hit.left_agency_id] += 1
            per_agency[hit.right_agency_id] += 1
        for agency in Agency.objects.filter(pk__in=per_agency):
            record_event(
                Action.HITS_CREATED,
                actor_username="job",
                agency=agency,
                object_type="matching.hit",
                details={"hits": per_agency[agency.pk], "reason": reason, "tokens": sorted(tokens)[:100]},
            )
        notify_match(outcome)
    return len(outcome.hits)
