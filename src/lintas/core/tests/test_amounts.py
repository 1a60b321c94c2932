"""Issue 15 item 5: every amount and count is checked against its column, in the one validation that forms, the API,
bulk ingest and imports share; values stored before that are repaired by ``lintas repair``."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from lintas.accounts.choices import Role, TokenScope
from lintas.accounts.services import create_api_token
from lintas.agencies.models import Agency
from lintas.assistance import services
from lintas.assistance.models import AssistanceRequest, CountryCapability, OnwardTransfer, Outcome
from lintas.assistance.outcomes import TransferIn, record_outcome
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.cases.models import Case, CaseLoss
from lintas.core.validation import clean_decimal, clean_integer

pytestmark = pytest.mark.django_db

TOO_LONG = "12345678901234567.5"  # 17 integer digits: the columns hold 16 (18 digits, 2 decimals)


def bearer(user):
    _, secret = create_api_token(user, name="t", scope=TokenScope.READ_WRITE, days=1)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post(client, url, body, headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize(
    "value",
    ["1e16", "10000000000000000", TOO_LONG, "NaN", "sNaN", "Infinity", "-Infinity", "1e999999999", "0.001", "-1",
     "1,000", "", None, True, [], {"a": 1}, "12 34"],
)  # fmt: skip
def test_a_decimal_is_refused_unless_it_fits_the_column(value):
    errors = {}
    assert clean_decimal(CaseLoss, "amount", value, errors) is None
    assert errors["amount"]


@pytest.mark.parametrize("value", ["9999999999999999.99", "0", "12.5", 12, "1E+3", Decimal("0.10")])
def test_a_decimal_that_fits_is_taken(value):
    errors = {}
    assert clean_decimal(CaseLoss, "amount", value, errors) == Decimal(str(value))
    assert not errors


@pytest.mark.parametrize("value", [2**31, -1, "99999999999999999999", 2**63, True, 1.5, "1e3", "x", float("nan")])
def test_an_integer_is_refused_outside_its_column(value):
    errors = {}
    assert clean_integer(Outcome, "accounts_frozen", value, errors) is None
    assert errors["accounts_frozen"]


def test_no_save_of_a_lintas_model_stores_a_number_beyond_its_column(make_user):
    """The backstop for writes that forgot a helper: the column check runs before every save."""
    case = Case.objects.create(
        owner_agency=Agency.objects.get(code="spf"), reference="X-1", title="t", crime_type="other",
        review_on=dt.date(2030, 1, 1),
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        CaseLoss.objects.create(case=case, amount=Decimal(TOO_LONG), currency="USD")
    assert "amount" in error.value.message_dict
    with pytest.raises(ValidationError):
        Case.objects.filter(pk=case.pk).get().__class__(**{**_fields(case), "victim_count": 2**31}).save()
    assert not CaseLoss.objects.exists()


def _fields(case):
    return {f.attname: getattr(case, f.attname) for f in case._meta.concrete_fields if not f.primary_key}


@pytest.fixture
def people(make_user):
    return {
        "inv": make_user("spf", roles=(Role.INVESTIGATOR,)),
        "sup": make_user("spf", roles=(Role.SUPERVISOR,)),
        "lo": make_user("pntl", roles=(Role.LIAISON_OFFICER,)),
        "admin": make_user("pntl", roles=(Role.AGENCY_ADMIN,)),
    }


@pytest.fixture
def acknowledged(people):
    request = services.draft_request(
        people["inv"], receivers=[Agency.objects.get(code="pntl")], type="stop_payment", subject="s", asked="a",
        amount=Decimal("100"), currency="USD",
    )[0]  # fmt: skip
    for who, action in (("inv", "submit"), ("sup", "approve"), ("lo", "acknowledge")):
        request = services.transition(people[who], request, action, version=request.version)
    return request


def test_the_api_refuses_a_case_loss_beyond_its_column_and_stores_nothing(people):
    response = post(
        Client(), "/api/v1/cases/",
        {"title": "t", "crime_type": "other", "losses": [{"amount": TOO_LONG, "currency": "USD"}]},
        bearer(people["inv"]),
    )  # fmt: skip
    assert response.status_code == 422, response.content
    assert "losses[0]" in response.json()["errors"]
    assert not Case.objects.exists()


def test_the_case_form_refuses_a_loss_beyond_its_column(people, signed_in):
    client = signed_in(people["inv"])
    data = {"title": "t", "crime_type": "other", "status": "open", "victim_count": "0",
            "loss_amount": TOO_LONG, "loss_currency": "USD", "identifier_role": "other", "distribution": "owner",
            "tlp": "amber", "handling_code": "H0", "source_reliability": "X", "information_accuracy": "4"}  # fmt: skip
    response = client.post("/cases/new/", data)
    assert response.status_code == 200 and not Case.objects.exists()
    assert response.context["form"].errors.keys() == {"loss_amount"}
    response = client.post("/cases/new/", {**data, "loss_amount": "", "victim_count": "99999999999"})
    assert response.status_code == 200 and not Case.objects.exists()
    assert response.context["form"].errors.keys() == {"victim_count"}


def test_the_api_refuses_a_request_amount_beyond_its_column(people):
    body = {"receivers": ["pntl"], "type": "general", "subject": "s", "asked": "a", "currency": "USD"}
    for amount in (TOO_LONG, "1e20", "-5", "0.001"):
        response = post(Client(), "/api/v1/requests/", {**body, "amount": amount}, bearer(people["inv"]))
        assert response.status_code == 422, (amount, response.content)
    assert not AssistanceRequest.objects.exists()


def test_outcome_amounts_counts_and_transfers_are_checked_against_their_columns(people, acknowledged):
    headers = bearer(people["lo"])
    url = f"/api/v1/requests/{acknowledged.pk}/outcome"
    moved = timezone.now().isoformat()
    for body in (
        {"amount_frozen": TOO_LONG},
        {"amount_returned": "1e17"},
        {"accounts_frozen": 2**31},
        {"wallets_frozen": 2**40},
        {"transfers": [{"destination": "KTB 123-4-56789-0", "amount": TOO_LONG, "currency": "USD", "moved_at": moved,
                        "type": "bank_account", "country": "TH"}]},
    ):  # fmt: skip
        response = post(Client(), url, body, headers)
        assert response.status_code == 422, (body, response.content)
    assert not Outcome.objects.exists() and not OnwardTransfer.objects.exists()
    with pytest.raises(ValidationError):
        record_outcome(people["lo"], acknowledged, transfers=[TransferIn("x", Decimal("NaN"), "USD", timezone.now())])


def test_the_outcome_form_refuses_an_amount_beyond_its_column(people, acknowledged, signed_in):
    client = signed_in(people["lo"])
    response = client.post(f"/requests/{acknowledged.pk}/outcome/", {"amount_frozen": TOO_LONG, "currency": "USD"})
    # The form comes back with the amount as typed and the error under it (issue 17), nothing saved.
    assert response.status_code == 400 and not Outcome.objects.exists()
    assert 'id="id_amount_frozen_error"' in response.content.decode()


def test_capability_numbers_are_checked_against_their_columns(people, signed_in):
    pntl = Agency.objects.get(code="pntl")
    row, _ = CountryCapability.objects.get_or_create(agency=pntl, request_type="stop_payment")
    CountryCapability.objects.filter(pk=row.pk).update(turnaround_hours=None, confirmed=False)
    client = signed_in(people["admin"])
    response = client.post("/requests/capabilities/", {"row": row.pk, "turnaround_hours": "99999999999999999999"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.turnaround_hours is None and not row.confirmed
    with pytest.raises(ValidationError):
        services.update_capability(people["admin"], row, longest_freeze_days=2**31)


def test_an_exchange_rate_beyond_its_column_is_refused_and_usd_equivalents_never_overflow(platform_admin):
    from lintas.cases.services import import_exchange_rates, usd_amount

    with pytest.raises(ValidationError):
        import_exchange_rates(platform_admin, "month,currency,usd_per_unit\n2024-01,KRW,1e13\n")
    with pytest.raises(ValidationError):
        import_exchange_rates(platform_admin, "2024-01,KRW,NaN\n")
    import_exchange_rates(platform_admin, "2024-01,KRW,999999999999.000000000001\n")
    assert usd_amount(Decimal("9999999999999999.99"), "KRW", dt.date(2024, 1, 5)) is None  # too large: unknown


# --- repairing values stored before the checks ----------------------------------------------------------------------


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_lintas_repair_makes_pages_with_out_of_range_values_render_again(people, acknowledged, signed_in):
    """The state of an installation that stored such values: every page reading them answered 500."""
    case = Case.objects.create(
        owner_agency=Agency.objects.get(code="spf"), reference="SPF-1", title="t", crime_type="other",
        review_on=dt.date(2030, 1, 1),
    )  # fmt: skip
    loss = CaseLoss.objects.create(case=case, amount=Decimal(1), currency="USD")
    outcome = Outcome.objects.create(request=acknowledged, currency="USD")
    with connection.cursor() as cursor:  # as SQLite stored them before the checks
        cursor.execute("UPDATE cases_caseloss SET amount = 1e30, usd_amount = 'NaN' WHERE id = %s", [loss.pk])
        cursor.execute("UPDATE assistance_assistancerequest SET amount = %s WHERE id = %s", [TOO_LONG, acknowledged.pk])
        cursor.execute(
            "UPDATE assistance_outcome SET amount_frozen = 1e20, accounts_frozen = %s WHERE id = %s",
            [2**40, outcome.pk],
        )
    sender, receiver = signed_in(people["inv"]), signed_in(people["lo"], Client())
    pages = [
        (sender, f"/cases/{case.pk}/"), (sender, f"/requests/{acknowledged.pk}/"),
        (receiver, f"/requests/{acknowledged.pk}/"), (sender, "/requests/ledger/"), (receiver, "/requests/ledger/"),
        (sender, "/api/v1/requests/"),
    ]  # fmt: skip
    for client, url in pages:
        client.raise_request_exception = False
        assert client.get(url).status_code == 500, url  # the failure the repair is for

    call_command("repair", "--dry-run", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not AuditEvent.objects.filter(action=Action.VALUE_REPAIRED).exists()
    call_command("repair", stdout=open("/dev/null", "w"))  # noqa: SIM115

    for client, url in pages:
        assert client.get(url).status_code == 200, url
    loss.refresh_from_db()
    acknowledged.refresh_from_db()
    assert loss.amount == 0 and loss.usd_amount is None and acknowledged.amount is None
    events = AuditEvent.objects.filter(action=Action.VALUE_REPAIRED)
    assert {(e.object_type, e.details["field"]) for e in events} == {
        ("cases.caseloss", "amount"), ("cases.caseloss", "usd_amount"),
        ("assistance.assistancerequest", "amount"), ("assistance.outcome", "amount_frozen"),
        ("assistance.outcome", "accounts_frozen"),
    }  # fmt: skip
    stored = {e.details["field"]: (e.details["stored"], e.agency.code) for e in events}
    assert stored["amount_frozen"] == ("1.0e+20", "pntl") and stored["usd_amount"][1] == "spf"
    call_command("repair", stdout=open("/dev/null", "w"))  # noqa: SIM115
    outcome.refresh_from_db()
    assert outcome.amount_frozen == 0 and outcome.accounts_frozen == 0
    assert events.count() == 5  # idempotent
