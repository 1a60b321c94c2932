"""The identifier API and the live preview: same result shape as the library, clear errors, read tokens allowed."""

import pytest
from django.test import Client

from lintas import identifiers
from lintas.accounts import services as accounts
from lintas.accounts.choices import TokenScope
from lintas.identify.services import MAX_VALUES

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(make_user):
    _, secret = accounts.create_api_token(make_user("knpa"), name="read", scope=TokenScope.READ, days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def post(path, body):
        return client.post(f"/api/v1/identifiers/{path}", body, content_type="application/json")

    return post


def test_normalize_gives_the_library_result_and_a_read_token_may_use_it(api):
    response = api(
        "normalize",
        {
            "country": "KR",
            "items": [
                {"value": "010-2000-0000"},
                {"value": "+82 10 2000 0000", "type": "phone"},
                {"value": "TL38 0080 0123 4567 8910 157", "type": "bank_account"},
            ],
        },
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["value"] == results[1]["value"] == "+821020000000"
    assert results[0] == identifiers.normalize("010-2000-0000", None, "KR").to_dict()
    assert results[2]["valid"] is True and results[2]["type"] == "bank_account"


def test_unknown_type_or_country_is_a_clear_422(api):
    response = api("normalize", {"items": [{"value": "x", "type": "horoscope"}]})
    assert response.status_code == 422 and "items[0].type" in response.json()["errors"]
    response = api("normalize", {"country": "Korea", "items": [{"value": "010"}]})
    assert response.status_code == 422 and "country" in response.json()["errors"]


def test_more_than_the_limit_is_refused(api):
    response = api("normalize", {"items": [{"value": "1"}] * (MAX_VALUES + 1)})
    assert response.status_code == 422


def test_extract_finds_identifiers_with_offsets(api):
    text = "Pay to TRON wallet TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t or call +60 12-345 6789 hxxps://evil[.]example/login"
    response = api("extract", {"text": text, "country": "MY"})
    assert response.status_code == 200
    results = response.json()["results"]
    types = {r["type"] for r in results}
    assert {"crypto_wallet", "phone", "url"} <= types
    for r in results:
        assert text[r["start"] : r["end"]] == r["input"]


def test_live_preview_shows_type_and_canonical_form(make_user, signed_in):
    client = signed_in(make_user("spf"))
    response = client.post("/identify/preview/", {"one-value": "9123 4567", "one-country": "SG"})
    body = response.content.decode()
    assert response.status_code == 200 and "+6591234567" in body and "Phone number" in body
    response = client.post(
        "/identify/preview/", {"one-value": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed".replace("5a", "5A")}
    )
    assert "checksum" in response.content.decode().lower()  # mixed case with a wrong EIP-55 checksum is flagged
    response = client.post("/identify/preview/", {"one-value": "x", "one-type": "horoscope"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_identify_page_extracts_from_pasted_text(make_user, signed_in):
    client = signed_in(make_user("spf"))
    response = client.post("/identify/", {"text-text": "mule account owner: scam.boss@example.com"})
    assert response.status_code == 200
    assert [r["value"] for r in response.context["results"]] == ["scam.boss@example.com"]


def test_local_numbers_default_to_the_officers_country(make_user, signed_in):
    client = signed_in(make_user("knpa"))
    response = client.post("/identify/preview/", {"one-value": "010-2000-0000"})
    assert "+821020000000" in response.content.decode()
    response = client.post(
        "/api/v1/identifiers/normalize", {"items": [{"value": "010-2000-0000"}]}, content_type="application/json"
    )
    assert response.json()["results"][0]["value"] == "+821020000000"
