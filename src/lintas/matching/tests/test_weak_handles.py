"""A handle on no stated platform ("@name") links weakly to the same handle on any platform, in both directions; the
same name on two named platforms is two accounts and links nothing (issue 17, item 7; decision 0049)."""

import pytest
from django.test import Client

from lintas import identifiers
from lintas.accounts import services as accounts
from lintas.accounts.choices import Role, TokenScope
from lintas.cases.tests.helpers import record
from lintas.matching import services
from lintas.matching.models import Hit
from lintas.matching.sweep import keys_to_match, sweep
from lintas.matching.tokens import community_key, is_weak, match_keys, token_for, tokens_for
from lintas.matching.tokens_cli import make_tokens

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers(make_user):
    codes = ("rtp", "rmp", "knpa", "spf")
    return {code: make_user(code, roles=(Role.INVESTIGATOR,), username=f"{code}.weak") for code in codes}


def test_keys_and_tokens_of_handles():
    named = identifiers.normalize("Telegram @scam_support")
    bare = identifiers.normalize("@scam_support")
    assert match_keys(named) == ("social_handle:telegram:scam_support", "social_handle:unknown:scam_support")
    assert match_keys(bare) == ("social_handle:unknown:scam_support", "")
    key = community_key()
    own, linked = tokens_for(key, named)
    assert not is_weak(own) and is_weak(linked) and tokens_for(key, bare)[0] == linked
    assert len(linked) == 32 and linked[0] == "w" and set(linked[1:]) <= set("0123456789abcdef")
    # A phone-bound handle links the phone (strong), an open chat links nothing, other types never weak.
    assert match_keys(identifiers.normalize("WhatsApp +66812345678"))[1] == "phone:+66812345678"
    assert match_keys(identifiers.normalize("https://open.kakao.com/o/sAbCdEf1"))[1] == ""
    assert match_keys(identifiers.normalize("LINE @shop123"))[1] == "social_handle:unknown:shop123"
    assert not is_weak(token_for(key, "phone:+66812345678"))


@pytest.mark.parametrize("first_bare", [True, False], ids=["bare-first", "named-first"])
def test_a_bare_handle_and_a_named_one_make_a_weak_hit_both_ways(officers, first_bare):
    values = ["@scam_support", "Telegram @scam_support"]
    first, second = values if first_bare else values[::-1]
    record(officers["rtp"], [first])
    _, outcome = record(officers["rmp"], [second])
    assert len(outcome.hits) == 1
    hit = Hit.objects.get()
    assert hit.weak and is_weak(hit.token)


def test_two_named_platforms_same_name_do_not_match_but_each_meets_the_bare_one(officers):
    record(officers["rtp"], ["Telegram @scam_support"])
    _, outcome = record(officers["rmp"], ["Instagram @scam_support"])
    assert outcome.hits == []
    _, outcome = record(officers["knpa"], ["@scam_support"])
    assert len(outcome.hits) == 2 and all(h.weak for h in outcome.hits)
    # Two bare handles: weak too (the platform is stated on neither side).
    _, outcome = record(officers["spf"], ["@scam_support"])
    assert len(outcome.hits) == 3 and all(h.weak for h in outcome.hits)
    assert Hit.objects.count() == 5  # never telegram with instagram
    # The same handle on the same platform is an ordinary (strong) hit; knpa's bare one weak; spf's own no hit.
    _, outcome = record(officers["spf"], ["t.me/scam_support"])
    assert sorted(h.weak for h in outcome.hits) == [False, True]


def test_the_sweep_neither_recreates_nor_keeps_looking_for_two_named_platforms(officers):
    record(officers["rtp"], ["Telegram @scam_support"])
    record(officers["rmp"], ["Instagram @scam_support"])
    assert keys_to_match() == []  # the pair is not missing: it is no link
    record(officers["knpa"], ["@scam_support"])
    Hit.objects.all().delete()
    assert len(keys_to_match()) == 1
    assert sweep(reason="test").hits == 2 and all(h.weak for h in Hit.objects.all())
    assert keys_to_match() == []


def test_lookup_answers_weak_matches_and_not_the_other_platform(officers, signed_in):
    record(officers["rtp"], ["Telegram @scam_support"], title="RTP telegram", distribution="all")
    record(officers["rmp"], ["Instagram @scam_support"], title="RMP instagram", distribution="all")
    record(officers["knpa"], ["@scam_support"], title="KNPA bare", distribution="all")
    by_title = {
        value: {m.title: m.weak for m in services.lookup(officers["spf"], values=[value])[0].matches}
        for value in ("@scam_support", "Telegram @scam_support", "t.me/scam_support")
    }
    assert by_title["@scam_support"] == {"RTP telegram": True, "RMP instagram": True, "KNPA bare": True}
    assert by_title["Telegram @scam_support"] == {"RTP telegram": False, "KNPA bare": True}
    assert by_title["t.me/scam_support"] == by_title["Telegram @scam_support"]
    body = signed_in(officers["spf"]).post("/lookup/", {"q": "Telegram @scam_support"}).content.decode()
    assert body.count("Weak link: same handle, platform not stated") == 1
    assert "RMP instagram" not in body


def test_the_api_says_weak_on_lookups_and_hits(officers):
    record(officers["rtp"], ["Telegram @scam_support"], title="RTP telegram", hide_owner_in_hits=True)
    record(officers["rmp"], ["+66 81 234 5678"], title="RMP phone", distribution="all")
    _, token = accounts.create_api_token(officers["knpa"], name="t", scope=TokenScope.READ, days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    answers = client.post(
        "/api/v1/lookup", {"values": ["@scam_support", "+66812345678"]}, content_type="application/json"
    ).json()["answers"]
    assert answers[0]["matches"] == [
        {"visible": False, "holder": "a member agency", "recorded_month": answers[0]["matches"][0]["recorded_month"],
         "weak": True}
    ]  # fmt: skip
    assert "weak" not in answers[1]["matches"][0]  # given only when true
    record(officers["knpa"], ["@scam_support"])
    hits = client.get("/api/v1/hits").json()["items"]
    assert [h["weak"] for h in hits] == [True]


def test_hit_pages_show_the_weak_link(officers, signed_in):
    record(officers["rtp"], ["Telegram @scam_support"])
    record(officers["rmp"], ["@scam_support"])
    hit = Hit.objects.get()
    client = signed_in(officers["rmp"])
    for url in ("/hits/", f"/hits/{hit.pk}/"):
        assert "Weak link: same handle, platform not stated" in client.get(url).content.decode(), url


def test_blind_tokens_of_a_named_handle_do_not_send_the_any_platform_token():
    rows = list(make_tokens(["value", "Telegram @scam_support", "@scam_support"]))
    tokens = [row[1] for row in rows if row[0] == "token"]
    assert len(tokens) == 2 and not is_weak(tokens[0]) and is_weak(tokens[1])


def test_a_weak_blind_token_is_accepted_and_matches_weakly(officers):
    weak = tokens_for(community_key(), identifiers.normalize("@scam_support"))[0]
    record(officers["rtp"], ["Telegram @scam_support"])
    _, outcome = record(officers["rmp"], [{"token": weak, "type": "social_handle"}])
    assert len(outcome.hits) == 1 and outcome.hits[0].weak


def test_related_cases_of_one_agency_follow_the_same_rule(officers):
    telegram, _ = record(officers["rtp"], ["Telegram @scam_support"])
    instagram, _ = record(officers["rtp"], ["Instagram @scam_support"])
    bare, _ = record(officers["rtp"], ["@scam_support"])
    assert {c.pk for cases in services.related_cases(telegram, officers["rtp"]).values() for c in cases} == {bare.pk}
    assert {c.pk for cases in services.related_cases(bare, officers["rtp"]).values() for c in cases} == {
        telegram.pk,
        instagram.pk,
    }


def test_the_migration_moves_stored_handles_to_the_weak_tokens(officers):
    import hashlib
    import hmac
    import importlib

    from django.apps import apps

    from lintas.cases.models import CaseIdentifier

    migration = importlib.import_module("lintas.matching.migrations.0005_handle_any_platform_tokens")
    record(officers["rtp"], ["Telegram @scam_support"])
    record(officers["rmp"], ["@scam_support"])
    key = community_key()

    def old_token(match_key):
        return hmac.new(key, match_key.encode(), hashlib.sha256).hexdigest()[:32]

    # As stored before decision 0049: a bare handle's strong token, no linked token on a named one, the hit's token.
    bare = CaseIdentifier.objects.get(value="unknown:scam_support")
    CaseIdentifier.objects.filter(pk=bare.pk).update(token=old_token("social_handle:unknown:scam_support"))
    CaseIdentifier.objects.filter(value="telegram:scam_support").update(linked_token="")
    Hit.objects.update(token=old_token("social_handle:unknown:scam_support"))
    migration.forwards(apps, None)
    for ident in CaseIdentifier.objects.all():
        assert (ident.token, ident.linked_token) == tokens_for(key, identifiers.normalize(ident.value, ident.type))
    assert Hit.objects.get().weak
