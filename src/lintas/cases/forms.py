"""The case form. It only gathers fields: ``clean_case`` (shared with API and bulk ingest) validates them."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lintas.agencies.models import Agency
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
from lintas.cases.paste import read_lines
from lintas.cases.validation import CaseInvalid, clean_case
from lintas.core.forms import StyledFormMixin
from lintas.identify.forms import TYPE_CHOICES

__all__ = ["ROLE_CHOICES", "CaseEditForm", "CaseForm", "identifier_lines"]


def identifier_lines(
    text: str, role: str = "", kind: str = "", *, crime_type: str = "", country: str | None = None
) -> list[dict]:
    """One identifier per line of the paste box: its value and role (given on the line, else ``role`` when chosen,
    else guessed from its type and ``crime_type``; see ``lintas.cases.paste``), and the type, if chosen."""
    extra = {"type": kind} if kind else {}
    lines = read_lines(text, default_role=role, crime_type=crime_type, kind=kind or None, country=country)
    return [{"value": line.value, "role": line.role, **extra} for line in lines]


ROLE_CHOICES = [("", _("Guess from the type and the case (default)")), *IdentifierRole.choices]
ROLE_HELP = _(
    "A line may carry its own role, before or after the value: “beneficiary: TL38 0080 …”, “mule 0812-345-678”, "
    "“victim +65 9123 4567”. The preview shows the role of each line."
)


class CaseForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    crime_type = forms.ChoiceField(label=_("Crime type"), choices=CrimeType.choices)
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices, initial=CaseStatus.OPEN)
    external_reference = forms.CharField(label=_("Your own case number"), max_length=100, required=False)
    first_incident_on = forms.DateField(
        label=_("First incident"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last_incident_on = forms.DateField(
        label=_("Last incident"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    countries = forms.CharField(label=_("Countries involved"), required=False, help_text=_("Codes such as KR, KH, TH."))
    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Identifiers written here (phones, wallets, links) are matched too."),
    )
    victim_count = forms.IntegerField(label=_("Victims"), min_value=0, initial=0)
    loss_amount = forms.DecimalField(label=_("Loss"), required=False, min_value=0, decimal_places=2, max_digits=18)
    loss_currency = forms.CharField(
        label=_("Currency"), required=False, max_length=3, help_text=_("ISO 4217, e.g. USD, KRW.")
    )
    identifiers = forms.CharField(
        label=_("Identifiers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_(
            "One per line: phone numbers, accounts, IBANs, wallets, e-mails, links, handles. "
            "The detected type is shown as you type."
        ),
    )
    identifier_type = forms.ChoiceField(
        label=_("Type of these identifiers"),
        choices=TYPE_CHOICES,
        required=False,
        help_text=_("Detected for each line unless you choose one, e.g. for an account written “KB 123456-01-234567”."),
    )
    identifier_role = forms.ChoiceField(
        label=_("Role for lines without one"), choices=ROLE_CHOICES, required=False, help_text=ROLE_HELP
    )
    distribution = forms.ChoiceField(
        label=_("Who may see this case"), choices=Distribution.choices, initial=Distribution.OWNER
    )
    shared_with = forms.ModelMultipleChoiceField(
        label=_("Named agencies"),
        required=False,
        queryset=Agency.objects.active(),
        to_field_name="code",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    tlp = forms.ChoiceField(label="TLP", choices=Tlp.choices, initial=Tlp.AMBER)
    handling_code = forms.ChoiceField(label=_("Handling code"), choices=HandlingCode.choices, initial=HandlingCode.H0)
    handling_text = forms.CharField(label=_("Handling restrictions (H3)"), required=False, max_length=500)
    source_reliability = forms.ChoiceField(
        label=_("Source reliability"), choices=SourceReliability.choices, initial="X"
    )
    information_accuracy = forms.ChoiceField(
        label=_("Information accuracy"), choices=InformationAccuracy.choices, initial="4"
    )
    purpose = forms.CharField(label=_("Purpose"), required=False, max_length=300)
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, max_length=300)
    review_on = forms.DateField(
        label=_("Review date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Five years from today if empty."),
    )
    hide_owner_in_hits = forms.BooleanField(label=_("Hide our name in hit/no-hit answers"), required=False)

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["shared_with"].queryset = (
            Agency.objects.active().exclude(pk=owner.pk) if owner else Agency.objects.none()
        )
        self.clean_result = None

    def as_case_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["shared_with"] = [agency.code for agency in data.get("shared_with") or []]
        data["identifiers"] = identifier_lines(
            data.pop("identifiers", ""),
            data.pop("identifier_role", ""),
            data.pop("identifier_type", ""),
            crime_type=data.get("crime_type", ""),
            country=(self.owner.country or None) if self.owner else None,
        )
        amount, currency = data.pop("loss_amount", None), data.pop("loss_currency", "")
        data["losses"] = [{"amount": str(amount), "currency": currency}] if amount is not None else []
        return data

    def clean(self):
        super().clean()
        if self.errors:
            return self.cleaned_data
        try:
            self.clean_result = clean_case(self.as_case_data(), owner=self.owner)
        except CaseInvalid as error:
            for name, messages in error.errors.items():
                field = name.split("[")[0]
                field = {"losses": "loss_amount"}.get(field, field)
                self.add_error(field if field in self.fields else None, messages)
        return self.cleaned_data


class CaseEditForm(CaseForm):
    """The case form without identifiers and losses (added on the case page): fields and sharing only."""

    NOT_EDITED = (
        "identifiers",
        "identifier_type",
        "identifier_role",
        "loss_amount",
        "loss_currency",
        "external_reference",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.NOT_EDITED:
            del self.fields[name]
        self.fields["review_on"].required = True

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data["shared_with"] = [agency.code for agency in data.get("shared_with") or []]
        return data

    def clean(self):
        return forms.Form.clean(self)  # the service validates the merged case with clean_case
