"""Outcomes and the freeze cascade: following the money to its next hop with a new clock.

The receiving agency records what it froze and any onward transfers it found. Each destination is normalised and
matched like any identifier; for a destination in another member's country, Lintas drafts a follow-up urgent
stop-payment request from the original sender to that member, linked to its parent. The sender's own people review
and send it (four eyes as for any request).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from lintas import identifiers
from lintas.agencies.models import Agency
from lintas.assistance.choices import Priority, RequestStatus, RequestType
from lintas.assistance.models import AssistanceRequest, OnwardTransfer, Outcome
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.core.validation import clean_currency, clean_datetime, clean_decimal, clean_integer, clean_text
from lintas.matching.tokens import community_key, tokens_for

__all__ = ["TransferIn", "check_may_record", "hops", "ledger", "proposed_from", "record_outcome"]

ANSWERING = (
    RequestStatus.ACKNOWLEDGED,
    RequestStatus.IN_PROGRESS,
    RequestStatus.ANSWERED_PARTLY,
    RequestStatus.ANSWERED_FULLY,
)


@dataclass
class TransferIn:
    destination: str
    amount: Decimal
    currency: str
    moved_at: dt.datetime
    type: str | None = None
    country: str | None = None


def _clean_transfer(item: TransferIn, index: int, errors: dict) -> identifiers.Result | None:
    """Check one onward transfer in place (its amount, currency and time are replaced by their clean values)."""
    name = f"transfers[{index}]"
    found: dict[str, list[str]] = {}
    item.destination = clean_text(OnwardTransfer, "destination", item.destination, found, required=True, key=name)
    item.amount = clean_decimal(OnwardTransfer, "amount", item.amount, found, positive=True, key=name)
    item.currency = clean_currency(item.currency, found, key=name)
    item.moved_at = clean_datetime(item.moved_at, found, name)
    for key in ("type", "country"):
        value = getattr(item, key)
        if value is not None and not (isinstance(value, str) and len(value) <= 32 and value.isascii()):
            found.setdefault(name, []).append(_("Unknown %(key)s.") % {"key": key})
    if found:
        errors[name] = found[name]
        return None
    try:
        result = identifiers.normalize(item.destination, item.type or None, item.country or None)
    except (ValueError, TypeError) as exc:
        errors[name] = [str(exc)]
        return None
    if not result.valid or result.type not in {"bank_account", "crypto_wallet", "payment_alias", "phone"}:
        reason = "; ".join(result.errors) or _("not an account, wallet or payment alias")
        errors[name] = [_("%(value)s: %(reason)s") % {"value": item.destination[:80], "reason": reason}]
        return None
    return result


def check_may_record(actor, request: AssistanceRequest) -> None:
    """Raise PermissionDenied unless ``actor`` is one of the receiving agency's officers."""
    if actor.agency_id != request.receiver_agency_id or not actor.has_role(
        "liaison_officer", "investigator", "supervisor"
    ):
        raise PermissionDenied(_("The receiving agency's officers record the outcome."))


@transaction.atomic
def record_outcome(
    actor,
    request: AssistanceRequest,
    *,
    currency: str = "USD",
    amount_frozen: Decimal = Decimal(0),
    amount_returned: Decimal = Decimal(0),
    accounts_frozen: int = 0,
    wallets_frozen: int = 0,
    note: str = "",
    transfers: list[TransferIn] | None = None,
) -> tuple[Outcome, list[AssistanceRequest]]:
    """Record (or correct) the outcome; returns it and the follow-up requests drafted for onward transfers.

    The sending agency hears of it (its drafter, liaison officers and supervisors), and of each follow-up drafted for
    it (its drafter and supervisors); nothing of a follow-up draft reaches the receiving agency."""
    check_may_record(actor, request)
    if request.status not in ANSWERING:
        raise ValidationError({"status": [_("Acknowledge the request before recording its outcome.")]})
    errors: dict[str, list[str]] = {}
    currency = clean_currency(currency, errors)
    amount_frozen = clean_decimal(Outcome, "amount_frozen", amount_frozen, errors)
    amount_returned = clean_decimal(Outcome, "amount_returned", amount_returned, errors)
    accounts_frozen = clean_integer(Outcome, "accounts_frozen", accounts_frozen, errors, minimum=0)
    wallets_frozen = clean_integer(Outcome, "wallets_frozen", wallets_frozen, errors, minimum=0)
    note = clean_text(Outcome, "note", note, errors)
    cleaned = [(item, _clean_transfer(item, i, errors)) for i, item in enumerate(transfers or [])]
    if errors:
        raise ValidationError(errors)
    outcome, _created = Outcome.objects.update_or_create(
        request=request,
        defaults={
            "currency": currency,
            "amount_frozen": amount_frozen,
            "amount_returned": amount_returned,
            "accounts_frozen": accounts_frozen,
            "wallets_frozen": wallets_frozen,
            "note": note,
            "recorded_by": actor,
        },
    )
    key = community_key()
    follow_ups = []
    for item, result in cleaned:
        token, _linked = tokens_for(key, result)
        if request.onward_transfers.filter(
            token=token, amount=item.amount, currency=item.currency, moved_at=item.moved_at
        ).exists():
            continue  # recording the outcome again must not duplicate a transfer or its follow-up request
        transfer = OnwardTransfer.objects.create(
            request=request,
            destination=item.destination,
            type=str(result.type),
            value=result.value[:512],
            token=token,
            country=result.country or (item.country or "").upper(),
            amount=item.amount,
            currency=item.currency,
            moved_at=item.moved_at,
        )
        follow_up = _propose_follow_up(request, transfer)
        if follow_up is not None:
            transfer.follow_up = follow_up
            transfer.save(update_fields=["follow_up"])
            follow_ups.append(follow_up)
    _notify_outcome(actor, request, outcome, follow_ups)
    record_event(
        Action.REQUEST_OUTCOME,
        actor=actor,
        target=request,
        agency=actor.agency,
        details={
            "amount_frozen": str(amount_frozen),
            "currency": currency,
            "transfers": len(cleaned),
            "follow_ups": [f.reference for f in follow_ups],
        },
    )
    return outcome, follow_ups


def _notify_outcome(actor, request: AssistanceRequest, outcome: Outcome, follow_ups: list[AssistanceRequest]):
    from django.utils.functional import lazy
    from django.utils.translation import gettext_lazy

    from lintas.accounts.models import User
    from lintas.assistance.services import notify, sender_people
    from lintas.core.templatetags.lintas_format import money

    # The amount is written in each recipient's locale (rendered inside their language, like the labels).
    frozen = lazy(money, str)(outcome.amount_frozen, outcome.currency)
    notify(
        actor,
        request,
        sender_people(request),
        gettext_lazy("%(receiver)s recorded the outcome of %(ref)s: %(frozen)s frozen, %(accounts)s account(s)."),
        {
            "receiver": request.receiver_agency.short_name
            if request.receiver_known_to_sender()
            else gettext_lazy("a member agency"),
            "frozen": frozen,
            "accounts": outcome.accounts_frozen + outcome.wallets_frozen,
        },
    )
    supervisors = set(
        User.objects.filter(
            agency_id=request.sender_agency_id, is_active=True, role_assignments__role="supervisor"
        ).values_list("pk", flat=True)
    )
    for follow_up in follow_ups:
        # A draft of the sender's own: notify() lets it reach the sending agency only.
        notify(
            actor,
            follow_up,
            supervisors | ({request.drafted_by_id} - {None}),
            gettext_lazy(
                "Lintas drafted a follow-up stop-payment %(ref)s to %(to)s from %(receiver)s's outcome on "
                "%(parent)s: review and submit it."
            ),
            {
                "parent": request.reference,
                "receiver": request.receiver_agency.short_name
                if request.receiver_known_to_sender()
                else gettext_lazy("a member agency"),
            },
        )


def proposed_from(request: AssistanceRequest) -> dict | None:
    """Why Lintas drafted ``request``: the onward transfer it follows, the outcome's request and the person it was
    drafted for (the first request's drafter). None for a request an officer drafted."""
    transfer = (
        OnwardTransfer.objects.filter(follow_up=request)
        .select_related("request__receiver_agency", "request__drafted_by")
        .first()
    )
    if transfer is None:
        return None
    parent = transfer.request
    return {
        "transfer": transfer,
        "parent": parent,
        "receiver": parent.receiver_agency.short_name,
        "drafted_for": parent.drafted_by,
    }


def _propose_follow_up(parent: AssistanceRequest, transfer: OnwardTransfer) -> AssistanceRequest | None:
    """Draft, for the original sender, an urgent stop-payment to the member of the destination's country."""
    destination_agency = (
        Agency.objects.active()
        .filter(country=transfer.country, kind="national_police")
        .exclude(pk=parent.sender_agency_id)
        .first()
        if transfer.country
        else None
    )
    if destination_agency is None:
        return None
    root = parent
    while root.parent_id:
        root = root.parent
    # The text is the sender's (it sends it to the next member): in the first request's language, not in the
    # language of the officer who recorded the outcome; the time with its zone stated, as it crosses borders.
    with translation.override(parent.language or "en"):
        display = transfer.display
        amount = f"{transfer.currency} {transfer.amount:,.2f}"
        subject = _("Follow the money: %(amount)s moved to %(value)s") % {"amount": amount, "value": display}
        asked = _(
            "Please stop payment on %(value)s: %(amount)s arrived there on %(when)s from an account frozen under "
            "%(parent)s (first request %(root)s)."
        ) % {
            "value": display,
            "amount": amount,
            "when": _utc(transfer.moved_at).strftime("%Y-%m-%d %H:%M UTC"),
            "parent": parent.reference,
            "root": root.reference,
        }
    follow_up = AssistanceRequest.objects.create(
        reference=f"tmp-{transfer.pk}",
        parent=parent,
        sender_agency=parent.sender_agency,
        receiver_agency=destination_agency,
        type=RequestType.STOP_PAYMENT,
        priority=Priority.URGENT,
        legal_basis=parent.legal_basis,
        subject=subject[:200],
        asked=asked,
        language=parent.language,
        amount=transfer.amount,
        currency=transfer.currency,
        due_at=_due(),
        handling_code=parent.handling_code,
        tlp=parent.tlp,
        drafted_by=None,
    )
    follow_up.reference = (
        f"{parent.sender_agency.short_name.replace(' ', '')}-RQ-{follow_up.created_at.year}-{follow_up.pk:06d}"
    )
    follow_up.save(update_fields=["reference"])
    follow_up.cases.set(parent.cases.all())
    record_event(
        Action.REQUEST_DRAFTED,
        target=follow_up,
        agency=parent.sender_agency,
        actor_username="system",
        details={"reference": follow_up.reference, "parent": parent.reference, "proposed": True},
    )
    return follow_up


def _utc(moment: dt.datetime) -> dt.datetime:
    # The form reads times in the officer's zone (and the API takes any offset): convert before writing "UTC".
    return moment.astimezone(dt.UTC) if moment.tzinfo is not None else moment


def _due():
    from lintas.assistance.services import default_due

    return default_due(Priority.URGENT)


def hops(request: AssistanceRequest) -> list[dict]:
    """The trail of the money through this request: its ancestors, then each onward transfer and its follow-up."""
    chain = []
    node = request
    while node is not None:
        chain.append(node)
        node = node.parent
    trail = [{"request": r, "transfers": list(r.onward_transfers.select_related("follow_up"))} for r in reversed(chain)]
    return trail


def ledger(user, months: int = 12) -> list[dict]:
    """Outcomes by sender country, receiver country and month: the user's agency's requests, or all for the
    platform admin (the Secretariat's view of the community)."""
    from collections import defaultdict

    from lintas.accounts.choices import Role

    requests = AssistanceRequest.objects.filter(sent_at__isnull=False).select_related(
        "sender_agency", "receiver_agency", "outcome"
    )
    if not user.has_role(Role.PLATFORM_ADMIN):
        requests = requests.visible_to(user)
    rows: dict[tuple, dict] = defaultdict(
        lambda: {
            "requests": 0,
            "frozen": defaultdict(Decimal),
            "returned": defaultdict(Decimal),
            "accounts_frozen": 0,
            "ack_hours": [],
            "action_hours": [],
        }
    )
    for r in requests.order_by("-sent_at")[:50_000]:
        receiver = r.receiver_agency.country or r.receiver_agency.short_name
        if user.agency_id == r.sender_agency_id and not r.receiver_known_to_sender():
            receiver = "?"  # a holder that hides its name is not revealed by the ledger either
        key = (
            r.sender_agency.country or r.sender_agency.short_name,
            receiver,
            r.sent_at.strftime("%Y-%m"),
        )
        row = rows[key]
        row["requests"] += 1
        outcome = getattr(r, "outcome", None)
        if outcome is not None:
            row["frozen"][outcome.currency] += outcome.amount_frozen
            row["returned"][outcome.currency] += outcome.amount_returned
            row["accounts_frozen"] += outcome.accounts_frozen + outcome.wallets_frozen
        if r.acknowledged_at:
            row["ack_hours"].append((r.acknowledged_at - r.sent_at).total_seconds() / 3600)
        if r.actioned_at:
            row["action_hours"].append((r.actioned_at - r.sent_at).total_seconds() / 3600)
    out = []
    for (sender, receiver, month), row in sorted(
        rows.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1]), reverse=True
    ):
        out.append(
            {
                "sender_country": sender,
                "receiver_country": receiver,
                "month": month,
                "requests": row["requests"],
                "frozen": {c: str(v) for c, v in row["frozen"].items()},
                "returned": {c: str(v) for c, v in row["returned"].items()},
                "accounts_frozen": row["accounts_frozen"],
                "median_hours_to_acknowledge": _median(row["ack_hours"]),
                "median_hours_to_action": _median(row["action_hours"]),
            }
        )
    return out


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    values = sorted(values)
    middle = len(values) // 2
    value = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    return round(value, 2)
