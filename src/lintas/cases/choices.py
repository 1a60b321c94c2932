"""Taxonomies and sharing rules of a case (DOMAIN.md: crime types, sharing rules)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CaseStatus",
    "CrimeType",
    "Distribution",
    "HandlingCode",
    "IdentifierRole",
    "InformationAccuracy",
    "SourceReliability",
    "Tlp",
]


class CrimeType(models.TextChoices):
    INVESTMENT_FRAUD = "investment_fraud", _("Investment fraud (incl. pig-butchering)")
    ROMANCE_FRAUD = "romance_fraud", _("Romance fraud")
    BEC = "bec", _("Business e-mail compromise")
    VOICE_PHISHING = "voice_phishing", _("Voice phishing / impersonation of officials or banks")
    PHISHING = "phishing", _("Phishing and smishing")
    SHOPPING_FRAUD = "shopping_fraud", _("Online shopping fraud")
    JOB_SCAM = "job_scam", _("Job and task scam")
    LOAN_SCAM = "loan_scam", _("Loan scam")
    SEXTORTION = "sextortion", _("Sextortion")
    RANSOMWARE = "ransomware", _("Ransomware and extortion")
    ACCOUNT_TAKEOVER = "account_takeover", _("Account takeover")
    MONEY_MULE = "money_mule", _("Money-mule network")
    CRYPTO_FRAUD = "crypto_fraud", _("Crypto fraud (fake exchange, rug pull, address poisoning)")
    ILLEGAL_GAMBLING = "illegal_gambling", _("Illegal online gambling")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATING = "investigating", _("Under investigation")
    CLOSED = "closed", _("Closed")


class Distribution(models.TextChoices):
    OWNER = "owner", _("Owner only")
    NAMED = "named", _("Named agencies")
    ALL = "all", _("All members")


class Tlp(models.TextChoices):
    CLEAR = "clear", "TLP:CLEAR"
    GREEN = "green", "TLP:GREEN"
    AMBER = "amber", "TLP:AMBER"
    AMBER_STRICT = "amber+strict", "TLP:AMBER+STRICT"
    RED = "red", "TLP:RED"


class HandlingCode(models.TextChoices):
    H0 = "H0", _("H0 — only to prevent or combat crime")
    H1 = "H1", _("H1 — not in judicial proceedings without permission")
    H2 = "H2", _("H2 — not passed on without permission")
    H3 = "H3", _("H3 — other restrictions (see text)")


class SourceReliability(models.TextChoices):
    A = "A", _("A — reliable")
    B = "B", _("B — mostly reliable")
    C = "C", _("C — not reliable")
    X = "X", _("X — cannot be judged")


class InformationAccuracy(models.TextChoices):
    ONE = "1", _("1 — known to be true")
    TWO = "2", _("2 — known personally to the source")
    THREE = "3", _("3 — not known personally, corroborated")
    FOUR = "4", _("4 — cannot be judged")


class IdentifierRole(models.TextChoices):
    BENEFICIARY_ACCOUNT = "beneficiary_account", _("Beneficiary account")
    MULE_ACCOUNT = "mule_account", _("Mule account")
    VICTIM_ACCOUNT = "victim_account", _("Victim account")
    SUSPECT_PHONE = "suspect_phone", _("Suspect phone")
    VICTIM_PHONE = "victim_phone", _("Victim phone")
    SCAM_WEBSITE = "scam_website", _("Scam website")
    RECEIVING_WALLET = "receiving_wallet", _("Wallet receiving victim funds")
    SUSPECT_WALLET = "suspect_wallet", _("Suspect wallet")
    SUSPECT_HANDLE = "suspect_handle", _("Suspect messaging or social handle")
    SUSPECT_EMAIL = "suspect_email", _("Suspect e-mail")
    SEIZED_DEVICE = "seized_device", _("Seized device")
    SUSPECT_PERSON = "suspect_person", _("Suspect person")
    MENTIONED = "mentioned", _("Mentioned in the narrative")
    OTHER = "other", _("Other")
