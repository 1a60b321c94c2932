"""Capacity-building programmes (the annual Korea-ASEAN programme): editions, sessions, experts and checklists.

A programme is coordinated by one agency (the Secretariat); each edition is hosted by a member agency. Editions are
community events: every signed-in member reads those past ``planning``; organisers (the ``programme_organiser`` role
in the host agency or the coordinating agency) also read and write the ones being planned. ``Edition.objects
.visible_to(user)`` is the one access path (decision 0038).
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from lintas.accounts.choices import Role
from lintas.cases.choices import Tlp
from lintas.core.models import AgencyScopedQuerySet, can_read
from lintas.programmes.choices import (
    AttendanceSource,
    EditionStatus,
    MaterialKind,
    NominationStatus,
    ParticipationMode,
    SessionKind,
    SessionRoleKind,
)

__all__ = [
    "Attendance",
    "Certificate",
    "ChecklistTask",
    "Edition",
    "EditionReport",
    "Expert",
    "ExpertLink",
    "FeedbackReceipt",
    "FeedbackResponse",
    "Material",
    "Nomination",
    "Programme",
    "ProgrammeSession",
    "SeatAllocation",
    "SessionRating",
    "SessionRole",
    "Survey",
    "is_organiser",
]


def is_organiser(user) -> bool:
    """Does ``user`` hold the organiser role at all (which editions it covers is ``Edition.organised_by``)?"""
    return can_read(user) and user.has_role(Role.PROGRAMME_ORGANISER)


class Programme(models.Model):
    """A recurring capacity-building programme, coordinated by one agency (the Secretariat)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    coordinating_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("coordinating agency")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class EditionQuerySet(AgencyScopedQuerySet):
    """Editions a user may read: every member those past planning; organisers of the host or the coordinating agency
    also those in planning; a confirmed participant (a nomination with their account) the editions they take part
    in, whatever their status (decision 0040). One query: the participation is an ``EXISTS``, not a join."""

    agency_field = "host_agency"

    def _visible_to(self, user):
        shown = ~Q(status=EditionStatus.PLANNING)
        if user.has_role(Role.PROGRAMME_ORGANISER):
            shown |= Q(host_agency=user.agency_id) | Q(programme__coordinating_agency=user.agency_id)
        shown |= Exists(
            Nomination.objects.filter(edition=OuterRef("pk"), user=user.pk, status=NominationStatus.CONFIRMED)
        )
        return self.filter(shown)

    def visibility_key(self, user):
        # The user's own id: the participation rule names them (the cached SQL holds it as a parameter).
        return (user.pk, user.agency_id, user.has_role(Role.PROGRAMME_ORGANISER))


class Edition(models.Model):
    """One yearly edition of a programme: where, when, about what, and how far its organisers have got."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="editions")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    theme = models.CharField(_("theme"), max_length=300, blank=True)
    aims = models.TextField(_("aims"), blank=True)
    host_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("host agency")
    )
    co_organisers = models.ManyToManyField(
        "agencies.Agency", blank=True, related_name="+", verbose_name=_("co-organising agencies")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    online_link = models.URLField(_("online platform link"), max_length=500, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    languages = models.JSONField(_("languages"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=32, choices=EditionStatus.choices, default=EditionStatus.PLANNING)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="edition_number_unique")]

    def __str__(self):
        return self.title

    def organised_by(self, user) -> bool:
        """May ``user`` change this edition: an organiser of its host or of its programme's coordinating agency."""
        return is_organiser(user) and user.agency_id in (self.host_agency_id, self.programme.coordinating_agency_id)


class Expert(models.Model):
    """A reusable directory entry for a speaker, panellist or moderator, with or without a Lintas account."""

    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    biography = models.TextField(_("short biography"), blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProgrammeSession(models.Model):
    """One item of an edition's agenda: an aware start and end (stored in UTC), in a room or online."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(_("kind"), max_length=16, choices=SessionKind.choices)
    topic = models.CharField(_("topic"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    language = models.CharField(_("language"), max_length=16, blank=True)
    interpretation = models.CharField(_("interpretation"), max_length=200, blank=True)
    experts = models.ManyToManyField(Expert, through="SessionRole", related_name="sessions")

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self):
        return self.topic


class SessionRole(models.Model):
    """The part an expert plays in one session."""

    session = models.ForeignKey(ProgrammeSession, on_delete=models.CASCADE, related_name="roles")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="roles")
    role = models.CharField(_("role"), max_length=16, choices=SessionRoleKind.choices)

    class Meta:
        ordering = ["role", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "expert"], name="session_expert_unique")]

    def __str__(self):
        return f"{self.expert} — {self.get_role_display()}"


class ChecklistTask(models.Model):
    """A coordination task between the host and the Secretariat, so the annual cycle is planned in Lintas."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="checklist")
    title = models.CharField(_("title"), max_length=300)
    owner_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner agency")
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["done", "due_on", "pk"]

    def __str__(self):
        return self.title


def _organised_q(user, edition_path: str) -> Q:
    """Rows of editions ``user`` organises: the organiser role in the host or the coordinating agency."""
    if not user.has_role(Role.PROGRAMME_ORGANISER):
        return Q(pk__in=[])
    return Q(**{f"{edition_path}host_agency": user.agency_id}) | Q(
        **{f"{edition_path}programme__coordinating_agency": user.agency_id}
    )


class SeatAllocation(models.Model):
    """How many officers one agency may send to one edition in one mode (on site or online), set by the organisers."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="seats")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(_("mode"), max_length=16, choices=ParticipationMode.choices)
    seats = models.PositiveSmallIntegerField(_("seats"))

    class Meta:
        ordering = ["agency__code", "mode"]
        constraints = [models.UniqueConstraint(fields=["edition", "agency", "mode"], name="seat_allocation_unique")]

    def __str__(self):
        return f"{self.agency} {self.get_mode_display()}: {self.seats}"


class NominationQuerySet(AgencyScopedQuerySet):
    """Nominations a user may read: the edition's organisers all of them; an agency admin their own agency's; a
    nominee their own. Everyone else: none (another agency's nominations answer 404)."""

    agency_field = "agency"

    def _visible_to(self, user):
        shown = Q(user=user.pk) | _organised_q(user, "edition__")
        if user.has_role(Role.AGENCY_ADMIN):
            shown |= Q(agency=user.agency_id)
        return self.filter(shown)

    def visibility_key(self, user):
        return (user.pk, user.agency_id, user.has_role(Role.PROGRAMME_ORGANISER), user.has_role(Role.AGENCY_ADMIN))


class Nomination(models.Model):
    """An officer an agency sends to an edition: a Lintas user, or a person without an account yet (name, rank, unit,
    e-mail). A confirmed nomination is a participant: they see the edition, its materials, get an ``.ics``, record
    attendance, answer the survey once and receive a certificate."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="nominations")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(_("mode"), max_length=16, choices=ParticipationMode.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="nominations"
    )
    name = models.CharField(_("name"), max_length=200)
    rank = models.CharField(_("rank"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=NominationStatus.choices, default=NominationStatus.NOMINATED
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    nominated_at = models.DateTimeField(_("nominated at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = NominationQuerySet.as_manager()

    class Meta:
        ordering = ["agency__code", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "user"], condition=Q(user__isnull=False), name="nomination_user_unique"
            ),
            models.UniqueConstraint(
                fields=["edition", "email"], condition=~Q(email=""), name="nomination_email_unique"
            ),
        ]

    def __str__(self):
        return self.name


class Attendance(models.Model):
    """Whether one participant attended one session, and how that was learnt."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="attendance")
    session = models.ForeignKey(ProgrammeSession, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("present"), default=True)
    source = models.CharField(_("source"), max_length=16, choices=AttendanceSource.choices)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["session__starts_at", "nomination__name"]
        constraints = [models.UniqueConstraint(fields=["nomination", "session"], name="attendance_unique")]

    def __str__(self):
        return f"{self.nomination} @ {self.session}: {self.present}"


def material_path(instance, filename: str) -> str:
    # The stored name is random: the original name is kept in the row, never trusted as a path.
    return f"programmes/materials/{secrets.token_hex(16)}"


class Material(models.Model):
    """Slides, a paper or a recording of one session: content-checked like request attachments, SHA-256 anchored,
    downloads audited; read by the edition's confirmed participants, its organisers and the session's experts.
    A recording too large to upload may be a link instead of a file."""

    session = models.ForeignKey(ProgrammeSession, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("kind"), max_length=16, choices=MaterialKind.choices)
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("language"), max_length=16, blank=True)
    tlp = models.CharField(_("handling"), max_length=16, choices=Tlp.choices, default=Tlp.GREEN)
    file = models.FileField(upload_to=material_path, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["session__starts_at", "kind", "pk"]

    def __str__(self):
        return self.title


class Survey(models.Model):
    """The feedback survey of one edition: ratings per session and overall, the most useful session, free text and
    topics wanted next year. Open while ``is_open``; "plan the next edition" copies its introduction."""

    edition = models.OneToOneField(Edition, on_delete=models.CASCADE, related_name="survey")
    introduction = models.TextField(_("introduction"), blank=True)
    is_open = models.BooleanField(_("open for answers"), default=False)

    def __str__(self):
        return f"{self.edition}"


class FeedbackResponse(models.Model):
    """One anonymous answer to a survey. It names no person and carries no time: the key is random, so neither its
    order nor a timestamp ties it to the participant's ``FeedbackReceipt``. Speakers never see answers; organisers see
    them aggregated, with the comments."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    language = models.CharField(_("language"), max_length=16, blank=True)
    overall_rating = models.PositiveSmallIntegerField(_("overall rating"))
    most_useful = models.ForeignKey(
        ProgrammeSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comments = models.TextField(_("comments"), blank=True)
    topics_wanted = models.TextField(_("topics wanted next year"), blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(overall_rating__gte=1, overall_rating__lte=5), name="feedback_overall_rating_range"
            )
        ]

    def __str__(self):
        return str(self.pk)


class SessionRating(models.Model):
    """One rating (1 to 5) of one session inside one anonymous response. Its key is random too: a counting key would
    number the answers in the order they were given, which the audit trail's FEEDBACK_GIVEN times could then match
    to the people who answered (decision 0041)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(FeedbackResponse, on_delete=models.CASCADE, related_name="ratings")
    session = models.ForeignKey(ProgrammeSession, on_delete=models.CASCADE, related_name="ratings")
    rating = models.PositiveSmallIntegerField(_("rating"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "session"], name="session_rating_unique"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="session_rating_range"),
        ]

    def __str__(self):
        return f"{self.session}: {self.rating}"


class FeedbackReceipt(models.Model):
    """That a participant has answered (one answer each), on which day; never which answer is theirs."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="receipts")
    nomination = models.OneToOneField(Nomination, on_delete=models.CASCADE, related_name="feedback_receipt")
    answered_on = models.DateField(_("answered on"))

    def __str__(self):
        return f"{self.nomination} ({self.answered_on})"


class CertificateQuerySet(AgencyScopedQuerySet):
    """Certificates a user may read: exactly those whose nomination they may read (``NominationQuerySet``): the
    participant their own, the edition's organisers all, an agency admin their own agency's officers' (decision
    0042). The public verification page reads by code, not through here, and shows the name, edition and status."""

    agency_field = "nomination__agency"

    def _visible_to(self, user):
        return self.filter(nomination__in=Nomination.objects.visible_to(user).values("pk"))

    def visibility_key(self, user):
        return Nomination.objects.visibility_key(user)


class Certificate(models.Model):
    """A certificate of participation. Its code is the key of a public verification page that shows the name, the
    edition and whether it is valid, nothing else."""

    nomination = models.OneToOneField(Nomination, on_delete=models.PROTECT, related_name="certificate")
    code = models.CharField(_("verification code"), max_length=32, unique=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    def __str__(self):
        return self.code

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    @property
    def display_code(self) -> str:
        """The code in groups of four (``ABCD-EFGH-JKLM``), as printed; verification accepts it with or without."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


class EditionReport(models.Model):
    """What the organisers add to the post-programme report that Lintas cannot count (outcomes, the plan for the next
    edition), and which parts the public summary may show."""

    edition = models.OneToOneField(Edition, on_delete=models.CASCADE, related_name="report")
    outcomes = models.TextField(_("outcomes"), blank=True)
    next_edition_plan = models.TextField(_("plan for the next edition"), blank=True)
    reception = models.TextField(_("reception"), blank=True)
    # What the public summary shows beyond the edition itself: keys of lintas.programmes.report.PUBLIC_PARTS.
    public_parts = models.JSONField(_("parts of the public summary"), default=list, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self):
        return f"{self.edition}"


class ExpertLink(models.Model):
    """A personal link for an expert without an account to their sessions and materials in one edition: only the
    SHA-256 of the token is kept; it expires and may be revoked."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="links")
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="expert_links")
    token_sha256 = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.expert} ({self.edition})"
