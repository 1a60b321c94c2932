"""Agencies keep their own directory entry; the platform admin runs the membership."""

import pytest
from django.core.exceptions import PermissionDenied

from lintas.agencies import services
from lintas.agencies.models import Agency
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_agency_admin_updates_own_contact_point(admin_user, agency, signed_in):
    client = signed_in(admin_user)
    response = client.post(
        "/directory/spf/edit/",
        {"contact_24_7": "SPF duty desk +65 6000 0000", "languages": "en, ms", "time_zone": "Asia/Singapore"},
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.contact_24_7 == "SPF duty desk +65 6000 0000" and agency.languages == ["en", "ms"]
    event = AuditEvent.objects.get(action=Action.AGENCY_UPDATED)
    assert event.agency == agency and "contact_24_7" in event.details


def test_agency_admin_cannot_deactivate_or_rename_own_agency(admin_user, agency):
    with pytest.raises(PermissionDenied):
        services.update_agency(admin_user, agency, is_active=False)
    agency.refresh_from_db()
    assert agency.is_active


def test_agency_admin_cannot_edit_another_agency(admin_user, other_agency, signed_in):
    assert signed_in(admin_user).post("/directory/pntl/edit/", {"contact_24_7": "x"}).status_code == 403
    other_agency.refresh_from_db()
    assert other_agency.contact_24_7 == ""


def test_platform_admin_deactivates_a_member(platform_admin):
    agency = services.update_agency(platform_admin, Agency.objects.get(code="mpf"), is_active=False)
    assert not Agency.objects.get(pk=agency.pk).is_active


def test_bad_values_are_refused_and_change_nothing(admin_user, agency, signed_in):
    client = signed_in(admin_user)
    response = client.post("/directory/spf/edit/", {"contact_24_7": "x", "languages": "en", "time_zone": "Mars/Base"})
    assert response.status_code == 200
    response = client.patch("/api/v1/agencies/spf", {"time_zone": "Mars/Base"}, content_type="application/json")
    assert response.status_code == 422
    agency.refresh_from_db()
    assert agency.time_zone == "Asia/Singapore" and agency.contact_24_7 == ""


def test_refused_edit_is_audited_and_bad_language_codes_are_refused(admin_user, other_agency, agency, signed_in):
    from lintas.audit.choices import Outcome

    client = signed_in(admin_user)
    client.get("/directory/pntl/edit/")
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, outcome=Outcome.DENIED).exists()
    response = client.patch("/api/v1/agencies/spf", {"languages": ["!!"]}, content_type="application/json")
    assert response.status_code == 422
    agency.refresh_from_db()
    assert agency.languages == ["en"]
