"""E-mail copies of notifications, sent by the job worker after the transaction that created them committed."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import timezone, translation
from huey.contrib.djhuey import db_task

from lintas.notifications.models import Notification
from lintas.notifications.services import language_of

__all__ = ["email_notifications"]


@db_task(retries=3, retry_delay=30)
def email_notifications(notification_ids: list[int]) -> int:
    pending = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("recipient")
    messages = []
    for note in pending:
        if not note.recipient.email:
            continue
        # In the recipient's language and time zone as they are when the e-mail goes (decision 0050).
        with translation.override(language_of(note.recipient.language)), timezone.override(note.recipient.zone):
            text = note.message
        messages.append(
            ("Lintas: " + " ".join(text[:120].split()), text, settings.DEFAULT_FROM_EMAIL, [note.recipient.email])
        )
    if messages:
        send_mass_mail(messages, fail_silently=False)
    return Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
