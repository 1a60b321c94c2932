"""Drafting a request. Rules are checked by ``services.draft_request``; the form gathers fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lintas.agencies.models import Agency
from lintas.assistance.choices import LegalBasis, Priority, RequestType
from lintas.cases.choices import HandlingCode, Tlp
from lintas.cases.models import Case
from lintas.core.forms import IdsChoiceField, StyledFormMixin

__all__ = ["DraftForm"]


class DraftForm(StyledFormMixin, forms.Form):
    receivers = forms.ModelMultipleChoiceField(
        label=_("To"),
        queryset=Agency.objects.none(),
        to_field_name="code",
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("One request is made for each agency."),
    )
    type = forms.ChoiceField(label=_("Type"), choices=RequestType.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.ROUTINE)
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=LegalBasis.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    asked = forms.CharField(label=_("What is asked"), widget=forms.Textarea(attrs={"rows": 5}))
    amount = forms.DecimalField(label=_("Amount at stake"), required=False, min_value=0, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    due_at = forms.DateTimeField(
        label=_("Due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("From the priority if empty: urgent 4 hours, high 3 days, routine 21 days."),
    )
    cases = IdsChoiceField(label=_("Linked cases"), queryset=Case.objects.none(), required=False)
    handling_code = forms.ChoiceField(label=_("Handling code"), choices=HandlingCode.choices, initial="H0")
    tlp = forms.ChoiceField(label="TLP", choices=Tlp.choices, initial=Tlp.AMBER)

    def __init__(self, *args, user=None, routed_by_hit=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receivers"].queryset = Agency.objects.active().exclude(pk=user.agency_id)
        if routed_by_hit:  # the holder hides its name: the hit routes the request, the requester does not choose
            del self.fields["receivers"]
        self.fields["cases"].queryset = Case.objects.visible_to(user).filter(owner_agency_id=user.agency_id)
