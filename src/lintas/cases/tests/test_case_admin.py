"""Case editing, exchange rates and review reminders."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from lintas.accounts.choices import Role
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.cases import services
from lintas.cases.models import Case, CaseLoss, ExchangeRate
from lintas.cases.tests.helpers import record
from lintas.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_owner_edits_sharing_in_the_page_and_others_cannot(make_user, signed_in):
    owner = make_user("spf", roles=(Role.INVESTIGATOR,))
    case, _ = record(owner, [], title="Original")
    client = signed_in(owner)
    form = client.get(f"/cases/{case.pk}/edit/").context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, [], "")}
    data.update(
        {
            "title": "Renamed",
            "distribution": "named",
            "shared_with": ["rmp"],
            "review_on": "2030-01-01",
            "victim_count": 2,
        }
    )
    response = client.post(f"/cases/{case.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    case.refresh_from_db()
    assert case.title == "Renamed" and list(case.shares.values_list("agency__code", flat=True)) == ["rmp"]
    assert AuditEvent.objects.filter(action=Action.CASE_UPDATED, object_id=str(case.pk)).exists()
    assert signed_in(make_user("rmp")).get(f"/cases/{case.pk}/").status_code == 200
    assert signed_in(make_user("rmp")).get(f"/cases/{case.pk}/edit/").status_code == 403
    assert signed_in(make_user("knpa")).get(f"/cases/{case.pk}/edit/").status_code == 404


def test_named_distribution_without_agencies_is_refused(make_user):
    owner = make_user("spf")
    case, _ = record(owner, [])
    from lintas.cases.validation import CaseInvalid

    with pytest.raises(CaseInvalid, match="shared_with"):
        services.update_case(owner, case, {"distribution": "named", "shared_with": []})
    case.refresh_from_db()
    assert case.distribution == "owner"


def test_exchange_rates_upload_converts_losses(make_user, platform_admin, signed_in):
    owner = make_user("knpa")
    case, _ = record(owner, [], losses=[{"amount": "3000000", "currency": "KRW", "date": "2026-10-12"}])
    loss = case.losses.get()
    assert loss.usd_amount is None  # no rate yet
    client = signed_in(platform_admin)
    upload = SimpleUploadedFile("rates.csv", b"month,currency,usd_per_unit\n2026-10,KRW,0.00072\n2026-10,THB,0.028\n")
    assert client.post("/cases/exchange-rates/", {"file": upload}).status_code == 302
    assert ExchangeRate.objects.count() == 2
    assert CaseLoss.objects.get(pk=loss.pk).usd_amount == Decimal("2160.00")


def test_bad_rates_file_changes_nothing_and_names_lines(platform_admin, make_user):
    with pytest.raises(ValidationError) as error:
        services.import_exchange_rates(platform_admin, "2026-10,KRW,0.0007\n2026-13,THB,1\nx,y\n")
    assert [m.split(":")[0] for m in error.value.messages] == ["line 2", "line 3"]
    assert ExchangeRate.objects.count() == 0
    with pytest.raises(PermissionDenied):
        services.import_exchange_rates(make_user("knpa"), "2026-10,KRW,0.0007\n")


def test_owners_are_reminded_six_months_before_review_once(make_user):
    admin = make_user("knpa", roles=(Role.AGENCY_ADMIN,))
    officer = make_user("knpa")
    case, _ = record(officer, [], review_on="2027-05-01")
    record(officer, [], review_on="2031-05-01")
    assert services.remind_reviews(today=dt.date(2026, 10, 1)) == 0
    assert services.remind_reviews(today=dt.date(2026, 11, 1)) == 1
    assert services.remind_reviews(today=dt.date(2026, 11, 2)) == 0
    assert set(Notification.objects.values_list("recipient", flat=True)) == {admin.pk, officer.pk}
    assert Case.objects.get(pk=case.pk).review_reminded_on == dt.date(2026, 11, 1)


def test_benign_page_is_read_by_all_and_kept_by_the_platform_admin(make_user, platform_admin, signed_in):
    response = signed_in(platform_admin).post(
        "/benign/", {"value": "gmail.com", "type": "domain", "category": "webmail", "reason": "public webmail"}
    )
    assert response.status_code == 302
    member = signed_in(make_user("cnp"))
    assert "gmail.com" in member.get("/benign/").content.decode()
    assert member.post("/benign/", {"value": "yahoo.com", "reason": "x"}).status_code == 403


def test_only_case_writers_record_cases(make_user, signed_in):
    from lintas.cases.tests.helpers import record as record_case

    liaison = make_user("spf", roles=(Role.LIAISON_OFFICER,))
    with pytest.raises(PermissionDenied):
        record_case(liaison, [])
    client = signed_in(liaison)
    assert client.get("/cases/new/").status_code == 403
    response = client.post("/api/v1/cases/", {"title": "x", "crime_type": "other"}, content_type="application/json")
    assert response.status_code == 403
    assert Case.objects.count() == 0
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=liaison).count() == 2
    # The role is checked before the input: bad input from someone without the role is a 403 too, audited.
    response = client.post("/api/v1/cases/", {"title": ""}, content_type="application/json")
    assert response.status_code == 403
    owner = make_user("spf", roles=(Role.INVESTIGATOR,))
    case, _ = record_case(owner, [])
    response = client.post(
        f"/api/v1/cases/{case.pk}/identifiers", {"identifiers": [{"value": "12"}]}, content_type="application/json"
    )
    assert response.status_code == 403 and case.identifiers.count() == 0
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=liaison).count() == 4


def test_a_bare_word_is_not_recorded_as_a_name(make_user):
    from lintas.cases.validation import CaseInvalid

    with pytest.raises(CaseInvalid, match="person_name"):
        record(make_user("spf"), ["hello"])
    case, _ = record(make_user("spf"), [{"value": "Kim Min-jun", "type": "person_name"}])
    assert case.identifiers.get().type == "person_name"


def test_new_review_date_earns_a_new_reminder(make_user):
    officer = make_user("knpa")
    case, _ = record(officer, [], review_on="2027-05-01")
    services.remind_reviews(today=dt.date(2026, 11, 1))
    services.update_case(officer, case, {"review_on": "2028-01-01"})
    assert Case.objects.get(pk=case.pk).review_reminded_on is None
