"""Cases, identifiers, hits and requests written straight to the tables: the roll-ups read nothing else."""

import datetime as dt
import itertools
from decimal import Decimal

from lintas.agencies.models import Agency
from lintas.cases.models import Case, CaseIdentifier, CaseLoss

__all__ = ["agency", "case", "hit", "sent_request"]

_numbers = itertools.count(1)


def agency(code: str) -> Agency:
    return Agency.objects.get(code=code)


def case(code, *, crime="investment_fraud", month=(2026, 3), victims=1, countries=(), modus=(), loss=None,
         identifiers=(), hidden=False, distribution="owner") -> Case:  # fmt: skip
    """A case of agency ``code`` whose first incident is in ``month``; ``loss`` in USD; ``identifiers`` as
    ``(type, canonical value)``."""
    n = next(_numbers)
    made = Case.objects.create(
        owner_agency=agency(code), reference=f"T-{n}", title=f"case {n}", crime_type=crime, victim_count=victims,
        countries=list(countries), modus_operandi=list(modus), first_incident_on=dt.date(*month, 10),
        review_on=dt.date(2031, 1, 1), hide_owner_in_hits=hidden, distribution=distribution,
    )  # fmt: skip
    if loss is not None:
        CaseLoss.objects.create(case=made, amount=Decimal(loss), currency="USD", usd_amount=Decimal(loss))
    for i, (type_, value) in enumerate(identifiers):
        CaseIdentifier.objects.create(
            case=made, owner_agency=made.owner_agency, type=type_, value=value, token=f"{n:08d}{i:024d}"
        )
    return made


def hit(left: Case, right: Case, when: dt.datetime):
    from lintas.matching.models import Hit

    a, b = left.identifiers.first(), right.identifiers.first()
    if a.pk > b.pk:
        a, b, left, right = b, a, right, left
    made = Hit.objects.create(
        token=a.token, left=a, right=b, left_case=left, right_case=right, left_agency=left.owner_agency,
        right_agency=right.owner_agency,
    )  # fmt: skip
    Hit.objects.filter(pk=made.pk).update(created_at=when)
    return made


def sent_request(sender, receiver, sent: dt.datetime, *, answered_after_hours=None, frozen=None, currency="USD",
                 hidden=False, acknowledged=True):  # fmt: skip
    from lintas.assistance.models import AssistanceRequest, Outcome

    n = next(_numbers)
    made = AssistanceRequest.objects.create(
        reference=f"RQ-{n}", sender_agency=agency(sender), receiver_agency=agency(receiver), type="stop_payment",
        subject="s", asked="a", due_at=sent + dt.timedelta(days=1), status="sent", sent_at=sent,
        acknowledged_at=sent + dt.timedelta(hours=1) if acknowledged else None, receiver_hidden=hidden,
        actioned_at=None if answered_after_hours is None else sent + dt.timedelta(hours=answered_after_hours),
    )  # fmt: skip
    if frozen is not None:
        Outcome.objects.create(request=made, currency=currency, amount_frozen=Decimal(frozen))
    return made
