"""The foundation journey as a person clicks it: sign in, enrol the authenticator, switch to Korean, sign out."""

import base64
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from django_otp.oath import totp

from lintas.accounts.choices import Role
from lintas.accounts.tests.factories import TEST_PASSWORD
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _code_from_secret(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, step=30, digits=6):06d}"


def test_sign_in_enrol_totp_switch_to_korean_and_sign_out(page, make_user):
    user = make_user("spf", roles=(Role.INVESTIGATOR,), username="spf.browser", first_name="Mei")

    page.goto("/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # First sign-in: the authenticator must be set up before anything else.
    page.wait_for_url("**/accounts/mfa/setup/")
    assert page.locator(".qr svg").is_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    page.goto("/directory/")
    page.wait_for_url("**/accounts/mfa/setup/")  # nothing else is reachable yet
    page.get_by_label("Code").fill(_code_from_secret(secret))
    page.get_by_role("button", name="Confirm and continue").click()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name=re.compile("continue")).click()

    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_role("heading", name="Welcome, Mei").is_visible()
    page.get_by_role("link", name="Members").click()
    assert page.get_by_role("cell", name=re.compile("National Police of Timor-Leste")).is_visible()

    # Switch to Korean with the language switcher; the choice is kept in the profile.
    page.get_by_label("Language").select_option("ko")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ko"
    with translation.override("ko"):
        members_ko, sign_out_ko = gettext("Members"), gettext("Sign out")
    assert members_ko != "Members" and sign_out_ko != "Sign out"  # the Korean catalogue is compiled and complete
    assert page.get_by_role("link", name=members_ko, exact=True).is_visible()
    assert page.get_by_role("button", name=sign_out_ko).is_visible()
    user.refresh_from_db()
    assert user.language == "ko"

    page.locator("#logout-button").click()
    page.wait_for_url("**/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "ko"
    page.goto("/")
    assert "/accounts/login/" in page.url  # the session really ended
    assert AuditEvent.objects.filter(action=Action.MFA_ENROLLED, actor=user).exists()
    assert AuditEvent.objects.filter(action=Action.LOGOUT, actor=user).exists()


def test_phone_width_and_keyboard_use(page, make_user, signed_in_browser):
    user = make_user("spf", roles=(Role.AGENCY_ADMIN, Role.INVESTIGATOR), username="spf.phone")
    page.set_viewport_size({"width": 375, "height": 740})
    signed_in_browser(page, user)
    page.goto("/")
    # The menu collapses behind a toggler at phone width and opens from the keyboard.
    toggler = page.get_by_role("button", name="Toggle navigation")
    assert toggler.is_visible()
    toggler.focus()
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Users", exact=True).wait_for(state="visible")
    # Nothing is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # The first Tab reaches the skip link.
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
