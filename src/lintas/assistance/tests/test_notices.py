"""Who hears of each move on a request, an outcome and a proposed follow-up (issue 17, item 3).

Every move tells the other side's right people in their own language, in-app and by e-mail after commit, never the
one who made it; a follow-up draft of the sender's own is never announced to the receiver."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext

from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.assistance import services
from lintas.assistance.choices import RequestStatus
from lintas.assistance.outcomes import TransferIn, record_outcome
from lintas.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {
        # SPF: the drafter reads Indonesian, so each notice's language is the recipient's, not the actor's.
        "drafter": make_user("spf", roles=(Role.INVESTIGATOR,), language="id", email="drafter@spf.example"),
        "spf_sup": make_user("spf", roles=(Role.SUPERVISOR,), language="en", email="sup@spf.example"),
        "spf_lo": make_user("spf", roles=(Role.LIAISON_OFFICER,), language="en"),
        "spf_analyst": make_user("spf", roles=(Role.ANALYST,), language="en"),
        "pntl_lo": make_user("pntl", roles=(Role.LIAISON_OFFICER,), language="en", email="lo@pntl.example"),
        "pntl_lo2": make_user("pntl", roles=(Role.LIAISON_OFFICER,), language="th"),
        "pntl_inv": make_user("pntl", roles=(Role.INVESTIGATOR,), language="en"),
        "rtp_lo": make_user("rtp", roles=(Role.LIAISON_OFFICER,), language="en"),
    }


def _sent(people):
    request = services.draft_request(
        people["drafter"],
        receivers=[Agency.objects.get(code="pntl")],
        type="stop_payment",
        priority="urgent",
        subject="BEC USD 42.3M",
        asked="Freeze TL38 0080 0123 4567 8910 157",
        amount=Decimal("42300000"),
        currency="USD",
        language="en",
    )[0]
    request = services.transition(people["drafter"], request, "submit", version=request.version)
    return services.transition(people["spf_sup"], request, "approve", version=request.version)


def _texts(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("text", flat=True))


def _label(status, language):
    with translation.override(language):
        return gettext(dict(RequestStatus.choices)[status])


def _move(user, request, action, **kwargs):
    request.refresh_from_db()
    return services.transition(user, request, action, version=request.version, **kwargs)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (["acknowledge"], RequestStatus.ACKNOWLEDGED),
        (["acknowledge", "start"], RequestStatus.IN_PROGRESS),
        (["acknowledge", "answer_partly"], RequestStatus.ANSWERED_PARTLY),
        (["acknowledge", "answer_fully"], RequestStatus.ANSWERED_FULLY),
        (["decline"], RequestStatus.DECLINED),
    ],
)
def test_each_receiver_move_tells_the_senders_drafter_liaison_and_supervisors_in_their_language(
    people, path, status, django_capture_on_commit_callbacks
):
    request = _sent(people)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        for action in path:
            _move(people["pntl_lo"], request, action, reason="Outside our remit" if action == "decline" else "")
    line = f"{request.reference} to PNTL is now: "
    assert _texts(people["spf_lo"])[-1] == line + _label(status, "en") + "."
    assert _texts(people["spf_sup"])[-1] == line + _label(status, "en") + "."
    # The drafter reads Indonesian: the status is in Indonesian, whatever language the actor uses.
    assert _label(status, "id") != _label(status, "en")
    assert _texts(people["drafter"])[-1].endswith(_label(status, "id") + ".")
    assert _texts(people["pntl_lo"]) == [] and _texts(people["rtp_lo"]) == [] and _texts(people["spf_analyst"]) == []
    # ... and by e-mail once committed.
    assert {m.to[0] for m in mail.outbox} >= {"drafter@spf.example", "sup@spf.example"}
    assert "lo@pntl.example" not in {m.to[0] for m in mail.outbox}


def test_start_work_is_told_to_the_sender(people):
    request = _sent(people)
    _move(people["pntl_lo"], request, "acknowledge")
    Notification.objects.all().delete()
    _move(people["pntl_inv"], request, "start")
    assert _texts(people["spf_sup"]) == [f"{request.reference} to PNTL is now: In progress."]


@pytest.mark.parametrize("action", ["withdraw", "close"])
def test_a_sender_move_after_sending_tells_the_receivers_liaison_officers_and_assigned_officer(people, action):
    request = _sent(people)
    _move(people["pntl_lo"], request, "acknowledge")
    _move(people["pntl_inv"], request, "start")
    if action == "close":
        _move(people["pntl_inv"], request, "answer_fully")
    Notification.objects.all().delete()
    _move(people["drafter"], request, action)
    word = {"withdraw": "withdrawn", "close": "closed"}[action]
    expected = f"{request.reference} from SPF was {word}."
    assert _texts(people["pntl_lo"]) == [expected] and _texts(people["pntl_inv"]) == [expected]
    assert _texts(people["drafter"]) == [] and _texts(people["rtp_lo"]) == []


def test_withdrawing_a_draft_tells_nobody_outside_the_sender(people):
    request = services.draft_request(
        people["drafter"],
        receivers=[Agency.objects.get(code="pntl")],
        type="stop_payment",
        subject="s",
        asked="a",
    )[0]
    _move(people["drafter"], request, "withdraw")
    assert not Notification.objects.filter(recipient__agency__code="pntl").exists()


def test_return_and_approval_tell_the_drafter_and_never_the_actor(people):
    request = services.draft_request(
        people["drafter"], receivers=[Agency.objects.get(code="pntl")], type="general", subject="s", asked="a"
    )[0]
    _move(people["drafter"], request, "submit")
    assert _texts(people["drafter"]) == []  # the actor is never told of their own move
    assert _texts(people["spf_sup"])[-1].startswith(f"{request.reference} awaits your approval")
    _move(people["spf_sup"], request, "return")
    assert len(_texts(people["drafter"])) == 1 and request.reference in _texts(people["drafter"])[0]
    _move(people["drafter"], request, "submit")
    _move(people["spf_sup"], request, "approve")
    assert len(_texts(people["drafter"])) == 2
    assert (
        _texts(people["pntl_lo"])[-1].startswith("New ")
        and f"{request.reference} from SPF" in _texts(people["pntl_lo"])[-1]
    )
    assert not any("approval" in t for t in _texts(people["pntl_lo"]))
    assert _texts(people["spf_sup"])[-1].startswith(f"{request.reference} awaits")  # not told of own approval


def test_messages_reach_the_other_sides_right_people(people):
    request = _sent(people)
    _move(people["pntl_lo"], request, "acknowledge")
    Notification.objects.all().delete()
    services.post_message(people["pntl_lo"], request, "We froze it.")
    note = f"New message on {request.reference}."
    assert note in _texts(people["spf_lo"]) and note in _texts(people["spf_sup"]) and _texts(people["drafter"])
    assert _texts(people["pntl_lo"]) == [] and _texts(people["pntl_lo2"]) == []
    services.post_message(people["drafter"], request, "Thank you.")
    assert note in _texts(people["pntl_lo"]) and _texts(people["pntl_lo2"])
    assert len(_texts(people["drafter"])) == 1  # not told of their own message


def test_the_outcome_and_the_follow_up_are_told_to_the_sender_and_the_draft_never_to_the_receiver(
    people, django_capture_on_commit_callbacks
):
    request = _sent(people)
    _move(people["pntl_lo"], request, "acknowledge")
    Notification.objects.all().delete()
    moved = timezone.now() - dt.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        _outcome, [follow_up] = record_outcome(
            people["pntl_lo"],
            request,
            amount_frozen=Decimal("39000000"),
            accounts_frozen=1,
            transfers=[TransferIn("KTB 123-4-56789-0", Decimal("3300000"), "USD", moved)],
        )
    recorded = f"PNTL recorded the outcome of {request.reference}: USD 39,000,000.00 frozen, 1 account(s)."
    proposed = (
        f"Lintas drafted a follow-up stop-payment {follow_up.reference} to RTP from PNTL's outcome on "
        f"{request.reference}: review and submit it."
    )
    assert _texts(people["spf_sup"]) == [recorded, proposed]
    assert _texts(people["spf_lo"]) == [recorded]  # the follow-up goes to its drafter-to-be and the supervisors
    # The drafter reads Indonesian: the amount is written the Indonesian way.
    drafter = _texts(people["drafter"])
    assert len(drafter) == 2 and "USD 39.000.000,00" in drafter[0] and follow_up.reference in drafter[1]
    # The receiver learns nothing of the sender's draft, and the actor nothing at all.
    assert not Notification.objects.filter(recipient__agency__code__in=["pntl", "rtp"]).exists()
    assert all(follow_up.reference not in m.body for m in mail.outbox if m.to[0] == "lo@pntl.example")
    assert "drafter@spf.example" in {m.to[0] for m in mail.outbox}
    urls = set(Notification.objects.filter(recipient=people["spf_sup"]).values_list("url", flat=True))
    assert urls == {f"/requests/{request.pk}/", f"/requests/{follow_up.pk}/"}


def test_notify_refuses_recipients_outside_the_two_agencies_and_outside_the_sender_for_a_draft(people):
    request = services.draft_request(
        people["drafter"], receivers=[Agency.objects.get(code="pntl")], type="general", subject="s", asked="a"
    )[0]
    services.notify(people["drafter"], request, {people["pntl_lo"].pk, people["rtp_lo"].pk}, "x")
    assert not Notification.objects.exists()
