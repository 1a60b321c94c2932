"""Form for an agency's directory entry; the fields shown are those the user may change."""

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from lintas.agencies.models import ESCALATION_MINUTES, Agency
from lintas.core.forms import StyledFormMixin

__all__ = ["AgencyForm", "DutyShiftForm", "EscalationForm"]


class AgencyForm(StyledFormMixin, forms.ModelForm):
    languages = forms.CharField(
        label=_("Languages"),
        help_text=_("Language codes separated by commas, for example ms, en."),
        max_length=100,
    )

    class Meta:
        model = Agency
        fields = ["name", "short_name", "is_active", "contact_24_7", "languages", "time_zone"]
        widgets = {"contact_24_7": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, editable=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in editable:
                del self.fields[name]
        if "languages" in self.fields and self.instance.pk:
            self.initial["languages"] = ", ".join(self.instance.languages)

    def clean_languages(self):
        codes = [code.strip().lower() for code in self.cleaned_data["languages"].split(",") if code.strip()]
        if not codes or any(not code.replace("-", "").isalpha() or len(code) > 8 for code in codes):
            raise forms.ValidationError(_("Give one or more language codes, such as ko or ms, en."))
        return codes

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}

    def _post_clean(self):
        # The service applies the changes and validates the model; the form only checks shape.
        pass


# --- duty roster (decision 0048) -----------------------------------------------------------------------------------


class ZonedDateTimeField(forms.DateTimeField):
    """A date and time read in a given time zone (the agency's), whatever zone the viewer's page is in."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, *args, zone=None, **kwargs):
        self.zone = zone
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        from django.utils import timezone

        try:
            with timezone.override(self.zone):
                result = super().to_python(value)
        except (OverflowError, ValueError):
            raise forms.ValidationError(_("Enter a date and time such as 2026-12-06 08:00.")) from None
        if result is not None and not 2000 <= result.year <= 2100:
            raise forms.ValidationError(_("Enter a date and time such as 2026-12-06 08:00."))
        return result


class DutyShiftForm(StyledFormMixin, forms.Form):
    """One shift on the roster, its times in the agency's time zone."""

    officer = forms.TypedChoiceField(label=_("Officer"), coerce=int)
    starts_at = ZonedDateTimeField(label=_("Starts"))
    ends_at = ZonedDateTimeField(label=_("Ends"))
    position = forms.TypedChoiceField(
        label=_("Order on duty"),
        coerce=int,
        choices=[(n, n) for n in range(1, 10)],
        initial=1,
        help_text=_("1 is told first of an urgent request; 2 next when nobody acknowledges it in time."),
    )

    def __init__(self, *args, agency, officers, **kwargs):
        super().__init__(*args, **kwargs)
        zone = zoneinfo.ZoneInfo(agency.time_zone)
        for name in ("starts_at", "ends_at"):
            self.fields[name].zone = zone
            self.fields[name].help_text = _("In %(zone)s time.") % {"zone": agency.time_zone}
        self.fields["officer"].choices = [("", "---------")] + [
            (officer.pk, officer.get_full_name() or officer.username) for officer in officers
        ]


class EscalationForm(StyledFormMixin, forms.Form):
    escalate_after_minutes = forms.IntegerField(
        label=_("Escalate unacknowledged urgent requests after (minutes)"),
        min_value=ESCALATION_MINUTES[0],
        max_value=ESCALATION_MINUTES[1],
        help_text=_(
            "To the next officer on duty after this time, to the supervisors after twice this time; the 24/7 contact "
            "point is e-mailed at the first step."
        ),
    )
