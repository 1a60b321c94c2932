"""Session rules: idle time-out, the user's language and time zone, and the mandatory second factor."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lintas.accounts import mfa
from lintas.audit.choices import Action
from lintas.audit.services import record_event

__all__ = ["BACKGROUND_HEADER", "IdleTimeoutMiddleware", "MfaRequiredMiddleware", "UserPreferencesMiddleware"]

# Sent by requests the page makes on its own (polling); they are checked but do not count as activity.
BACKGROUND_HEADER = "X-Lintas-Background"
_LAST_SEEN = "lintas_last_seen"
_STARTED = "lintas_started"
# Paths the page opens on its own without a way to send that header (the live event stream, an EventSource).
BACKGROUND_PATHS = frozenset({"/live/stream/"})
# Refreshing the timestamp costs a session write; once a minute is precise enough for a 30-minute rule.
_REFRESH_SECONDS = 60


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def _without_session(request) -> bool:
    """No session cookie: nobody is signed in by a session (an API client's bearer token is checked later, by the
    API), so these rules have nothing to do. Answering that from the cookie spares loading the session user on every
    API request: 6 % of a single-value lookup's worker CPU, measured in process."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def _login_redirect(request):
    login_url = reverse("accounts:login")
    if _wants_json(request):
        return JsonResponse({"detail": _("Your session has ended. Sign in again.")}, status=401)
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login_url
        return response
    return redirect(f"{login_url}?next={request.get_full_path()}")


class IdleTimeoutMiddleware:
    """Ends a session after ``IDLE_TIMEOUT_MINUTES`` without a request (audited as a session expiry)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _without_session(request):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            last_seen = request.session.get(_LAST_SEEN)
            if last_seen is not None and now - last_seen > settings.IDLE_TIMEOUT_MINUTES * 60:
                record_event(
                    Action.SESSION_EXPIRED, actor=user, target=user, details={"idle_seconds": int(now - last_seen)}
                )
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity.")
                    % {"minutes": settings.IDLE_TIMEOUT_MINUTES},
                )
                return _login_redirect(request)
            started = request.session.setdefault(_STARTED, now)
            if now - started > settings.SESSION_COOKIE_AGE:
                record_event(Action.SESSION_EXPIRED, actor=user, target=user, details={"reason": "maximum age"})
                logout(request)
                messages.info(request, _("Your session reached its maximum age. Sign in again."))
                return _login_redirect(request)
            # A page polling in the background (the dashboard's hits inbox) is not the officer at the keyboard: it
            # must not keep an unattended session alive.
            background = request.headers.get(BACKGROUND_HEADER) == "1" or request.path in BACKGROUND_PATHS
            if last_seen is None or (now - last_seen > _REFRESH_SECONDS and not background):
                request.session[_LAST_SEEN] = now
        return self.get_response(request)


class UserPreferencesMiddleware:
    """Shows times in the signed-in user's time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = None if _without_session(request) else getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(user.zone)
        else:
            timezone.deactivate()
        return self.get_response(request)


class MfaRequiredMiddleware:
    """Until the second factor is given, a signed-in user reaches only the pages that give it."""

    # The public pages (certificate verification, published summaries) show the same to everyone.
    EXEMPT_PREFIXES = (
        "/static/", "/accounts/login", "/accounts/logout", "/accounts/mfa/", "/i18n/", "/healthz",
        "/verify/", "/public/",
    )  # fmt: skip

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _without_session(request):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not _wants_json(request)
            and not request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            if mfa.needs_verification(user):
                return redirect(f"{reverse('accounts:mfa_verify')}?next={request.get_full_path()}")
            if mfa.needs_enrolment(user):
                return redirect(reverse("accounts:mfa_setup"))
        return self.get_response(request)
