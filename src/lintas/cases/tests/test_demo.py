"""The demo cases of stories 2 and 3: idempotent, recorded through the real path, hitting exactly where they should."""

import io
from collections import Counter

import pytest
from django.core.management import call_command

from lintas import identifiers
from lintas.accounts.demo import seed_demo_users
from lintas.accounts.models import User
from lintas.cases.demo import (
    KNPA_CALLER_PHONES,
    KNPA_MULE_ACCOUNTS,
    RING_WALLETS,
    STORY3_HANDLES,
    STORY3_WALLET,
    seed_demo_cases,
)
from lintas.cases.models import Case, CaseIdentifier
from lintas.insights.models import MonthlyRollup
from lintas.matching.models import BenignValue, Hit
from lintas.matching.presenters import present_hits
from lintas.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count() for model in (User, Case, CaseIdentifier, Hit, BenignValue, Notification)
    }


@pytest.fixture
def seeded():
    seed_demo_users()
    return seed_demo_cases()


def _canonical(value: str, kind: str | None = None, country: str | None = None) -> str:
    return identifiers.normalize(value, kind, country).value


def _hits_on(value: str) -> list[Hit]:
    idents = CaseIdentifier.objects.filter(value=value)
    assert idents.exists(), value  # the value is in the demo, so "no hit" below means something
    return list(Hit.objects.filter(left__in=idents) | Hit.objects.filter(right__in=idents))


def test_seeding_twice_creates_nothing_new(seeded):
    assert len(seeded.cases) == 44 and len(seeded.benign) == 2 and seeded.hits > 0
    before = _counts()
    again = seed_demo_cases()
    assert (again.cases, again.benign, again.hits) == ([], [], 0)
    assert _counts() == before


def test_a_case_deleted_since_is_recorded_again_alone(seeded):
    Case.objects.get(external_reference="CNP-PNH-2026-0433").delete()
    again = seed_demo_cases()
    assert [c.external_reference for c in again.cases] == ["CNP-PNH-2026-0433"]
    assert again.hits > 0


def test_the_command_seeds_users_and_cases_and_is_idempotent():
    out = io.StringIO()
    call_command("demo", stdout=out, stderr=io.StringIO())
    assert "created 44 demo case(s)" in out.getvalue()
    rollups = MonthlyRollup.objects.count()
    assert rollups > 0 and f"refreshed the trend roll-ups: {rollups} row(s)" in out.getvalue()
    before = _counts()
    out = io.StringIO()
    call_command("demo", stdout=out, stderr=io.StringIO())
    assert "created 0 demo user(s)" in out.getvalue() and "created 0 demo case(s)" in out.getvalue()
    assert _counts() == before and MonthlyRollup.objects.count() == rollups
    assert Case.objects.filter(created_by__username="knpa.investigator").count() == 36


def test_cases_need_the_demo_users():
    with pytest.raises(LookupError, match=r"knpa\.investigator"):
        seed_demo_cases()
    assert Case.objects.count() == 0


def test_story2_links_knpa_victim_reports_with_the_cnp_raid(seeded):
    pairs = Counter(
        (h.left_agency.code, h.right_agency.code, h.left.type)
        for h in Hit.objects.select_related("left_agency", "right_agency", "left")
        if {h.left_agency.code, h.right_agency.code} == {"knpa", "cnp"}
    )
    kinds = {kind for (_, _, kind) in pairs}
    assert kinds == {"crypto_wallet", "phone", "bank_account"}
    # Every wallet links the raid with each KNPA report whose money reached it (12 reports per wallet).
    raid = Case.objects.get(external_reference="CNP-SHV-2026-0412")
    for wallet in RING_WALLETS:
        hits = [h for h in _hits_on(f"tron:{wallet}") if raid.pk in (h.left_case_id, h.right_case_id)]
        assert len(hits) == 12, wallet
    # The callers' numbers meet as E.164 although KNPA wrote them domestically and CNP internationally.
    seized = _canonical(KNPA_CALLER_PHONES[0], "phone", "KR")
    assert seized == "+821031415926" and _hits_on(seized)
    # A caller whose number CNP never seized links nobody; the mule account CNP never saw neither.
    assert _hits_on(_canonical(KNPA_CALLER_PHONES[4], "phone", "KR")) == []
    assert _hits_on(_canonical(KNPA_MULE_ACCOUNTS[1], "bank_account", "KR")) == []
    assert _hits_on(_canonical(KNPA_MULE_ACCOUNTS[0], "bank_account", "KR"))
    # KNPA reads the raid case (shared with it by name); CNP learns only that KNPA holds the other side.
    knpa, cnp = User.objects.get(username="knpa.investigator"), User.objects.get(username="cnp.investigator")
    assert Case.objects.visible_to(knpa).filter(pk=raid.pk).exists()
    assert not Case.objects.visible_to(cnp).filter(owner_agency__code="knpa").exists()
    views = present_hits(Hit.objects.visible_to(cnp), cnp)
    assert views and {v.other.holder for v in views if not v.other.visible} == {"KNPA"}
    assert all(v.other.visible for v in present_hits(Hit.objects.visible_to(knpa).filter(left_case=raid), knpa))


def test_story3_every_pair_of_rmp_spf_rtp_learns_of_the_others(seeded):
    pairs = Counter(
        (frozenset((h.left_agency.code, h.right_agency.code)), h.left.type)
        for h in Hit.objects.select_related("left_agency", "right_agency", "left")
    )
    for pair in ({"rmp", "spf"}, {"rmp", "rtp"}, {"spf", "rtp"}):
        assert pairs[(frozenset(pair), "crypto_wallet")] >= 4, pair
        assert pairs[(frozenset(pair), "social_handle")] == 4, pair
    # The handle, in six notations, is one canonical value.
    assert {_canonical(v) for notations in STORY3_HANDLES.values() for v in notations} == {"telegram:linagoldtrader"}
    # Stories 2 and 3 never meet, and no agency outside them is touched.
    assert {pair for pair, _ in pairs} == {
        frozenset(p) for p in ({"knpa", "cnp"}, {"rmp", "spf"}, {"rmp", "rtp"}, {"spf", "rtp"})
    }
    # RTP hides its name; SPF shares one case with RMP by name, which RMP then reads in full.
    rmp = User.objects.get(username="rmp.investigator")
    views = present_hits(Hit.objects.visible_to(rmp), rmp)
    assert {v.other.holder for v in views if not v.other.visible} == {"SPF", "a member agency"}
    assert {v.other.reference for v in views if v.other.visible} == {
        Case.objects.get(external_reference="SPF-ASC-2026-11872").reference
    }
    rtp_titles = set(Case.objects.filter(owner_agency__code="rtp").values_list("title", flat=True))
    assert not {v.other.title for v in views} & rtp_titles
    assert _hits_on(_canonical(STORY3_WALLET))


def test_benign_values_never_hit(seeded):
    benign = dict(BenignValue.objects.values_list("value", "token"))
    assert set(benign) == {"+8215889999", "gmail.com"}
    assert not Hit.objects.filter(token__in=benign.values()).exists()
    # Both are in cases of two agencies each, so a missing benign rule would have raised hits here.
    for value in benign:
        owners = set(CaseIdentifier.objects.filter(value=value).values_list("owner_agency__code", flat=True))
        assert len(owners) == 2, value
        assert _hits_on(value) == []
