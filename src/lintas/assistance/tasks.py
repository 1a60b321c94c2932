"""Periodic jobs of mutual assistance."""

from django.conf import settings
from django.core.mail import send_mail
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from lintas.assistance.deadlines import check_deadlines
from lintas.assistance.escalation import contact_message, escalate_unacknowledged
from lintas.assistance.models import AssistanceRequest
from lintas.core.context import use_context

__all__ = ["email_duty_contact", "escalate_deadlines", "escalate_unacknowledged_urgent"]


@db_periodic_task(crontab(minute="*"))
def escalate_deadlines() -> dict:
    """Every minute: urgent requests are due in hours, so escalations must not wait."""
    with lock_task("request-deadlines"), use_context("job:escalate_deadlines"):
        return check_deadlines()


@db_periodic_task(crontab(minute="*"))
def escalate_unacknowledged_urgent() -> dict:
    """Every minute: an urgent request nobody acknowledged goes to the next officer on duty, then the supervisors."""
    with lock_task("request-urgent-escalation"), use_context("job:escalate_unacknowledged_urgent"):
        return escalate_unacknowledged()


@db_task(retries=3, retry_delay=30)
def email_duty_contact(request_id: int, address: str, minutes: int, language: str) -> bool:
    """E-mail the receiving agency's 24/7 contact point that an urgent request waits (decision 0048)."""
    request = AssistanceRequest.objects.select_related("sender_agency").filter(pk=request_id).first()
    if request is None:
        return False
    subject, body = contact_message(request, minutes, language)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)
    return True
