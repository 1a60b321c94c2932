"""Requests for mutual assistance between member agencies."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lintas.assistance.choices import LegalBasis, Priority, RequestStatus, RequestType
from lintas.cases.choices import HandlingCode, Tlp
from lintas.core.models import can_read

__all__ = ["AssistanceRequest", "RequestEscalation", "RequestGroup"]


class RequestQuerySet(models.QuerySet):
    trail_agency_field = "sender_agency"  # whose trail records a refused access (get_visible_or_404)

    def visible_to(self, user):
        """The sending agency sees its requests from the first draft; the receiving agency once it was sent."""
        if not can_read(user):
            return self.none()
        # sent_at, not the status: a draft withdrawn before sending never reaches the receiver.
        return self.filter(
            Q(sender_agency_id=user.agency_id) | Q(receiver_agency_id=user.agency_id, sent_at__isnull=False)
        )


class RequestGroup(models.Model):
    """Requests drafted together for several receivers: one request per receiver, grouped."""

    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"group {self.pk}"


class AssistanceRequest(models.Model):
    """One request from a sending to a receiving agency, moved through its workflow only by ``services``.

    ``version`` grows with every transition: a transition names the version it saw, so of two simultaneous ones
    exactly one wins and the other is told the request changed (HTTP 409).
    """

    reference = models.CharField(_("reference"), max_length=40, unique=True, editable=False)
    group = models.ForeignKey(RequestGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests")
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follows the money from"),
    )
    sender_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    receiver_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    type = models.CharField(_("type"), max_length=32, choices=RequestType.choices)
    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices, default=Priority.ROUTINE)
    legal_basis = models.CharField(
        _("legal basis"), max_length=32, choices=LegalBasis.choices, default=LegalBasis.POLICE_TO_POLICE
    )
    subject = models.CharField(_("subject"), max_length=200)
    asked = models.TextField(_("what is asked"))
    language = models.CharField(_("language of the text"), max_length=8, default="en")
    amount = models.DecimalField(_("amount at stake"), max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    due_at = models.DateTimeField(_("due"))
    handling_code = models.CharField(_("handling code"), max_length=2, choices=HandlingCode.choices, default="H0")
    tlp = models.CharField("TLP", max_length=16, choices=Tlp.choices, default=Tlp.AMBER)
    cases = models.ManyToManyField("cases.Case", blank=True, related_name="assistance_requests")
    identifiers = models.ManyToManyField("cases.CaseIdentifier", blank=True, related_name="assistance_requests")
    hit = models.ForeignKey("matching.Hit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    receiver_hidden = models.BooleanField(
        default=False,
        editable=False,
        help_text="Made from a hit whose holder hides its name: the sender sees 'a member agency' until acknowledged.",
    )

    status = models.CharField(_("status"), max_length=24, choices=RequestStatus.choices, default=RequestStatus.DRAFT)
    version = models.PositiveIntegerField(default=1, editable=False)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_after_sending = models.BooleanField(
        _("sent directly by a supervisor: review afterwards"), default=False, editable=False
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    actioned_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # deadline escalations already sent (the periodic job sends each once)
    escalated_half_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_late_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["receiver_agency", "status", "due_at"], name="request_inbox"),
            models.Index(fields=["sender_agency", "status", "due_at"], name="request_outbox"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(sender_agency=models.F("receiver_agency")), name="request_not_to_self")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_type_display()}"

    def receiver_known_to_sender(self) -> bool:
        return not self.receiver_hidden or self.acknowledged_at is not None

    def receiver_label(self, user) -> str:
        """The receiving agency as ``user`` may know it: hidden from the sender until the receiver acknowledges."""
        if user.agency_id == self.sender_agency_id and not self.receiver_known_to_sender():
            return str(_("a member agency"))
        return self.receiver_agency.short_name


class Outcome(models.Model):
    """What a request achieved, recorded by the receiving agency: amounts frozen and returned, accounts frozen."""

    request = models.OneToOneField(AssistanceRequest, on_delete=models.CASCADE, related_name="outcome")
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    amount_frozen = models.DecimalField(_("amount frozen"), max_digits=18, decimal_places=2, default=0)
    amount_returned = models.DecimalField(_("amount returned"), max_digits=18, decimal_places=2, default=0)
    accounts_frozen = models.PositiveIntegerField(_("accounts frozen"), default=0)
    wallets_frozen = models.PositiveIntegerField(_("wallets frozen"), default=0)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.request_id}: {self.amount_frozen} {self.currency} frozen"


class OnwardTransfer(models.Model):
    """Money that left the frozen account before the freeze: the next hop, with its own follow-up request."""

    request = models.ForeignKey(AssistanceRequest, on_delete=models.CASCADE, related_name="onward_transfers")
    destination = models.CharField(_("destination as given"), max_length=200)
    type = models.CharField(_("type"), max_length=32)
    value = models.CharField(_("canonical value"), max_length=512)
    token = models.CharField(max_length=32, db_index=True)
    country = models.CharField(_("destination country"), max_length=2, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    moved_at = models.DateTimeField(_("moved at"))
    follow_up = models.ForeignKey(
        AssistanceRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed follow-up request"),
    )

    class Meta:
        ordering = ["moved_at", "id"]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} → {self.value}"

    @property
    def display(self) -> str:
        """The destination as people write it ("Krungthai Bank 123-4-56789-0"), never the matching token's form."""
        from lintas import identifiers

        try:
            result = identifiers.normalize(self.value, self.type or None)
        except (TypeError, ValueError):
            return self.destination or self.value
        return result.display if result.valid else (self.destination or self.value)


class CountryCapability(models.Model):
    """What a member can do for one type of request: kept by that agency's admins for their own country."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="capabilities")
    request_type = models.CharField(_("request type"), max_length=32, choices=RequestType.choices)
    without_court_order = models.BooleanField(_("possible without a court order"), null=True, blank=True)
    turnaround_hours = models.PositiveIntegerField(_("usual turnaround (hours)"), null=True, blank=True)
    longest_freeze_days = models.PositiveIntegerField(_("longest freeze (days)"), null=True, blank=True)
    documents = models.TextField(_("documents needed"), blank=True)
    desk_24_7 = models.BooleanField(_("24/7 desk"), null=True, blank=True)
    confirmed = models.BooleanField(_("confirmed by the agency"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency__short_name", "request_type"]
        constraints = [models.UniqueConstraint(fields=["agency", "request_type"], name="capability_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.request_type}"


class RequestMessage(models.Model):
    """One message on a request's thread, between the sending and the receiving agency."""

    request = models.ForeignKey(AssistanceRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    author_name = models.CharField(max_length=150)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"


class ThreadRead(models.Model):
    """When an agency last read a request's thread: a message is read by that agency if written before."""

    request = models.ForeignKey(AssistanceRequest, on_delete=models.CASCADE, related_name="reads")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "agency"], name="thread_read_unique")]

    def __str__(self) -> str:
        return f"{self.request_id} read by {self.agency_id} at {self.read_at}"


def attachment_path(instance, filename: str) -> str:
    # Stored under a random name: the original name is kept in the row, never used as a path.
    import uuid

    return f"requests/{instance.request_id}/{uuid.uuid4().hex}"


class RequestAttachment(models.Model):
    """A file on a request, readable exactly by who reads the request; its SHA-256 anchors the evidence chain."""

    request = models.ForeignKey(AssistanceRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class RequestEscalation(models.Model):
    """One step of an urgent request's escalation while nobody acknowledges it (decision 0048), recorded once.

    Step 1 (after the receiver's N minutes) goes to the next officer on duty; step 2 (after 2N, or at once when
    nobody else is on duty) to the receiver's supervisors. The 24/7 contact point is e-mailed at the first step taken.
    Names are copied: the row reads the same when an officer's account is later changed or removed.
    """

    class Step(models.IntegerChoices):
        ON_DUTY = 1, _("next officer on duty")
        SUPERVISORS = 2, _("supervisors")

    request = models.ForeignKey(AssistanceRequest, on_delete=models.CASCADE, related_name="escalations")
    step = models.PositiveSmallIntegerField(choices=Step.choices)
    at = models.DateTimeField()
    minutes = models.PositiveIntegerField(help_text="Minutes since the request was sent.")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    officer_name = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    supervisors = models.PositiveIntegerField(default=0, help_text="How many supervisors were told.")
    emailed_to = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["at", "step"]
        constraints = [models.UniqueConstraint(fields=["request", "step"], name="request_escalation_once")]

    def __str__(self) -> str:
        return f"{self.request_id} step {self.step}"
