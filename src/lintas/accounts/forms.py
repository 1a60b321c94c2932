"""Forms of the accounts pages. Validation of rights lives in the services; forms check shape."""

import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lintas.accounts.choices import Role, TokenScope
from lintas.agencies.models import Agency
from lintas.core.forms import StyledFormMixin

__all__ = [
    "AdminPasswordForm",
    "LoginForm",
    "OtpForm",
    "PasswordChangeForm",
    "PreferencesForm",
    "TokenForm",
    "UserCreateForm",
    "UserRolesForm",
]


class LoginForm(StyledFormMixin, forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class OtpForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "spellcheck": "false"}
        ),
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
    )


def _time_zone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name or name == "UTC"]


class PreferencesForm(StyledFormMixin, forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zone_choices)


class TokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. case system sync.")
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=TokenScope.choices, initial=TokenScope.READ)
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=settings.API_TOKEN_MAX_DAYS, initial=90
    )


class PasswordChangeForm(StyledFormMixin, forms.Form):
    current = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters, not a common password."),
    )
    confirm = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("new") and data.get("confirm") and data["new"] != data["confirm"]:
            self.add_error("confirm", _("The two new passwords differ."))
        return data


class AdminPasswordForm(StyledFormMixin, forms.Form):
    password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Give it to the user through a separate, trusted channel. Their sessions end now."),
    )


class RoleChoiceMixin:
    def limit_roles(self, grantable):
        self.fields["roles"].choices = [(value, label) for value, label in Role.choices if value in grantable]


class UserCreateForm(StyledFormMixin, RoleChoiceMixin, forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.active(), to_field_name="code", empty_label=None
    )
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters, not a common password. The user enrols a second factor at first login."),
    )
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, grantable=frozenset(), choose_agency=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_roles(grantable)
        if not choose_agency:  # only the platform admin creates users in other agencies (their first admins)
            del self.fields["agency"]


class UserRolesForm(StyledFormMixin, RoleChoiceMixin, forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, grantable=frozenset(), current=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        # Roles already held stay listed so they can be kept; the service refuses changes beyond the actor's rights.
        self.limit_roles(set(grantable) | set(current))
