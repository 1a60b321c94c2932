"""The structured part of a request reads in the reader's language, number format and time zone, whatever the sender
wrote; the sender's own words are labelled with the language they were written in (issue 17 item 8, decision 0050)."""

import datetime as dt
import re

import pytest
from django.test import Client

from lintas.accounts import services as accounts
from lintas.accounts.choices import Role, TokenScope
from lintas.agencies.models import Agency
from lintas.assistance import services
from lintas.assistance.models import AssistanceRequest

pytestmark = pytest.mark.django_db

DUE = dt.datetime(2027, 1, 31, 10, 0, tzinfo=dt.UTC)


def _sent_request(make_user, **extra):
    drafter = make_user("spf", roles=(Role.INVESTIGATOR, Role.SUPERVISOR), language="en")
    request = services.draft_request(
        drafter,
        receivers=[Agency.objects.get(code="pntl")],
        type="stop_payment",
        priority="urgent",
        subject="Freeze TL38 0080 0123 4567 8910 157",
        asked="Stop the payment",
        amount="42300000",
        currency="USD",
        due_at=DUE,
        **extra,
    )[0]
    services.transition(drafter, request, "submit", version=request.version)
    request.refresh_from_db()
    approver = make_user("spf", roles=(Role.SUPERVISOR,))
    services.transition(approver, request, "approve", version=request.version)
    request.refresh_from_db()
    return request


def _viewer(make_user, signed_in, language, zone):
    reader = make_user("pntl", roles=(Role.LIAISON_OFFICER,), language=language, time_zone=zone)
    client = signed_in(reader)
    client.post("/i18n/language/", {"language": language, "next": "/"})
    return client


def _section(page: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', page, re.S)
    assert match, f"no {section_id} on the page"
    return match.group(0)


def test_a_korean_receiver_reads_the_summary_in_korean(make_user, signed_in):
    request = _sent_request(make_user)
    assert request.language == "en"
    page = _viewer(make_user, signed_in, "ko", "Asia/Seoul").get(f"/requests/{request.pk}/").content.decode()
    summary = _section(page, "request-summary")
    assert "긴급 지급정지(동결)" in summary  # the type
    assert "긴급(시간 단위)" in summary  # the priority
    assert "경찰 간 협력" in summary  # the legal basis
    assert "H0 — 범죄 예방 및 대응 목적으로만 사용" in summary  # the handling code
    assert "USD 42,300,000.00" in summary
    assert "2027-01-31 19:00 (KST)" in summary  # 10:00 UTC in Seoul
    text = _section(page, "request-text")
    assert "작성 언어: 영어" in text  # "Written in English", in Korean
    assert 'lang="en">Freeze TL38' in text


def test_a_thai_receiver_reads_the_summary_in_thai(make_user, signed_in):
    request = _sent_request(make_user)
    page = _viewer(make_user, signed_in, "th", "Asia/Bangkok").get(f"/requests/{request.pk}/").content.decode()
    summary = _section(page, "request-summary")
    assert "ระงับการจ่ายเงินเร่งด่วน (อายัด)" in summary and "เร่งด่วน (หลักชั่วโมง)" in summary
    assert "ความร่วมมือระหว่างหน่วยงานตำรวจ" in summary
    assert "2027-01-31 17:00 (+07)" in summary  # 10:00 UTC in Bangkok
    assert "อังกฤษ" in _section(page, "request-text")


def test_amounts_in_the_readers_number_format(make_user, signed_in):
    request = _sent_request(make_user)
    page = _viewer(make_user, signed_in, "pt", "Asia/Dili").get(f"/requests/{request.pk}/").content.decode()
    assert "USD 42.300.000,00" in _section(page, "request-summary")
    assert "Escrito em Inglês" in _section(page, "request-text")


def test_an_unknown_language_code_is_shown_as_it_is(make_user, signed_in):
    request = _sent_request(make_user, language="tet")  # Tetum: the API takes any code
    page = _viewer(make_user, signed_in, "en", "UTC").get(f"/requests/{request.pk}/").content.decode()
    assert "Written in tet" in page and 'lang="tet"' in page


def test_drafting_marks_the_text_with_the_senders_language(make_user, signed_in):
    # on the page: the language the sender reads the form in
    thai = make_user("rtp", roles=(Role.INVESTIGATOR,), language="th")
    client = signed_in(thai)
    client.post("/i18n/language/", {"language": "th", "next": "/"})
    response = client.post(
        "/requests/new/",
        {
            "receivers": ["pntl"],
            "type": "stop_payment",
            "priority": "urgent",
            "legal_basis": "police_to_police",
            "subject": "อายัดบัญชี",
            "asked": "โปรดระงับการจ่ายเงิน",
            "handling_code": "H0",
            "tlp": "amber",
        },
    )
    assert response.status_code == 302
    assert AssistanceRequest.objects.get(sender_agency__code="rtp").language == "th"
    # through the API: the user's language unless the client names one
    korean = make_user("knpa", roles=(Role.INVESTIGATOR,), language="ko")
    _, secret = accounts.create_api_token(korean, name="t", scope=TokenScope.READ_WRITE, days=1)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    body = {"receivers": ["pntl"], "type": "general", "subject": "계좌", "asked": "정보 요청"}
    assert api.post("/api/v1/requests/", body, content_type="application/json").status_code == 201
    body["language"] = "en"
    assert api.post("/api/v1/requests/", body, content_type="application/json").status_code == 201
    languages = AssistanceRequest.objects.filter(sender_agency__code="knpa").order_by("pk")
    assert list(languages.values_list("language", flat=True)) == ["ko", "en"]
