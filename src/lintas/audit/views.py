"""The audit viewer: filters, paging, chain status."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from lintas.accounts.choices import Role
from lintas.audit.choices import Action
from lintas.audit.filters import AuditFilterForm
from lintas.audit.models import AuditChainHead, AuditEvent
from lintas.audit.services import record_event
from lintas.core.decorators import role_required


@role_required(Role.AGENCY_ADMIN, Role.PLATFORM_ADMIN)
def event_list(request):
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.visible_to(request.user).select_related("agency")
    if form.is_bound and form.is_valid():
        events = form.apply(events)
    elif form.is_bound:
        events = events.none()
    page = Paginator(events, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    if not request.htmx:
        record_event(Action.AUDIT_VIEWED, actor=request.user, details={"filters": request.GET.dict()})
    context = {
        "form": form,
        "page": page,
        "head": AuditChainHead.objects.filter(pk=1).first(),
        "unsealed": AuditEvent.objects.unsealed().count() if request.user.has_role(Role.PLATFORM_ADMIN) else None,
        "querystring": _without_page(request.GET),
    }
    template = "audit/_event_rows.html" if request.htmx else "audit/event_list.html"
    return render(request, template, context)


def _without_page(params) -> str:
    copy = params.copy()
    copy.pop("page", None)
    return copy.urlencode()
