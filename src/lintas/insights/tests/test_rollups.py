"""The roll-ups: what each dimension counts, both paths alike, the months a refresh replaces, audit, job, command."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.cases.models import ExchangeRate
from lintas.insights.models import MonthlyRollup
from lintas.insights.services import identifier_kind, refresh_rollups
from lintas.insights.tests.helpers import case, hit, sent_request

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)
APRIL = dt.date(2026, 4, 1)
WHEN = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)


def _world():
    """Cases of RMP, SPF and KNPA in March and April, a cross-border hit, a domestic-like one, requests."""
    tron = ("crypto_wallet", "tron:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
    handle = ("social_handle", "telegram:lina")
    a = case("rmp", victims=3, countries=["MY", "sg", "MY"], modus=["Pig-butchering ", "pig-butchering", "Telegram"],
             loss="1000.50", identifiers=[tron, ("phone", "+60123456789"), handle])  # fmt: skip
    b = case("spf", victims=2, countries=["SG"], modus=["pig-butchering"], loss="99.50", identifiers=[tron])
    c = case("knpa", crime="voice_phishing", month=(2026, 4), victims=5, countries=["KR"], hidden=True,
             identifiers=[("crypto_wallet", "evm:0x52908400098527886e0f7030069857d2e4169ee7"), tron])  # fmt: skip
    case("rmp", identifiers=[("payment_alias", "duitnow:+60123456789"), ("crypto_wallet", "")])  # a blind wallet
    hit(a, b, WHEN)
    hit(b, c, WHEN + dt.timedelta(days=20))
    ExchangeRate.objects.create(month=MARCH, currency="MYR", usd_per_unit=Decimal("0.25"))
    sent_request("spf", "rmp", WHEN, answered_after_hours=10, frozen="400", currency="MYR")
    sent_request("spf", "rmp", WHEN, answered_after_hours=30)
    sent_request("spf", "knpa", WHEN, hidden=True, acknowledged=False)
    return a, b, c


def _rows(dimension, **filters):
    return {
        (r.month, r.key, r.crime_type, r.agency.code, r.partner_agency.code if r.partner_agency else None): r
        for r in MonthlyRollup.objects.filter(dimension=dimension, **filters).select_related("agency", "partner_agency")
    }


def test_identifier_kinds_tell_chains_schemes_and_platforms_apart():
    assert identifier_kind("crypto_wallet", "tron:T9yD") == "crypto_wallet:tron"
    assert identifier_kind("crypto_wallet", "evm:0xabc") == "crypto_wallet:evm"
    assert identifier_kind("payment_alias", "promptpay:+66812345678") == "payment_alias:promptpay"
    assert identifier_kind("social_handle", "telegram:lina") == "social_handle:telegram"
    assert identifier_kind("phone", "+60123456789") == "phone"
    assert identifier_kind("crypto_wallet", "") == "crypto_wallet"  # blind: the type only


def test_portable_refresh_counts_every_dimension():
    _world()
    report = refresh_rollups(fast=False)
    assert report["path"] == "portable" and report["rows"] == MonthlyRollup.objects.count()
    cases = _rows("cases")
    rmp = cases[(MARCH, "", "investment_fraud", "rmp", None)]
    assert (rmp.count, rmp.victims, rmp.loss_usd) == (2, 4, Decimal("1000.50"))
    assert cases[(APRIL, "", "voice_phishing", "knpa", None)].victims == 5
    countries = _rows("country")
    assert countries[(MARCH, "MY", "investment_fraud", "rmp", None)].count == 1  # listed twice, counted once
    assert countries[(MARCH, "SG", "investment_fraud", "rmp", None)].count == 1  # upper-cased
    assert countries[(MARCH, "SG", "investment_fraud", "spf", None)].loss_usd == Decimal("99.50")
    modus = _rows("modus")
    assert modus[(MARCH, "pig-butchering", "investment_fraud", "rmp", None)].count == 1  # case and spaces folded
    assert (MARCH, "telegram", "investment_fraud", "rmp", None) in modus
    kinds = _rows("identifier")
    assert kinds[(MARCH, "crypto_wallet:tron", "investment_fraud", "rmp", None)].count == 1
    assert kinds[(APRIL, "crypto_wallet:evm", "voice_phishing", "knpa", None)].count == 1
    assert kinds[(MARCH, "payment_alias:duitnow", "investment_fraud", "rmp", None)].count == 1
    assert kinds[(MARCH, "crypto_wallet", "investment_fraud", "rmp", None)].count == 1
    hits = _rows("hit")
    assert set(hits) == {(MARCH, "MY|SG", "", "rmp", "spf"), (APRIL, "?|SG", "", "spf", "knpa")}  # KNPA hides
    requests = _rows("request")
    pair = requests[(MARCH, "SG>MY", "", "spf", "rmp")]
    assert (pair.count, pair.answered, pair.turnaround_hours) == (2, 2, [10.0, 30.0])
    assert pair.frozen_usd == Decimal("100.00")  # 400 MYR at 0.25
    assert (MARCH, "SG>?", "", "spf", "knpa") in requests  # hidden until acknowledged, as in the ledger
    event = AuditEvent.objects.filter(action=Action.TRENDS_REFRESHED).latest("id")
    assert event.details["rows"] == report["rows"] and event.actor_username == "system"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the fast path is PostgreSQL's")
def test_postgresql_path_writes_the_same_rows_as_the_portable_one():
    _world()

    def snapshot():
        return sorted(
            (r.month, r.dimension, r.key, r.crime_type, r.agency_id, r.partner_agency_id, r.count, r.victims,
             r.loss_usd, r.answered, tuple(r.turnaround_hours), r.frozen_usd, r.returned_usd)
            for r in MonthlyRollup.objects.all()
        )  # fmt: skip

    portable = refresh_rollups(fast=False)
    rows = snapshot()
    fast = refresh_rollups(fast=True)
    assert fast["path"] == "postgresql" and fast["rows"] == portable["rows"]
    assert snapshot() == rows
    refresh_rollups(months=[APRIL], fast=True)
    assert snapshot() == rows


def test_fast_path_refused_off_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL has the fast path")
    with pytest.raises(ValueError):
        refresh_rollups(fast=True)


def test_a_refresh_of_some_months_replaces_only_those():
    _world()
    refresh_rollups(fast=False)
    before_march = {r.pk for r in MonthlyRollup.objects.filter(month=MARCH)}
    case("knpa", crime="voice_phishing", month=(2026, 4), victims=7)
    refresh_rollups(months=[dt.date(2026, 4, 15)], fast=False)
    assert {r.pk for r in MonthlyRollup.objects.filter(month=MARCH)} == before_march  # untouched
    april = MonthlyRollup.objects.get(dimension="cases", month=APRIL, crime_type="voice_phishing")
    assert (april.count, april.victims) == (2, 12)


def test_only_the_platform_admin_refreshes_by_hand(make_user, platform_admin):
    with pytest.raises(PermissionDenied):
        refresh_rollups(make_user("spf"))
    report = refresh_rollups(platform_admin)
    assert AuditEvent.objects.filter(action=Action.TRENDS_REFRESHED, actor=platform_admin).count() == 1
    assert report["rows"] == 0


def test_command_and_jobs_refresh(capsys):
    from lintas.insights.tasks import refresh_all_rollups, refresh_recent_rollups

    _world()
    call_command("trends", "--refresh", "--portable")
    assert "roll-up rows written" in capsys.readouterr().out
    count = MonthlyRollup.objects.count()
    assert count > 0
    call_command("trends")
    assert f"{count} roll-up rows" in capsys.readouterr().out
    MonthlyRollup.objects.all().delete()
    refresh_all_rollups.call_local()  # every month: the rows come back
    assert MonthlyRollup.objects.count() == count
    refresh_recent_rollups.call_local()  # this month and the last: none of the world's rows
    assert MonthlyRollup.objects.count() == count
    now = timezone.now()
    case("rmp", crime="bec", month=(now.year, now.month), countries=["MY"])
    refresh_recent_rollups.call_local()  # a case of this month is counted by the hourly job
    assert MonthlyRollup.objects.count() > count
    assert AuditEvent.objects.filter(action=Action.TRENDS_REFRESHED).count() >= 4


def test_own_rows_are_the_agencys_cases_and_the_hits_and_requests_it_is_a_side_of(make_user):
    from django.contrib.auth.models import AnonymousUser

    _world()
    refresh_rollups(fast=False)
    rmp = MonthlyRollup.objects.visible_to(make_user("rmp"))
    assert set(rmp.values_list("dimension", flat=True)) == {"cases", "country", "modus", "identifier", "hit", "request"}
    assert not rmp.exclude(agency__code="rmp").exclude(partner_agency__code="rmp").exists()
    assert rmp.filter(dimension="request", agency__code="spf").exists()  # received from SPF
    assert not MonthlyRollup.objects.visible_to(make_user("pntl")).exists()
    assert not MonthlyRollup.objects.visible_to(AnonymousUser()).exists()
