"""Programme pages: the list of editions, an edition with its agenda and checklist, the organisers' forms, the
agenda as iCalendar. Every edition is fetched through ``Edition.objects.visible_to`` (404 for what one may not see);
writes go through ``lintas.programmes.services``."""

import itertools
import zoneinfo

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

from lintas.audit.choices import Action
from lintas.audit.services import record_denial, record_read
from lintas.core.access import get_visible_or_404, parse_id
from lintas.core.charts import Chart, Series
from lintas.core.views import add_service_errors
from lintas.programmes import feedback, ical, materials, services
from lintas.programmes.forms import (
    ChecklistTaskForm,
    EditionForm,
    ExpertForm,
    FeedbackForm,
    MaterialForm,
    ProgrammeForm,
    SessionForm,
    SurveyForm,
)
from lintas.programmes.models import Edition, Expert, Programme, is_organiser


def _edition(request, edition_id):
    return get_visible_or_404(Edition.objects.select_related("programme", "host_agency"), request.user, pk=edition_id)


def _organiser_of(request, edition):
    if not edition.organised_by(request.user):
        record_denial(request.user, "not an organiser of this edition", target=edition)
        raise PermissionDenied(_("Only the programme's organisers may do this."))


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
    }
    return render(request, "programmes/edition_detail.html", context)


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


# --- Materials and the feedback survey (issue 16 items 4 and 5; decision 0041) --------------------------------------


def _materials_or_404(request, edition):
    """Materials are for the edition's organisers, confirmed participants and session experts: others get 404."""
    if not materials.can_read_materials(request.user, edition):
        record_denial(request.user, "not a participant, organiser or expert of this edition", target=edition)
        raise Http404


def _organiser_or_404(request, edition):
    """The survey's settings and results exist for the edition's organisers only: others get 404."""
    if not edition.organised_by(request.user):
        record_denial(request.user, "not an organiser of this edition", target=edition)
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
    _organiser_or_404(request, edition)
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
    _organiser_or_404(request, edition)
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
