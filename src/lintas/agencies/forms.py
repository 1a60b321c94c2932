"""Form for an agency's directory entry; the fields shown are those the user may change."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lintas.agencies.models import Agency
from lintas.core.forms import StyledFormMixin

__all__ = ["AgencyForm"]


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
