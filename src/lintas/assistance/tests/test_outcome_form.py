"""The outcome form reads what officers write (issue 17, item 4) and the follow-up page says why it exists (item 3).

A destination written with its bank is accepted, amounts with separators too; an error keeps every field and is shown
by its field (a transfer's with its line number); no input makes a 500."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone

from lintas import identifiers
from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.assistance import services
from lintas.assistance.forms import parse_amount, parse_transfer_line
from lintas.assistance.models import AssistanceRequest, OnwardTransfer, Outcome

pytestmark = pytest.mark.django_db

DILI = zoneinfo.ZoneInfo("Asia/Dili")
SINGAPORE = zoneinfo.ZoneInfo("Asia/Singapore")


@pytest.mark.parametrize(
    ("written", "value", "display"),
    [
        ("Kasikornbank 123-4-56789-0", "TH:004:1234567890", "Kasikornbank 123-4-56789-0"),
        ("KTB 123-4-56789-0", "TH:006:1234567890", "Krungthai Bank 123-4-56789-0"),
        ("Bangkok Bank 123-4-56789-0", "TH:002:1234567890", "Bangkok Bank 123-4-56789-0"),
        ("SCB 123-456789-0", "TH:014:1234567890", "Siam Commercial Bank 123-4-56789-0"),
        ("ธนาคารกสิกรไทย 123-4-56789-0", "TH:004:1234567890", "Kasikornbank 123-4-56789-0"),
        ("KTB a/c no. 123-4-56789-0", "TH:006:1234567890", "Krungthai Bank 123-4-56789-0"),
        ("123-4-56789-0 (Krungthai Bank)", "TH:006:1234567890", "Krungthai Bank 123-4-56789-0"),
        ("TH:006:1234567890", "TH:006:1234567890", "Krungthai Bank 123-4-56789-0"),
    ],
)
def test_the_identifier_library_reads_an_account_written_with_its_bank(written, value, display):
    result = identifiers.normalize(written)
    assert (result.type, result.value, result.country, result.valid) == ("bank_account", value, "TH", True)
    assert result.display == display
    assert identifiers.normalize(result.value, "bank_account").value == value  # still canonical


def test_a_name_followed_by_a_number_is_not_taken_for_an_account():
    assert identifiers.normalize("John Smith 12345678").type == "unknown"
    assert identifiers.normalize("Room 1203").type != "bank_account"


@pytest.mark.parametrize(
    ("text", "mark", "amount"),
    [
        ("3,300,000", ".", Decimal("3300000")),
        ("3.300.000", ".", Decimal("3300000")),
        ("3.300.000,50", ",", Decimal("3300000.50")),
        ("3,300,000.50", ".", Decimal("3300000.50")),
        ("3 300 000", ".", Decimal("3300000")),
        ("39000000.00", ".", Decimal("39000000.00")),
        ("3,300", ".", Decimal("3300")),
        ("3.300", ",", Decimal("3300")),
        ("3,5", ".", Decimal("3.5")),
    ],
)
def test_amounts_are_read_with_their_separators(text, mark, amount):
    assert parse_amount(text, mark) == amount


@pytest.mark.parametrize("text", ["abc", "3,30,0", "1,,000", "1e5", "-5", "3.300.000.50,1", "1" * 41, "NaN"])
def test_what_is_not_an_amount_is_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def test_a_transfer_line_takes_its_parts_in_any_order_and_without_semicolons():
    moved = dt.datetime(2024, 7, 10, 21, 42)
    for line in (
        "Kasikornbank 123-4-56789-0; 3,300,000; USD; 2024-07-10 21:42",
        "Kasikornbank 123-4-56789-0; 2024-07-10 21:42; USD 3,300,000; TH",
        "Kasikornbank 123-4-56789-0; 3,300,000; 10/07/2024 21:42",  # the outcome's currency
        "Kasikornbank 123-4-56789-0 USD 3,300,000 2024-07-10 21:42",
    ):
        parts, problems = parse_transfer_line(line, "USD")
        assert problems == [], line
        assert (parts["destination"], parts["amount"], parts["currency"], parts["moved_at"]) == (
            "Kasikornbank 123-4-56789-0",
            Decimal("3300000"),
            "USD",
            moved,
        )


@pytest.fixture
def sent(make_user):
    drafter = make_user("spf", roles=(Role.INVESTIGATOR,), time_zone="Asia/Singapore", first_name="Mei Ling")
    supervisor = make_user("spf", roles=(Role.SUPERVISOR,), time_zone="Asia/Singapore")
    liaison = make_user("pntl", roles=(Role.LIAISON_OFFICER,), time_zone="Asia/Dili")
    request = services.draft_request(
        drafter,
        receivers=[Agency.objects.get(code="pntl")],
        type="stop_payment",
        priority="urgent",
        subject="BEC",
        asked="Freeze it",
        amount=Decimal("42300000"),
        currency="USD",
    )[0]
    request = services.transition(drafter, request, "submit", version=request.version)
    request = services.transition(supervisor, request, "approve", version=request.version)
    request = services.transition(liaison, request, "acknowledge", version=request.version)
    return drafter, liaison, request


def _post(client, request, **fields):
    data = {"amount_frozen": "39,000,000", "currency": "USD", "accounts_frozen": "1", "note": "Frozen", **fields}
    return client.post(f"/requests/{request.pk}/outcome/", data)


@pytest.mark.parametrize(
    ("destination", "value", "follow_up_to"),
    [
        ("Kasikornbank 123-4-56789-0", "TH:004:1234567890", "rtp"),
        ("KTB 123-4-56789-0", "TH:006:1234567890", "rtp"),
        ("Bangkok Bank 123-4-56789-0", "TH:002:1234567890", "rtp"),
        ("SCB 123-456789-0", "TH:014:1234567890", "rtp"),
        ("GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432", None),
        ("+66 81 234 5678", "+66812345678", "rtp"),
        ("0x52908400098527886E0F7030069857D2E4169EE7", "evm:0x52908400098527886e0f7030069857d2e4169ee7", None),
    ],
)
def test_the_form_accepts_a_destination_as_officers_write_it(sent, signed_in, destination, value, follow_up_to):
    _drafter, liaison, request = sent
    response = _post(signed_in(liaison), request, transfers=f"{destination}; 3,300,000; USD; 2024-07-10 21:42")
    assert response.status_code == 302, response.content.decode()[:2000]
    transfer = OnwardTransfer.objects.get()
    assert transfer.value == value and transfer.amount == Decimal("3300000")
    # The time was read in the officer's zone (Dili, UTC+9).
    assert transfer.moved_at == dt.datetime(2024, 7, 10, 21, 42, tzinfo=DILI)
    assert Outcome.objects.get().amount_frozen == Decimal("39000000")
    assert (transfer.follow_up.receiver_agency.code if transfer.follow_up else None) == follow_up_to


def test_an_error_keeps_every_field_and_is_shown_by_its_field_with_the_line_number(sent, signed_in):
    _drafter, liaison, request = sent
    lines = "KTB 123-4-56789-0; 3,300,000; USD; 2024-07-10 21:42\nnot an account; 5; USD; 2024-07-10 22:00"
    response = _post(signed_in(liaison), request, transfers=lines, amount_returned="12,500", note="Kept note")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="39,000,000"' in page and 'value="12,500"' in page and 'value="Kept note"' in page
    assert "KTB 123-4-56789-0; 3,300,000; USD; 2024-07-10 21:42\nnot an account" in page
    transfers_error = page.split('id="id_transfers_error"', 1)[1].split("</div>", 1)[0]
    assert "Line 2: not an account" in transfers_error and "Line 1" not in transfers_error
    assert 'aria-invalid="true"' in page
    assert not Outcome.objects.exists() and not OnwardTransfer.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"transfers": "KTB 123-4-56789-0; 3,300,000; USD; 2024-02-30 10:00"}, "transfers", "Line 1: not a real date"),
        ({"transfers": "KTB 123-4-56789-0; 3,30,0; USD; 2024-02-03 10:00"}, "transfers", "Line 1: not an amount"),
        ({"transfers": "KTB 123-4-56789-0; 3,300; XYZ; 2024-02-03 10:00"}, "transfers", "Line 1: not an ISO 4217"),
        ({"transfers": "KTB 123-4-56789-0; 3,300 XYZ; 2024-02-03 10:00"}, "transfers", "Line 1: Not an ISO 4217"),
        ({"transfers": "KTB 123-4-56789-0; 3,300; USD; 0001-01-01 00:00"}, "transfers", "Line 1: A time from"),
        ({"transfers": "KTB 123-4-56789-0; 3,300; USD; 9999-12-31 23:59"}, "transfers", "Line 1: A time from"),
        ({"transfers": "KTB 123-4-56789-0; 9" * 1 + "9" * 30 + "; USD; 2024-02-03 10:00"}, "transfers", "Line 1:"),
        ({"transfers": "KTB 123-4-56789-0; 0; USD; 2024-02-03 10:00"}, "transfers", "Line 1:"),
        ({"transfers": "KTB 123-4-56789-0; USD; 2024-02-03 10:00"}, "transfers", "Line 1: no amount"),
        ({"transfers": "; 5; USD; 2024-02-03 10:00"}, "transfers", "Line 1: no destination"),
        ({"transfers": "KTB 123-4-56789-0; 5; USD; 2024-02-03 10:00\n" * 10_000}, "transfers", "At most 100"),
        ({"transfers": "KTB 123\x00; 5; USD; 2024-02-03 10:00"}, "transfers", ""),
        ({"transfers": "<script>alert(1)</script>; 5; USD; 2024-02-03 10:00"}, "transfers", "Line 1:"),
        ({"amount_frozen": "lots"}, "amount_frozen", "Not an amount"),
        ({"amount_frozen": "9" * 39}, "amount_frozen", ""),
        ({"currency": "XYZ"}, "currency", "Not an ISO 4217"),
        ({"accounts_frozen": "-1"}, "accounts_frozen", ""),
        ({"accounts_frozen": "1" * 30}, "accounts_frozen", ""),
        ({"note": "\x00"}, "note", ""),
    ],
)
def test_bad_input_is_an_error_by_its_field_never_a_500(sent, signed_in, fields, field, words):
    _drafter, liaison, request = sent
    response = _post(signed_in(liaison), request, **fields)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page
    assert words in page.split(f'id="id_{field}_error"', 1)[1].split("</div>", 1)[0]
    assert "<script>alert(1)" not in page
    assert not Outcome.objects.exists()


def test_record_and_answer_in_full_is_one_submit(sent, signed_in):
    _drafter, liaison, request = sent
    client = signed_in(liaison)
    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert "Record and answer in full" in page and "Record outcome" in page
    assert "Destination; amount; currency; date and time (your time zone)" in page  # the format, by the box
    response = _post(client, request, then="answer_fully")
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "answered_fully" and request.outcome.accounts_frozen == 1


def test_the_follow_up_page_says_why_and_for_whom_with_the_destination_as_written_and_local_times(sent, signed_in):
    drafter, liaison, request = sent
    moved = timezone.now().astimezone(DILI).replace(second=0, microsecond=0) - dt.timedelta(hours=3)
    response = _post(
        signed_in(liaison), request, transfers=f"KTB 123-4-56789-0; 3,300,000; USD; {moved:%Y-%m-%d %H:%M}"
    )
    assert response.status_code == 302
    follow_up = AssistanceRequest.objects.get(parent=request)
    page = signed_in(drafter).get(f"/requests/{follow_up.pk}/").content.decode()
    assert f"Drafted by Lintas from PNTL's outcome on {request.reference}, for {drafter}" in page
    assert "Krungthai Bank 123-4-56789-0" in page and "USD 3,300,000.00" in page
    assert "TH:006:" not in page and "TH::" not in page
    # The page reads in the viewer's zone (Singapore); the text for RTP keeps UTC stated.
    assert f"on {moved.astimezone(SINGAPORE):%Y-%m-%d %H:%M} +08" in page
    assert f"{moved.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC" in follow_up.asked
    assert follow_up.subject == "Follow the money: USD 3,300,000.00 moved to Krungthai Bank 123-4-56789-0"
    # The parent's money trail shows the destination as written too, to both sides.
    for user in (drafter, liaison):
        trail = signed_in(user).get(f"/requests/{request.pk}/").content.decode()
        assert "Krungthai Bank 123-4-56789-0" in trail and "TH:006:" not in trail
    trail = signed_in(drafter).get(f"/api/v1/requests/{request.pk}/trail").json()
    assert trail[0]["transfers"][0]["display"] == "Krungthai Bank 123-4-56789-0"
    # The receiver never sees the sender's draft.
    assert signed_in(liaison).get(f"/requests/{follow_up.pk}/").status_code == 404


def test_the_follow_up_text_is_in_the_first_requests_language_not_the_recorders(sent, make_user):
    _drafter, _liaison, request = sent
    thai_officer = make_user("pntl", roles=(Role.LIAISON_OFFICER,), language="th")
    from django.utils import translation

    from lintas.assistance.outcomes import TransferIn, record_outcome

    with translation.override("th"):
        _o, [follow_up] = record_outcome(
            thai_officer,
            request,
            amount_frozen=Decimal(1),
            transfers=[TransferIn("KTB 123-4-56789-0", Decimal(5), "USD", timezone.now() - dt.timedelta(hours=1))],
        )
    assert follow_up.language == request.language == "en"
    assert follow_up.asked.startswith("Please stop payment on Krungthai Bank 123-4-56789-0")
