"""Audit trail API: read-only, filtered by the one access path."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from lintas.accounts.choices import Role
from lintas.audit.choices import Action
from lintas.audit.filters import AuditFilterForm
from lintas.audit.models import AuditEvent
from lintas.audit.services import record_event
from lintas.core.api_input import Date, LimitOffsetPagination

__all__ = ["router"]

router = Router()


class AuditEventOut(Schema):
    id: int
    occurred_at: dt.datetime
    actor_username: str
    actor_agency_code: str
    agency: str | None
    action: str
    outcome: str
    object_type: str
    object_id: str
    request_id: str
    client_ip: str | None
    details: dict
    seq: int | None

    @staticmethod
    def resolve_agency(obj):
        return obj.agency.code if obj.agency_id else None


class AuditQuery(Schema):
    action: str = ""
    outcome: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: Date | None = None
    date_to: Date | None = None


@router.get("/events", response=list[AuditEventOut], summary="Audit events visible to me, newest first")
@paginate(LimitOffsetPagination)
def list_events(request, filters: Query[AuditQuery]):
    if not request.user.has_role(Role.AGENCY_ADMIN, Role.PLATFORM_ADMIN):
        raise PermissionDenied(_("Only agency admins and the platform admin read the audit trail."))
    form = AuditFilterForm(filters.dict(exclude_none=True))
    if not form.is_valid():
        raise ValidationError(
            {name: [e["message"] for e in errors] for name, errors in form.errors.get_json_data().items()}
        )
    details = {"filters": filters.model_dump(mode="json", exclude_none=True), "api": True}  # dates as text
    record_event(Action.AUDIT_VIEWED, actor=request.user, details=details)
    return form.apply(AuditEvent.objects.visible_to(request.user).select_related("agency"))
