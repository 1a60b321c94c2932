"""In-app notifications (hits, hot values; later requests and deadlines), mirrored by e-mail."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lintas.core.models import can_read

__all__ = ["Notification", "NotificationKind"]


class NotificationKind(models.TextChoices):
    HIT = "hit", _("New hit")
    HOT_VALUE = "hot_value", _("Hot value")
    REVIEW_DUE = "review_due", _("Case review due")
    DETAILS_REQUESTED = "details_requested", _("Details requested")
    REQUEST = "request", _("Assistance request")
    DEADLINE = "deadline", _("Deadline")
    ALLOWANCE = "allowance", _("Hourly allowance")
    PROGRAMME = "programme", _("Capacity-building programme")


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Notifications are personal."""
        if not can_read(user):
            return self.none()
        return self.filter(recipient_id=user.pk)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def bulk_create(self, objs, *args, **kwargs):
        """Saved, and each recipient's open pages told at commit to refetch (lintas.live, decision 0045)."""
        from lintas import live

        created = super().bulk_create(objs, *args, **kwargs)
        live.publish(users={note.recipient_id for note in created}, kind="notification")
        return created


class Notification(models.Model):
    """One message to one user. Neither ``text`` nor ``params`` ever holds a field of a case the recipient may not see.

    ``message_id`` is the English message (the gettext msgid) and ``params`` its values, labels among them kept as
    references to their own msgid (``{"msgid": "Urgent"}``): ``message`` renders them in the reader's language at
    every display, so a user who switches language reads their earlier notifications in the new one. ``text`` is the
    copy rendered for the recipient when it was made: what a notification made before issue 17 shows, and the
    fallback should a translation not fit its values (decision 0050).
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    text = models.CharField(_("text"), max_length=500)
    message_id = models.TextField(blank=True, default="")
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.message  # ``{{ note }}`` reads in the reader's language too

    def save(self, *args, **kwargs):
        from lintas import live

        created = self._state.adding
        super().save(*args, **kwargs)
        if created:
            live.publish(users=[self.recipient_id], kind="notification")

    @property
    def message(self) -> str:
        """The text in the active language (the reader's); ``text`` for a notification stored before messages were."""
        from lintas.notifications.services import render_message

        return render_message(self.message_id, self.params, fallback=self.text)
