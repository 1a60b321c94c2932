"""Drafting a request. Rules are checked by ``services.draft_request``; the form gathers fields."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from lintas.agencies.models import Agency
from lintas.assistance.choices import LegalBasis, Priority, RequestType
from lintas.assistance.prefill import default_priority
from lintas.cases.choices import HandlingCode, Tlp
from lintas.cases.models import Case, CaseIdentifier
from lintas.core.forms import IdsChoiceField, StyledFormMixin

__all__ = ["DraftForm"]


class IdentifierChoiceField(IdsChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} · {obj.get_role_display()}"


class DraftForm(StyledFormMixin, forms.Form):
    receivers = forms.ModelMultipleChoiceField(
        label=_("To"),
        queryset=Agency.objects.none(),
        to_field_name="code",
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("One request is made for each agency."),
    )
    type = forms.ChoiceField(label=_("Type"), choices=RequestType.choices)
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        initial=Priority.ROUTINE,
        required=False,  # not sent: the type's default (services.draft_request)
        help_text=_("Set by the type: stop-payment and preservation are urgent. Change it if needed."),
    )
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"), choices=LegalBasis.choices, initial=LegalBasis.POLICE_TO_POLICE
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    asked = forms.CharField(label=_("What is asked"), widget=forms.Textarea(attrs={"rows": 5}))
    amount = forms.DecimalField(label=_("Amount at stake"), required=False, min_value=0, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    due_at = forms.DateTimeField(
        label=_("Due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_(
            "If empty: the receiver's usual turnaround for the type, else the priority's default (urgent 4 hours, "
            "high 3 days, routine 21 days), as shown below."
        ),
    )
    cases = IdsChoiceField(label=_("Linked cases"), queryset=Case.objects.none(), required=False)
    identifiers = IdentifierChoiceField(
        label=_("About these identifiers"),
        queryset=CaseIdentifier.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    handling_code = forms.ChoiceField(label=_("Handling code"), choices=HandlingCode.choices, initial="H0")
    tlp = forms.ChoiceField(label="TLP", choices=Tlp.choices, initial=Tlp.AMBER)

    def __init__(self, *args, user=None, routed_by_hit=False, identifier_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The priority follows the type as the officer changes it (request-form.js), until they choose one themselves.
        self.fields["type"].widget.attrs["data-default-priorities"] = json.dumps(
            {value: default_priority(value) for value in RequestType.values}
        )
        if identifier_choices is None:  # offered only for a request opened from a case
            del self.fields["identifiers"]
        else:
            self.fields["identifiers"].queryset = identifier_choices
        self.fields["receivers"].queryset = Agency.objects.active().exclude(pk=user.agency_id)
        if routed_by_hit:  # the holder hides its name: the hit routes the request, the requester does not choose
            del self.fields["receivers"]
        self.fields["cases"].queryset = Case.objects.visible_to(user).filter(owner_agency_id=user.agency_id)
