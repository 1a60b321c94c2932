"""My notifications."""

import datetime as dt

from django.utils import timezone, translation
from ninja import Router, Schema
from ninja.pagination import paginate

from lintas.core.api_input import LimitOffsetPagination
from lintas.notifications.models import Notification
from lintas.notifications.services import language_of

__all__ = ["router"]

router = Router()


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    language: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None

    # The text in the reader's language setting and time zone (not Accept-Language): the same words the user reads on
    # the dashboard and in the e-mail, whatever a bridge's HTTP library sends (decision 0050).
    @staticmethod
    def resolve_text(obj, context) -> str:
        user = context["request"].user
        with translation.override(language_of(user.language)), timezone.override(user.zone):
            return obj.message

    @staticmethod
    def resolve_language(obj, context) -> str:
        return language_of(context["request"].user.language)


@router.get("/", response=list[NotificationOut], summary="My notifications, newest first")
@paginate(LimitOffsetPagination)
def list_notifications(request, unread: bool = False):
    notes = Notification.objects.visible_to(request.user)
    return notes.unread() if unread else notes


class ReadOut(Schema):
    marked: int


@router.post("/read", response=ReadOut, summary="Mark all my notifications read")
def mark_read(request):
    return {"marked": Notification.objects.visible_to(request.user).unread().update(read_at=timezone.now())}
