from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["AllowanceKind", "BenignCategory"]


class BenignCategory(models.TextChoices):
    BANK_HOTLINE = "bank_hotline", _("Bank hotline")
    WEBMAIL = "webmail", _("Webmail or public domain")
    EXCHANGE_WALLET = "exchange_wallet", _("Exchange hot wallet")
    TEST_VALUE = "test_value", _("Test number or value")
    OTHER = "other", _("Other")


class AllowanceKind(models.TextChoices):
    """The hourly allowances of hit/no-hit answers (``lintas.matching.allowance``)."""

    LOOKUP = "lookup", _("values looked up")
    RECORDED = "recorded", _("identifiers recorded")
