"""Country capabilities: placeholders, kept by each agency's admins, shown while drafting, setting due dates."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.assistance import services
from lintas.assistance.models import CountryCapability

pytestmark = pytest.mark.django_db


def test_every_national_member_has_unconfirmed_placeholders():
    assert CountryCapability.objects.filter(agency__code="pntl").count() == 9
    assert not CountryCapability.objects.filter(confirmed=True).exists()
    assert not CountryCapability.objects.filter(agency__code="aseanapol").exists()


def test_agency_admin_keeps_own_rows_only_and_due_date_follows(make_user, signed_in):
    pntl_admin = make_user("pntl", roles=(Role.AGENCY_ADMIN,))
    row = CountryCapability.objects.get(agency__code="pntl", request_type="stop_payment")
    with pytest.raises(PermissionDenied):
        services.update_capability(make_user("spf", roles=(Role.AGENCY_ADMIN,)), row, turnaround_hours=2)
    with pytest.raises(PermissionDenied):
        services.update_capability(make_user("pntl", roles=(Role.LIAISON_OFFICER,)), row, turnaround_hours=2)
    response = signed_in(pntl_admin).post(
        "/requests/capabilities/?agency=pntl",
        {
            "row": row.pk,
            "without_court_order": "yes",
            "turnaround_hours": "2",
            "longest_freeze_days": "30",
            "desk_24_7": "yes",
            "documents": "Written request from the foreign police",
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.confirmed and row.turnaround_hours == 2 and row.without_court_order is True
    drafter = make_user("spf", roles=(Role.INVESTIGATOR,))
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        request = services.draft_request(
            drafter,
            receivers=[Agency.objects.get(code="pntl")],
            type="stop_payment",
            priority="urgent",
            subject="s",
            asked="a",
        )[0]
        assert request.due_at == now + dt.timedelta(hours=2)  # the receiver's own turnaround, not the 4 h default
    hint = signed_in(drafter).get("/requests/capabilities/hint/?receivers=pntl&type=stop_payment")
    assert "Written request from the foreign police" in hint.content.decode()


def test_bad_numbers_are_refused(make_user):
    admin = make_user("pntl", roles=(Role.AGENCY_ADMIN,))
    row = CountryCapability.objects.get(agency__code="pntl", request_type="preservation")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.update_capability(admin, row, turnaround_hours=0)
    row.refresh_from_db()
    assert not row.confirmed
