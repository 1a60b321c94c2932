"""Every write of the programmes app: one transaction, one audit event, the same checks for forms, API and demo.

Only organisers write (``Edition.organised_by``): the ``programme_organiser`` role in the edition's host agency or in
its programme's coordinating agency. Field values are checked with ``lintas.core.validation`` (decision 0034), so a
form and the API refuse the same things with the same messages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.cases.choices import Tlp
from lintas.core.access import assert_still_visible, parse_id
from lintas.core.models import can_read
from lintas.core.uploads import check_upload
from lintas.core.validation import add_error, clean_date, clean_datetime, clean_integer, clean_text, raise_errors
from lintas.programmes.choices import (
    AttendanceSource,
    EditionStatus,
    MaterialKind,
    NominationStatus,
    ParticipationMode,
    SessionKind,
    SessionRoleKind,
)
from lintas.programmes.feedback import rateable_sessions
from lintas.programmes.materials import can_add_material, can_remove_material
from lintas.programmes.models import (
    Attendance,
    ChecklistTask,
    Edition,
    Expert,
    ExpertLink,
    FeedbackReceipt,
    FeedbackResponse,
    Material,
    Nomination,
    Programme,
    ProgrammeSession,
    SeatAllocation,
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
    "create_expert_link",
    "create_programme",
    "decide_nominations",
    "give_feedback",
    "import_attendance",
    "issue_certificates",
    "join_online",
    "may_start_programme",
    "nominate",
    "plan_next_edition",
    "publish_report",
    "record_attendance",
    "remove_material",
    "revoke_certificate",
    "revoke_expert_link",
    "set_seats",
    "update_edition",
    "update_report",
    "update_session",
    "update_survey",
    "use_expert_link",
    "withdraw_nomination",
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


def _require_edition_organiser(actor, edition: Edition) -> None:
    """Only ``edition``'s organisers (its host's or its programme's coordinating agency's)."""
    _require_organiser(actor, edition.host_agency_id, edition.programme.coordinating_agency_id)


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


def _lock_numbering(programme_id: int) -> None:
    """Hold the programme's row until the transaction ends, so two editions created at once are numbered one after
    the other instead of the second failing on the unique number (a 500). SQLite serialises writers anyway."""
    list(Programme.objects.select_for_update().filter(pk=programme_id).values_list("pk", flat=True))


@transaction.atomic
def create_edition(actor, programme: Programme, *, host_agency, co_organisers=(), number=None, **fields) -> Edition:
    """Add an edition to ``programme``, hosted by ``host_agency``; numbered after the last one unless ``number`` is
    given. The actor must be an organiser of the host or of the programme's coordinating agency."""
    _require_organiser(actor, host_agency.pk, programme.coordinating_agency_id)
    _lock_numbering(programme.pk)
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
    _require_edition_organiser(actor, edition)
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
    _require_edition_organiser(actor, edition)
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
    _require_edition_organiser(actor, edition)
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
    _require_edition_organiser(actor, edition)
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
    _require_edition_organiser(actor, edition)
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
    _require_edition_organiser(actor, edition)
    _lock_numbering(edition.programme_id)
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
# (at least one session): settings.PROGRAMME_CERTIFICATE_MIN_PERCENT (LINTAS_PROGRAMME_CERTIFICATE_MIN_PERCENT).
REPORT_TEXT = ("outcomes", "reception", "next_edition_plan")


def new_certificate_code() -> str:

    return "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(CERTIFICATE_CODE_LENGTH))


def normalise_certificate_code(value: str) -> str:
    """A code as typed (any case, with dashes or spaces) as stored; an empty string when it cannot be one."""
    code = "".join(str(value).split()).replace("-", "").upper()
    if len(code) != CERTIFICATE_CODE_LENGTH or any(ch not in CERTIFICATE_ALPHABET for ch in code):
        return ""
    return code


def certificate_min_share() -> float:

    return settings.PROGRAMME_CERTIFICATE_MIN_PERCENT / 100


@transaction.atomic
def issue_certificates(actor, edition: Edition, nominations=None):
    """Issue certificates of participation: to ``nominations`` (of this edition) when given, else to every confirmed
    participant who qualifies. A participant qualifies when confirmed and present at at least one session and at
    least ``certificate_min_share()`` of the edition's sessions. Those who hold a valid certificate keep it (issuing
    again changes nothing); a revoked one named in ``nominations`` is reinstated with its code. Returns the
    certificates issued or reinstated now. Organisers only, once the edition is running or completed."""
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
    _require_edition_organiser(actor, edition)
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


# --- Seats, nominations, attendance, expert links (issue 16 item 3; decision 0040) ---------------------------------
# Seats are set by the organisers per agency and mode. An agency admin nominates officers of their own agency, as
# many as they like, while the edition is open for nominations; the organisers confirm at most the seats of each
# agency and mode (confirming beyond is refused), wait-list or decline. Attendance is recorded by the organisers (on
# site), by the participant's own "Join online", or from the online platform's export. Experts without an account
# get a personal link (only its SHA-256 is kept) that expires and may be revoked.

SEAT_CAP = 500  # seats per agency and mode: a typing error beyond
JOIN_EARLY = dt.timedelta(minutes=15)  # "Join online" opens this long before a session starts
EXPERT_LINK_DAYS = (1, 180)
DECISIONS = (NominationStatus.CONFIRMED, NominationStatus.WAIT_LISTED, NominationStatus.DECLINED)


def _locked_edition(edition: Edition) -> Edition:
    """The edition row locked: seat counts and confirmations of one edition are decided one writer at a time."""
    return Edition.objects.select_for_update().select_related("programme", "host_agency").get(pk=edition.pk)


def _label(agency_code: str, mode: str) -> str:
    return f"{agency_code.upper()} {ParticipationMode(mode).label}"


def confirmed_counts(edition: Edition, *, exclude=()) -> dict[tuple[int, str], int]:
    """Confirmed nominations of ``edition`` per (agency id, mode), leaving out the nominations ``exclude`` names."""
    rows = (
        edition.nominations.filter(status=NominationStatus.CONFIRMED)
        .exclude(pk__in=[n.pk for n in exclude])
        .values_list("agency_id", "mode")
        .annotate(n=Count("pk"))
    )
    return {(agency, mode): n for agency, mode, n in rows}


@transaction.atomic
def set_seats(actor, edition: Edition, allocations) -> list[SeatAllocation]:
    """Replace the edition's seats with ``allocations``: (agency, mode, seats) triples; an agency and mode not listed,
    or listed with 0 seats, has none. Refused below the nominations already confirmed for an agency and mode."""
    edition = _locked_edition(edition)
    _require_edition_organiser(actor, edition)
    errors: dict = {}
    wanted: dict[tuple[int, str], tuple] = {}
    for agency, mode, seats in allocations:
        key = f"{agency.code}.{mode}"
        if mode not in ParticipationMode.values:
            add_error(errors, key, _("Not one of the choices."))
            continue
        number = clean_integer(SeatAllocation, "seats", seats, errors, minimum=0, maximum=SEAT_CAP, key=key)
        if (agency.pk, mode) in wanted:
            add_error(errors, key, _("%(what)s is named twice.") % {"what": _label(agency.code, mode)})
        elif number is not None:
            wanted[(agency.pk, mode)] = (agency, mode, number)
    codes = dict(Agency.objects.values_list("pk", "code"))
    for (agency_id, mode), confirmed in confirmed_counts(edition).items():
        seats = wanted.get((agency_id, mode), (None, None, 0))[2]
        if seats < confirmed:
            add_error(
                errors,
                f"{codes[agency_id]}.{mode}",
                _("%(what)s has %(n)d confirmed participants: at least %(n)d seats.")
                % {"what": _label(codes[agency_id], mode), "n": confirmed},
            )
    raise_errors(errors)
    before = {(s.agency_id, s.mode): s.seats for s in edition.seats.all()}
    after = {key: number for key, (_a, _m, number) in wanted.items() if number > 0}
    if before == after:  # nothing changes, so nothing is written (and there is nothing to audit)
        return list(edition.seats.all())
    edition.seats.all().delete()
    rows = SeatAllocation.objects.bulk_create(
        SeatAllocation(edition=edition, agency=agency, mode=mode, seats=number)
        for agency, mode, number in wanted.values()
        if number > 0
    )
    record_event(
        Action.SEATS_SET,
        actor=actor,
        target=edition,
        agency=edition.host_agency,
        details={"seats": {f"{codes[a]}.{m}": n for (a, m), n in sorted(after.items())}},
    )
    return rows


NOMINEE_TEXT = ("name", "rank", "unit", "email", "language", "note")


def _may_nominate(actor, edition: Edition) -> None:
    """An agency admin, for their own agency, while the edition is open for nominations; the edition's organisers
    who are agency admins also before and after (a late change of officer)."""
    if not can_read(actor) or not actor.has_role(Role.AGENCY_ADMIN):
        raise PermissionDenied(_("Only your agency's admins nominate officers."))
    if edition.status != EditionStatus.OPEN_FOR_NOMINATIONS and not edition.organised_by(actor):
        raise ValidationError({"edition": [_("This edition is not open for nominations.")]})


@transaction.atomic
def nominate(actor, edition: Edition, *, mode, user=None, **fields) -> Nomination:
    """Nominate an officer of the actor's own agency: ``user`` (a Lintas user of that agency) or a person without an
    account (``name`` required; ``rank``, ``unit``, ``email``, ``language``). Any number may be nominated: the
    organisers confirm at most the seats. A withdrawn nomination of the same person is nominated again."""
    edition = _locked_edition(edition)
    _may_nominate(actor, edition)
    errors: dict = {}
    mode = _choice(mode, ParticipationMode, errors, "mode")
    values = {name: clean_text(Nomination, name, fields.get(name), errors) for name in NOMINEE_TEXT}
    for name in set(fields) - set(NOMINEE_TEXT):
        add_error(errors, name, _("Unknown field."))
    if user is not None:
        if user.agency_id != actor.agency_id or not user.is_active:
            add_error(errors, "user", _("Nominate active officers of your own agency."))
        else:
            values["name"] = values["name"] or user.get_full_name() or user.username
            values["email"] = values["email"] or user.email
            values["language"] = values["language"] or user.language
    elif not values["name"]:
        add_error(errors, "name", _("This field is required."))
    values["email"] = values["email"].lower()
    if values["email"]:
        try:
            EmailValidator()(values["email"])
        except ValidationError:
            add_error(errors, "email", _("Enter a valid e-mail address."))
    raise_errors(errors)
    same = Q(user=user) if user is not None else Q(pk__in=[])
    if values["email"]:
        same |= Q(email=values["email"])
    existing = edition.nominations.filter(same).first()
    if existing is not None and (
        existing.status != NominationStatus.WITHDRAWN or existing.agency_id != actor.agency_id
    ):
        raise ValidationError(
            {"email" if user is None else "user": [_("This officer is nominated to this edition already.")]}
        )
    if existing is not None:
        nomination = existing
        for name, value in values.items():
            setattr(nomination, name, value)
        nomination.mode, nomination.user, nomination.status = mode, user, NominationStatus.NOMINATED
        nomination.nominated_by, nomination.decided_by, nomination.decided_at = actor, None, None
        nomination.save()
    else:
        nomination = Nomination.objects.create(
            edition=edition, agency=actor.agency, mode=mode, user=user, nominated_by=actor, **values
        )
    assert_still_visible(nomination, actor)
    record_event(
        Action.NOMINATION_ADDED,
        actor=actor,
        target=nomination,
        agency=actor.agency,
        details={"edition": edition.pk, "mode": mode, "user": user.pk if user else None},
    )
    return nomination


def _notify_confirmed(nominations: list[Nomination], edition: Edition) -> None:
    """Each confirmed nominee with an account reads it in their own language; the e-mail copies go after commit."""
    from django.utils.translation import gettext_lazy

    from lintas.matching.notify import _send_emails
    from lintas.notifications.models import Notification, NotificationKind
    from lintas.notifications.services import for_recipients

    recipients = [n.user_id for n in nominations if n.user_id]
    if not recipients:
        return
    text = gettext_lazy("You are confirmed as a participant of %(edition)s.")
    notes = Notification.objects.bulk_create(
        for_recipients(
            recipients,
            text,
            {"edition": edition.title},
            kind=NotificationKind.PROGRAMME,
            url=f"/programmes/editions/{edition.pk}/",
        )
    )
    ids = [note.pk for note in notes]
    transaction.on_commit(lambda: _send_emails(ids))


@transaction.atomic
def decide_nominations(actor, edition: Edition, nominations, decision, *, note="") -> list[Nomination]:
    """Confirm, wait-list or decline ``nominations`` of ``edition`` (one or several, all or none). Confirming is
    refused when it would put an agency and mode beyond its seats; a withdrawn nomination is its agency's to
    nominate again. Confirmed nominees with an account are notified."""
    edition = _locked_edition(edition)
    _require_edition_organiser(actor, edition)
    errors: dict = {}
    if decision not in DECISIONS:
        add_error(errors, "decision", _("Not one of the choices."))
    note = clean_text(Nomination, "note", note, errors)
    ids = [n.pk for n in nominations]
    rows = list(edition.nominations.select_for_update().filter(pk__in=ids).select_related("agency"))
    if len(rows) != len(set(ids)) or not rows:
        add_error(errors, "nominations", _("Choose nominations of this edition."))
    for row in rows:
        if row.status == NominationStatus.WITHDRAWN:
            add_error(errors, "nominations", _("%(name)s was withdrawn by their agency.") % {"name": row.name})
    if decision == NominationStatus.CONFIRMED and not errors:
        seats = {(s.agency_id, s.mode): s.seats for s in edition.seats.all()}
        counts = confirmed_counts(edition, exclude=rows)
        adding: dict[tuple[int, str], list] = {}
        for row in rows:
            adding.setdefault((row.agency_id, row.mode), []).append(row)
        for (agency_id, mode), group in sorted(adding.items(), key=lambda kv: (kv[1][0].agency.code, kv[0][1])):
            total, allowed = counts.get((agency_id, mode), 0) + len(group), seats.get((agency_id, mode), 0)
            if total > allowed:
                add_error(
                    errors,
                    "nominations",
                    _("%(what)s has %(seats)d seats: confirming these would make %(total)d participants.")
                    % {"what": _label(group[0].agency.code, mode), "seats": allowed, "total": total},
                )
    raise_errors(errors)
    now = timezone.now()
    newly_confirmed = []
    for row in rows:
        if row.status == decision and row.note == (note or row.note):
            continue
        if decision == NominationStatus.CONFIRMED and row.status != NominationStatus.CONFIRMED:
            newly_confirmed.append(row)
        previous = row.status
        row.status, row.decided_by, row.decided_at = decision, actor, now
        if note:
            row.note = note
        row.save(update_fields=["status", "decided_by", "decided_at", "note"])
        record_event(
            Action.NOMINATION_DECIDED,
            actor=actor,
            target=row,
            agency=row.agency,
            details={"edition": edition.pk, "from": previous, "to": decision},
        )
    _notify_confirmed(newly_confirmed, edition)
    return rows


@transaction.atomic
def withdraw_nomination(actor, nomination: Nomination) -> Nomination:
    """The nominating agency's admin takes a nomination back (a confirmed one frees its seat)."""
    nomination = Nomination.objects.select_for_update().select_related("edition__programme").get(pk=nomination.pk)
    if not can_read(actor) or not actor.has_role(Role.AGENCY_ADMIN) or actor.agency_id != nomination.agency_id:
        raise PermissionDenied(_("Only the nominating agency's admins withdraw a nomination."))
    if nomination.status == NominationStatus.WITHDRAWN:
        return nomination
    previous = nomination.status
    nomination.status, nomination.decided_by, nomination.decided_at = NominationStatus.WITHDRAWN, actor, timezone.now()
    nomination.save(update_fields=["status", "decided_by", "decided_at"])
    record_event(
        Action.NOMINATION_WITHDRAWN,
        actor=actor,
        target=nomination,
        agency=nomination.agency,
        details={"edition": nomination.edition_id, "from": previous},
    )
    return nomination


def _participants(edition: Edition, nominations) -> tuple[list[Nomination], list[str]]:
    """``nominations`` if each is a confirmed participant of ``edition``; else the problems."""
    ids = {n.pk for n in nominations}
    found = list(edition.nominations.filter(pk__in=ids, status=NominationStatus.CONFIRMED))
    if len(found) != len(ids) or not ids:
        return found, [_("Choose confirmed participants of this edition.")]
    return found, []


@transaction.atomic
def record_attendance(actor, session: ProgrammeSession, nominations, present: bool) -> int:
    """The organisers record that ``nominations`` (confirmed participants) were present at ``session``, or absent.
    Returns how many records changed; recording what is recorded already changes nothing and records nothing."""
    edition = session.edition
    _require_edition_organiser(actor, edition)
    if not isinstance(present, bool):
        raise ValidationError({"present": [_("Expected true or false.")]})
    found, problems = _participants(edition, nominations)
    if problems:
        raise ValidationError({"nominations": problems})
    existing = {a.nomination_id: a for a in session.attendance.select_for_update().filter(nomination__in=found)}
    changed = []
    for nomination in found:
        row = existing.get(nomination.pk)
        if row is not None and row.present == present:
            continue
        if row is None:
            row = Attendance(nomination=nomination, session=session)
        row.present, row.source, row.recorded_by = present, AttendanceSource.ORGANISER, actor
        row.save()
        changed.append(nomination.pk)
    if changed:
        record_event(
            Action.ATTENDANCE_RECORDED,
            actor=actor,
            target=session,
            agency=edition.host_agency,
            details={"edition": edition.pk, "present": present, "nominations": changed, "source": "organiser"},
        )
    return len(changed)


def join_window(session: ProgrammeSession, now: dt.datetime | None = None) -> bool:
    """Is "Join online" open for ``session``: from 15 minutes before it starts until it ends."""
    now = now or timezone.now()
    return session.starts_at - JOIN_EARLY <= now <= session.ends_at


@transaction.atomic
def join_online(actor, session: ProgrammeSession, *, now: dt.datetime | None = None) -> str:
    """A confirmed participant joins ``session`` online through Lintas: their attendance is recorded (source
    ``online_join``) and the edition's platform link returned to send them on."""
    edition = Edition.objects.select_related("host_agency").get(pk=session.edition_id)
    nomination = edition.nominations.filter(user=actor.pk, status=NominationStatus.CONFIRMED).first()
    if nomination is None or not can_read(actor):
        raise PermissionDenied(_("Only the edition's confirmed participants join its sessions."))
    if not edition.online_link:
        raise ValidationError({"session": [_("This edition has no online platform link.")]})
    if not join_window(session, now):
        raise ValidationError({"session": [_("You can join from 15 minutes before the session until it ends.")]})
    row, created = Attendance.objects.select_for_update().get_or_create(
        nomination=nomination,
        session=session,
        defaults={"present": True, "source": AttendanceSource.ONLINE_JOIN, "recorded_by": actor},
    )
    if created or not row.present:
        row.present, row.source, row.recorded_by = True, AttendanceSource.ONLINE_JOIN, actor
        row.save()
        record_event(
            Action.ATTENDANCE_RECORDED,
            actor=actor,
            target=session,
            agency=edition.host_agency,
            details={"edition": edition.pk, "present": True, "nominations": [nomination.pk], "source": "online_join"},
        )
    return edition.online_link


def _participant_emails(edition: Edition) -> dict[str, Nomination]:
    """Confirmed participants by e-mail (the nomination's and, for a user, the account's), lower case."""
    found: dict[str, Nomination] = {}
    for nomination in edition.nominations.filter(status=NominationStatus.CONFIRMED).select_related("user"):
        for email in (nomination.email, nomination.user.email if nomination.user else ""):
            if email:
                found.setdefault(email.strip().lower(), nomination)
    return found


def _overlapping(sessions, joined, left) -> list[ProgrammeSession]:
    left = left or joined
    return [s for s in sessions if joined <= s.ends_at and left >= s.starts_at - JOIN_EARLY]


@transaction.atomic
def import_attendance(
    actor, edition: Edition, content: bytes, *, file_name="", session: ProgrammeSession | None = None, time_zone=None
) -> dict:
    """Record attendance from an online platform's export (``lintas.programmes.attendance_csv`` reads it): each row
    whose e-mail is a confirmed participant's marks them present at ``session`` or, without one, at every session
    their join-to-leave time overlaps. All or nothing: a file that cannot be read, or any row that cannot, writes
    nothing and names the lines. Rows of people who are not participants (hosts, experts, guests) are skipped and
    listed. Importing the same file again changes nothing."""
    from lintas.programmes.attendance_csv import UnreadableExport, parse_export

    edition = _locked_edition(edition)
    _require_edition_organiser(actor, edition)
    errors: dict = {}
    zone_name = _time_zone(time_zone or edition.time_zone, errors)
    file_name = (file_name or "")[:255]
    if session is not None and session.edition_id != edition.pk:
        add_error(errors, "session", _("Choose a session of this edition."))
    raise_errors(errors)
    zone = zoneinfo.ZoneInfo(zone_name)
    window = (edition.starts_on - dt.timedelta(days=1), edition.ends_on + dt.timedelta(days=1))
    try:
        parsed = parse_export(content, zone=zone, window=window, need_times=session is None)
    except UnreadableExport as error:
        raise ValidationError({"file": [str(error)]}) from error
    if parsed.errors:
        raise ValidationError(
            {"file": [_("Line %(line)d: %(message)s") % row for row in parsed.errors[:50]]}, code="rows"
        )
    participants = _participant_emails(edition)
    sessions = [session] if session is not None else list(edition.sessions.all())
    skipped, attended = [], {}
    for row in parsed.rows:
        nomination = participants.get(row.email)
        if not row.email:
            skipped.append({"line": row.line, "reason": _("no e-mail")})
            continue
        if nomination is None:
            skipped.append({"line": row.line, "reason": _("not a confirmed participant: %(e)s") % {"e": row.email}})
            continue
        hits = [session] if session is not None else _overlapping(sessions, row.joined_at, row.left_at)
        if not hits:
            skipped.append({"line": row.line, "reason": _("no session at that time")})
        for hit in hits:
            attended[(nomination.pk, hit.pk)] = (nomination, hit)
    existing = {
        (a.nomination_id, a.session_id): a
        for a in Attendance.objects.select_for_update().filter(
            session__edition=edition, nomination_id__in={n for n, _s in attended}
        )
    }
    recorded = 0
    for key, (nomination, hit) in attended.items():
        row = existing.get(key)
        if row is not None and row.present:
            continue  # present already (by whichever source): the export adds nothing
        if row is None:
            row = Attendance(nomination=nomination, session=hit)
        row.present, row.source, row.recorded_by = True, AttendanceSource.PLATFORM_EXPORT, actor
        row.save()
        recorded += 1
    report = {
        "rows": len(parsed.rows),
        "matched": len({n.pk for n, _s in attended.values()}),
        "recorded": recorded,
        "unchanged": len(attended) - recorded,
        "skipped": skipped,
    }
    record_event(
        Action.ATTENDANCE_IMPORTED,
        actor=actor,
        target=edition,
        agency=edition.host_agency,
        details={
            "file": file_name,
            "sha256": hashlib.sha256(content).hexdigest(),
            "session": session.pk if session else None,
            **{k: v for k, v in report.items() if k != "skipped"},
            "skipped": len(skipped),
        },
    )
    return report


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def create_expert_link(actor, edition: Edition, expert: Expert, *, days=30) -> tuple[ExpertLink, str]:
    """A personal link for ``expert`` to their sessions and materials in ``edition``: returns the link and its token,
    which is shown once and never stored (only its SHA-256 is)."""
    _require_edition_organiser(actor, edition)
    errors: dict = {}
    low, high = EXPERT_LINK_DAYS
    days = clean_integer(SeatAllocation, "seats", days, errors, minimum=low, maximum=high, key="days")
    if not SessionRole.objects.filter(session__edition=edition, expert=expert).exists():
        add_error(errors, "expert", _("%(name)s has no session in this edition.") % {"name": expert.name})
    raise_errors(errors)
    token = secrets.token_urlsafe(32)
    link = ExpertLink.objects.create(
        expert=expert,
        edition=edition,
        token_sha256=_token_hash(token),
        expires_at=timezone.now() + dt.timedelta(days=days),
        created_by=actor,
    )
    record_event(
        Action.EXPERT_LINK_CREATED,
        actor=actor,
        target=link,
        agency=edition.host_agency,
        details={"edition": edition.pk, "expert": expert.pk, "days": days},
    )
    return link, token


@transaction.atomic
def revoke_expert_link(actor, link: ExpertLink) -> ExpertLink:
    """End a personal link now (revoking it twice changes nothing)."""
    link = ExpertLink.objects.select_for_update().select_related("edition__programme").get(pk=link.pk)
    _require_edition_organiser(actor, link.edition)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        record_event(
            Action.EXPERT_LINK_REVOKED,
            actor=actor,
            target=link,
            agency=link.edition.host_agency,
            details={"edition": link.edition_id, "expert": link.expert_id},
        )
    return link


@transaction.atomic
def use_expert_link(token: str) -> ExpertLink | None:
    """The link ``token`` opens, if it is known, not expired and not revoked (audited, with its last use), or None:
    the same None for every other case, so the page answers all of them with the same 404."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    now = timezone.now()
    link = (
        ExpertLink.objects.select_for_update()
        .select_related("expert", "edition__host_agency")
        .filter(token_sha256=_token_hash(token), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if link is None:
        return None
    link.last_used_at = now
    link.save(update_fields=["last_used_at"])
    record_event(
        Action.EXPERT_LINK_USED,
        target=link,
        agency=link.edition.host_agency,
        actor_username=f"expert link: {link.expert.name}"[:150],
        details={"edition": link.edition_id, "expert": link.expert_id},
    )
    return link
