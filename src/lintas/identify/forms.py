"""Forms of the Identify page: one value with an optional type, or a text to search."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lintas.core.forms import StyledFormMixin
from lintas.identifiers import IdentifierType
from lintas.identify.services import MAX_TEXT_CHARS

__all__ = ["ExtractForm", "ValueForm"]

TYPE_LABELS = {
    "phone": _("Phone number"),
    "bank_account": _("Bank account or IBAN"),
    "bic": _("BIC / SWIFT code"),
    "payment_alias": _("Payment alias or e-wallet"),
    "crypto_wallet": _("Crypto wallet"),
    "email": _("E-mail address"),
    "domain": _("Domain"),
    "url": _("URL"),
    "ip": _("IP address"),
    "social_handle": _("Messaging or social handle"),
    "imei": _("IMEI"),
    "national_id": _("National ID number"),
    "passport": _("Passport number"),
    "payment_card": _("Payment card"),
    "person_name": _("Person's name"),
    "unknown": _("Not recognised"),
}
TYPE_CHOICES = [("", _("Detect automatically"))] + [
    (kind.value, TYPE_LABELS[kind.value]) for kind in IdentifierType if kind is not IdentifierType.UNKNOWN
]


class ValueForm(StyledFormMixin, forms.Form):
    value = forms.CharField(
        label=_("Identifier"),
        max_length=4096,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("A phone number, account, wallet, e-mail, URL, handle, IMEI, ID or name."),
    )
    type = forms.ChoiceField(label=_("Type"), choices=TYPE_CHOICES, required=False)
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        required=False,
        help_text=_("For local numbers, e.g. KR or TH; your agency's country if empty."),
    )


class ExtractForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Text"),
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_("A victim statement, a pasted chat or an e-mail. Defanged links such as hxxps://x[.]com are read."),
    )
    country = forms.CharField(label=_("Country"), max_length=2, required=False)
