"""Lookup: what each agency sees of the cases holding a value (sharing rules, hit/no-hit), at what query cost, and
the audit event each lookup leaves."""

import pytest
from django.test import Client

from lintas.accounts import services as accounts
from lintas.accounts.choices import Role, TokenScope
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.cases.tests.helpers import record
from lintas.matching import services

pytestmark = pytest.mark.django_db

WALLET = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
# More values than services._FEW_TOKENS: a long lookup takes the path planned for long token lists.
PADDING = [f"+65 8{n:03d} {n:04d}" for n in range(60)]


@pytest.fixture
def officers(make_user):
    return {
        code: make_user(code, roles=(Role.INVESTIGATOR,), username=f"{code}.lookup") for code in ("rmp", "spf", "rtp")
    }


@pytest.fixture
def held(officers):
    """The wallet in four cases: rtp's own (hiding its name), shared with spf by name, with all, and rmp's own."""
    return {
        "rtp-owner": record(officers["rtp"], [WALLET], title="RTP owner only", hide_owner_in_hits=True)[0],
        "rtp-named": record(
            officers["rtp"], [WALLET], title="RTP named spf", distribution="named", shared_with=["spf"]
        )[0],
        "rtp-all": record(officers["rtp"], [WALLET], title="RTP all members", distribution="all")[0],
        "rmp-owner": record(officers["rmp"], [WALLET], title="RMP owner only")[0],
    }


@pytest.mark.parametrize("padding", [[], PADDING], ids=["short", "long"])
def test_lookup_shows_exactly_the_cases_the_sharing_rules_allow(officers, held, padding):
    for code, visible in {
        "spf": {"rtp-named", "rtp-all"},
        "rmp": {"rtp-all", "rmp-owner"},
        "rtp": {"rtp-owner", "rtp-named", "rtp-all"},
    }.items():
        answer = services.lookup(officers[code], values=[WALLET, *padding])[0]
        shown = {m.reference for m in answer.matches if m.visible}
        assert shown == {held[name].reference for name in visible}, code
        hidden = [m for m in answer.matches if not m.visible]
        assert len(hidden) == 4 - len(visible), code
        assert all(m.reference == "" and m.title == "" and m.case_id is None for m in hidden)
    hidden_holders = {m.holder for m in services.lookup(officers["spf"], values=[WALLET])[0].matches if not m.visible}
    assert hidden_holders == {"a member agency", "RMP"}


def test_a_disabled_account_sees_no_case(officers, held):
    officer = officers["rmp"]
    officer.is_active = False
    officer.save()
    answer = services.lookup(officer, values=[WALLET])[0]
    assert len(answer.matches) == 4 and not any(m.visible for m in answer.matches)


def test_a_single_value_api_lookup_is_three_queries_and_one_audit_event(officers, held, django_assert_max_num_queries):
    _token, secret = accounts.create_api_token(officers["spf"], name="script", scope=TokenScope.READ, days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.post("/api/v1/lookup", {"values": [WALLET]}, content_type="application/json")  # marks the token used
    before = AuditEvent.objects.filter(action=Action.LOOKUP).count()
    # The token; benign and hot status with the carrying identifiers and their cases' visibility, in one statement;
    # the audit event (written at once here: the tests' read-trail interval is 0).
    with django_assert_max_num_queries(3):
        response = client.post("/api/v1/lookup", {"values": [f"tron:{WALLET}"]}, content_type="application/json")
    assert response.status_code == 200
    matches = response.json()["answers"][0]["matches"]
    assert sorted(m["title"] for m in matches if m["visible"]) == ["RTP all members", "RTP named spf"]
    assert all(set(m) == {"visible", "holder", "recorded_month"} for m in matches if not m["visible"])
    events = AuditEvent.objects.filter(action=Action.LOOKUP)
    assert events.count() == before + 1
    event = events.order_by("-id").first()
    assert event.actor == officers["spf"] and event.details["values"] == 1 and event.details["with_matches"] == 1
    assert WALLET not in str(event.details) and len(event.details["tokens"]) == 1


@pytest.mark.postgres
def test_a_long_lookup_leaves_the_callers_transaction_planned_as_before(officers, held):
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        before = cursor.fetchone()
        answer = services.lookup(officers["spf"], values=[WALLET, *PADDING])[0]
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == before
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() != ("0",)
    assert len(answer.matches) == 4


def test_each_user_may_look_up_a_limited_number_of_values_an_hour(officers, settings, signed_in):
    """Lookups answer who holds a value: an hourly allowance per user stops enumeration. Past it: 429 with
    Retry-After on the API, the same on the page, an audited refusal, and other users are unaffected."""
    settings.LOOKUP_VALUES_PER_HOUR = 5
    spf, rmp = officers["spf"], officers["rmp"]
    _, secret = accounts.create_api_token(spf, name="t", scope=TokenScope.READ, days=1)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def look(values):
        return api.post("/api/v1/lookup", {"values": values}, content_type="application/json")

    assert look([WALLET, "+65 8123 4567", "+65 8123 4568"]).status_code == 200
    assert look(["+65 8123 4569", "+65 8123 4570"]).status_code == 200  # 5 of 5
    refused = look([WALLET])
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
    assert "5 values" in refused.json()["detail"]
    page = signed_in(spf).post("/lookup/", {"q": WALLET})
    assert page.status_code == 429 and "5 values" in page.content.decode()
    denials = AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=spf, object_type="matching.lookup")
    assert denials.count() == 2
    assert AuditEvent.objects.filter(action=Action.LOOKUP, actor=spf).count() == 2  # refused lookups ran no search
    services.lookup(rmp, values=[WALLET])  # another user's allowance is their own


def test_the_users_of_one_agency_share_an_hourly_allowance(officers, make_user, settings):
    """Many accounts of one agency do not add up to an unlimited oracle: past the agency's allowance every one of its
    users is refused (429, audited, with the agency's reason), other agencies are not, and a lookup refused for the
    user's own allowance is not charged to the agency."""
    settings.LOOKUP_VALUES_PER_HOUR = 4
    settings.LOOKUP_VALUES_PER_AGENCY_HOUR = 6
    first, rmp = officers["spf"], officers["rmp"]
    second = make_user("spf", roles=(Role.INVESTIGATOR,), username="spf.second")
    services.lookup(first, values=[WALLET, "+65 8123 4567", "+65 8123 4568", "+65 8123 4569"])  # 4 of 4, agency 4
    with pytest.raises(services.LookupLimitReached, match="You have looked up 4 values"):
        services.lookup(first, values=[WALLET])  # refused for the user: the agency stays at 4
    services.lookup(second, values=[WALLET, "+65 8123 4570"])  # agency 6 of 6
    _, secret = accounts.create_api_token(second, name="t", scope=TokenScope.READ, days=1)
    refused = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").post(
        "/api/v1/lookup", {"values": [WALLET]}, content_type="application/json"
    )
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
    assert refused.json()["detail"].startswith("Your agency has looked up 6 values this hour")
    reasons = AuditEvent.objects.filter(action=Action.ACCESS_DENIED, object_type="matching.lookup").values_list(
        "actor__username", "details__reason"
    )
    assert sorted(reasons) == [
        (first.username, "lookup allowance of 4 values an hour used up"),
        (second.username, "agency lookup allowance of 6 values an hour used up"),
    ]
    services.lookup(rmp, values=[WALLET, "+65 8123 4571"])  # another agency's allowance is its own
