"""The "my work" dashboard: what needs the signed-in user's attention."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from lintas.accounts.choices import Role
from lintas.accounts.models import User
from lintas.audit.models import AuditEvent
from lintas.cases.models import Case


@login_required
def home(request):
    user = request.user
    from lintas.matching.views import inbox_context

    context = {"is_manager": user.has_role(Role.AGENCY_ADMIN, Role.PLATFORM_ADMIN), **inbox_context(user)}
    context["my_cases"] = Case.objects.visible_to(user).filter(owner_agency_id=user.agency_id)[:8]
    from lintas.assistance.views import panels

    context["request_counts"] = {name: qs.count() for name, qs in panels(user).items()}
    from lintas.live.selectors import request_news, requests_needing

    context["needing"], context["now"] = requests_needing(user), timezone.now()
    context.update(request_news(user))
    if context["is_manager"]:
        context["colleagues"] = User.objects.visible_to(user).filter(is_active=True).count()
        context["recent_events"] = AuditEvent.objects.visible_to(user).select_related("agency")[:8]
    if user.has_role(Role.AGENCY_ADMIN):
        context["capability_task"] = capability_task(user)
    return render(request, "dashboard/home.html", context)


def capability_task(user) -> dict | None:
    """The agency admin's task while their agency's capability table has rows not yet confirmed (senders' due times
    fall back to defaults until it is): how many of how many, or None when all are confirmed."""
    from django.db.models import Count, Q

    from lintas.assistance.models import CountryCapability

    counts = CountryCapability.objects.filter(agency_id=user.agency_id).aggregate(
        total=Count("pk"), unconfirmed=Count("pk", filter=Q(confirmed=False))
    )
    return counts if counts["unconfirmed"] else None
