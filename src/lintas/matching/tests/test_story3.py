"""Story 3 (pig-butchering across ASEAN) at the service and API level: restricted cases in MY, SG and TH share a
TRON wallet and a Telegram handle written differently; each learns who else holds them, and nothing more."""

import json

import pytest

from lintas.accounts.choices import Role
from lintas.cases.models import Case
from lintas.cases.tests.helpers import record
from lintas.matching.models import Hit
from lintas.matching.services import lookup
from lintas.notifications.models import Notification

pytestmark = pytest.mark.django_db

WALLET = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
SECRET_TITLES = {"rmp": "RMP secret title alpha", "spf": "SPF secret title bravo", "rtp": "RTP secret title charlie"}


@pytest.fixture
def story(make_user):
    officers = {
        code: make_user(code, roles=(Role.INVESTIGATOR, Role.LIAISON_OFFICER), username=f"{code}.officer")
        for code in ("rmp", "spf", "rtp")
    }
    notations = {
        "rmp": [WALLET, "https://t.me/CryptoQueen88"],
        "spf": [f"  {WALLET} ", "telegram:CryptoQueen88"],
        "rtp": [f"tron:{WALLET}", "t.me/cryptoqueen88"],
    }
    cases = {}
    for code, values in notations.items():
        case, _ = record(
            officers[code],
            [{"value": v, "role": "receiving_wallet" if i == 0 else "suspect_handle"} for i, v in enumerate(values)],
            title=SECRET_TITLES[code],
            narrative=f"Narrative only {code} may read",
            distribution="owner",
            hide_owner_in_hits=(code == "rtp"),
        )
        cases[code] = case
    return officers, cases


def test_every_pair_of_agencies_gets_a_hit_for_both_identifiers(story):
    _, _cases = story
    assert Hit.objects.count() == 6  # 3 agency pairs x 2 identifiers
    pairs = {
        frozenset((h.left_agency.code, h.right_agency.code))
        for h in Hit.objects.select_related("left_agency", "right_agency")
    }
    assert pairs == {frozenset(("rmp", "spf")), frozenset(("rmp", "rtp")), frozenset(("spf", "rtp"))}


def test_hit_no_hit_names_the_holder_and_month_only(story, signed_in):
    officers, cases = story
    client = signed_in(officers["rmp"])
    body = client.get("/api/v1/hits").json()
    assert body["count"] == 4
    for item in body["items"]:
        assert set(item["other"]) == {"visible", "holder", "recorded_month"}
        assert item["other"]["visible"] is False
    holders = {item["other"]["holder"] for item in body["items"]}
    assert holders == {"SPF", "a member agency"}  # RTP asked to hide its name
    raw = json.dumps(body)
    for code in ("spf", "rtp"):
        assert SECRET_TITLES[code] not in raw and cases[code].reference not in raw and f"only {code}" not in raw


def test_no_page_or_api_of_rmp_reaches_a_field_of_the_others_cases(story, signed_in):
    officers, cases = story
    client = signed_in(officers["rmp"])
    pages = [
        "/",
        "/hits/",
        "/cases/",
        f"/cases/{cases['rmp'].pk}/",
        "/hits/inbox/",
        "/api/v1/cases/",
        "/api/v1/notifications/",
    ]
    pages += [f"/hits/{h.pk}/" for h in Hit.objects.visible_to(officers["rmp"])]
    for path in pages:
        body = client.get(path).content.decode()
        for code in ("spf", "rtp"):
            assert SECRET_TITLES[code] not in body, path
            assert cases[code].reference not in body, path
            assert f"only {code}" not in body, path
    for code in ("spf", "rtp"):
        assert client.get(f"/cases/{cases[code].pk}/").status_code == 404
        assert client.get(f"/api/v1/cases/{cases[code].pk}").status_code == 404
    answer = client.post("/api/v1/lookup", {"values": [WALLET]}, content_type="application/json").json()
    matches = answer["answers"][0]["matches"]
    assert {m["holder"] for m in matches if not m["visible"]} == {"SPF", "a member agency"}
    assert all(set(m) == {"visible", "holder", "recorded_month"} for m in matches if not m["visible"])
    assert SECRET_TITLES["spf"] not in json.dumps(answer)


def test_notifications_reach_liaison_officers_without_hidden_fields(story):
    officers, cases = story
    for code, officer in officers.items():
        texts = list(Notification.objects.filter(recipient=officer).values_list("text", flat=True))
        assert texts, code
        for other in set(officers) - {code}:
            assert all(SECRET_TITLES[other] not in t and cases[other].reference not in t for t in texts)


def test_sharing_with_a_named_agency_reveals_the_case_to_it(story, make_user, signed_in):
    officers, cases = story
    from lintas.cases.services import update_case

    update_case(officers["spf"], cases["spf"], {"distribution": "named", "shared_with": ["rmp"]})
    body = signed_in(officers["rmp"]).get("/api/v1/hits").json()
    visible = [i["other"] for i in body["items"] if i["other"]["visible"]]
    assert visible and all(o["reference"] == cases["spf"].reference for o in visible)
    assert signed_in(officers["rtp"]).get(f"/api/v1/cases/{cases['spf'].pk}").status_code == 404


def test_lookup_by_the_owner_shows_its_own_case(story):
    officers, cases = story
    answers = lookup(officers["spf"], values=["t.me/CRYPTOQUEEN88"])
    visible = [m for m in answers[0].matches if m.visible]
    assert [m.reference for m in visible] == [cases["spf"].reference]
    assert Case.objects.count() == 3
