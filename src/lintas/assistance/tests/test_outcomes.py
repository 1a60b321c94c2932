"""Outcomes, onward transfers and the freeze cascade (story 1: BEC wire to Timor-Leste)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.assistance import services
from lintas.assistance.models import AssistanceRequest
from lintas.assistance.outcomes import TransferIn, hops, ledger, record_outcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def story1(make_user):
    people = {
        "spf_inv": make_user("spf", roles=(Role.INVESTIGATOR,)),
        "spf_sup": make_user("spf", roles=(Role.SUPERVISOR,)),
        "pntl_lo": make_user("pntl", roles=(Role.LIAISON_OFFICER,)),
        "rtp_lo": make_user("rtp", roles=(Role.LIAISON_OFFICER,)),
    }
    request = services.draft_request(
        people["spf_inv"],
        receivers=[Agency.objects.get(code="pntl")],
        type="stop_payment",
        priority="urgent",
        subject="BEC USD 42.3M",
        asked="Freeze TL38 0080 0123 4567 8910 157",
        amount=Decimal("42300000"),
        currency="USD",
    )[0]
    request = services.transition(people["spf_inv"], request, "submit", version=request.version)
    request = services.transition(people["spf_sup"], request, "approve", version=request.version)
    request = services.transition(people["pntl_lo"], request, "acknowledge", version=request.version)
    return people, request


def test_outcome_with_an_onward_transfer_proposes_a_follow_up(story1):
    people, request = story1
    moved = timezone.now() - dt.timedelta(hours=1)
    outcome, follow_ups = record_outcome(
        people["pntl_lo"],
        request,
        amount_frozen=Decimal("39000000"),
        accounts_frozen=1,
        transfers=[
            TransferIn("KTB 123-4-56789-0", Decimal("3300000"), "USD", moved, type="bank_account", country="TH")
        ],
    )
    assert outcome.amount_frozen == Decimal("39000000")
    [follow_up] = follow_ups
    assert follow_up.parent == request and follow_up.receiver_agency.code == "rtp"
    assert follow_up.sender_agency.code == "spf" and follow_up.status == "draft" and follow_up.priority == "urgent"
    assert follow_up.amount == Decimal("3300000") and request.reference in follow_up.asked
    assert follow_up.due_at > timezone.now() + dt.timedelta(hours=3)  # its own clock
    # the follow-up still needs four eyes at SPF: whoever submits it becomes its drafter
    follow_up = services.transition(people["spf_inv"], follow_up, "submit", version=follow_up.version)
    with pytest.raises(PermissionDenied):
        services.transition(people["spf_inv"], follow_up, "approve", version=follow_up.version)
    follow_up = services.transition(people["spf_sup"], follow_up, "approve", version=follow_up.version)
    assert AssistanceRequest.objects.visible_to(people["rtp_lo"]).get() == follow_up
    trail = hops(follow_up)
    assert [h["request"] for h in trail] == [request, follow_up]
    assert trail[0]["transfers"][0].follow_up == follow_up


def test_follow_up_states_the_transfer_time_in_utc_whatever_zone_it_was_given_in(story1):
    people, request = story1
    dili = dt.timezone(dt.timedelta(hours=9))
    moved = dt.datetime(2024, 7, 10, 21, 42, tzinfo=dili)  # 12:42 UTC
    _outcome, [follow_up] = record_outcome(
        people["pntl_lo"],
        request,
        amount_frozen=Decimal("39000000"),
        transfers=[TransferIn("KTB:123-4-56789-0", Decimal("3300000"), "USD", moved, country="TH")],
    )
    assert "on 2024-07-10 12:42 UTC from" in follow_up.asked
    assert request.onward_transfers.get().moved_at == moved


def test_only_the_receiver_records_outcomes_and_bad_transfers_change_nothing(story1):
    people, request = story1
    with pytest.raises(PermissionDenied):
        record_outcome(people["spf_inv"], request, amount_frozen=Decimal(1))
    with pytest.raises(ValidationError) as error:
        record_outcome(
            people["pntl_lo"],
            request,
            amount_frozen=Decimal(5),
            transfers=[TransferIn("not an account", Decimal(1), "USD", timezone.now())],
        )
    assert "transfers[0]" in error.value.message_dict
    from lintas.assistance.models import Outcome

    assert Outcome.objects.count() == 0


def test_sender_sees_the_outcome_and_ledger_by_country_pair(story1, signed_in):
    people, request = story1
    record_outcome(people["pntl_lo"], request, amount_frozen=Decimal("39000000"), accounts_frozen=1)
    response = signed_in(people["spf_inv"]).get(f"/api/v1/requests/{request.pk}/trail")
    assert response.status_code == 200 and response.json()[0]["reference"] == request.reference
    rows = ledger(people["spf_inv"])
    assert rows[0]["sender_country"] == "SG" and rows[0]["receiver_country"] == "TL"
    assert rows[0]["frozen"] == {"USD": "39000000.00"} and rows[0]["median_hours_to_acknowledge"] is not None
    assert ledger(people["rtp_lo"]) == []  # not a party


def test_recording_the_outcome_again_does_not_duplicate_transfers(story1):
    people, request = story1
    moved = timezone.now() - dt.timedelta(hours=2)
    transfer = TransferIn("KTB:123-4-56789-0", Decimal("3300000"), "USD", moved)
    record_outcome(people["pntl_lo"], request, amount_frozen=Decimal("39000000"), transfers=[transfer])
    _, again = record_outcome(people["pntl_lo"], request, amount_frozen=Decimal("39500000"), transfers=[transfer])
    assert again == [] and request.onward_transfers.count() == 1
    assert AssistanceRequest.objects.filter(parent=request).count() == 1
    assert AssistanceRequest.objects.get(pk=request.pk).outcome.amount_frozen == Decimal("39500000")


def test_recording_the_outcome_again_after_a_key_rotation_does_not_duplicate_transfers(story1, monkeypatch):
    # A transfer is known again by its destination's token: rotating the community key recomputes it, or the same
    # transfer recorded after the rotation would be new, with a second urgent follow-up request.
    from django.core.management import call_command

    from lintas.matching.tokens import token_for

    people, request = story1
    moved = timezone.now() - dt.timedelta(hours=2)
    transfer = TransferIn("KTB:123-4-56789-0", Decimal("3300000"), "USD", moved)
    record_outcome(people["pntl_lo"], request, amount_frozen=Decimal("39000000"), transfers=[transfer])
    new_key = "ef" * 32
    monkeypatch.setenv("LINTAS_COMMUNITY_KEY_NEW", new_key)
    call_command("rekey_tokens", stdout=io.StringIO())
    stored = request.onward_transfers.get()
    assert stored.token == token_for(bytes.fromhex(new_key), f"{stored.type}:{stored.value}")
    monkeypatch.setenv("LINTAS_COMMUNITY_KEY", new_key)
    _, again = record_outcome(people["pntl_lo"], request, amount_frozen=Decimal("39500000"), transfers=[transfer])
    assert again == [] and request.onward_transfers.count() == 1
    assert AssistanceRequest.objects.filter(parent=request).count() == 1
