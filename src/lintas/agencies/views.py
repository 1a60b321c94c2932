"""Member directory pages, and each agency's duty roster."""

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lintas.agencies import services
from lintas.agencies.forms import AgencyForm, DutyShiftForm, EscalationForm
from lintas.agencies.models import Agency, DutyShift
from lintas.agencies.selectors import own_agency_or_404
from lintas.audit.services import record_denial
from lintas.core.access import get_visible_or_404
from lintas.core.views import add_service_errors


@login_required
def directory(request):
    return render(request, "agencies/directory.html", {"agencies": Agency.objects.all()})


@login_required
def agency_detail(request, code: str):
    agency = get_object_or_404(Agency, code=code)
    can_edit = bool(services.editable_fields(request.user, agency))
    return render(request, "agencies/agency_detail.html", {"agency": agency, "can_edit": can_edit})


@login_required
def agency_edit(request, code: str):
    agency = get_object_or_404(Agency, code=code)
    editable = services.editable_fields(request.user, agency)
    if not editable:
        message = _("Only this agency's admins and the platform admin change its details.")
        record_denial(request.user, message, target=agency)
        raise PermissionDenied(message)
    form = AgencyForm(request.POST or None, instance=Agency.objects.get(pk=agency.pk), editable=editable)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_agency(request.user, agency, **form.changes())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The directory entry is saved."))
            return redirect("agencies:detail", code=agency.code)
    return render(request, "agencies/agency_form.html", {"agency": agency, "form": form})


# --- duty roster (decision 0048) -----------------------------------------------------------------------------------


def _week_start(agency: Agency, raw: str | None):
    """Monday of the week asked for (``?week=YYYY-MM-DD``), or of this week, in the agency's time zone."""
    today = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(agency.time_zone)).date()
    try:
        day = date.fromisoformat(raw) if raw else today
    except ValueError:
        day = today
    if not date(2000, 1, 8) <= day <= date(2100, 12, 24):
        day = today
    return day - timedelta(days=day.weekday())


def _week(user, agency: Agency, monday) -> list[dict]:
    zone = zoneinfo.ZoneInfo(agency.time_zone)
    starts = [datetime.combine(monday + timedelta(days=n), time.min, tzinfo=zone) for n in range(8)]
    shifts = list(
        DutyShift.objects.visible_to(user)
        .filter(agency=agency, starts_at__lt=starts[-1], ends_at__gt=starts[0])
        .select_related("officer")
        .order_by("starts_at", "position", "pk")
    )
    days = []
    for n in range(7):
        begin, end = starts[n], starts[n + 1]
        days.append(
            {
                "date": begin.date(),
                "shifts": [
                    {
                        "shift": shift,
                        "starts": timezone.localtime(shift.starts_at, zone),
                        "ends": timezone.localtime(shift.ends_at, zone),
                    }
                    for shift in shifts
                    if shift.starts_at < end and shift.ends_at > begin
                ],
            }
        )
    return days


def _roster_page(request, agency: Agency, *, shift_form=None, escalation_form=None, status=200):
    from lintas.accounts.models import User
    from lintas.agencies.selectors import contact_email, on_duty

    zone = zoneinfo.ZoneInfo(agency.time_zone)
    now = timezone.now()
    officers = User.objects.visible_to(request.user).filter(agency=agency, is_active=True).order_by("username")
    monday = _week_start(agency, request.GET.get("week"))
    can_keep = services.can_keep_roster(request.user, agency)
    can_set = services.can_set_escalation(request.user, agency)
    upcoming = (
        DutyShift.objects.visible_to(request.user)
        .filter(agency=agency, ends_at__gt=now)
        .select_related("officer")
        .order_by("starts_at", "position", "pk")[:200]
    )
    context = {
        "agency": agency,
        "zone": agency.time_zone,
        "on_duty": on_duty(agency, now),
        "upcoming": [
            {"shift": s, "starts": timezone.localtime(s.starts_at, zone), "ends": timezone.localtime(s.ends_at, zone)}
            for s in upcoming
        ],
        "week": _week(request.user, agency, monday),
        "monday": monday,
        "previous_week": monday - timedelta(days=7),
        "next_week": monday + timedelta(days=7),
        "can_keep": can_keep,
        "can_set": can_set,
        "shift_form": shift_form or (DutyShiftForm(agency=agency, officers=officers) if can_keep else None),
        "escalation_form": escalation_form
        or (EscalationForm(initial={"escalate_after_minutes": agency.escalate_after_minutes}) if can_set else None),
        "contact_email": contact_email(agency),
    }
    return render(request, "agencies/duty_roster.html", context, status=status)


def _refuse(request, agency: Agency, message: str):
    record_denial(request.user, message, target=agency)
    raise PermissionDenied(message)


@login_required
def duty_roster(request, code: str):
    """The agency's duty roster: on duty now, the week, shifts to come; its admins and supervisors keep it."""
    return _roster_page(request, own_agency_or_404(request.user, code))


@login_required
@require_POST
def duty_shift_add(request, code: str):
    from lintas.accounts.models import User

    agency = own_agency_or_404(request.user, code)
    if not services.can_keep_roster(request.user, agency):
        _refuse(request, agency, _("Only this agency's admins and supervisors keep its duty roster."))
    officers = User.objects.visible_to(request.user).filter(agency=agency, is_active=True).order_by("username")
    form = DutyShiftForm(request.POST, agency=agency, officers=officers)
    if form.is_valid():
        try:
            services.add_shift(
                request.user,
                agency,
                officer_id=form.cleaned_data["officer"],
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                position=form.cleaned_data["position"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The shift is on the roster."))
            return redirect("agencies:duty", code=agency.code)
    return _roster_page(request, agency, shift_form=form)


@login_required
@require_POST
def duty_shift_remove(request, code: str, shift_id: int):
    agency = own_agency_or_404(request.user, code)
    shift = get_visible_or_404(
        DutyShift.objects.filter(agency=agency).select_related("agency"), request.user, pk=shift_id
    )
    if not services.can_keep_roster(request.user, agency):
        _refuse(request, agency, _("Only this agency's admins and supervisors keep its duty roster."))
    services.remove_shift(request.user, shift)
    messages.success(request, _("The shift is removed from the roster."))
    return redirect("agencies:duty", code=agency.code)


@login_required
@require_POST
def duty_escalation(request, code: str):
    agency = own_agency_or_404(request.user, code)
    if not services.can_set_escalation(request.user, agency):
        _refuse(request, agency, _("Only this agency's admins set when its urgent requests escalate."))
    form = EscalationForm(request.POST)
    if form.is_valid():
        try:
            services.set_escalation_minutes(request.user, agency, form.cleaned_data["escalate_after_minutes"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The escalation time is saved."))
            return redirect("agencies:duty", code=agency.code)
    return _roster_page(request, agency, escalation_form=form)
