"""The member directory: seeded members, page and API."""

import pytest

from lintas.agencies.models import Agency

pytestmark = pytest.mark.django_db

EXPECTED = {
    "KNPA": "KR", "RMP": "MY", "CNP": "KH", "INP": "ID", "PNP": "PH", "RTP": "TH", "MPS": "VN", "SPF": "SG",
    "RBPF": "BN", "LAO MPS": "LA", "MPF": "MM", "PNTL": "TL", "INTERPOL": "", "ASEANAPOL": "",
}  # fmt: skip


def test_the_fourteen_members_are_seeded():
    assert dict(Agency.objects.values_list("short_name", "country")) == EXPECTED
    assert Agency.objects.get(code="aseanapol").is_secretariat
    assert Agency.objects.get(code="interpol").kind == "international"
    assert Agency.objects.get(code="pntl").languages == ["pt", "tet"]
    assert Agency.objects.get(code="knpa").time_zone == "Asia/Seoul"


def test_directory_lists_every_member(make_user, signed_in):
    client = signed_in(make_user("knpa"))
    body = client.get("/directory/").content.decode()
    for name in Agency.objects.values_list("name", flat=True):
        assert name in body
    assert "Asia/Dili" in client.get("/directory/pntl/").content.decode()
    assert client.get("/directory/no-such-agency/").status_code == 404


def test_directory_api(make_user, signed_in):
    client = signed_in(make_user("knpa"))
    data = client.get("/api/v1/agencies/").json()
    assert len(data) == 14 and {a["short_name"] for a in data} == set(EXPECTED)
    assert client.get("/api/v1/agencies/pntl").json()["country"] == "TL"
    assert client.get("/api/v1/agencies/nope").status_code == 404
