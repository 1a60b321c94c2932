"""My notifications."""

import datetime as dt

from django.utils import timezone
from ninja import Router, Schema
from ninja.pagination import paginate

from lintas.core.api_input import LimitOffsetPagination
from lintas.notifications.models import Notification

__all__ = ["router"]

router = Router()


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


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
