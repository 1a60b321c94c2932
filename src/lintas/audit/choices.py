"""Every kind of audited action, in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Action", "Outcome"]


class Action(models.TextChoices):
    LOGIN = "auth.login", _("Login")
    LOGIN_FAILED = "auth.login_failed", _("Login failed")
    LOCKED_OUT = "auth.locked_out", _("Account locked out")
    LOGOUT = "auth.logout", _("Logout")
    SESSION_EXPIRED = "auth.session_expired", _("Session expired (idle)")
    MFA_ENROLLED = "auth.mfa_enrolled", _("Second factor enrolled")
    MFA_VERIFIED = "auth.mfa_verified", _("Second factor verified")
    MFA_FAILED = "auth.mfa_failed", _("Second factor failed")
    RECOVERY_CODE_USED = "auth.recovery_code_used", _("Recovery code used")
    RECOVERY_CODES_REGENERATED = "auth.recovery_codes_regenerated", _("Recovery codes regenerated")
    TOKEN_CREATED = "token.created", _("API token created")
    TOKEN_REVOKED = "token.revoked", _("API token revoked")
    TOKEN_REJECTED = "token.rejected", _("API token rejected")
    USER_CREATED = "user.created", _("User created")
    USER_UPDATED = "user.updated", _("User updated")
    USER_ROLES_CHANGED = "user.roles_changed", _("User roles changed")
    USER_DISABLED = "user.disabled", _("User disabled")
    USER_ENABLED = "user.enabled", _("User enabled")
    USER_MFA_RESET = "user.mfa_reset", _("User second factor reset")
    AGENCY_UPDATED = "agency.updated", _("Agency details updated")
    CASE_CREATED = "case.created", _("Case created")
    CASE_UPDATED = "case.updated", _("Case updated")
    CASE_VIEWED = "case.viewed", _("Case viewed")
    CASES_LISTED = "case.listed", _("Cases listed")
    IDENTIFIERS_ADDED = "case.identifiers_added", _("Identifiers added to a case")
    CASES_INGESTED = "case.bulk_ingested", _("Cases ingested in bulk")
    HITS_CREATED = "hit.created", _("Hits found")
    HIT_VIEWED = "hit.viewed", _("Hit viewed")
    DETAILS_REQUESTED = "hit.details_requested", _("Details requested from a hit")
    LOOKUP = "lookup.performed", _("Lookup")
    BENIGN_ADDED = "benign.added", _("Benign value added")
    BENIGN_REMOVED = "benign.removed", _("Benign value removed")
    RATES_UPLOADED = "rates.uploaded", _("Exchange rates uploaded")
    REVIEW_REMINDED = "case.review_reminded", _("Case review reminder sent")
    TOKENS_REKEYED = "tokens.rekeyed", _("Match tokens moved to a new community key")
    REQUEST_DRAFTED = "request.drafted", _("Assistance request drafted")
    REQUEST_TRANSITION = "request.transition", _("Assistance request moved")
    REQUEST_VIEWED = "request.viewed", _("Assistance request viewed")
    REQUEST_ESCALATED = "request.escalated", _("Assistance request deadline escalated")
    REQUEST_OUTCOME = "request.outcome", _("Assistance request outcome recorded")
    CAPABILITY_UPDATED = "capability.updated", _("Country capability updated")
    REQUEST_MESSAGE = "request.message", _("Message on an assistance request")
    PROFILE_UPDATED = "profile.updated", _("Profile updated")
    PASSWORD_CHANGED = "profile.password_changed", _("Password changed")
    ACCESS_DENIED = "access.denied", _("Access denied")
    AUDIT_VIEWED = "audit.viewed", _("Audit trail viewed")
    AUDIT_VERIFIED = "audit.verified", _("Audit chain verified")
    DEMO_SEEDED = "demo.seeded", _("Demo data created")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    DENIED = "denied", _("Denied")
    FAILED = "failed", _("Failed")
