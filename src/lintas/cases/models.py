"""Cases of cyber-enabled financial crime, their identifiers and losses, with the sharing rules they carry."""

import datetime as dt

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from lintas.cases.choices import (
    CaseStatus,
    CrimeType,
    Distribution,
    HandlingCode,
    IdentifierRole,
    InformationAccuracy,
    SourceReliability,
    Tlp,
)
from lintas.core.models import AgencyScopedQuerySet, JobRecord, OwnedModel, OwnedQuerySet

__all__ = ["BulkImport", "Case", "CaseIdentifier", "CaseLoss", "CaseSequence", "CaseShare", "ExchangeRate"]


class CaseQuerySet(OwnedQuerySet):
    """A case is visible to its owner, to every member when shared with all, and to the agencies it names."""

    # visibility_key: the user's agency, as the rule below reads nothing else of the user.
    def _visible_to(self, user):
        named = CaseShare.objects.filter(case=OuterRef("pk"), agency_id=user.agency_id)
        return self.filter(
            Q(owner_agency_id=user.agency_id)
            | Q(distribution=Distribution.ALL)
            | (Q(distribution=Distribution.NAMED) & Exists(named))
        )


class Case(OwnedModel):
    """One case recorded by its owner agency. Only the owner edits it and decides who sees it.

    ``reference`` is Lintas's own (``KNPA-2026-000123``); ``external_reference`` is the agency's own case number, which
    makes bulk ingest idempotent.
    """

    reference = models.CharField(_("reference"), max_length=40, editable=False)  # unique: see Meta
    external_reference = models.CharField(_("agency's own reference"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=200)
    crime_type = models.CharField(_("crime type"), max_length=32, choices=CrimeType.choices)
    modus_operandi = models.JSONField(_("modus operandi tags"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    first_incident_on = models.DateField(_("first incident"), null=True, blank=True)
    last_incident_on = models.DateField(_("last incident"), null=True, blank=True)
    countries = models.JSONField(_("countries involved"), default=list, blank=True)
    narrative = models.TextField(_("narrative"), blank=True)
    victim_count = models.PositiveIntegerField(_("victims"), default=0)
    victim_nationalities = models.JSONField(_("victims' nationalities"), default=list, blank=True)
    victim_age_bands = models.JSONField(_("victims' age bands"), default=list, blank=True)
    # sharing rules
    distribution = models.CharField(
        _("distribution"), max_length=8, choices=Distribution.choices, default=Distribution.OWNER
    )
    shared_with = models.ManyToManyField(
        "agencies.Agency", through="CaseShare", related_name="+", blank=True, verbose_name=_("shared with")
    )
    tlp = models.CharField("TLP", max_length=16, choices=Tlp.choices, default=Tlp.AMBER)
    handling_code = models.CharField(_("handling code"), max_length=2, choices=HandlingCode.choices, default="H0")
    handling_text = models.CharField(_("handling restrictions"), max_length=500, blank=True)
    source_reliability = models.CharField(
        _("source reliability"), max_length=1, choices=SourceReliability.choices, default=SourceReliability.X
    )
    information_accuracy = models.CharField(
        _("information accuracy"), max_length=1, choices=InformationAccuracy.choices, default=InformationAccuracy.FOUR
    )
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    review_on = models.DateField(_("review date"))
    hide_owner_in_hits = models.BooleanField(_("hide our name in hit/no-hit answers"), default=False)
    review_reminded_on = models.DateField(null=True, blank=True, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            # A constraint, not unique=True: on PostgreSQL that would add a second (pattern) index nothing uses.
            models.UniqueConstraint(fields=["reference"], name="case_reference_unique"),
            models.UniqueConstraint(
                fields=["owner_agency", "external_reference"],
                condition=~Q(external_reference=""),
                name="case_external_reference_unique",
            ),
        ]
        indexes = [models.Index(fields=["owner_agency", "-created_at"], name="case_owner_recent")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @staticmethod
    def default_review_on(today: dt.date | None = None) -> dt.date:
        """Nominal data is reviewed after at most five years."""
        today = today or dt.date.today()
        try:
            return today.replace(year=today.year + 5)
        except ValueError:  # 29 February
            return today.replace(year=today.year + 5, day=28)


class CaseShare(models.Model):
    """A named agency a case is shared with (distribution "named agencies")."""

    # No single-column indexes: the unique pair serves case lookups, case_share_agency serves agency lookups.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares", db_index=False)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "agency"], name="case_share_unique")]
        indexes = [models.Index(fields=["agency", "case"], name="case_share_agency")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.agency_id}"


class CaseSequence(models.Model):
    """The last reference number used by an agency in a year; locked while a number is taken."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="case_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year}: {self.last}"


class CaseLoss(models.Model):
    """One loss of a case, in its own currency, with the US dollar equivalent of the month it occurred."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="losses")
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    occurred_on = models.DateField(_("date"), null=True, blank=True)
    usd_amount = models.DecimalField(_("USD equivalent"), max_digits=18, decimal_places=2, null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class ExchangeRate(models.Model):
    """Monthly US dollar rates, uploaded by the platform admin as a file."""

    month = models.DateField(_("month"), help_text=_("First day of the month."))
    currency = models.CharField(_("currency"), max_length=3)
    usd_per_unit = models.DecimalField(_("USD per unit"), max_digits=24, decimal_places=12)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "currency"], name="exchange_rate_unique")]
        ordering = ["-month", "currency"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.currency} {self.usd_per_unit}"


class CaseIdentifierQuerySet(AgencyScopedQuerySet):
    """Identifiers are read through their case: visible exactly when the case is."""

    def _visible_to(self, user):
        return self.filter(case__in=Case.objects.visible_to(user))


class CaseIdentifier(models.Model):
    """An identifier in a case, in canonical form, with the matching tokens computed from it.

    ``token`` is HMAC-SHA256 (community key) of ``type:value``; ``linked_token`` is the token of the identifier behind
    it (the phone behind a PromptPay alias or a WhatsApp handle), so both families match. Blind identifiers carry only
    a token an agency computed itself: their raw value never reaches the server.
    """

    # Indexes are what bulk ingest pays for on every row: only those queries use (see Meta), none per foreign key
    # (the unique (case, token) pair serves the case's identifiers; agencies are never deleted). Nor a database
    # constraint on either reference (decision 0026): checking them at commit was a sixth of PostgreSQL's work in a
    # bulk ingest, for rows written with the case in the same transaction; Django still applies CASCADE and PROTECT.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="identifiers", db_index=False, db_constraint=False
    )
    owner_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    type = models.CharField(_("type"), max_length=32)
    value = models.CharField(_("canonical value"), max_length=512, blank=True)
    display = models.CharField(_("as shown"), max_length=512, blank=True)
    raw = models.CharField(_("as entered"), max_length=512, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    valid = models.BooleanField(_("valid"), default=True)
    role = models.CharField(_("role"), max_length=32, choices=IdentifierRole.choices, default=IdentifierRole.OTHER)
    first_seen_on = models.DateField(_("first seen"), null=True, blank=True)
    last_seen_on = models.DateField(_("last seen"), null=True, blank=True)
    token = models.CharField(max_length=32)
    linked_token = models.CharField(max_length=32, blank=True)
    blind = models.BooleanField(_("blind (token only)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseIdentifierQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "token"], name="case_identifier_unique")]
        indexes = [
            models.Index(fields=["token"], name="case_identifier_token"),
            # Most identifiers have no linked key: index only those that do. Queries repeat the condition as
            # NOT (linked_token = ''): SQLite uses a partial index only for its own words.
            models.Index(fields=["linked_token"], name="case_identifier_linked", condition=~Q(linked_token="")),
        ]

    def __str__(self) -> str:
        return self.display or self.value or f"(blind {self.token[:8]})"


class BulkImport(JobRecord, OwnedModel):
    """A bulk import queued through the API: the NDJSON body spooled to a file, ingested by a job, whatever its size
    (the web request only stores it). ``report`` is the ingest report, updated after every batch."""

    file_name = models.CharField(max_length=100, editable=False)  # under LINTAS_DATA_DIR/imports/
    size = models.BigIntegerField(_("bytes"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bulk import")

    def __str__(self) -> str:
        return f"import {self.pk} ({self.status})"
