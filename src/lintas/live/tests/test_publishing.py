"""Where signals are published: every notification to its recipient, every request move to both agencies."""

import pytest

from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.assistance import services
from lintas.live.hub import Subscription, get_hub
from lintas.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def listen():
    """Subscribe to this process's hub (the tests' "local" carrier delivers at commit); yields a reader."""
    hub, subscriptions = get_hub(), []

    def subscribe(user):
        subscription = hub.subscribe(Subscription.for_thread(user.pk, user.agency_id))
        subscriptions.append(subscription)
        return lambda: [subscription.tqueue.get_nowait() for _ in range(subscription.tqueue.qsize())]

    yield subscribe
    for subscription in subscriptions:
        hub.unsubscribe(subscription)


def test_notifications_made_in_bulk_or_one_by_one_signal_their_recipients_at_commit(
    make_user, listen, django_capture_on_commit_callbacks
):
    alice, bob, carol = (make_user("spf", username=name) for name in ("alice", "bob", "carol"))
    heard = {user.username: listen(user) for user in (alice, bob, carol)}
    with django_capture_on_commit_callbacks(execute=True):
        Notification.objects.bulk_create(
            [Notification(recipient=user, kind=NotificationKind.HIT, text="x") for user in (alice, bob)]
        )
        assert heard["alice"]() == []  # not before commit
    with django_capture_on_commit_callbacks(execute=True):
        Notification.objects.create(recipient=carol, kind=NotificationKind.HIT, text="y")
    assert (heard["alice"](), heard["bob"](), heard["carol"]()) == (
        ["notification"],
        ["notification"],
        ["notification"],
    )


def test_a_request_signals_its_sender_from_the_draft_and_its_receiver_once_sent(
    make_user, listen, django_capture_on_commit_callbacks
):
    drafter = make_user("spf", roles=(Role.INVESTIGATOR,))
    supervisor = make_user("spf", roles=(Role.SUPERVISOR,))
    receiver = make_user("pntl", roles=(Role.INVESTIGATOR,))  # no notification: hears the agency-wide signal
    stranger = make_user("rmp", roles=(Role.SUPERVISOR,))
    heard = {name: listen(user) for name, user in (("s", supervisor), ("r", receiver), ("x", stranger))}
    with django_capture_on_commit_callbacks(execute=True):
        request = services.draft_request(
            drafter, receivers=[Agency.objects.get(code="pntl")], type="general", subject="s", asked="a"
        )[0]
    assert (heard["s"](), heard["r"]()) == (["requests"], [])
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(drafter, request, "submit", version=request.version)
    assert "requests" in heard["s"]() and heard["r"]() == []  # not sent: the receiver is told nothing
    request.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(supervisor, request, "approve", version=request.version)
    assert heard["r"]() == ["requests"] and heard["x"]() == []
