"""An agency admin manages only their own agency's users and cannot raise anyone above their own rights."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lintas.accounts import services
from lintas.accounts.choices import Role
from lintas.accounts.permissions import grantable_roles
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent

from .factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_agency_admin_creates_users_in_own_agency_with_roles_they_hold(admin_user, agency):
    user = services.create_user(
        admin_user, agency=agency, username="new.officer", password=TEST_PASSWORD, roles={Role.INVESTIGATOR}
    )
    assert user.agency == agency and user.roles == {Role.INVESTIGATOR}
    assert user.check_password(TEST_PASSWORD)
    event = AuditEvent.objects.get(action=Action.USER_CREATED)
    assert event.actor == admin_user and event.object_id == str(user.pk) and event.agency == agency


def test_agency_admin_cannot_create_users_in_another_agency(admin_user, other_agency):
    with pytest.raises(PermissionDenied):
        services.create_user(
            admin_user, agency=other_agency, username="x", password=TEST_PASSWORD, roles={Role.INVESTIGATOR}
        )


def test_agency_admin_cannot_grant_a_role_they_do_not_hold(admin_user, agency):
    assert Role.LIAISON_OFFICER not in admin_user.roles
    with pytest.raises(PermissionDenied):
        services.create_user(
            admin_user, agency=agency, username="x", password=TEST_PASSWORD, roles={Role.LIAISON_OFFICER}
        )


def test_agency_admin_can_never_grant_platform_admin(make_user, agency):
    admin = make_user("spf", roles=(Role.AGENCY_ADMIN, Role.PLATFORM_ADMIN))  # even a misconfigured one
    assert Role.PLATFORM_ADMIN not in grantable_roles(admin, agency)
    target = make_user("spf")
    with pytest.raises(PermissionDenied):
        services.set_user_roles(admin, target, {Role.PLATFORM_ADMIN})


def test_nobody_changes_their_own_roles(admin_user):
    with pytest.raises(PermissionDenied):
        services.set_user_roles(admin_user, admin_user, set(admin_user.roles) | {Role.LIAISON_OFFICER})
    with pytest.raises(PermissionDenied):
        services.set_user_active(admin_user, admin_user, False)


def test_agency_admin_cannot_touch_another_agency_user(admin_user, make_user):
    target = make_user("pntl")
    for action in (
        lambda: services.set_user_roles(admin_user, target, {Role.INVESTIGATOR, Role.SUPERVISOR}),
        lambda: services.set_user_active(admin_user, target, False),
        lambda: services.reset_mfa(admin_user, target),
    ):
        with pytest.raises(PermissionDenied):
            action()
    target.refresh_from_db()
    assert target.is_active


def test_non_admin_cannot_manage_anyone(make_user, agency):
    supervisor = make_user("spf", roles=(Role.SUPERVISOR,))
    target = make_user("spf")
    with pytest.raises(PermissionDenied):
        services.set_user_active(supervisor, target, False)
    with pytest.raises(PermissionDenied):
        services.create_user(supervisor, agency=agency, username="x", password=TEST_PASSWORD, roles=set())


def test_agency_admin_cannot_remove_a_role_they_do_not_hold(admin_user, make_user):
    target = make_user("spf", roles=(Role.LIAISON_OFFICER, Role.INVESTIGATOR))
    with pytest.raises(PermissionDenied):
        services.set_user_roles(admin_user, target, {Role.INVESTIGATOR})
    services.set_user_roles(admin_user, target, {Role.INVESTIGATOR, Role.SUPERVISOR, Role.LIAISON_OFFICER})
    target.__dict__.pop("roles", None)
    assert target.roles == {Role.INVESTIGATOR, Role.SUPERVISOR, Role.LIAISON_OFFICER}
    event = AuditEvent.objects.get(action=Action.USER_ROLES_CHANGED)
    assert event.details == {"added": [Role.SUPERVISOR], "removed": []}


def test_platform_admin_grants_platform_admin_only_in_the_secretariat(platform_admin, secretariat, agency):
    assert Role.PLATFORM_ADMIN in grantable_roles(platform_admin, secretariat)
    assert Role.PLATFORM_ADMIN not in grantable_roles(platform_admin, agency)
    user = services.create_user(
        platform_admin, agency=agency, username="first.admin", password=TEST_PASSWORD, roles={Role.AGENCY_ADMIN}
    )
    assert user.roles == {Role.AGENCY_ADMIN}
    # the event is in the SPF trail, where SPF's own admins will see it
    assert AuditEvent.objects.get(action=Action.USER_CREATED).agency == agency


def test_weak_and_common_passwords_are_refused(admin_user, agency):
    for weak in ("short-pw", "1qaz2wsx3edc", "123456789012"):
        with pytest.raises(ValidationError):
            services.create_user(admin_user, agency=agency, username="weak", password=weak, roles={Role.INVESTIGATOR})
    assert not admin_user.__class__.objects.filter(username="weak").exists()


def test_duplicate_username_is_refused_case_insensitively(admin_user, agency):
    services.create_user(admin_user, agency=agency, username="Dup.User", password=TEST_PASSWORD, roles=set())
    with pytest.raises(ValidationError):
        services.create_user(admin_user, agency=agency, username="dup.user", password=TEST_PASSWORD, roles=set())


def test_user_management_pages_enforce_the_same_rules(admin_user, make_user, signed_in):
    client = signed_in(admin_user)
    other = make_user("pntl")
    assert client.get(f"/users/{other.pk}/").status_code == 404
    assert client.post(f"/users/{other.pk}/", {"action": "disable"}).status_code == 404
    other.refresh_from_db()
    assert other.is_active
    response = client.post(
        "/users/new/",
        {"username": "via.form", "password": TEST_PASSWORD, "roles": [Role.LIAISON_OFFICER]},
    )
    assert response.status_code == 200  # re-rendered with the error: liaison is not offered to this admin
    assert not admin_user.__class__.objects.filter(username="via.form").exists()
    response = client.post(
        "/users/new/", {"username": "via.form", "password": TEST_PASSWORD, "roles": [Role.INVESTIGATOR]}
    )
    assert response.status_code == 302
    created = admin_user.__class__.objects.get(username="via.form")
    assert created.agency == admin_user.agency and created.roles == {Role.INVESTIGATOR}
