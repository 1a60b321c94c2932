"""Sign-in, second factor, profile and user management pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from lintas.accounts import mfa, services
from lintas.accounts.choices import AGENCY_ROLES, Role
from lintas.accounts.forms import (
    AdminPasswordForm,
    LoginForm,
    OtpForm,
    PasswordChangeForm,
    PreferencesForm,
    TokenForm,
    UserCreateForm,
    UserRolesForm,
)
from lintas.accounts.models import ApiToken, User
from lintas.accounts.permissions import can_manage, grantable_roles
from lintas.audit.services import record_denial
from lintas.core.access import get_visible_or_404
from lintas.core.decorators import role_required
from lintas.core.views import add_service_errors

MANAGERS = (Role.AGENCY_ADMIN, Role.PLATFORM_ADMIN)


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _with_language_cookie(response, language: str):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE, httponly=True
    )
    return response


def login_view(request):
    if request.user.is_authenticated and mfa.session_is_complete(request.user):
        return redirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt = services.check_login(form.cleaned_data["username"], form.cleaned_data["password"])
        if attempt.user is None:
            form.add_error(None, attempt.error)
        else:
            login(request, attempt.user, backend="django.contrib.auth.backends.ModelBackend")
            next_url = _safe_next(request, reverse(settings.LOGIN_REDIRECT_URL))
            if mfa.needs_verification(attempt.user):
                next_url = f"{reverse('accounts:mfa_verify')}?next={next_url}"
            elif mfa.needs_enrolment(attempt.user):
                next_url = reverse("accounts:mfa_setup")
            return _with_language_cookie(HttpResponseRedirect(next_url), attempt.user.language)
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.end_all_sessions(request.user)
    logout(request)
    messages.success(request, _("You are signed out on every device."))
    return redirect("accounts:login")


@login_required
def mfa_verify(request):
    user = request.user
    if not mfa.needs_verification(user):
        return redirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
    if user.is_locked():
        logout(request)
        messages.error(request, _("Too many wrong codes: the account is locked for a while."))
        return redirect("accounts:login")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip().replace(" ", "").lower()
        device = _matching_device(user, code)
        if device is not None:
            otp_login(request, device)
            services.record_mfa_success(user, recovery_code=isinstance(device, StaticDevice))
            return redirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
        if services.record_mfa_failure(user):
            logout(request)
            messages.error(request, _("Too many wrong codes: the account is locked for a while."))
            return redirect("accounts:login")
        form.add_error("code", _("That code is not valid. Check the time on your phone and try again."))
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": request.GET.get("next", "")})


def _matching_device(user, code: str):
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):
            return device
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):
            return device
    return None


@login_required
def mfa_setup(request):
    """Enrol an authenticator: QR code and secret, confirmed with a first code; recovery codes shown once."""
    import base64

    import segno

    user = request.user
    if mfa.needs_verification(user):
        return redirect("accounts:mfa_verify")
    device = services.start_totp_enrolment(user)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_totp(user, device, form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, TOTPDevice.objects.get(pk=device.pk))
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "first_time": True})
        form.add_error("code", _("That code is not valid. Check the time on your phone and try again."))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=5, title=_("QR code for your authenticator app"))
    return render(
        request,
        "accounts/mfa_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": secret, "demo_skip": not settings.MFA_REQUIRED},
    )


@login_required
@require_POST
def recovery_codes_regenerate(request):
    if not mfa.is_verified(request.user):
        raise PermissionDenied(_("Give your second factor first."))
    codes = services.regenerate_recovery_codes(request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "first_time": False})


@require_POST
def set_language(request):
    """Language switcher: a cookie for everyone, and the profile of a signed-in user."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if request.user.is_authenticated:
        services.update_preferences(request.user, language=language)
    return _with_language_cookie(HttpResponseRedirect(_safe_next(request, "/")), language)


@login_required
def profile(request):
    user = request.user
    prefs = PreferencesForm(
        request.POST if request.POST.get("form") == "preferences" else None,
        initial={"language": user.language, "time_zone": user.time_zone},
    )
    token_form = TokenForm(request.POST if request.POST.get("form") == "token" else None)
    password_form = PasswordChangeForm(request.POST if request.POST.get("form") == "password" else None)
    new_secret = None
    if request.method == "POST":
        if password_form.is_bound and password_form.is_valid():
            try:
                services.change_password(
                    user, current=password_form.cleaned_data["current"], new=password_form.cleaned_data["new"]
                )
            except ValidationError as error:
                add_service_errors(password_form, error)
            else:
                update_session_auth_hash(request, user)  # this session stays; every other one ends
                messages.success(request, _("Your password is changed. Your other sessions have ended."))
                return redirect("accounts:profile")
        if prefs.is_bound and prefs.is_valid():
            services.update_preferences(user, **prefs.cleaned_data)
            messages.success(request, _("Your preferences are saved."))
            return _with_language_cookie(redirect("accounts:profile"), user.language)
        if token_form.is_bound and token_form.is_valid():
            try:
                _token, new_secret = services.create_api_token(user, **token_form.cleaned_data)
            except ValidationError as error:
                add_service_errors(token_form, error)
            else:
                token_form = TokenForm()
    context = {
        "prefs": prefs,
        "token_form": token_form,
        "password_form": password_form,
        "new_secret": new_secret,
        "tokens": ApiToken.objects.visible_to(user),
        "has_totp": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = get_visible_or_404(ApiToken.objects.select_related("user"), request.user, pk=token_id)
    services.revoke_api_token(request.user, token)
    messages.success(request, _("Token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:profile")


def _users_for(request, *, visible=True):
    users = User.objects.select_related("agency").prefetch_related("role_assignments")
    return users.visible_to(request.user) if visible else users


@role_required(*MANAGERS)
def user_list(request):
    users = _users_for(request)
    query = request.GET.get("q", "").strip()
    if query:
        from django.db.models import Q

        users = users.filter(
            Q(username__icontains=query) | Q(first_name__icontains=query) | Q(last_name__icontains=query)
        )
    status = request.GET.get("status", "")
    if status in {"active", "disabled"}:
        users = users.filter(is_active=status == "active")
    page = Paginator(users.order_by("agency__short_name", "username"), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    template = "accounts/_user_rows.html" if request.htmx else "accounts/user_list.html"
    return render(request, template, {"page": page, "q": query, "status": status})


@role_required(*MANAGERS)
def user_create(request):
    agency = request.user.agency
    platform_admin = request.user.has_role(Role.PLATFORM_ADMIN)
    # The platform admin may create users anywhere (an agency's first admin); the service checks roles per agency.
    grantable = AGENCY_ROLES | {Role.PLATFORM_ADMIN} if platform_admin else grantable_roles(request.user, agency)
    form = UserCreateForm(
        request.POST or None, grantable=grantable, choose_agency=platform_admin, initial={"agency": agency.code}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_user(
                request.user,
                agency=data.get("agency") or agency,
                username=data["username"],
                password=data["password"],
                roles=set(data["roles"]),
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            record_denial(request.user, str(error), object_type="accounts.user", object_id="new")
            form.add_error(None, str(error))
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user.username})
            return redirect("accounts:user_detail", user_id=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "agency": agency})


@role_required(*MANAGERS)
def user_detail(request, user_id: int):
    target = get_visible_or_404(_users_for(request, visible=False), request.user, pk=user_id)  # it applies visible_to
    manageable = can_manage(request.user, target)
    form = UserRolesForm(
        request.POST or None,
        grantable=grantable_roles(request.user, target.agency) if manageable else frozenset(),
        current=target.roles,
        initial={"roles": sorted(target.roles)},
    )
    password_form = AdminPasswordForm(request.POST if request.POST.get("action") == "set_password" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "set_password" and password_form.is_valid():
                try:
                    services.set_password_by_admin(request.user, target, password_form.cleaned_data["password"])
                except ValidationError as error:
                    add_service_errors(password_form, error)
                else:
                    messages.success(request, _("New password set; the user's sessions have ended."))
                    return redirect("accounts:user_detail", user_id=target.pk)
            if action == "roles" and form.is_valid():
                services.set_user_roles(request.user, target, set(form.cleaned_data["roles"]))
                messages.success(request, _("Roles saved."))
                return redirect("accounts:user_detail", user_id=target.pk)
            if action in {"disable", "enable"}:
                services.set_user_active(request.user, target, action == "enable")
                messages.success(request, _("User disabled.") if action == "disable" else _("User enabled."))
                return redirect("accounts:user_detail", user_id=target.pk)
            if action == "reset_mfa":
                services.reset_mfa(request.user, target)
                messages.success(request, _("Second factor reset: the user enrols again at next sign-in."))
                return redirect("accounts:user_detail", user_id=target.pk)
        except PermissionDenied as error:
            record_denial(request.user, str(error), target=target)
            messages.error(request, str(error))
            return redirect("accounts:user_detail", user_id=target.pk)
    context = {"target": target, "form": form, "manageable": manageable, "password_form": password_form}
    return render(request, "accounts/user_detail.html", context)
