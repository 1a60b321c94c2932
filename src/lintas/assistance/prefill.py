"""What a new request is filled in with when it is opened from a case, one of its identifiers or a hit (decision 0046).

Nothing here writes: the draft form shows these values and the officer submits them as they are or changed.

- **Priority** follows the type: a stop-payment and a preservation of evidence are urgent (the money or the logs are
  gone within hours), every other type is routine. ``services.draft_request`` applies the same default when no
  priority is given (pages and API alike).
- **Receiver**: the active national police of the identifier's country (an IBAN ``TL38...`` goes to PNTL); for a hit,
  the agency holding the other side (chosen by the hit, never named here when it hides its name).
- **Amount** at stake: the case's losses, added up when they share one currency, else their US dollar equivalents.
- **Subject and what is asked**: a template per type, written in the sender's language (``user.language``), naming the
  identifier as displayed, the amount, the case reference and its crime type.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lintas.agencies.models import Agency
from lintas.assistance.choices import Priority, RequestType

__all__ = [
    "STOPPABLE_TYPES",
    "TYPE_PRIORITY",
    "amount_at_stake",
    "default_priority",
    "receivers_for_countries",
    "suggested_type",
    "texts",
]

TYPE_PRIORITY = {RequestType.STOP_PAYMENT: Priority.URGENT, RequestType.PRESERVATION: Priority.URGENT}

# Identifiers money sits behind: their row on a case offers "Request a stop-payment".
STOPPABLE_TYPES = frozenset({"bank_account", "crypto_wallet", "payment_alias", "payment_card"})

_SUGGESTED = {
    **dict.fromkeys(STOPPABLE_TYPES, RequestType.STOP_PAYMENT),
    **dict.fromkeys(("phone", "email", "social_handle", "ip", "imei"), RequestType.SUBSCRIBER_INFO),
    **dict.fromkeys(("domain", "url"), RequestType.TAKEDOWN),
    **dict.fromkeys(("person_name", "passport", "national_id"), RequestType.LOCATE_PERSON),
}

# (subject, what is asked) per type. Parameters: target (the identifier as displayed, or the case reference), amount,
# reference (the sender's case), crime (its crime type).
TEMPLATES = {
    RequestType.STOP_PAYMENT: (
        _("Stop payment on %(target)s: %(amount)s (%(crime)s)"),
        _(
            "Please freeze %(target)s at once and stop any payment out of it. It received %(amount)s in our case "
            "%(reference)s (%(crime)s). Please tell us what you froze, and report any onward transfers (destination "
            "account, amount and time) so that we can follow the money."
        ),
    ),
    RequestType.ACCOUNT_RECORDS: (
        _("Account holder and transaction records of %(target)s"),
        _(
            "Please send the identity of the holder of %(target)s and its transaction records. The account is in our "
            "case %(reference)s (%(crime)s; %(amount)s at stake)."
        ),
    ),
    RequestType.SUBSCRIBER_INFO: (
        _("Subscriber information for %(target)s"),
        _(
            "Please send the subscriber or account-holder information and the registration details of %(target)s, "
            "used in our case %(reference)s (%(crime)s)."
        ),
    ),
    RequestType.PRESERVATION: (
        _("Preserve the evidence on %(target)s"),
        _(
            "Please preserve at once the electronic evidence on %(target)s (subscriber and log-in records, messages, "
            "transaction logs) used in our case %(reference)s (%(crime)s), so that nothing is deleted before a formal "
            "request reaches you."
        ),
    ),
    RequestType.TAKEDOWN: (
        _("Take down or block %(target)s"),
        _(
            "Please take down or block %(target)s, used in our case %(reference)s (%(crime)s), and tell us when it is "
            "done."
        ),
    ),
    RequestType.LOCATE_PERSON: (
        _("Locate or identify the person behind %(target)s"),
        _("Please locate or identify the person behind %(target)s in our case %(reference)s (%(crime)s)."),
    ),
    RequestType.STATEMENT: (
        _("Victim or witness statement: %(target)s"),
        _(
            "Please take a statement from the victim or witness linked to %(target)s in our case %(reference)s "
            "(%(crime)s)."
        ),
    ),
    RequestType.RETURN_FUNDS: (
        _("Return of frozen funds: %(target)s"),
        _(
            "Please return the funds frozen on %(target)s to the victims of our case %(reference)s (%(crime)s; "
            "%(amount)s lost)."
        ),
    ),
    RequestType.GENERAL: (
        _("Inquiry about %(target)s"),
        _("Please share what you know about %(target)s, which appears in our case %(reference)s (%(crime)s)."),
    ),
}


def default_priority(request_type: str | None) -> str:
    """The priority a request of this type starts with: urgent for a stop-payment or a preservation, else routine."""
    return TYPE_PRIORITY.get(request_type, Priority.ROUTINE)


def suggested_type(identifier_type: str) -> str:
    """The request an identifier of this kind most often calls for (a stop-payment for an account or a wallet)."""
    return _SUGGESTED.get(identifier_type, RequestType.GENERAL)


def receivers_for_countries(countries, sender: Agency) -> list[str]:
    """The codes of the member agencies of ``countries`` (their active national police), the sender's own left out."""
    countries = [c for c in countries or [] if isinstance(c, str) and c]
    if not countries:
        return []
    members = Agency.objects.active().filter(country__in=countries, kind="national_police").exclude(pk=sender.pk)
    return list(members.order_by("pk").values_list("code", flat=True))


def amount_at_stake(case) -> tuple[Decimal | None, str]:
    """The case's losses as one amount: added up in their currency when they share one, else in US dollars when every
    loss has its dollar equivalent, else none (the officer writes it)."""
    losses = list(case.losses.all())
    if not losses:
        return None, ""
    currencies = {loss.currency for loss in losses}
    if len(currencies) == 1:
        return sum((loss.amount for loss in losses), Decimal(0)), currencies.pop()
    if all(loss.usd_amount is not None for loss in losses):
        return sum((loss.usd_amount for loss in losses), Decimal(0)), "USD"
    return None, ""


def texts(user, request_type: str, *, case, identifier=None, amount=None, currency: str = "") -> tuple[str, str]:
    """The subject and what is asked for a request of ``request_type`` about ``case`` (and ``identifier``), written in
    ``user``'s language, whatever language the page is shown in."""
    from lintas.core.templatetags.lintas_format import money

    subject, asked = TEMPLATES.get(request_type, TEMPLATES[RequestType.GENERAL])
    with translation.override(user.language or settings.LANGUAGE_CODE):
        params = {
            "target": str(identifier) if identifier is not None else case.reference,
            "amount": money(amount, currency) if amount is not None else gettext("an amount not yet known"),
            "reference": case.reference,
            "crime": str(case.get_crime_type_display()),
        }
        return str(subject) % params, str(asked) % params
