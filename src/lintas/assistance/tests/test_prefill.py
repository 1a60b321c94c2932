"""Requests opened already filled in from a case, an identifier or a hit, submitted in one step, with the type's
default priority and due time (issue 17, items 1 and 2; decision 0046)."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.assistance import prefill, services
from lintas.assistance.models import AssistanceRequest, CountryCapability
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.cases.tests.helpers import record

pytestmark = pytest.mark.django_db

IBAN = "TL38 0080 0123 4567 8910 157"
LOSS = [{"amount": "42300000", "currency": "USD"}]


def _bec_case(user, **fields):
    fields = {"losses": LOSS, "countries": ["SG", "TL"], **fields}
    case, outcome = record(user, [IBAN, "+65 9123 4567"], title="BEC wire", crime_type="bec", **fields)
    return case, case.identifiers.get(type="bank_account"), outcome


def _as_posted(form) -> dict:
    """The form's fields as the browser posts them when the officer changes nothing."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return data


@pytest.fixture
def spf(make_user):
    # Also a supervisor: only the four-eyes rule keeps them from approving what they drafted.
    return make_user("spf", roles=(Role.INVESTIGATOR, Role.SUPERVISOR), username="spf.drafter")


def test_a_stop_payment_from_an_account_is_filled_in_and_submitted_in_one_step(spf, signed_in):
    case, iban, _ = _bec_case(spf)
    client = signed_in(spf)
    page = client.get(f"/requests/new/?case={case.pk}&identifier={iban.pk}&type=stop_payment")
    assert page.status_code == 200
    form = page.context["form"]
    data = _as_posted(form)
    assert data["receivers"] == ["pntl"]  # the IBAN's country, TL: its member agency
    assert (data["type"], data["priority"]) == ("stop_payment", "urgent")
    assert (data["amount"], data["currency"]) == ("42300000.00", "USD")
    assert data["cases"] == [str(case.pk)] and data["identifiers"] == [str(iban.pk)]
    assert data["subject"] == f"Stop payment on {IBAN}: USD 42,300,000.00 (Business e-mail compromise)"
    for words in (f"freeze {IBAN}", "USD 42,300,000.00", case.reference, "onward transfers"):
        assert words in data["asked"]
    body = page.content.decode()
    assert f"Filled in from case {case.reference}" in body
    assert "PNTL has not confirmed its turnaround for “Urgent stop-payment (freeze)”; the default of 4" in body
    assert 'name="then" value="submit"' in body and "Submit for approval" in body and "Save draft" in body

    response = client.post(page.request["PATH_INFO"] + "?" + page.request["QUERY_STRING"], {**data, "then": "submit"})
    assert response.status_code == 302, response.context["form"].errors
    request = AssistanceRequest.objects.get()
    assert request.status == "awaiting_approval" and request.drafted_by == spf and request.version == 2
    assert request.receiver_agency.code == "pntl" and (request.type, request.priority) == ("stop_payment", "urgent")
    assert list(request.identifiers.all()) == [iban] and list(request.cases.all()) == [case]
    assert request.language == "en"
    events = AuditEvent.objects.filter(object_type="assistance.assistancerequest", object_id=str(request.pk))
    actions = list(events.values_list("action", flat=True))
    assert sorted(actions) == sorted([Action.REQUEST_DRAFTED, Action.REQUEST_TRANSITION])
    # Four eyes still hold: the drafter, a supervisor too, may not approve it.
    assert "approve" not in services.allowed_actions(spf, request)
    with pytest.raises(PermissionDenied):
        services.transition(spf, request, "approve", version=request.version)


def test_one_step_submit_is_all_or_nothing(spf, signed_in, monkeypatch):
    case, iban, _ = _bec_case(spf)
    client = signed_in(spf)
    url = f"/requests/new/?case={case.pk}&identifier={iban.pk}&type=stop_payment"
    data = _as_posted(client.get(url).context["form"])

    def refuse(*args, **kwargs):
        raise PermissionDenied("no")

    monkeypatch.setattr(services, "transition", refuse)
    assert client.post(url, {**data, "then": "submit"}).status_code == 403
    assert not AssistanceRequest.objects.exists()  # the draft was rolled back with the refused submit


def test_save_draft_still_keeps_it_in_the_agency(spf, signed_in):
    case, iban, _ = _bec_case(spf)
    client = signed_in(spf)
    url = f"/requests/new/?case={case.pk}&identifier={iban.pk}"
    data = _as_posted(client.get(url).context["form"])
    assert data["type"] == "stop_payment"  # an account calls for a stop-payment when no type is named
    assert client.post(url, {**data, "then": "save"}).status_code == 302
    assert AssistanceRequest.objects.get().status == "draft"


def test_the_case_page_offers_one_click_requests_to_its_owner_only(spf, signed_in, make_user):
    case, iban, _ = _bec_case(spf, distribution="all")
    phone = case.identifiers.get(type="phone")
    body = signed_in(spf).get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/requests/new/?case={case.pk}&amp;identifier={iban.pk}&amp;type=stop_payment"' in body
    assert "Request a stop-payment" in body
    assert f'href="/requests/new/?case={case.pk}&amp;identifier={phone.pk}"' in body  # a phone: "Request assistance"
    assert f'href="/requests/new/?case={case.pk}">Request assistance</a>' in body
    assert f"identifier={iban.pk}&amp;type=preservation" in body  # the menu of other types
    reader = make_user("knpa", roles=(Role.INVESTIGATOR,))
    other = signed_in(reader).get(f"/cases/{case.pk}/").content.decode()
    assert "/requests/new/" not in other  # a case shared with all is not the reader's to request from
    assert signed_in(reader).get(f"/requests/new/?case={case.pk}").status_code == 404


def test_a_request_from_the_case_goes_to_the_members_of_its_countries(spf, signed_in):
    case, _iban, _ = _bec_case(spf, countries=["SG", "TL", "TH"])
    data = _as_posted(signed_in(spf).get(f"/requests/new/?case={case.pk}").context["form"])
    assert sorted(data["receivers"]) == ["pntl", "rtp"] and data["type"] == "general"
    assert data["identifiers"] == [] and data["priority"] == "routine"
    assert data["subject"] == f"Inquiry about {case.reference}"


def test_hostile_and_foreign_ids_answer_404_and_change_nothing(spf, signed_in, make_user):
    case, _iban, _ = _bec_case(spf)
    _other_case, other_iban, _ = _bec_case(spf)
    knpa = make_user("knpa", roles=(Role.INVESTIGATOR,))
    shared, _ = record(knpa, ["KR:004:12345678901234"], distribution="all", title="KNPA shared")
    hidden, _ = record(knpa, ["KR:004:99999999999999"], title="KNPA hidden")
    client = signed_in(spf)
    for query in (
        f"case={shared.pk}",  # visible (shared with all) but not SPF's
        f"case={hidden.pk}",
        f"identifier={shared.identifiers.get().pk}",
        f"identifier={hidden.identifiers.get().pk}",
        f"case={case.pk}&identifier={other_iban.pk}",  # an identifier of another case than the one named
        f"case={case.pk}&type=freeze-everything",
        "case=abc",
        "case=99999999999999999999",
        "identifier=-1",
    ):
        assert client.get(f"/requests/new/?{query}").status_code == 404, query
        assert client.post(f"/requests/new/?{query}", {"then": "submit"}).status_code == 404, query
    assert not AssistanceRequest.objects.exists()


def test_identifiers_of_another_case_are_refused(spf, signed_in):
    case, iban, _ = _bec_case(spf)
    _other, other_iban, _ = _bec_case(spf)
    client = signed_in(spf)
    url = f"/requests/new/?case={case.pk}&identifier={iban.pk}"
    data = _as_posted(client.get(url).context["form"])
    response = client.post(url, {**data, "identifiers": [str(other_iban.pk)], "then": "submit"})
    assert response.status_code == 200 and "identifiers" in response.context["form"].errors
    assert not AssistanceRequest.objects.exists()


def test_the_template_is_written_in_the_senders_language(make_user, signed_in):
    korean = make_user("spf", roles=(Role.INVESTIGATOR,), language="ko")
    case, iban, _ = _bec_case(korean)
    with translation.override("en"):  # the page's language does not decide: the sender's does
        subject, asked = prefill.texts(korean, "stop_payment", case=case, identifier=iban, amount=1, currency="USD")
    assert "기업 이메일 침해(BEC)" in subject and "Business e-mail compromise" not in subject + asked
    # Through the page, shown in English, to an officer who writes in Indonesian: amounts as Indonesian writes them.
    indonesian = make_user("spf", roles=(Role.INVESTIGATOR,), language="id")
    page = signed_in(indonesian).get(f"/requests/new/?case={case.pk}&type=stop_payment", HTTP_ACCEPT_LANGUAGE="en")
    data = _as_posted(page.context["form"])
    assert "USD 42.300.000,00" in data["subject"], data["subject"]


def test_a_request_from_a_hit_goes_to_its_holder_with_the_type_chosen(spf, signed_in, make_user):
    pntl = make_user("pntl", roles=(Role.INVESTIGATOR,))
    record(pntl, [IBAN], title="PNTL account case")
    _case, iban, outcome = _bec_case(spf)
    hit = outcome.hits[0]
    client = signed_in(spf)
    detail = client.get(f"/hits/{hit.pk}/").content.decode()
    assert f'href="/requests/new/?hit={hit.pk}&amp;type=stop_payment"' in detail
    url = f"/requests/new/?hit={hit.pk}&type=stop_payment"
    data = _as_posted(client.get(url).context["form"])
    assert data["receivers"] == ["pntl"] and (data["type"], data["priority"]) == ("stop_payment", "urgent")
    assert data["subject"].startswith(f"Stop payment on {IBAN}: USD 42,300,000.00")
    assert client.post(url, {**data, "then": "submit"}).status_code == 302
    request = AssistanceRequest.objects.get()
    assert request.status == "awaiting_approval" and request.hit == hit and list(request.identifiers.all()) == [iban]
    # A case or identifier that is not the hit's own side is refused like a missing one.
    other_case, _, _ = _bec_case(spf)
    assert client.get(f"/requests/new/?hit={hit.pk}&case={other_case.pk}").status_code == 404


def test_a_hidden_holder_stays_hidden_in_the_prefilled_stop_payment(spf, signed_in, make_user):
    pntl = make_user("pntl", roles=(Role.INVESTIGATOR,))
    record(pntl, [IBAN], title="PNTL hidden case", hide_owner_in_hits=True)
    CountryCapability.objects.filter(agency__code="pntl", request_type="stop_payment").update(
        turnaround_hours=2, confirmed=True
    )
    _case, _iban, outcome = _bec_case(spf)
    client = signed_in(spf)
    url = f"/requests/new/?hit={outcome.hits[0].pk}&type=stop_payment"
    page = client.get(url)
    main = page.content.decode().split("<main", 1)[1]
    assert "receivers" not in page.context["form"].fields and "PNTL" not in main
    assert "2 hours" not in main  # PNTL's own turnaround would point at it
    data = _as_posted(page.context["form"])
    assert client.post(url, {**data, "then": "submit"}).status_code == 302
    request = AssistanceRequest.objects.get()
    assert request.receiver_hidden and request.status == "awaiting_approval" and request.priority == "urgent"


def test_the_type_sets_the_default_priority_and_due_time_everywhere(spf, signed_in):
    pntl = Agency.objects.get(code="pntl")
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        stop = services.draft_request(spf, receivers=[pntl], type="stop_payment", subject="s", asked="a")[0]
        keep = services.draft_request(spf, receivers=[pntl], type="preservation", subject="s", asked="a")[0]
        ask = services.draft_request(spf, receivers=[pntl], type="general", subject="s", asked="a")[0]
    assert (stop.priority, keep.priority, ask.priority) == ("urgent", "urgent", "routine")
    assert stop.due_at == now + dt.timedelta(hours=4) and ask.due_at == now + dt.timedelta(days=21)
    # A form posted without a priority gets the type's.
    client = signed_in(spf)
    fields = {"receivers": ["pntl"], "type": "stop_payment", "legal_basis": "police_to_police", "subject": "s"}
    fields.update(asked="a", handling_code="H0", tlp="amber")
    assert client.post("/requests/new/", fields).status_code == 302
    assert AssistanceRequest.objects.latest("pk").priority == "urgent"
    # The API too; a priority given is kept.
    from lintas.accounts import services as accounts
    from lintas.accounts.choices import TokenScope

    _, secret = accounts.create_api_token(spf, name="t", scope=TokenScope.READ_WRITE, days=1)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = {"receivers": ["pntl"], "type": "preservation", "subject": "s", "asked": "a"}
    answer = client.post("/api/v1/requests/", body, content_type="application/json", **headers)
    assert answer.status_code == 201 and answer.json()[0]["priority"] == "urgent"
    due = dt.datetime.fromisoformat(answer.json()[0]["due_at"])
    assert dt.timedelta(hours=3, minutes=59) < due - timezone.now() <= dt.timedelta(hours=4)
    answer = client.post(
        "/api/v1/requests/", {**body, "priority": "routine"}, content_type="application/json", **headers
    )
    assert answer.json()[0]["priority"] == "routine"
    answer = client.post("/api/v1/requests/", {**body, "priority": "soon"}, content_type="application/json", **headers)
    assert answer.status_code == 422


def test_the_form_shows_the_due_time_and_whether_the_receiver_confirmed_it(spf, signed_in, make_user):
    client = signed_in(spf)
    page = client.get("/requests/new/?type=preservation").content.decode()
    assert re.search(r'<option value="urgent" selected>', page)  # the type's default, pre-chosen
    assert "data-default-priorities" in page and "assistance/request-form.js" in page
    hint = client.get("/requests/capabilities/hint/?receivers=pntl&type=stop_payment&priority=urgent").content.decode()
    assert "PNTL has not confirmed its turnaround for “Urgent stop-payment (freeze)”; the default of 4" in hint
    assert "Due if you set no date" in hint
    admin = make_user("pntl", roles=(Role.AGENCY_ADMIN,))
    row = CountryCapability.objects.get(agency__code="pntl", request_type="stop_payment")
    services.update_capability(admin, row, turnaround_hours=2)
    hint = client.get("/requests/capabilities/hint/?receivers=pntl&type=stop_payment&priority=urgent").content.decode()
    assert "PNTL's usual turnaround is 2 hours." in hint and "has not confirmed" not in hint
    # A routine request: the 21-day default, and a hostile priority falls back to the type's.
    hint = client.get("/requests/capabilities/hint/?receivers=pntl&type=general&priority=x").content.decode()
    assert "the default of 3" in hint  # "3 weeks"


def test_agency_admins_are_asked_to_confirm_their_capability_table(make_user, signed_in):
    admin = make_user("pntl", roles=(Role.AGENCY_ADMIN,))
    client = signed_in(admin)
    task = "Confirm your agency's capability table: 9 of 9 types not confirmed"
    home = client.get("/").content.decode()
    assert task in home and 'href="/requests/capabilities/?agency=pntl"' in home
    assert (
        "capability table" not in signed_in(make_user("pntl", roles=(Role.LIAISON_OFFICER,))).get("/").content.decode()
    )
    rows = list(CountryCapability.objects.filter(agency__code="pntl"))
    services.update_capability(admin, rows[0], turnaround_hours=2)
    assert "8 of 9 types not confirmed" in client.get("/").content.decode()
    for row in rows[1:]:
        services.update_capability(admin, row)
    assert "capability-task" not in client.get("/").content.decode()


def test_hits_offer_requests_only_to_those_who_may_draft_them(spf, signed_in, make_user):
    pntl = make_user("pntl", roles=(Role.INVESTIGATOR,))
    record(pntl, [IBAN], title="PNTL account case")
    _case, _iban, outcome = _bec_case(spf)
    hit = outcome.hits[0]
    admin = make_user("spf", roles=(Role.AGENCY_ADMIN,))  # sees the agency's hits, drafts no requests
    for url in (f"/hits/{hit.pk}/", "/hits/", "/"):
        body = signed_in(admin).get(url).content.decode()
        assert f"/requests/new/?hit={hit.pk}" not in body, url
    assert f"/requests/new/?hit={hit.pk}" in signed_in(spf).get("/").content.decode()  # its hit cards
