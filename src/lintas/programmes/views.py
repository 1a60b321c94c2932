"""Programme pages: the list of editions, an edition with its agenda and checklist, the organisers' forms, the
agenda as iCalendar. Every edition is fetched through ``Edition.objects.visible_to`` (404 for what one may not see);
writes go through ``lintas.programmes.services``."""

import itertools
import zoneinfo

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lintas.accounts.choices import Role
from lintas.accounts.models import User
from lintas.audit.choices import Action
from lintas.audit.services import record_denial, record_event, record_read
from lintas.core.access import get_visible_or_404, parse_id
from lintas.core.charts import Chart, Series
from lintas.core.pdf import render_pdf
from lintas.core.views import add_service_errors
from lintas.programmes import cooperation, feedback, ical, materials, report, services, throttle
from lintas.programmes.attendance_csv import MAX_BYTES as MAX_EXPORT_BYTES
from lintas.programmes.choices import EditionStatus, NominationStatus, ParticipationMode
from lintas.programmes.forms import (
    AttendanceImportForm,
    ChecklistTaskForm,
    DecisionForm,
    EditionForm,
    ExpertForm,
    ExpertLinkForm,
    FeedbackForm,
    MaterialForm,
    NominationForm,
    ProgrammeForm,
    ReportForm,
    SeatsForm,
    SessionForm,
    SurveyForm,
)
from lintas.programmes.guards import edition_or_404, require_organiser, require_report_reader
from lintas.programmes.models import (
    Attendance,
    Certificate,
    Edition,
    EditionReport,
    Expert,
    Nomination,
    Programme,
    is_organiser,
)


def _edition(request, edition_id):
    return edition_or_404(request.user, edition_id)


def _organiser_of(request, edition, *, hidden: bool = False):
    require_organiser(request.user, edition, hidden=hidden)


def _organiser(request, object_type: str) -> None:
    """Pages that belong to no edition yet (a new edition, the expert directory): any programme organiser."""
    if not is_organiser(request.user):
        record_denial(request.user, "not a programme organiser", object_type=object_type)
        raise PermissionDenied(_("Only the programme's organisers may do this."))


_REFUSED = object()


def _save(request, form, write, message):
    """Run ``write`` (one service call) for a valid form: its result once saved, with ``message`` shown, or
    ``_REFUSED`` with the service's refusals shown on the form by field."""
    try:
        result = write()
    except ValidationError as error:
        add_service_errors(form, error)
        return _REFUSED
    messages.success(request, message)
    return result


@login_required
def programme_list(request):
    """Every programme with the editions the user may see, newest first."""
    editions = Edition.objects.visible_to(request.user).select_related("programme", "host_agency")
    by_programme = [
        (programme, list(rows)) for programme, rows in itertools.groupby(
            sorted(editions, key=lambda e: (e.programme.name, -e.number)), key=lambda e: e.programme
        )
    ]  # fmt: skip
    organiser = is_organiser(request.user)
    if organiser:  # a programme without editions yet is the organisers' to start
        listed = {programme.pk for programme, _rows in by_programme}
        by_programme += [(p, []) for p in Programme.objects.exclude(pk__in=listed).order_by("name")]
    return render(
        request,
        "programmes/programme_list.html",
        {
            "by_programme": by_programme,
            "can_create": organiser,
            "can_start_programme": services.may_start_programme(request.user),
        },
    )


@login_required
def programme_create(request):
    """Start a programme: the Secretariat's programme organisers (the coordinating agency of every programme)."""
    if not services.may_start_programme(request.user):
        record_denial(request.user, "not an organiser of the Secretariat", object_type="programmes.programme")
        raise PermissionDenied(_("Only the Secretariat's programme organisers start a programme."))
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        write = lambda: services.create_programme(request.user, **form.cleaned_data)  # noqa: E731
        programme = _save(request, form, write, _("Programme started: now add its first edition."))
        if programme is not _REFUSED:
            return redirect(f"{reverse('programmes:edition_create')}?programme={programme.pk}")
    return render(request, "programmes/programme_form.html", {"form": form})


def _agenda(edition):
    """The sessions grouped by their day in the edition's time zone, each with its people."""
    zone = zoneinfo.ZoneInfo(edition.time_zone)
    sessions = edition.sessions.prefetch_related("roles__expert")
    return [
        (day, list(rows))
        for day, rows in itertools.groupby(sessions, key=lambda s: timezone.localtime(s.starts_at, zone).date())
    ]


@login_required
def edition_detail(request, edition_id):
    edition = _edition(request, edition_id)
    organiser = edition.organised_by(request.user)
    context = {
        "edition": edition,
        "agenda": _agenda(edition),
        "organiser": organiser,
        "checklist": edition.checklist.select_related("owner_agency") if organiser else None,
        "co_organisers": edition.co_organisers.all(),
        "viewer_zone": timezone.get_current_timezone_name(),
        "offers": materials_and_feedback(request.user, edition),
        **participation(request, edition, organiser),
        **report_offers(request.user, edition),
    }
    return render(request, "programmes/edition_detail.html", context)


def report_offers(user, edition) -> dict:
    """What the edition page offers of the report (its readers, decision 0042), the public summary once published,
    and the viewer's own valid certificate."""
    return {
        "show_report": report.may_read_report(user, edition),
        "certificate": Certificate.objects.visible_to(user)
        .filter(nomination__edition=edition, nomination__user=user.pk, revoked_at__isnull=True)
        .first(),
        "published": EditionReport.objects.filter(edition=edition, published_at__isnull=False).exists(),
    }


def calendar_events(edition) -> list[dict]:
    """The edition's sessions as events for ``ical.calendar`` (the page and the API export the same file)."""
    return [
        {
            "uid": f"programme-session-{s.pk}",
            "start": s.starts_at,
            "end": s.ends_at,
            "summary": f"{s.get_kind_display()}: {s.topic}",
            "description": s.description,
            "location": _("Online") if s.online and not s.room else s.room or edition.venue,
        }
        for s in edition.sessions.all()
    ]


@login_required
def edition_ics(request, edition_id):
    """The edition's agenda as an iCalendar file: one event per session, in UTC."""
    edition = _edition(request, edition_id)
    body = ical.calendar(edition.title, calendar_events(edition), stamp=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="edition-{edition.pk}.ics"'
    return response


def _edition_initial(edition):
    return {
        **{name: getattr(edition, name) for name in ("title", "theme", "aims", "venue", "address", "online_link")},
        "host_agency": edition.host_agency,
        "co_organisers": list(edition.co_organisers.all()),
        "starts_on": edition.starts_on.isoformat(),
        "ends_on": edition.ends_on.isoformat(),
        "time_zone": edition.time_zone,
        "languages": ", ".join(edition.languages),
        "status": edition.status,
    }


@login_required
def edition_create(request):
    _organiser(request, "programmes.edition")
    asked = parse_id(request.GET.get("programme", "")) if request.GET.get("programme") else None
    programme = get_object_or_404(Programme, pk=asked or 0) if "programme" in request.GET else Programme.objects.first()
    if programme is None:
        raise PermissionDenied(_("There is no programme yet."))
    form = EditionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            edition = services.create_edition(
                request.user,
                programme,
                host_agency=form.cleaned_data["host_agency"],
                co_organisers=form.cleaned_data["co_organisers"],
                **form.service_fields(),
            )
        except PermissionDenied as refused:
            record_denial(request.user, str(refused), object_type="programmes.edition")
            form.add_error("host_agency", _("You organise only for your own agency or the coordinating agency."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Edition created."))
            return redirect("programmes:edition_detail", edition.pk)
    return render(request, "programmes/edition_form.html", {"form": form, "programme": programme})


@login_required
def edition_edit(request, edition_id):
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    form = EditionForm(request.POST or None, initial=_edition_initial(edition))
    form.fields["host_agency"].disabled = True  # the host is fixed: a new host is a new edition's business
    if request.method == "POST" and form.is_valid():
        saved = _save(
            request,
            form,
            lambda: services.update_edition(
                request.user, edition, co_organisers=form.cleaned_data["co_organisers"], **form.service_fields()
            ),
            _("Edition saved."),
        )
        if saved is not _REFUSED:
            return redirect("programmes:edition_detail", edition.pk)
    return render(request, "programmes/edition_form.html", {"form": form, "edition": edition})


@login_required
@require_POST
def plan_next(request, edition_id):
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    try:
        nxt = services.plan_next_edition(request.user, edition)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("programmes:edition_detail", edition.pk)
    messages.success(request, _("The next edition is planned: check its dates, theme and sessions."))
    return redirect("programmes:edition_detail", nxt.pk)


def _session_initial(session, zone):
    roles = list(session.roles.all())
    return {
        **{n: getattr(session, n) for n in ("kind", "topic", "description", "room", "online", "language")},
        "interpretation": session.interpretation,
        "starts_at": timezone.localtime(session.starts_at, zone).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(session.ends_at, zone).strftime("%Y-%m-%dT%H:%M"),
        "moderator": next((r.expert for r in roles if r.role == "moderator"), None),
        "speakers": [r.expert for r in roles if r.role == "speaker"],
        "panellists": [r.expert for r in roles if r.role == "panellist"],
    }


@login_required
def session_form(request, edition_id, session_id=None):
    """Add a session to the agenda, or change one (``session_id``), with its moderator, speakers and panellists."""
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)  # before the session's lookup: others learn nothing of which sessions exist
    session = get_object_or_404(edition.sessions, pk=session_id) if session_id is not None else None
    initial = _session_initial(session, zoneinfo.ZoneInfo(edition.time_zone)) if session else None
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields, experts = form.service_fields()
        if session is None:
            write = lambda: services.add_session(request.user, edition, experts=experts, **fields)  # noqa: E731
        else:
            write = lambda: services.update_session(request.user, session, experts=experts, **fields)  # noqa: E731
        if _save(request, form, write, _("Session saved.")) is not _REFUSED:
            return redirect("programmes:edition_detail", edition.pk)
    return render(request, "programmes/session_form.html", {"form": form, "edition": edition, "session": session})


@login_required
def checklist_task_create(request, edition_id):
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    form = ChecklistTaskForm(request.POST or None, initial={"owner_agency": edition.host_agency})
    if request.method == "POST" and form.is_valid():
        write = lambda: services.add_checklist_task(request.user, edition, **form.cleaned_data)  # noqa: E731
        if _save(request, form, write, _("Task added.")) is not _REFUSED:
            return redirect("programmes:edition_detail", edition.pk)
    return render(request, "programmes/task_form.html", {"form": form, "edition": edition})


@login_required
@require_POST
def checklist_task_done(request, edition_id, task_id):
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)  # before the task's lookup: others learn nothing of which tasks exist
    task = get_object_or_404(edition.checklist, pk=task_id)
    services.complete_checklist_task(request.user, task)
    return redirect("programmes:edition_detail", edition.pk)


@login_required
def expert_list(request):
    """The reusable expert directory: every member reads names and organisations; e-mails are for organisers."""
    return render(
        request,
        "programmes/expert_list.html",
        {"experts": Expert.objects.all(), "organiser": is_organiser(request.user)},
    )


@login_required
def expert_create(request):
    _organiser(request, "programmes.expert")
    form = ExpertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        write = lambda: services.add_expert(request.user, **form.cleaned_data)  # noqa: E731
        if _save(request, form, write, _("Expert added.")) is not _REFUSED:
            return redirect("programmes:expert_list")
    return render(request, "programmes/expert_form.html", {"form": form})


# --- Certificates, the post-programme report, cooperation after it, and the two public pages (decision 0042) --------


def _percent(rate):
    return None if rate is None else round(rate * 100, 1)


def report_charts(context: dict) -> list[Chart]:
    """The report's charts (the page draws them with Chart.js, the PDF as SVG)."""
    attendance, feedback = context["attendance"], context["feedback"]
    return [
        Chart(
            "attendance-sessions",
            _("Attendance per session"),
            "hbar",
            [s["topic"] for s in attendance["sessions"]],
            [Series(_("Participants present"), [_percent(s["rate"]) for s in attendance["sessions"]])],
            unit="%",
        ),
        Chart(
            "attendance-agencies",
            _("Attendance per agency"),
            "bar",
            [a["short_name"] for a in attendance["agencies"]],
            [Series(_("Sessions attended"), [_percent(a["rate"]) for a in attendance["agencies"]])],
            unit="%",
        ),
        Chart(
            "ratings-sessions",
            _("Average rating per session"),
            "hbar",
            [s["topic"] for s in feedback["sessions"]],
            [Series(_("Average rating (1 to 5)"), [s["average"] for s in feedback["sessions"]])],
        ),
        Chart(
            "ratings-overall",
            _("Overall ratings"),
            "bar",
            [str(score) for score in feedback["overall_distribution"]],
            [Series(_("Answers"), list(feedback["overall_distribution"].values()))],
        ),
    ]


def _report_page_context(request, edition):
    context = report.report_context(edition)
    context["charts"] = report_charts(context)
    context["organiser"] = edition.organised_by(request.user)
    context["public_part_labels"] = [
        label for key, label in report.PUBLIC_PARTS.items() if key in (context["report"].public_parts or [])
    ]
    return context


@login_required
def report_page(request, edition_id):
    """The post-programme report: who took part, sessions and experts, attendance, feedback, outcomes, next edition."""
    edition = _edition(request, edition_id)
    require_report_reader(request.user, edition)
    context = _report_page_context(request, edition)
    record_event(
        Action.REPORT_VIEWED, actor=request.user, target=edition, agency=edition.host_agency, details={"as": "page"}
    )
    return render(request, "programmes/report.html", context)


@login_required
def report_pdf(request, edition_id):
    edition = _edition(request, edition_id)
    require_report_reader(request.user, edition)
    context = _report_page_context(request, edition)
    body = render_pdf("programmes/report_pdf.html", context, request=request)
    record_event(
        Action.REPORT_VIEWED, actor=request.user, target=edition, agency=edition.host_agency, details={"as": "pdf"}
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="report-edition-{edition.pk}.pdf"'
    return response


@login_required
def report_edit(request, edition_id):
    """The organisers' texts (outcomes, reception, next edition) and the parts of the public summary."""
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    current = EditionReport.objects.filter(edition=edition).first() or EditionReport(edition=edition)
    initial = {name: getattr(current, name) for name in ("outcomes", "reception", "next_edition_plan")}
    form = ReportForm(request.POST or None, initial={**initial, "public_parts": current.public_parts})
    if request.method == "POST" and form.is_valid():
        write = lambda: services.update_report(request.user, edition, **form.cleaned_data)  # noqa: E731
        if _save(request, form, write, _("Report saved.")) is not _REFUSED:
            return redirect("programmes:report", edition.pk)
    return render(request, "programmes/report_form.html", {"form": form, "edition": edition, "report": current})


@login_required
@require_POST
def report_publish(request, edition_id):
    """Publish the public summary (``published=1``) or take it down (``published=0``)."""
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    published = request.POST.get("published") == "1"
    try:
        services.publish_report(request.user, edition, published=published)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The public summary is published.") if published else _("The public summary is withdrawn.")
        )
    return redirect("programmes:report", edition.pk)


@login_required
def certificate_list(request, edition_id):
    """The organisers' list of participants: sessions attended and their certificate, to issue or revoke."""
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    attended = report.sessions_attended(edition)
    people = (
        edition.nominations.visible_to(request.user)
        .filter(status=NominationStatus.CONFIRMED)
        .select_related("agency", "certificate")
    )
    rows = [(person, attended.get(person.pk, 0), getattr(person, "certificate", None)) for person in people]
    context = {
        "edition": edition,
        "rows": rows,
        "sessions_count": edition.sessions.count(),
        "min_share": round(services.certificate_min_share() * 100),
    }
    return render(request, "programmes/certificate_list.html", context)


def _issue(request, edition, nominations):
    try:
        issued = services.issue_certificates(request.user, edition, nominations)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(count)d certificate(s) issued.") % {"count": len(issued)})
    return redirect("programmes:certificate_list", edition.pk)


@login_required
@require_POST
def certificates_issue(request, edition_id):
    """Issue certificates to every confirmed participant who qualifies."""
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    return _issue(request, edition, None)


@login_required
@require_POST
def certificate_issue_one(request, edition_id, nomination_id):
    """Issue (or reinstate) one participant's certificate."""
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)  # before the nomination's lookup: others learn nothing of who is nominated
    nomination = get_visible_or_404(Nomination.objects.filter(edition=edition), request.user, pk=nomination_id)
    return _issue(request, edition, [nomination])


@login_required
@require_POST
def certificate_revoke(request, edition_id, certificate_id):
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    certificate = get_visible_or_404(
        Certificate.objects.filter(nomination__edition=edition), request.user, pk=certificate_id
    )
    try:
        services.revoke_certificate(request.user, certificate)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Certificate revoked."))
    return redirect("programmes:certificate_list", edition.pk)


def certificate_pdf_response(request, certificate) -> HttpResponse:
    """The certificate as a PDF, its download audited (the page and the API answer alike)."""
    nomination = certificate.nomination
    edition = nomination.edition
    url = request.build_absolute_uri(reverse("programmes_public:verify", args=[certificate.display_code]))
    context = {
        "certificate": certificate,
        "nomination": nomination,
        "edition": edition,
        "sessions_attended": report.sessions_attended(edition).get(nomination.pk, 0),
        "verify_url": url,
        "qr": segno.make(url, error="m").svg_data_uri(scale=4, dark="#12355b"),
    }
    body = render_pdf("programmes/certificate_pdf.html", context, request=request)
    record_event(
        Action.CERTIFICATE_DOWNLOADED,
        actor=request.user,
        target=certificate,
        agency=nomination.agency,
        details={"edition": edition.pk, "nomination": nomination.pk},
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


def visible_certificate(request, edition, certificate_id):
    """One valid certificate of ``edition`` the user may read (their own, an organiser's any, an agency admin's their
    officers'), else 404: a revoked certificate is not handed out again."""
    return get_visible_or_404(
        Certificate.objects.filter(nomination__edition=edition, revoked_at__isnull=True).select_related(
            "nomination__agency", "nomination__edition__host_agency", "nomination__edition__programme"
        ),
        request.user,
        pk=certificate_id,
    )


@login_required
def certificate_pdf(request, edition_id, certificate_id):
    edition = _edition(request, edition_id)
    return certificate_pdf_response(request, visible_certificate(request, edition, certificate_id))


@login_required
def cooperation_page(request, edition_id):
    """What the edition's participating agencies did together in the 12 months after it, against the 12 before."""
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    figures = cooperation.cooperation(edition, request.user.agency_id)
    before, after = figures["totals"]["before"], figures["totals"]["after"]
    labels = [_("Requests"), _("Answered"), _("Hits")]
    chart = Chart(
        "cooperation",
        _("Between participating agencies, 12 months before and after"),
        "bar",
        labels,
        [
            Series(_("12 months before"), [before["requests"], before["answered"], before["hits"]]),
            Series(_("12 months after"), [after["requests"], after["answered"], after["hits"]]),
        ],
    )
    record_event(
        Action.REPORT_VIEWED,
        actor=request.user,
        target=edition,
        agency=edition.host_agency,
        details={"as": "cooperation"},
    )
    return render(request, "programmes/cooperation.html", {"edition": edition, "figures": figures, "chart": chart})


def _throttled(request, scope: str, template: str, context: dict):
    allowed, retry_after = throttle.allow(request, scope)
    if allowed:
        return None
    response = render(request, template, {**context, "throttled": True}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def verify_certificate(request, code):
    """Public, without signing in: whether a certificate code is genuine. Shows the holder's name, the edition and
    valid or revoked, nothing else; an unknown code is the same page saying so, with 404."""
    refused = _throttled(request, "verify", "programmes/verify.html", {"code": code[:40]})
    if refused is not None:
        return refused
    normalised = services.normalise_certificate_code(code)
    certificate = (
        Certificate.objects.filter(code=normalised).select_related("nomination__edition").first()
        if normalised
        else None
    )
    context = {"code": code[:40], "certificate": certificate}
    if certificate is not None:
        context |= {"name": certificate.nomination.name, "edition_title": certificate.nomination.edition.title}
    return render(request, "programmes/verify.html", context, status=200 if certificate else 404)


def published_summary(edition_id):
    """The published report of a completed edition (for the public pages), or None."""
    pk = parse_id(edition_id)
    if pk is None:
        return None
    return (
        EditionReport.objects.filter(edition_id=pk, published_at__isnull=False, edition__status=EditionStatus.COMPLETED)
        .select_related("edition__programme", "edition__host_agency")
        .first()
    )


def public_summary(request, edition_id):
    """Public, without signing in, once published: the edition and only the parts its organisers ticked."""
    refused = _throttled(request, "summary", "programmes/public_summary.html", {})
    if refused is not None:
        return refused
    published = published_summary(edition_id)
    if published is None:
        raise Http404
    summary = report.public_summary(published.edition, published)
    return render(
        request,
        "programmes/public_summary.html",
        {"summary": summary, "text": report.summary_text(summary), "published_at": published.published_at},
    )


# --- Materials and the feedback survey (issue 16 items 4 and 5; decision 0041) --------------------------------------


def _materials_or_404(request, edition):
    """Materials are for the edition's organisers, confirmed participants and session experts: others get 404."""
    if not materials.can_read_materials(request.user, edition):
        record_denial(request.user, "not a participant, organiser or expert of this edition", target=edition)
        raise Http404


def materials_and_feedback(user, edition) -> dict:
    """What the edition page offers this user of items 4 and 5: the materials page, the survey, its results."""
    organiser = edition.organised_by(user)
    nomination = feedback.participation(user, edition)
    survey = feedback.survey_of(edition)
    return {
        "materials": organiser or nomination is not None or materials.can_read_materials(user, edition),
        "answer": nomination is not None and survey is not None and survey.is_open,
        "answered": nomination is not None and feedback.has_answered(nomination),
        "survey": organiser,
    }


@login_required
def material_list(request, edition_id):
    """The edition's materials by session, for those who may read them; upload and remove where allowed."""
    edition = _edition(request, edition_id)
    _materials_or_404(request, edition)
    visible = list(materials.materials_visible_to(request.user, edition))
    organiser = edition.organised_by(request.user)
    own_sessions = materials.expert_session_ids(request.user, edition)
    everything = organiser or materials.is_confirmed_participant(request.user, edition)
    sessions = edition.sessions.all() if everything else edition.sessions.filter(pk__in=own_sessions)
    by_session = [(session, [m for m in visible if m.session_id == session.pk]) for session in sessions]
    context = {
        "edition": edition,
        "by_session": by_session,
        "can_upload": organiser or bool(own_sessions),
        "organiser": organiser,
    }
    return render(request, "programmes/material_list.html", context)


@login_required
def material_create(request, edition_id):
    edition = _edition(request, edition_id)
    _materials_or_404(request, edition)
    sessions = edition.sessions.all()
    if not edition.organised_by(request.user):
        sessions = sessions.filter(pk__in=materials.expert_session_ids(request.user, edition))
    if not sessions.exists():
        record_denial(request.user, "may not add materials to this edition", target=edition)
        raise PermissionDenied(_("Only the organisers and the session's experts add materials."))
    form = MaterialForm(request.POST or None, request.FILES or None, sessions=sessions)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        session, upload = data.pop("session"), data.pop("file")
        write = lambda: services.add_material(request.user, session, upload=upload, **data)  # noqa: E731
        if _save(request, form, write, _("Material added.")) is not _REFUSED:
            return redirect("programmes:material_list", edition.pk)
    return render(request, "programmes/material_form.html", {"form": form, "edition": edition})


@login_required
def material_download(request, edition_id, material_id):
    """A material as a download (or its recording's link), for those who may read it; audited."""
    edition = _edition(request, edition_id)
    material = materials.get_material_or_404(request.user, edition, material_id)
    return materials.material_response(material, actor=request.user)


@login_required
@require_POST
def material_remove(request, edition_id, material_id):
    edition = _edition(request, edition_id)
    material = materials.get_material_or_404(request.user, edition, material_id)
    try:
        services.remove_material(request.user, material)
    except PermissionDenied as refused:
        record_denial(request.user, str(refused), target=material)
        raise
    messages.success(request, _("Material removed."))
    return redirect("programmes:material_list", edition.pk)


@login_required
def survey_edit(request, edition_id):
    """The organisers set up the survey: its introduction, and whether it takes answers."""
    edition = _edition(request, edition_id)
    _organiser_of(request, edition, hidden=True)  # the survey exists for its organisers only
    survey = feedback.survey_of(edition)
    initial = {"introduction": survey.introduction, "is_open": survey.is_open} if survey else None
    form = SurveyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        write = lambda: services.update_survey(request.user, edition, **form.cleaned_data)  # noqa: E731
        if _save(request, form, write, _("Survey saved.")) is not _REFUSED:
            return redirect("programmes:feedback_results", edition.pk)
    return render(request, "programmes/survey_form.html", {"form": form, "edition": edition, "survey": survey})


@login_required
def feedback_give(request, edition_id):
    """A confirmed participant answers the survey once, in the language of their interface. Others get 404."""
    edition = _edition(request, edition_id)
    nomination = feedback.participation(request.user, edition)
    if nomination is None:
        record_denial(request.user, "not a confirmed participant of this edition", target=edition)
        raise Http404
    survey = feedback.survey_of(edition)
    answered = feedback.has_answered(nomination)
    form = None
    if survey is not None and survey.is_open and not answered:
        form = FeedbackForm(request.POST or None, sessions=feedback.rateable_sessions(nomination))
        if request.method == "POST" and form.is_valid():
            write = lambda: services.give_feedback(  # noqa: E731
                request.user, edition, language=get_language(), **form.service_fields()
            )
            if _save(request, form, write, _("Thank you: your answer is recorded, without your name.")) is not _REFUSED:
                return redirect("programmes:edition_detail", edition.pk)
    elif request.method == "POST":
        messages.error(
            request,
            _("You have already answered this survey: one answer each.")
            if answered
            else _("The survey is not open for answers."),
        )
    context = {"edition": edition, "survey": survey, "form": form, "answered": answered}
    return render(request, "programmes/feedback_form.html", context, status=200)


def feedback_charts(summary: dict) -> list[Chart]:
    """The results as charts: overall distribution, average per session, most useful, each session's distribution."""
    ratings = [str(n) for n in feedback.RATINGS]
    answers = _("Answers")
    charts = [
        Chart(
            "overall",
            _("Overall rating"),
            "bar",
            ratings,
            [Series(answers, summary["overall"]["distribution"])],
        ),
        Chart(
            "session-averages",
            _("Average rating per session (1 to 5)"),
            "hbar",
            [s["topic"] for s in summary["sessions"]],
            [Series(_("Average"), [s["average"] for s in summary["sessions"]])],
        ),
        Chart(
            "most-useful",
            _("Named the most useful session"),
            "hbar",
            [s["topic"] for s in summary["most_useful"]],
            [Series(answers, [s["count"] for s in summary["most_useful"]])],
        ),
    ]
    charts += [
        Chart(f"session-{s['id']}", s["topic"], "bar", ratings, [Series(answers, s["distribution"])])
        for s in summary["sessions"]
    ]
    return charts


@login_required
def feedback_results(request, edition_id):
    """The survey's results for the edition's organisers (404 for everyone else): charts, comments, topics wanted."""
    edition = _edition(request, edition_id)
    _organiser_of(request, edition, hidden=True)  # the survey exists for its organisers only
    summary = feedback.feedback_summary(edition)
    record_read(Action.FEEDBACK_VIEWED, actor=request.user, target=edition, details={"responses": summary["responses"]})
    charts = feedback_charts(summary)
    context = {
        "edition": edition,
        "summary": summary,
        "overall_charts": charts[:3],
        "session_charts": charts[3:],
        "survey": feedback.survey_of(edition),
    }
    return render(request, "programmes/feedback_results.html", context)


# --- Seats, nominations, attendance, my agenda, expert links (decision 0040) ---------------------------------------


def _agency_admin(request, edition) -> None:
    """Nominating pages: agency admins only (refused and audited before anything of the edition is looked up)."""
    if not request.user.has_role(Role.AGENCY_ADMIN):
        record_denial(request.user, "not an agency admin", target=edition)
        raise PermissionDenied(_("Only your agency's admins nominate officers."))


def _my_nomination(request, edition):
    return (
        Nomination.objects.visible_to(request.user)
        .filter(edition=edition, user=request.user.pk)
        .exclude(status=NominationStatus.WITHDRAWN)
        .first()
    )


def participation(request, edition, organiser: bool) -> dict:
    """What the edition page shows of seats and nominations: the viewer's own nomination, the nominating link for
    agency admins, the counts against the seats for organisers."""
    mine = _my_nomination(request, edition)
    participant = mine is not None and mine.status == NominationStatus.CONFIRMED
    admin = request.user.has_role(Role.AGENCY_ADMIN)
    can_join = participant and bool(edition.online_link)
    now = timezone.now()
    return {
        "my_nomination": mine,
        "participant": participant,
        "can_join": can_join,
        # the sessions "Join online" is open for now (15 minutes before each until it ends)
        "join_now": [s for s in edition.sessions.all() if services.join_window(s, now)] if can_join else [],
        "can_nominate": admin and (edition.status == EditionStatus.OPEN_FOR_NOMINATIONS or organiser),
        "seat_rows": _seat_rows(edition) if organiser else None,
        "own_nominations": (
            Nomination.objects.visible_to(request.user).filter(edition=edition, agency=request.user.agency_id).count()
            if admin
            else 0
        ),
    }


def _seat_rows(edition, *, agency=None) -> list[dict]:
    """Per agency and mode: the seats, and the nominations by status (confirmed counts against the seats)."""
    rows: dict[tuple[str, str], dict] = {}
    seats = edition.seats.select_related("agency")
    nominations = edition.nominations.exclude(status=NominationStatus.WITHDRAWN).select_related("agency")
    if agency is not None:
        seats, nominations = seats.filter(agency=agency), nominations.filter(agency=agency)
    for seat in seats:
        rows[(seat.agency.code, seat.mode)] = {
            "agency": seat.agency,
            "mode": seat.get_mode_display(),
            "seats": seat.seats,
        }
    for nomination in nominations:
        row = rows.setdefault(
            (nomination.agency.code, nomination.mode),
            {"agency": nomination.agency, "mode": nomination.get_mode_display(), "seats": 0},
        )
        row[nomination.status] = row.get(nomination.status, 0) + 1
    for row in rows.values():
        row["full"] = row.get(NominationStatus.CONFIRMED, 0) >= row["seats"]
    return [rows[key] for key in sorted(rows)]


def _participating_agencies():
    from lintas.agencies.models import Agency

    return list(Agency.objects.filter(is_active=True).order_by("short_name"))


@login_required
def seats(request, edition_id):
    """The organisers set seats per agency and mode (on site, online)."""
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    current = {(s.agency_id, s.mode): s.seats for s in edition.seats.all()}
    form = SeatsForm(request.POST or None, agencies=_participating_agencies(), current=current)
    if request.method == "POST" and form.is_valid():
        write = lambda: services.set_seats(request.user, edition, form.allocations())  # noqa: E731
        if _save(request, form, write, _("Seats saved.")) is not _REFUSED:
            return redirect("programmes:participants", edition.pk)
    return render(request, "programmes/seats_form.html", {"form": form, "edition": edition})


@login_required
def nominate(request, edition_id):
    """An agency admin nominates officers of their own agency and sees their agency's nominations and seats."""
    edition = _edition(request, edition_id)
    _agency_admin(request, edition)
    organiser = edition.organised_by(request.user)
    users = User.objects.visible_to(request.user).filter(agency=request.user.agency_id, is_active=True)
    form = NominationForm(request.POST or None, users=users.order_by("last_name", "first_name", "username"))
    open_now = edition.status == EditionStatus.OPEN_FOR_NOMINATIONS or organiser
    if request.method == "POST" and form.is_valid():
        write = lambda: services.nominate(request.user, edition, **form.service_fields())  # noqa: E731
        if _save(request, form, write, _("Officer nominated.")) is not _REFUSED:
            return redirect("programmes:nominate", edition.pk)
    own = (
        Nomination.objects.visible_to(request.user)
        .filter(edition=edition, agency=request.user.agency_id)
        .select_related("user")
        .order_by("mode", "name")
    )
    context = {
        "edition": edition,
        "form": form,
        "open_now": open_now,
        "nominations": own,
        "seat_rows": _seat_rows(edition, agency=request.user.agency_id),
    }
    return render(request, "programmes/nominate.html", context)


@login_required
@require_POST
def nomination_withdraw(request, edition_id, nomination_id):
    edition = _edition(request, edition_id)
    _agency_admin(request, edition)
    nomination = get_visible_or_404(
        Nomination.objects.filter(edition=edition, agency=request.user.agency_id), request.user, pk=nomination_id
    )
    services.withdraw_nomination(request.user, nomination)
    messages.success(request, _("Nomination withdrawn."))
    return redirect("programmes:nominate", edition.pk)


PARTICIPANT_FILTERS = ("agency", "mode", "status")


@login_required
def participants(request, edition_id):
    """The organisers' view of the nominations: counts per agency and mode against the seats, filters, and the
    decisions (one by one or several at once)."""
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    nominations = Nomination.objects.visible_to(request.user).filter(edition=edition).select_related("agency", "user")
    chosen = {name: request.GET.get(name, "") for name in PARTICIPANT_FILTERS}
    if chosen["agency"]:
        nominations = nominations.filter(agency__code=chosen["agency"])
    if chosen["mode"] in ParticipationMode.values:
        nominations = nominations.filter(mode=chosen["mode"])
    if chosen["status"] in NominationStatus.values:
        nominations = nominations.filter(status=chosen["status"])
    all_of_edition = Nomination.objects.visible_to(request.user).filter(edition=edition)
    form = DecisionForm(request.POST or None, nominations=all_of_edition)
    if request.method == "POST":
        if form.is_valid():
            write = lambda: services.decide_nominations(  # noqa: E731
                request.user, edition, list(form.cleaned_data["nominations"]), form.cleaned_data["decision"]
            )
            if _save(request, form, write, _("Decision saved.")) is not _REFUSED:
                return redirect(request.get_full_path())
        for error in form.errors.get("__all__", []) + form.errors.get("nominations", []):
            messages.error(request, error)
    agencies = sorted({n.agency for n in all_of_edition.select_related("agency")}, key=lambda a: a.short_name)
    context = {
        "edition": edition,
        "nominations": nominations,
        "form": form,
        "seat_rows": _seat_rows(edition),
        "chosen": chosen,
        "agencies": agencies,
        "modes": ParticipationMode.choices,
        "statuses": NominationStatus.choices,
    }
    return render(request, "programmes/participants.html", context)


def _grid(edition):
    sessions = list(edition.sessions.all())
    people = list(
        edition.nominations.filter(status=NominationStatus.CONFIRMED)
        .select_related("agency")
        .order_by("agency__short_name", "name")
    )
    marks = {(a.nomination_id, a.session_id): a for a in Attendance.objects.filter(session__edition=edition)}
    rows = [(person, [(session, marks.get((person.pk, session.pk))) for session in sessions]) for person in people]
    return sessions, rows


@login_required
def attendance(request, edition_id):
    """The organisers' attendance grid: participants by sessions, one click per cell, rates per session and agency."""
    from lintas.programmes.selectors import attendance_summary

    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    sessions, rows = _grid(edition)
    context = {"edition": edition, "sessions": sessions, "rows": rows, "summary": attendance_summary(edition)}
    return render(request, "programmes/attendance.html", context)


@login_required
@require_POST
def attendance_mark(request, edition_id, session_id, nomination_id):
    """One cell of the grid: present (``present=1``) or absent (``present=0``). HTMX gets the cell back."""
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)  # before the session's and nomination's lookup
    session = get_object_or_404(edition.sessions, pk=parse_id(session_id) or 0)
    nomination = get_visible_or_404(Nomination.objects.filter(edition=edition), request.user, pk=nomination_id)
    present = request.POST.get("present") == "1"
    try:
        services.record_attendance(request.user, session, [nomination], present)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("programmes:attendance", edition.pk)
    if request.htmx:
        mark = Attendance.objects.filter(session=session, nomination=nomination).first()
        context = {"edition": edition, "session": session, "person": nomination, "mark": mark}
        return render(request, "programmes/_attendance_cell.html", context)
    return redirect("programmes:attendance", edition.pk)


@login_required
@require_POST
def attendance_all_present(request, edition_id, session_id):
    """Every confirmed participant present at one session (then a few clicks mark the absent)."""
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    session = get_object_or_404(edition.sessions, pk=parse_id(session_id) or 0)
    people = list(edition.nominations.filter(status=NominationStatus.CONFIRMED))
    if people:
        changed = services.record_attendance(request.user, session, people, True)
        messages.success(request, _("%(n)d marked present.") % {"n": changed})
    return redirect("programmes:attendance", edition.pk)


@login_required
def attendance_import(request, edition_id):
    """Upload the online platform's attendance export (Zoom, Teams, Webex: CSV with e-mail addresses)."""
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    form = AttendanceImportForm(request.POST or None, request.FILES or None, sessions=edition.sessions.all())
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_EXPORT_BYTES:
            form.add_error("file", _("The file is larger than %(n)d MB.") % {"n": MAX_EXPORT_BYTES // (1024 * 1024)})
        else:
            upload.seek(0)
            report = _save(
                request,
                form,
                lambda: services.import_attendance(
                    request.user,
                    edition,
                    upload.read(),
                    file_name=upload.name,
                    session=form.cleaned_data["session"],
                    time_zone=form.cleaned_data["time_zone"] or None,
                ),
                _("Attendance export imported."),
            )
            if report is _REFUSED:
                report = None
    return render(request, "programmes/attendance_import.html", {"edition": edition, "form": form, "report": report})


@login_required
@require_POST
def session_join(request, edition_id, session_id):
    """A confirmed participant joins a session online through Lintas: attendance recorded, then on to the platform."""
    edition = _edition(request, edition_id)
    session = get_object_or_404(edition.sessions, pk=parse_id(session_id) or 0)
    try:
        link = services.join_online(request.user, session)
    except PermissionDenied as refused:
        record_denial(request.user, str(refused), target=session)
        raise
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("programmes:edition_detail", edition.pk)
    return redirect(link)


def participant_calendar(request, edition):
    """The requesting participant's agenda of ``edition`` as iCalendar (404 unless they are a confirmed participant;
    the download is audited). The page and the API answer with this."""
    from lintas.audit.choices import Action
    from lintas.audit.services import record_read

    nomination = (
        Nomination.objects.visible_to(request.user)
        .filter(edition=edition, user=request.user.pk, status=NominationStatus.CONFIRMED)
        .first()
    )
    if nomination is None:
        raise Http404
    body = ical.calendar(edition.title, calendar_events(edition), stamp=timezone.now())
    record_read(
        Action.CALENDAR_DOWNLOADED,
        actor=request.user,
        target=nomination,
        agency=request.user.agency,
        details={"edition": edition.pk, "calendar": "participant"},
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="my-agenda-{edition.pk}.ics"'
    return response


@login_required
def my_agenda_ics(request, edition_id):
    return participant_calendar(request, _edition(request, edition_id))


def _edition_experts(edition):
    return Expert.objects.filter(roles__session__edition=edition).distinct().order_by("name")


@login_required
def expert_links(request, edition_id):
    """The organisers' personal links for experts: create one (its address is shown once), see and revoke them."""
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    form = ExpertLinkForm(request.POST or None, experts=_edition_experts(edition))
    new_url = None
    if request.method == "POST" and form.is_valid():
        made = _save(
            request,
            form,
            lambda: services.create_expert_link(
                request.user, edition, form.cleaned_data["expert"], days=form.cleaned_data["days"]
            ),
            _("Personal link created: copy it now, it is shown only once."),
        )
        if made is not _REFUSED:
            new_url = request.build_absolute_uri(reverse("programmes:expert_page", args=[made[1]]))
            form = ExpertLinkForm(experts=_edition_experts(edition))
    links = edition.expert_links.select_related("expert", "created_by")
    context = {"edition": edition, "form": form, "links": links, "new_url": new_url, "now": timezone.now()}
    return render(request, "programmes/expert_links.html", context)


@login_required
@require_POST
def expert_link_revoke(request, edition_id, link_id):
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)  # before the link's lookup
    link = get_object_or_404(edition.expert_links, pk=parse_id(link_id) or 0)
    services.revoke_expert_link(request.user, link)
    messages.success(request, _("Link revoked."))
    return redirect("programmes:expert_links", edition.pk)


def expert_page(request, token):
    """What an expert's personal link opens, without an account: their sessions in that edition (in the edition's
    time zone and the browser's) and those sessions' materials. Unknown, expired and revoked links answer the same
    404."""
    link = services.use_expert_link(token)
    if link is None:
        raise Http404
    edition = link.edition
    sessions = (
        edition.sessions.filter(roles__expert=link.expert)
        .prefetch_related("roles__expert")
        .distinct()
        .order_by("starts_at")
    )
    readable = list(materials.materials_of_expert_link(link))
    by_session = [(session, [m for m in readable if m.session_id == session.pk]) for session in sessions]
    mine = {role.session_id: role for role in link.expert.roles.filter(session__edition=edition)}
    context = {
        "link": link,
        "token": token,
        "edition": edition,
        "expert": link.expert,
        "by_session": by_session,
        "mine": mine,
    }
    return _private(render(request, "programmes/expert_page.html", context))


def expert_material(request, token, material_id):
    """A material of one of the link's expert's sessions, through the personal link (no account): the download is
    audited with the link's id. Any other material, and an unknown, expired or revoked link, answer the same 404."""
    link = services.use_expert_link(token)
    if link is None:
        raise Http404
    material = materials.expert_link_material_or_404(link, material_id)
    return _private(materials.material_response(material, actor=None, expert_link=link.pk))


def _private(response):
    """An answer to a personal link: the address is the key, never sent on to another site nor indexed."""
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
