"""Fixtures shared by every test: agencies, users with roles, and signed-in clients (second factor given)."""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from lintas.accounts.choices import Role
from lintas.accounts.tests.factories import UserFactory
from lintas.agencies.models import Agency


@pytest.fixture(autouse=True)
def _site_language_and_zone():
    """Every test starts in the site's language and UTC. A page answered through the test client leaves its user's
    language active in the thread (Django's LocaleMiddleware activates it and nothing resets it), so a test that ran
    after a Korean officer's request read Korean labels."""
    from django.utils import timezone, translation

    translation.activate("en")
    timezone.deactivate()
    yield
    translation.activate("en")
    timezone.deactivate()


@pytest.fixture
def agency(db):
    return Agency.objects.get(code="spf")


@pytest.fixture
def other_agency(db):
    return Agency.objects.get(code="pntl")


@pytest.fixture
def secretariat(db):
    return Agency.objects.get(code="aseanapol")


@pytest.fixture
def make_user(db):
    def make(agency_code="spf", roles=(Role.INVESTIGATOR,), **kwargs):
        return UserFactory(agency=Agency.objects.get(code=agency_code), roles=roles, **kwargs)

    return make


@pytest.fixture
def signed_in():
    """A test client signed in as ``user`` with the second factor given, as after a real TOTP check."""

    def sign_in(user, client=None):
        client = client or Client()
        device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "test"})
        client.force_login(user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        return client

    return sign_in


@pytest.fixture
def admin_user(make_user):
    return make_user("spf", roles=(Role.AGENCY_ADMIN, Role.SUPERVISOR, Role.INVESTIGATOR), username="spf.admin")


@pytest.fixture
def platform_admin(make_user):
    return make_user("aseanapol", roles=(Role.PLATFORM_ADMIN, Role.AGENCY_ADMIN), username="asean.admin")
