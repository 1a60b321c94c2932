"""Every write of the programmes app: one transaction, one audit event, the same checks for forms, API and demo.

Only organisers write (``Edition.organised_by``): the ``programme_organiser`` role in the edition's host agency or in
its programme's coordinating agency. Field values are checked with ``lintas.core.validation`` (decision 0034), so a
form and the API refuse the same things with the same messages.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.cases.choices import Tlp
from lintas.core.access import assert_still_visible, parse_id
from lintas.core.models import can_read
from lintas.core.uploads import check_upload
from lintas.core.validation import add_error, clean_date, clean_datetime, clean_integer, clean_text, raise_errors
from lintas.programmes.choices import EditionStatus, MaterialKind, NominationStatus, SessionKind, SessionRoleKind
from lintas.programmes.feedback import rateable_sessions
from lintas.programmes.materials import can_add_material, can_remove_material
from lintas.programmes.models import (
    ChecklistTask,
    Edition,
    Expert,
    FeedbackReceipt,
    FeedbackResponse,
    Material,
    Nomination,
    Programme,
    ProgrammeSession,
    SessionRating,
    SessionRole,
    Survey,
    is_organiser,
)

__all__ = [
    "YEAR_FORWARD",
    "add_checklist_task",
    "add_expert",
    "add_material",
    "add_session",
    "complete_checklist_task",
    "create_edition",
    "create_programme",
    "give_feedback",
    "issue_certificates",
    "may_start_programme",
    "plan_next_edition",
    "publish_report",
    "remove_material",
    "revoke_certificate",
    "update_edition",
    "update_report",
    "update_session",
    "update_survey",
]

# "A year later" is 52 weeks: the same weekday, one or two calendar days earlier (decision 0038). A Monday-to-Friday
# programme stays Monday to Friday, which matters more to a host booking rooms than the calendar date does.
YEAR_FORWARD = dt.timedelta(weeks=52)
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)

EDITION_TEXT = ("title", "theme", "aims", "venue", "address")
SESSION_TEXT = ("topic", "description", "room", "interpretation")


def _require_organiser(actor, *agency_ids) -> None:
    if not is_organiser(actor) or actor.agency_id not in agency_ids:
        raise PermissionDenied(_("Only the programme's organisers may do this."))


def _choice(value, choices, errors: dict, key: str, *, required: bool = True) -> str:
    if value in (None, "") and not required:
        return ""
    if value not in choices.values:
        add_error(errors, key, _("Not one of the choices."))
        return ""
    return value


def _languages(value, errors: dict) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        add_error(errors, "languages", _("Expected a list of language codes."))
        return []
    codes = [code.strip() for code in value if code.strip()]
    if len(codes) > 20 or any(len(code) > 16 or not code.replace("-", "").isalnum() for code in codes):
        add_error(errors, "languages", _("Language codes such as en, ko or th, at most 20."))
        return []
    return codes


def _time_zone(value, errors: dict) -> str:
    if not isinstance(value, str) or value not in zoneinfo.available_timezones():
        add_error(errors, "time_zone", _("Not a known time zone (e.g. Asia/Seoul)."))
        return ""
    return value


def _url(value, errors: dict, key: str) -> str:
    text = clean_text(Edition, key, value, errors)
    if text:
        try:
            URLValidator(schemes=["https", "http"])(text)
        except ValidationError:
            add_error(errors, key, _("Enter a web address starting with https://."))
            return ""
    return text


def _edition_fields(fields: dict, errors: dict, *, partial: bool) -> dict:
    """The checked values of ``fields`` (only those given when ``partial``)."""
    out = {}
    for name in EDITION_TEXT:
        if name in fields or not partial:
            out[name] = clean_text(Edition, name, fields.get(name), errors, required=name == "title")
    for name in ("starts_on", "ends_on"):
        if name in fields or not partial:
            out[name] = clean_date(fields.get(name), errors, name, earliest=EARLIEST, latest=LATEST)
            if out[name] is None and not errors.get(name):
                add_error(errors, name, _("This field is required."))
    if "online_link" in fields or not partial:
        out["online_link"] = _url(fields.get("online_link"), errors, "online_link")
    if "time_zone" in fields or not partial:
        out["time_zone"] = _time_zone(fields.get("time_zone", "UTC"), errors)
    if "languages" in fields or not partial:
        out["languages"] = _languages(fields.get("languages"), errors)
    if "status" in fields or not partial:
        out["status"] = _choice(fields.get("status", EditionStatus.PLANNING), EditionStatus, errors, "status")
    unknown = set(fields) - set(EDITION_TEXT) - {"starts_on", "ends_on", "online_link", "time_zone", "languages"}
    for name in unknown - {"status"}:
        add_error(errors, name, _("Unknown field."))
    return out


def may_start_programme(actor) -> bool:
    """Programmes are coordinated by the Secretariat: its programme organisers start them."""
    return is_organiser(actor) and actor.agency.is_secretariat


@transaction.atomic
def create_programme(actor, *, name, description="") -> Programme:
    """Start a programme coordinated by the actor's agency, which must be the Secretariat (organisers there only)."""
    if not may_start_programme(actor):
        raise PermissionDenied(_("Only the Secretariat's programme organisers start a programme."))
    errors: dict = {}
    name = clean_text(Programme, "name", name, errors, required=True)
    description = clean_text(Programme, "description", description, errors)
    if name and Programme.objects.filter(name=name).exists():
        add_error(errors, "name", _("A programme with this name exists already."))
    raise_errors(errors)
    programme = Programme.objects.create(name=name, description=description, coordinating_agency=actor.agency)
    record_event(Action.PROGRAMME_CREATED, actor=actor, target=programme, details={"name": name})
    return programme


def _check_dates(starts_on, ends_on, errors: dict) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        add_error(errors, "ends_on", _("The edition cannot end before it starts."))


@transaction.atomic
def create_edition(actor, programme: Programme, *, host_agency, co_organisers=(), number=None, **fields) -> Edition:
    """Add an edition to ``programme``, hosted by ``host_agency``; numbered after the last one unless ``number`` is
    given. The actor must be an organiser of the host or of the programme's coordinating agency."""
    _require_organiser(actor, host_agency.pk, programme.coordinating_agency_id)
    errors: dict = {}
    values = _edition_fields(fields, errors, partial=False)
    _check_dates(values.get("starts_on"), values.get("ends_on"), errors)
    if number is None:
        last = programme.editions.order_by("-number").values_list("number", flat=True).first()
        number = (last or 0) + 1
    else:
        number = clean_integer(Edition, "number", number, errors, minimum=1)
    if number and programme.editions.filter(number=number).exists():
        add_error(errors, "number", _("This programme already has an edition with that number."))
    raise_errors(errors)
    edition = Edition.objects.create(
        programme=programme, number=number, host_agency=host_agency, created_by=actor, **values
    )
    edition.co_organisers.set(co_organisers)
    assert_still_visible(edition, actor)
    record_event(
        Action.EDITION_CREATED,
        actor=actor,
        target=edition,
        agency=host_agency,
        details={"programme": programme.name, "number": number},
    )
    return edition


@transaction.atomic
def update_edition(actor, edition: Edition, co_organisers=None, **fields) -> Edition:
    """Change an edition's details or status; ``co_organisers`` (agencies) replaces the list when given."""
    edition = Edition.objects.select_for_update().select_related("programme").get(pk=edition.pk)
    _require_organiser(actor, edition.host_agency_id, edition.programme.coordinating_agency_id)
    errors: dict = {}
    values = _edition_fields(fields, errors, partial=True)
    _check_dates(values.get("starts_on", edition.starts_on), values.get("ends_on", edition.ends_on), errors)
    raise_errors(errors)
    changed = sorted(name for name, value in values.items() if getattr(edition, name) != value)
    for name, value in values.items():
        setattr(edition, name, value)
    edition.save()
    if co_organisers is not None:
        edition.co_organisers.set(co_organisers)
        changed.append("co_organisers")
    record_event(
        Action.EDITION_UPDATED, actor=actor, target=edition, agency=edition.host_agency, details={"changed": changed}
    )
    return edition


def _session_fields(edition: Edition, fields: dict, errors: dict, *, partial: bool) -> dict:
    out = {}
    for name in SESSION_TEXT:
        if name in fields or not partial:
            out[name] = clean_text(ProgrammeSession, name, fields.get(name), errors, required=name == "topic")
    if "kind" in fields or not partial:
        out["kind"] = _choice(fields.get("kind"), SessionKind, errors, "kind")
    if "language" in fields or not partial:
        out["language"] = clean_text(ProgrammeSession, "language", fields.get("language"), errors)
    if "online" in fields or not partial:
        online = fields.get("online", False)
        if not isinstance(online, bool):
            add_error(errors, "online", _("Expected true or false."))
        out["online"] = online is True
    earliest = dt.datetime.combine(EARLIEST, dt.time(), tzinfo=dt.UTC)
    latest = dt.datetime.combine(LATEST, dt.time(), tzinfo=dt.UTC)
    with timezone.override(zoneinfo.ZoneInfo(edition.time_zone)):  # a time without a zone is the edition's
        for name in ("starts_at", "ends_at"):
            if name in fields or not partial:
                out[name] = clean_datetime(fields.get(name), errors, name, earliest=earliest, latest=latest)
                if out[name] is None and not errors.get(name):
                    add_error(errors, name, _("This field is required."))
    unknown = set(fields) - set(SESSION_TEXT) - {"kind", "language", "online", "starts_at", "ends_at"}
    for name in unknown:
        add_error(errors, name, _("Unknown field."))
    return out


def _check_times(starts_at, ends_at, errors: dict) -> None:
    if starts_at and ends_at and ends_at <= starts_at:
        add_error(errors, "ends_at", _("A session ends after it starts."))


def _experts(experts, errors: dict) -> list[tuple[Expert, str]]:
    """``experts`` as (Expert, role) pairs: each expert once, each role one of the choices."""
    pairs, seen = [], set()
    for expert, role in experts or ():
        if role not in SessionRoleKind.values:
            add_error(errors, "experts", _("Not one of the choices."))
        elif expert.pk in seen:
            add_error(errors, "experts", _("%(name)s is named twice.") % {"name": expert.name})
        else:
            seen.add(expert.pk)
            pairs.append((expert, role))
    return pairs


@transaction.atomic
def add_session(actor, edition: Edition, *, experts=(), **fields) -> ProgrammeSession:
    """Add a session to the agenda with its people (``experts``: pairs of Expert and role)."""
    _require_organiser(actor, edition.host_agency_id, edition.programme.coordinating_agency_id)
    errors: dict = {}
    values = _session_fields(edition, fields, errors, partial=False)
    _check_times(values.get("starts_at"), values.get("ends_at"), errors)
    pairs = _experts(experts, errors)
    raise_errors(errors)
    session = ProgrammeSession.objects.create(edition=edition, **values)
    SessionRole.objects.bulk_create(SessionRole(session=session, expert=e, role=r) for e, r in pairs)
    record_event(
        Action.SESSION_ADDED,
        actor=actor,
        target=session,
        agency=edition.host_agency,
        details={"edition": edition.pk, "experts": [[e.pk, r] for e, r in pairs]},
    )
    return session


@transaction.atomic
def update_session(actor, session: ProgrammeSession, *, experts=None, **fields) -> ProgrammeSession:
    """Change a session; ``experts`` (pairs of Expert and role) replaces its people when given."""
    session = ProgrammeSession.objects.select_for_update().select_related("edition__programme").get(pk=session.pk)
    edition = session.edition
    _require_organiser(actor, edition.host_agency_id, edition.programme.coordinating_agency_id)
    errors: dict = {}
    values = _session_fields(edition, fields, errors, partial=True)
    _check_times(values.get("starts_at", session.starts_at), values.get("ends_at", session.ends_at), errors)
    pairs = _experts(experts, errors) if experts is not None else None
    raise_errors(errors)
    changed = sorted(name for name, value in values.items() if getattr(session, name) != value)
    for name, value in values.items():
        setattr(session, name, value)
    session.save()
    if pairs is not None:
        session.roles.all().delete()
        SessionRole.objects.bulk_create(SessionRole(session=session, expert=e, role=r) for e, r in pairs)
        changed.append("experts")
    record_event(
        Action.SESSION_UPDATED, actor=actor, target=session, agency=edition.host_agency, details={"changed": changed}
    )
    return session


@transaction.atomic
def add_expert(actor, *, user=None, **fields) -> Expert:
    """Add a person to the reusable expert directory (any organiser may)."""
    if not is_organiser(actor):
        raise PermissionDenied(_("Only the programme's organisers may do this."))
    errors: dict = {}
    values = {
        name: clean_text(Expert, name, fields.get(name), errors, required=name == "name")
        for name in ("name", "title", "organisation", "biography", "email")
    }
    if values["email"]:
        try:
            EmailValidator()(values["email"])
        except ValidationError:
            add_error(errors, "email", _("Enter a valid e-mail address."))
    for name in set(fields) - set(values):
        add_error(errors, name, _("Unknown field."))
    raise_errors(errors)
    expert = Expert.objects.create(user=user, **values)
    record_event(Action.EXPERT_ADDED, actor=actor, target=expert, details={"name": expert.name})
    return expert


@transaction.atomic
def add_checklist_task(actor, edition: Edition, *, title, owner_agency, due_on=None) -> ChecklistTask:
    """Add a coordination task, owned by one agency (the host or the Secretariat, usually)."""
    _require_organiser(actor, edition.host_agency_id, edition.programme.coordinating_agency_id)
    errors: dict = {}
    title = clean_text(ChecklistTask, "title", title, errors, required=True)
    due_on = clean_date(due_on, errors, "due_on", earliest=EARLIEST, latest=LATEST)
    raise_errors(errors)
    task = ChecklistTask.objects.create(edition=edition, title=title, owner_agency=owner_agency, due_on=due_on)
    record_event(
        Action.CHECKLIST_TASK_ADDED,
        actor=actor,
        target=task,
        agency=edition.host_agency,
        details={"edition": edition.pk, "title": title},
    )
    return task


@transaction.atomic
def complete_checklist_task(actor, task: ChecklistTask) -> ChecklistTask:
    """Mark a task done (doing it twice changes nothing and records nothing)."""
    task = ChecklistTask.objects.select_for_update().select_related("edition__programme").get(pk=task.pk)
    edition = task.edition
    _require_organiser(actor, edition.host_agency_id, edition.programme.coordinating_agency_id)
    if task.done:
        return task
    task.done, task.done_at = True, timezone.now()
    task.save(update_fields=["done", "done_at"])
    record_event(Action.CHECKLIST_TASK_DONE, actor=actor, target=task, agency=edition.host_agency)
    return task


def _forward(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """``moment`` 52 weeks later at the same wall-clock time in the edition's zone (a DST change does not move a
    09:00 opening to 08:00)."""
    local = moment.astimezone(zone).replace(tzinfo=None) + YEAR_FORWARD
    return local.replace(tzinfo=zone)


@transaction.atomic
def plan_next_edition(actor, edition: Edition) -> Edition:
    """Copy ``edition``'s structure into a new edition in planning, number + 1, 52 weeks later: the same host,
    co-organisers, venue and languages; every session with its people at the same weekday and local time; every
    checklist task not done with its due date moved alike; the feedback survey's introduction (closed, no answers).
    Refused when the next number exists already."""
    edition = Edition.objects.select_related("programme").get(pk=edition.pk)
    _require_organiser(actor, edition.host_agency_id, edition.programme.coordinating_agency_id)
    number = edition.number + 1
    if edition.programme.editions.filter(number=number).exists():
        raise ValidationError({"number": [_("The next edition (number %(n)d) exists already.") % {"n": number}]})
    ordinal = _("Edition %(n)d") % {"n": number}
    nxt = Edition.objects.create(
        programme=edition.programme,
        number=number,
        title=f"{ordinal}: {edition.programme.name}"[: Edition._meta.get_field("title").max_length],
        theme="",
        aims=edition.aims,
        host_agency=edition.host_agency,
        starts_on=edition.starts_on + YEAR_FORWARD,
        ends_on=edition.ends_on + YEAR_FORWARD,
        venue=edition.venue,
        address=edition.address,
        online_link=edition.online_link,
        time_zone=edition.time_zone,
        languages=list(edition.languages),
        status=EditionStatus.PLANNING,
        created_by=actor,
    )
    nxt.co_organisers.set(edition.co_organisers.all())
    zone = zoneinfo.ZoneInfo(edition.time_zone)
    for session in edition.sessions.prefetch_related("roles"):
        copy = ProgrammeSession.objects.create(
            edition=nxt,
            kind=session.kind,
            topic=session.topic,
            description=session.description,
            starts_at=_forward(session.starts_at, zone),
            ends_at=_forward(session.ends_at, zone),
            room=session.room,
            online=session.online,
            language=session.language,
            interpretation=session.interpretation,
        )
        SessionRole.objects.bulk_create(
            SessionRole(session=copy, expert_id=role.expert_id, role=role.role) for role in session.roles.all()
        )
    ChecklistTask.objects.bulk_create(
        ChecklistTask(
            edition=nxt,
            title=task.title,
            owner_agency_id=task.owner_agency_id,
            due_on=task.due_on + YEAR_FORWARD if task.due_on else None,
        )
        for task in edition.checklist.all()
    )
    _copy_survey_forward(edition, nxt)
    assert_still_visible(nxt, actor)
    record_event(
        Action.EDITION_PLANNED,
        actor=actor,
        target=nxt,
        agency=nxt.host_agency,
        details={"from_edition": edition.pk, "number": number},
    )
    return nxt


# --- Certificates of participation and the post-programme report (issue 16 item 6; decision 0042) -------------------

# 32 symbols without the look-alikes 0/O and 1/I: a code read aloud or typed from paper is not misread. 12 of them are
# 60 bits (32**12 ≈ 1.15e18): at the verification page's rate limit, guessing one valid code of thousands would take
# longer than the universe has existed.
CERTIFICATE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CERTIFICATE_CODE_LENGTH = 12
# The share of the edition's sessions a participant must have attended for a certificate; 0 means "any attendance"
# (at least one session). Settable as LINTAS_PROGRAMME_CERTIFICATE_MIN_SHARE in Django settings.
DEFAULT_CERTIFICATE_MIN_SHARE = 0.0
REPORT_TEXT = ("outcomes", "reception", "next_edition_plan")


def new_certificate_code() -> str:
    import secrets

    return "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(CERTIFICATE_CODE_LENGTH))


def normalise_certificate_code(value: str) -> str:
    """A code as typed (any case, with dashes or spaces) as stored; an empty string when it cannot be one."""
    code = "".join(str(value).split()).replace("-", "").upper()
    if len(code) != CERTIFICATE_CODE_LENGTH or any(ch not in CERTIFICATE_ALPHABET for ch in code):
        return ""
    return code


def certificate_min_share() -> float:
    from django.conf import settings

    share = float(getattr(settings, "LINTAS_PROGRAMME_CERTIFICATE_MIN_SHARE", DEFAULT_CERTIFICATE_MIN_SHARE))
    return min(max(share, 0.0), 1.0)


def _require_edition_organiser(actor, edition: Edition) -> None:
    _require_organiser(actor, edition.host_agency_id, edition.programme.coordinating_agency_id)


@transaction.atomic
def issue_certificates(actor, edition: Edition, nominations=None):
    """Issue certificates of participation: to ``nominations`` (of this edition) when given, else to every confirmed
    participant who qualifies. A participant qualifies when confirmed and present at at least one session and at
    least ``certificate_min_share()`` of the edition's sessions. Those who hold a valid certificate keep it (issuing
    again changes nothing); a revoked one named in ``nominations`` is reinstated with its code. Returns the
    certificates issued or reinstated now. Organisers only, once the edition is running or completed."""
    from lintas.programmes.choices import NominationStatus
    from lintas.programmes.models import Certificate, Nomination
    from lintas.programmes.report import sessions_attended

    _require_edition_organiser(actor, edition)
    if edition.status not in (EditionStatus.RUNNING, EditionStatus.COMPLETED):
        raise ValidationError({"__all__": [_("Certificates are issued once the edition is running or completed.")]})
    named = nominations is not None
    chosen = list(
        Nomination.objects.select_for_update()
        .filter(edition=edition, **({"pk__in": [n.pk for n in nominations]} if named else {}))
        .order_by("pk")
    )
    if named and len(chosen) != len({n.pk for n in nominations}):
        raise ValidationError({"nominations": [_("Name participants of this edition only.")]})
    attended = sessions_attended(edition)
    total = edition.sessions.count()
    share = certificate_min_share()
    existing = {
        c.nomination_id: c for c in Certificate.objects.select_for_update().filter(nomination__in=chosen).order_by()
    }
    errors: dict = {}
    issued = []
    for nomination in chosen:
        count = attended.get(nomination.pk, 0)
        qualifies = (
            nomination.status == NominationStatus.CONFIRMED and count > 0 and (not total or count / total >= share)
        )
        if not qualifies:
            if named:
                add_error(
                    errors,
                    "nominations",
                    _("%(name)s is not a confirmed participant with the attendance a certificate needs.")
                    % {"name": nomination.name},
                )
            continue
        certificate = existing.get(nomination.pk)
        if certificate is not None and (certificate.revoked_at is None or not named):
            continue
        if certificate is not None:
            certificate.revoked_at = None
            certificate.issued_by = actor
            certificate.save(update_fields=["revoked_at", "issued_by"])
        else:
            code = new_certificate_code()
            while Certificate.objects.filter(code=code).exists():  # 60 bits: practically never
                code = new_certificate_code()
            certificate = Certificate.objects.create(nomination=nomination, code=code, issued_by=actor)
        issued.append(certificate)
    raise_errors(errors)
    for certificate in issued:
        record_event(
            Action.CERTIFICATE_ISSUED,
            actor=actor,
            target=certificate,
            agency=edition.host_agency,
            details={
                "edition": edition.pk,
                "nomination": certificate.nomination_id,
                "sessions_attended": attended.get(certificate.nomination_id, 0),
            },
        )
    return issued


@transaction.atomic
def revoke_certificate(actor, certificate):
    """Revoke a certificate: its public verification page says "revoked" from now on. Organisers only."""
    from lintas.programmes.models import Certificate

    certificate = (
        Certificate.objects.select_for_update().select_related("nomination__edition__programme").get(pk=certificate.pk)
    )
    edition = certificate.nomination.edition
    _require_edition_organiser(actor, edition)
    if certificate.revoked_at is not None:
        raise ValidationError({"__all__": [_("This certificate is already revoked.")]})
    certificate.revoked_at = timezone.now()
    certificate.save(update_fields=["revoked_at"])
    record_event(
        Action.CERTIFICATE_REVOKED,
        actor=actor,
        target=certificate,
        agency=edition.host_agency,
        details={"edition": edition.pk, "nomination": certificate.nomination_id},
    )
    return certificate


def _report_for_update(edition: Edition):
    from lintas.programmes.models import EditionReport

    EditionReport.objects.get_or_create(edition=edition)
    return EditionReport.objects.select_for_update().get(edition=edition)


@transaction.atomic
def update_report(actor, edition: Edition, **fields):
    """Change what the organisers add to the report: ``outcomes``, ``reception``, ``next_edition_plan`` (text) and
    ``public_parts`` (keys of ``lintas.programmes.report.PUBLIC_PARTS``). Only the fields given change."""
    from lintas.programmes.models import EditionReport
    from lintas.programmes.report import PUBLIC_PARTS

    _require_edition_organiser(actor, edition)
    errors: dict = {}
    values = {}
    for name in REPORT_TEXT:
        if name in fields:
            values[name] = clean_text(EditionReport, name, fields[name], errors)
    if "public_parts" in fields:
        parts = fields["public_parts"]
        if not isinstance(parts, list | tuple) or not all(isinstance(p, str) for p in parts):
            add_error(errors, "public_parts", _("Expected a list of parts."))
        elif set(parts) - set(PUBLIC_PARTS):
            add_error(
                errors,
                "public_parts",
                _("Unknown part: %(parts)s") % {"parts": ", ".join(sorted(set(parts) - set(PUBLIC_PARTS)))[:200]},
            )
        else:
            values["public_parts"] = [key for key in PUBLIC_PARTS if key in parts]
    for name in set(fields) - set(REPORT_TEXT) - {"public_parts"}:
        add_error(errors, name, _("Unknown field."))
    raise_errors(errors)
    report = _report_for_update(edition)
    changed = sorted(name for name, value in values.items() if getattr(report, name) != value)
    for name, value in values.items():
        setattr(report, name, value)
    report.updated_by = actor
    report.save()
    record_event(
        Action.REPORT_UPDATED, actor=actor, target=report, agency=edition.host_agency, details={"changed": changed}
    )
    return report


@transaction.atomic
def publish_report(actor, edition: Edition, *, published: bool = True):
    """Publish the public summary (reachable without signing in, with only the ticked parts) or take it down.
    Publishing needs a completed edition."""
    _require_edition_organiser(actor, edition)
    if published and edition.status != EditionStatus.COMPLETED:
        raise ValidationError({"__all__": [_("Publish the summary once the edition is completed.")]})
    report = _report_for_update(edition)
    if published:
        report.published_at = report.published_at or timezone.now()
        action = Action.REPORT_PUBLISHED
    else:
        report.published_at = None
        action = Action.REPORT_UPDATED
    report.updated_by = actor
    report.save()
    record_event(
        action,
        actor=actor,
        target=report,
        agency=edition.host_agency,
        details={"published": published, "parts": list(report.public_parts)},
    )
    return report


# --- Materials and the feedback survey (issue 16 items 4 and 5; decision 0041) --------------------------------------


def _copy_survey_forward(edition: Edition, nxt: Edition) -> None:
    """The next edition's survey starts from this one's introduction, closed."""
    survey = Survey.objects.filter(edition=edition).first()
    if survey is not None:
        Survey.objects.create(edition=nxt, introduction=survey.introduction, is_open=False)


def _material_link(value, errors: dict) -> str:
    text = clean_text(Material, "link", value, errors)
    if text:
        try:
            URLValidator(schemes=["https", "http"])(text)
        except ValidationError:
            add_error(errors, "link", _("Enter a web address starting with https://."))
            return ""
    return text


def _language_code(model, value, errors: dict, key: str = "language") -> str:
    code = clean_text(model, "language", value, errors, key=key)
    if code and (len(code) > 16 or not code.replace("-", "").isalnum()):
        add_error(errors, key, _("A language code such as en, ko or th."))
        return ""
    return code


@transaction.atomic
def add_material(
    actor, session: ProgrammeSession, *, kind, title, language="", tlp=Tlp.GREEN, upload=None, link=""
) -> Material:
    """Add slides, a paper or a recording to ``session``: a file (``upload``, checked as request attachments are:
    type from the content, size, SHA-256, a random stored name) or, for a recording only, a ``link``. The edition's
    organisers and the session's own experts who are Lintas users may."""
    session = ProgrammeSession.objects.select_related("edition__programme", "edition__host_agency").get(pk=session.pk)
    if not can_add_material(actor, session):
        raise PermissionDenied(_("Only the organisers and the session's experts add materials."))
    errors: dict = {}
    kind = _choice(kind, MaterialKind, errors, "kind")
    title = clean_text(Material, "title", title, errors, required=True)
    language = _language_code(Material, language, errors)
    tlp = _choice(tlp, Tlp, errors, "tlp")
    link = _material_link(link, errors)
    if upload is not None and link:
        add_error(errors, "link", _("Give a file or a link, not both."))
    elif upload is None and not link:
        add_error(errors, "file", _("Choose a file (or, for a recording, give its link)."))
    elif link and kind and kind != MaterialKind.RECORDING:
        add_error(errors, "link", _("Only a recording may be a link; slides and papers are uploaded as files."))
    raise_errors(errors)
    checked = check_upload(upload) if upload is not None else None
    material = Material(
        session=session, kind=kind, title=title, language=language, tlp=tlp, link=link, uploaded_by=actor
    )
    if checked is not None:
        material.original_name = checked.original_name
        material.content_type = checked.content_type
        material.size = checked.size
        material.sha256 = checked.sha256
        material.file.save("upload", upload, save=False)  # under a random name (models.material_path)
    material.save()
    record_event(
        Action.MATERIAL_ADDED,
        actor=actor,
        target=material,
        agency=session.edition.host_agency,
        details={
            "edition": session.edition_id,
            "session": session.pk,
            "title": title,
            "name": material.original_name,
            "sha256": material.sha256,
            "link": bool(link),
        },
    )
    return material


@transaction.atomic
def remove_material(actor, material: Material) -> None:
    """Remove a material: the edition's organisers any, its uploader their own. The stored file goes once the
    removal is committed (a rolled-back removal keeps it)."""
    material = Material.objects.select_related("session__edition__programme", "session__edition__host_agency").get(
        pk=material.pk
    )
    if not can_remove_material(actor, material):
        raise PermissionDenied(_("Only the organisers and whoever uploaded it remove a material."))
    edition = material.session.edition
    details = {
        "edition": edition.pk,
        "session": material.session_id,
        "title": material.title,
        "name": material.original_name,
        "sha256": material.sha256,
    }
    record_event(
        Action.MATERIAL_REMOVED,
        actor=actor,
        object_type=Material._meta.label_lower,
        object_id=str(material.pk),
        agency=edition.host_agency,
        details=details,
    )
    stored, name = material.file.storage, material.file.name
    material.delete()
    if name:
        transaction.on_commit(lambda: stored.delete(name))


@transaction.atomic
def update_survey(actor, edition: Edition, *, introduction=None, is_open=None) -> Survey:
    """Set up, change, open or close ``edition``'s feedback survey (its organisers). Only what is given changes."""
    edition = Edition.objects.select_related("programme").get(pk=edition.pk)
    _require_organiser(actor, edition.host_agency_id, edition.programme.coordinating_agency_id)
    errors: dict = {}
    values = {}
    if introduction is not None:
        values["introduction"] = clean_text(Survey, "introduction", introduction, errors)
    if is_open is not None:
        if not isinstance(is_open, bool):
            add_error(errors, "is_open", _("Expected true or false."))
        values["is_open"] = is_open is True
    raise_errors(errors)
    survey, _created = Survey.objects.select_for_update().get_or_create(edition=edition)
    changed = sorted(name for name, value in values.items() if getattr(survey, name) != value)
    for name, value in values.items():
        setattr(survey, name, value)
    survey.save()
    record_event(
        Action.SURVEY_UPDATED,
        actor=actor,
        target=survey,
        agency=edition.host_agency,
        details={"edition": edition.pk, "changed": changed, "is_open": survey.is_open},
    )
    return survey


def _already_answered(nomination: Nomination) -> bool:
    return FeedbackReceipt.objects.filter(nomination=nomination).exists()


def _session_ratings(ratings, allowed: set[int], errors: dict) -> dict[int, int]:
    """``ratings`` (pairs of session id and rating, or a dict) checked: sessions the participant may rate, each
    once, each rated 1 to 5."""
    pairs = ratings.items() if isinstance(ratings, dict) else (ratings or ())
    out: dict[int, int] = {}
    for session_id, rating in pairs:
        pk = parse_id(session_id)
        if pk is None or pk not in allowed:
            add_error(errors, "ratings", _("Rate only sessions of this edition that you could attend."))
            continue
        if pk in out:
            add_error(errors, "ratings", _("Each session is rated once."))
            continue
        value = clean_integer(SessionRating, "rating", rating, errors, minimum=1, maximum=5, key="ratings")
        if value is not None:
            out[pk] = value
    return out


@transaction.atomic
def give_feedback(
    actor,
    edition: Edition,
    *,
    overall_rating,
    ratings=(),
    most_useful=None,
    comments="",
    topics_wanted="",
    language="",
) -> FeedbackReceipt:
    """Record a confirmed participant's one answer to ``edition``'s open survey.

    Two rows in one transaction: the anonymous ``FeedbackResponse`` (random key, no time, no person) with its session
    ratings, and the participant's ``FeedbackReceipt`` (that they answered, on which day; unique per nomination, so
    a second answer is refused even when two arrive at once). Nothing links the two, and the audit event names the
    edition, never the response. ``ratings``: session id -> 1..5 for sessions the participant could attend;
    ``most_useful``: one such session's id; ``language``: the language the form was shown in."""
    nomination = (
        Nomination.objects.select_for_update()
        .filter(edition=edition, user=actor.pk, status=NominationStatus.CONFIRMED)
        .first()
        if can_read(actor)
        else None
    )
    if nomination is None:
        raise PermissionDenied(_("Only the edition's confirmed participants answer its survey."))
    survey = Survey.objects.filter(edition=edition).first()
    if survey is None or not survey.is_open:
        raise ValidationError({"__all__": [_("The survey is not open for answers.")]})
    already = ValidationError({"__all__": [_("You have already answered this survey: one answer each.")]})
    if _already_answered(nomination):
        raise already
    errors: dict = {}
    allowed = set(rateable_sessions(nomination).values_list("pk", flat=True))
    overall = clean_integer(FeedbackResponse, "overall_rating", overall_rating, errors, minimum=1, maximum=5)
    session_ratings = _session_ratings(ratings, allowed, errors)
    useful = None
    if most_useful not in (None, ""):
        useful = parse_id(most_useful)
        if useful is None or useful not in allowed:
            add_error(errors, "most_useful", _("Choose one of the sessions of this edition."))
    comments = clean_text(FeedbackResponse, "comments", comments, errors)
    topics_wanted = clean_text(FeedbackResponse, "topics_wanted", topics_wanted, errors)
    language = language if language in {code for code, _name in settings.LANGUAGES} else ""
    raise_errors(errors)
    try:
        with transaction.atomic():  # the unique receipt is the guard against a concurrent second answer
            receipt = FeedbackReceipt.objects.create(
                survey=survey, nomination=nomination, answered_on=timezone.localdate()
            )
    except IntegrityError:
        raise already from None
    response = FeedbackResponse.objects.create(
        survey=survey,
        language=language,
        overall_rating=overall,
        most_useful_id=useful,
        comments=comments,
        topics_wanted=topics_wanted,
    )
    SessionRating.objects.bulk_create(
        SessionRating(response=response, session_id=pk, rating=value) for pk, value in session_ratings.items()
    )
    record_event(
        Action.FEEDBACK_GIVEN,
        actor=actor,
        target=survey,
        agency=edition.host_agency,
        details={"edition": edition.pk},  # never the response: the receipt and the answer stay apart
    )
    return receipt
