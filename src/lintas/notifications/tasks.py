"""E-mail copies of notifications, sent by the job worker after the transaction that created them committed."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import timezone
from huey.contrib.djhuey import db_task

from lintas.notifications.models import Notification

__all__ = ["email_notifications"]


@db_task(retries=3, retry_delay=30)
def email_notifications(notification_ids: list[int]) -> int:
    pending = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("recipient")
    messages = [
        ("Lintas: " + note.text[:120], note.text, settings.DEFAULT_FROM_EMAIL, [note.recipient.email])
        for note in pending
        if note.recipient.email
    ]
    if messages:
        send_mass_mail(messages, fail_silently=False)
    return Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
