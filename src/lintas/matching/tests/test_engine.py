"""Matching rules: linked families, benign values, hot values, blind tokens, same-agency links, idempotence."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lintas import identifiers
from lintas.accounts.choices import Role
from lintas.cases.models import Case, CaseIdentifier
from lintas.cases.tests.helpers import record
from lintas.matching import services
from lintas.matching.engine import holders_of, match_new_identifiers
from lintas.matching.models import Hit, HotValue
from lintas.matching.tokens import community_key, tokens_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers(make_user):
    return {
        code: make_user(code, roles=(Role.INVESTIGATOR, Role.LIAISON_OFFICER)) for code in ("rtp", "rmp", "knpa", "cnp")
    }


def test_phone_matches_promptpay_alias_and_whatsapp_handle(officers):
    record(officers["rtp"], [{"value": "promptpay:081-234-5678", "role": "beneficiary_account"}])
    _, outcome = record(officers["rmp"], ["wa.me/66812345678"])
    assert len(outcome.hits) == 1
    _, outcome = record(officers["knpa"], ["+66 81 234 5678"])
    assert len(outcome.hits) == 2  # the phone itself meets both the alias and the handle


def test_evm_address_matches_across_chains_and_case(officers):
    address = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    record(officers["knpa"], [address])
    _, outcome = record(officers["cnp"], [{"value": address.lower(), "type": "crypto_wallet"}])
    assert len(outcome.hits) == 1


def test_phone_in_a_victim_statement_matches(officers):
    record(officers["knpa"], [{"value": "010-2000-0000", "role": "suspect_phone"}])
    _, outcome = record(officers["cnp"], [], narrative="The caller used +82 10 2000 0000 and said he was a prosecutor.")
    assert len(outcome.hits) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_the_token_search_is_one_prepared_statement_whatever_the_number_of_tokens(officers):
    """Matching searches the stored tokens with the tokens as one array parameter: one statement, planned once per
    connection, for a batch of one identifier as for one of thousands."""
    record(officers["rtp"], ["+66 81 234 5678"])
    record(officers["rmp"], ["+66 81 234 5678", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "alice@example.org"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        searches = [s for (s,) in cursor.fetchall() if 'FROM "cases_caseidentifier"' in s and "ANY($1" in s]
    assert len(searches) == 1, searches


def _plan(sql: str) -> str:
    """The database's plan for ``sql``, with sequential scans off as for long token lists (a test table is tiny)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return " ".join(str(row) for row in cursor.fetchall())


def test_searches_of_linked_tokens_use_the_partial_index(officers):
    """Matching and lookups search linked tokens through the partial index of the identifiers that have one. SQLite
    takes a partial index only when the query repeats its condition in its own words: with "linked_token <> ''" it
    scanned the whole table for every batch and every lookup (430 ms for 2,000 tokens at 2 million identifiers)."""
    record(officers["rtp"], [{"value": "promptpay:081-234-5678", "role": "beneficiary_account"}])
    linked = CaseIdentifier.objects.exclude(linked_token="").values_list("linked_token", flat=True).get()
    with CaptureQueriesContext(connection) as queries:
        assert holders_of([linked])
        assert services.lookup(officers["rmp"], values=["+66 81 234 5678"])[0].matches
    searches = [q["sql"] for q in queries.captured_queries if "linked_token" in q["sql"] and "UNION" in q["sql"]]
    assert len(searches) == 2
    for sql in searches:
        assert "case_identifier_linked" in _plan(sql), sql


def test_same_agency_links_without_a_hit(officers, signed_in):
    first, _ = record(officers["knpa"], ["010-2000-0000"])
    second, outcome = record(officers["knpa"], ["+821020000000"])
    assert outcome.hits == [] and Hit.objects.count() == 0
    related = services.related_cases(second, officers["knpa"])
    assert [c.pk for cases in related.values() for c in cases] == [first.pk]


def test_benign_value_never_raises_a_hit_and_is_shown_as_benign(officers, platform_admin):
    services.add_benign(
        platform_admin,
        value="1588-9999",
        type="phone",
        country="KR",
        category="bank_hotline",
        reason="KB Kookmin Bank customer centre",
    )
    record(officers["knpa"], [{"value": "1588-9999", "type": "phone"}])
    _, outcome = record(officers["cnp"], [{"value": "+82 1588 9999", "type": "phone"}])
    assert outcome.hits == [] and outcome.benign
    answer = services.lookup(officers["cnp"], values=["+82 1588 9999"])[0]
    assert answer.benign and answer.matches == []


def test_a_benign_value_is_carried_by_no_case_even_as_an_aliass_linked_value(officers, platform_admin):
    """Status and carriers come from one statement: the benign phone is answered benign with no case, also where it is
    only the linked value of a PromptPay alias, while the other value of the same lookup keeps its matches."""
    services.add_benign(
        platform_admin, value="081-234-5678", type="phone", country="TH", category="test_value", reason="test line"
    )
    record(officers["rtp"], [{"value": "promptpay:081-234-5678", "role": "beneficiary_account"}])
    record(officers["rmp"], ["+66 81 234 5678", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"])
    phone, wallet = services.lookup(officers["knpa"], values=["+66812345678", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"])
    assert phone.benign and phone.matches == []
    assert not wallet.benign and [m.holder for m in wallet.matches] == ["RMP"]
    alias = services.lookup(officers["knpa"], values=["promptpay:081-234-5678"])[0]
    assert alias.benign  # its linked phone is benign
    assert [m.holder for m in alias.matches] == ["RTP"]  # the alias itself is not: its own case still answers


def test_removing_a_benign_value_turns_the_pairs_it_hid_into_hits(
    officers, platform_admin, django_capture_on_commit_callbacks
):
    from lintas.audit.choices import Action
    from lintas.audit.models import AuditEvent
    from lintas.notifications.models import Notification

    benign = services.add_benign(
        platform_admin, value="1588-9999", type="phone", country="KR", category="bank_hotline", reason="bank"
    )
    record(officers["knpa"], [{"value": "1588-9999", "type": "phone"}])
    record(officers["cnp"], [{"value": "+82 1588 9999", "type": "phone"}])
    record(officers["rtp"], ["TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"])
    assert Hit.objects.count() == 0
    notified = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_benign(platform_admin, benign)
    hit = Hit.objects.get()  # the two holders of the phone, nothing else
    assert {hit.left_agency.code, hit.right_agency.code} == {"knpa", "cnp"}
    trails = AuditEvent.objects.filter(action=Action.HITS_CREATED).values_list("agency__code", "details__hits")
    assert sorted(trails) == [("cnp", 1), ("knpa", 1)]
    assert Notification.objects.count() > notified
    # Idempotent: matching again changes nothing.
    from lintas.matching.engine import rematch

    assert rematch([hit.token]).hits == [] and Hit.objects.count() == 1
    out = io.StringIO()
    call_command("rematch", "+82 1588 9999", stdout=out)
    assert out.getvalue().strip() == "0 new hit(s)" and Hit.objects.count() == 1
    Hit.objects.all().delete()
    call_command("rematch", "1588-9999", "--country", "KR", stdout=out)
    assert Hit.objects.count() == 1


def test_only_the_platform_admin_keeps_benign_lists(officers):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.add_benign(officers["knpa"], value="gmail.com", type="domain", category="webmail", reason="webmail")


def test_hot_value_gives_one_notice_instead_of_pairs(officers, settings, make_user):
    settings.MATCHING_HOT_CASE_CAP = 3
    wallet = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
    codes = ["knpa", "cnp", "rtp", "rmp", "spf"]
    users = {code: officers.get(code) or make_user(code, roles=(Role.INVESTIGATOR,)) for code in codes}
    for code in codes[:3]:
        record(users[code], [wallet])
    assert Hit.objects.count() == 3
    _, outcome = record(users["rmp"], [wallet])
    assert outcome.hits == [] and outcome.newly_hot  # the fourth case makes it hot
    _, outcome = record(users["spf"], [wallet])
    assert outcome.hits == [] and not outcome.newly_hot  # already hot: no second notice
    assert HotValue.objects.get().case_count == 5
    assert services.lookup(users["spf"], values=[wallet])[0].hot


def test_blind_tokens_match_raw_values_without_revealing_them(officers, signed_in):
    raw = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
    token, _ = tokens_for(community_key(), identifiers.normalize(raw))
    case, _ = record(officers["rmp"], [{"token": token, "type": "crypto_wallet", "role": "victim_account"}])
    stored = case.identifiers.get()
    assert stored.blind and stored.value == "" and stored.raw == "" and raw not in str(stored.__dict__)
    _, outcome = record(officers["knpa"], [raw])
    assert len(outcome.hits) == 1
    body = signed_in(officers["rmp"]).get(f"/api/v1/cases/{case.pk}").content.decode()
    assert raw not in body and raw.lower() not in body


def test_bad_blind_token_is_refused(officers):
    from lintas.cases.validation import CaseInvalid

    with pytest.raises(CaseInvalid, match="32 hexadecimal"):
        record(officers["rmp"], [{"token": "not-a-token"}])


def test_matching_twice_creates_nothing_new(officers):
    record(officers["knpa"], ["010-2000-0000"])
    case, _ = record(officers["cnp"], ["+821020000000"])
    assert Hit.objects.count() == 1
    again = match_new_identifiers(list(case.identifiers.all()))
    assert again.hits == [] and Hit.objects.count() == 1


def test_invalid_identifier_is_refused_with_its_reason(officers):
    from lintas.cases.validation import CaseInvalid

    with pytest.raises(CaseInvalid) as error:
        record(officers["knpa"], [{"value": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "type": "crypto_wallet"}])
    assert "identifiers[0]" in error.value.errors
    assert Case.objects.count() == 0


AGENCIES = ["knpa", "rmp", "cnp", "spf", "pntl", "aseanapol"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    owner=st.sampled_from(AGENCIES[:-1]),
    distribution=st.sampled_from(["owner", "named", "all"]),
    named=st.sets(st.sampled_from(AGENCIES), min_size=1, max_size=4),
)
def test_visibility_always_equals_the_sharing_rule(make_user, owner, distribution, named):
    from lintas.accounts.models import User
    from lintas.agencies.models import Agency

    users = {}
    for code in AGENCIES:
        users[code] = User.objects.filter(agency__code=code).first() or make_user(code)
    shared = sorted(named - {owner}) if distribution == "named" else []
    if distribution == "named" and not shared:
        shared = ["pntl" if owner != "pntl" else "knpa"]
    case, _ = record(users[owner], [], distribution=distribution, shared_with=shared)
    for code, user in users.items():
        expected = code == owner or distribution == "all" or (distribution == "named" and code in shared)
        assert Case.objects.visible_to(user).filter(pk=case.pk).exists() == expected, (
            owner,
            distribution,
            shared,
            code,
        )
    assert Agency.objects.count() == 14


def test_account_with_and_without_its_bank_code_match(officers):
    record(officers["knpa"], [{"value": "KR:004:12345678901234", "type": "bank_account", "role": "mule_account"}])
    _, outcome = record(officers["cnp"], [{"value": "KR::12345678901234", "type": "bank_account"}])
    assert len(outcome.hits) == 1


def test_a_request_for_details_notifies_the_holders_liaison_officers(officers):
    from lintas.notifications.models import Notification, NotificationKind

    case, _ = record(officers["knpa"], ["010-2000-0000"], title="KNPA secret")
    _, outcome = record(officers["cnp"], ["+821020000000"])
    services.request_details(officers["cnp"], outcome.hits[0])
    services.request_details(officers["cnp"], outcome.hits[0])  # asking twice notifies once
    notes = Notification.objects.filter(kind=NotificationKind.DETAILS_REQUESTED)
    assert [n.recipient for n in notes] == [officers["knpa"]]
    assert "CNP asks for the details of your case " + case.reference in notes[0].text


def test_a_request_for_details_reaches_the_holder_in_its_language_and_never_names_a_hidden_asker(
    officers, make_user, signed_in
):
    """Issue 17, item 5: "Request details" on a hit notifies the holding agency's liaison officers, each in their
    own language, and is audited. An asker whose case hides its name in hits was named in that notice ("RTP asks for
    the details ...") while the hit page called it "a member agency": the notice names it as the hit does."""
    from lintas.audit.choices import Action
    from lintas.audit.models import AuditEvent
    from lintas.notifications.models import Notification, NotificationKind

    malay = make_user("rmp", roles=(Role.LIAISON_OFFICER,), language="ms")
    rmp_case, _ = record(officers["rmp"], ["TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"], title="RMP wallet case")
    rtp_case, outcome = record(
        officers["rtp"], ["TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"], title="RTP hidden", hide_owner_in_hits=True
    )
    hit = outcome.hits[0]
    # RTP (hidden) asks RMP, through the page.
    assert signed_in(officers["rtp"]).post(f"/hits/{hit.pk}/request-details/").status_code == 302
    notes = Notification.objects.filter(kind=NotificationKind.DETAILS_REQUESTED)
    assert {n.recipient for n in notes} == {officers["rmp"], malay}
    for note in notes:
        assert "RTP" not in note.text and rtp_case.reference not in note.text
    assert notes.get(recipient=officers["rmp"]).text.startswith(
        f"A member agency asks for the details of your case {rmp_case.reference}"
    )
    assert notes.get(recipient=malay).url == f"/hits/{hit.pk}/"
    event = AuditEvent.objects.get(action=Action.DETAILS_REQUESTED)
    assert (event.actor_username, event.agency.code, event.object_id) == (
        officers["rtp"].username,
        "rtp",
        str(hit.pk),
    )
    # RMP (named) asks RTP: RMP is named, to each of RTP's officers in their own language.
    rtp_malay = make_user("rtp", roles=(Role.LIAISON_OFFICER,), language="ms")
    services.request_details(officers["rmp"], hit)
    to_rtp = Notification.objects.filter(kind=NotificationKind.DETAILS_REQUESTED, recipient__agency__code="rtp")
    assert to_rtp.get(recipient=officers["rtp"]).text.startswith(
        f"RMP asks for the details of your case {rtp_case.reference}"
    )
    assert to_rtp.get(recipient=rtp_malay).text.startswith(f"RMP memohon butiran kes anda {rtp_case.reference}")
