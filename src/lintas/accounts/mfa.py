"""Second-factor state of a signed-in user."""

from django.conf import settings
from django_otp import user_has_device

__all__ = ["is_verified", "needs_enrolment", "needs_verification", "session_is_complete"]


def is_verified(user) -> bool:
    """True once this session gave a second factor. Users fresh from ``login()`` are not wrapped by django-otp yet."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def needs_verification(user) -> bool:
    """Signed in with a password, has an authenticator, has not yet given a code in this session."""
    return user.is_authenticated and not is_verified(user) and user_has_device(user, confirmed=True)


def needs_enrolment(user) -> bool:
    """Must set up an authenticator before anything else (always, except in demo mode)."""
    return (
        settings.MFA_REQUIRED
        and user.is_authenticated
        and not is_verified(user)
        and not user_has_device(user, confirmed=True)
    )


def session_is_complete(user) -> bool:
    """A session is complete when both factors are given (or demo mode lets an un-enrolled user skip)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_verified(user):
        return True
    return not needs_verification(user) and not needs_enrolment(user)
