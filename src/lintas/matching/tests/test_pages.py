"""The hits and lookup pages as a signed-in officer uses them: one answer per value, the case filter kept across
pages, a request for details shown to the agency asked, and a dashboard that leaves for sign-in when signed out."""

import re

import pytest
from django.test import Client

from lintas.accounts.choices import Role
from lintas.cases.tests.helpers import record
from lintas.matching.models import Hit

pytestmark = pytest.mark.django_db

WALLET = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"


@pytest.fixture
def officers(make_user):
    return {code: make_user(code, roles=(Role.INVESTIGATOR,), username=f"{code}.pages") for code in ("rmp", "rtp")}


def test_a_value_in_the_search_box_is_answered_once(officers, signed_in):
    record(officers["rtp"], [WALLET], title="RTP hidden case", hide_owner_in_hits=True)
    body = signed_in(officers["rmp"]).post("/lookup/", {"q": f"tron:{WALLET}"}).content.decode()
    assert "1 value looked up" in body
    assert body.count("A case held by a member agency contains this identifier") == 1
    assert "RTP hidden case" not in body


def test_a_text_is_searched_for_the_identifiers_in_it(officers, signed_in):
    record(officers["rtp"], [WALLET])
    text = f"The victim sent USDT to {WALLET} after a call from a man who said he was with the bank"
    body = signed_in(officers["rmp"]).post("/lookup/", {"q": text}).content.decode()
    assert "1 value looked up" in body and "A case held by RTP contains this identifier" in body


def test_the_hits_of_one_case_keep_their_filter_across_pages(officers, signed_in, settings):
    settings.PAGE_SIZE = 2
    mine, _ = record(officers["rmp"], [WALLET, "t.me/CryptoQueen88", "+60 12-345 6789"])
    record(officers["rtp"], [WALLET, "tg:cryptoqueen88", "+60 12-345 6789"])
    another, _ = record(officers["rmp"], [WALLET], title="Another RMP case")
    client = signed_in(officers["rmp"])
    body = client.get(f"/hits/?case={mine.pk}").content.decode()
    assert f"Hits of case {mine.reference} only." in body
    assert f'href="?case={mine.pk}&amp;page=2"' in body
    page2 = client.get(f"/hits/?case={mine.pk}&page=2").content.decode()
    assert "Page 2 of 2" in page2 and len(re.findall(r'href="/hits/\d+/"', page2)) == 1  # 3 hits of this case
    assert another.reference not in body + page2


def test_the_agency_asked_for_details_sees_the_request_on_the_hit(officers, signed_in):
    rmp_case, _ = record(officers["rmp"], [WALLET], title="RMP case")
    record(officers["rtp"], [WALLET], title="RTP case", hide_owner_in_hits=True)
    hit = Hit.objects.get()
    rmp, rtp = signed_in(officers["rmp"]), signed_in(officers["rtp"])
    assert "asks us for details" not in rtp.get("/hits/").content.decode()
    response = rmp.post(f"/hits/{hit.pk}/request-details/", follow=True)
    assert "Your request for details is recorded" in response.content.decode()
    assert "Your agency has asked for details." in response.content.decode()
    assert "has asked for the details of your case" not in response.content.decode()  # not asked by the other side
    page = rtp.get(f"/hits/{hit.pk}/").content.decode()
    assert "RMP has asked for the details of your case" in page
    assert "asks us for details" in rtp.get("/hits/").content.decode()
    assert "asks us for details" in rtp.get("/").content.decode()  # the dashboard's inbox
    # RTP hides its name: when it asks in turn, RMP is told only that "a member agency" asks.
    rtp.post(f"/hits/{hit.pk}/request-details/")
    assert "A member agency has asked for the details of your case " + rmp_case.reference in (
        rmp.get(f"/hits/{hit.pk}/").content.decode()
    )


def test_the_polling_inbox_sends_a_signed_out_page_to_sign_in(officers, signed_in):
    client = signed_in(officers["rmp"])
    assert client.get("/hits/inbox/", HTTP_HX_REQUEST="true").status_code == 200
    client.post("/accounts/logout/")
    response = client.get("/hits/inbox/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == "/accounts/login/" and b"<form" not in response.content
    response = Client().get("/hits/inbox/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_hits_filter_never_names_a_hidden_case(officers, signed_in, make_user):
    """Issue 15 item 1: RMP holds hits on RTP's hidden cases (hit/no-hit). Filtering its hits by the id of one of
    them listed the hits on that case: stepping through ids linked hidden cases to identifiers and counted them.
    Now a hidden case answers 404 on the page and in the API, exactly as a missing one, and lists nothing."""
    from lintas.accounts import services
    from lintas.accounts.choices import TokenScope

    record(officers["rmp"], [WALLET, "+60 12-345 6789"], title="RMP case")
    hidden, _ = record(officers["rtp"], [WALLET], title="RTP hidden case", hide_owner_in_hits=True)
    assert Hit.objects.filter(right_case=hidden).exists() or Hit.objects.filter(left_case=hidden).exists()
    page = signed_in(officers["rmp"])
    _, secret = services.create_api_token(officers["rmp"], name="t", scope=TokenScope.READ, days=1)
    api = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    for case_id in (hidden.pk, 999_999, 2**64):
        response, api_response = page.get(f"/hits/?case={case_id}"), Client().get(f"/api/v1/hits?case={case_id}", **api)
        if case_id == 2**64:  # no column holds it: the API's id type refuses it before any lookup (422, no 500)
            assert (response.status_code, api_response.status_code) == (404, 422), case_id
            continue
        assert (response.status_code, api_response.status_code) == (404, 404), case_id
        assert api_response.json() == {"detail": "Not found."}
        assert "RTP hidden case" not in response.content.decode() and WALLET not in response.content.decode()
    assert page.get("/hits/").status_code == 200 and WALLET in page.get("/hits/").content.decode()  # hit/no-hit stays
