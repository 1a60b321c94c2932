"""Request pages: the inbox (incoming, outgoing, awaiting my approval, due soon, overdue), drafting, one request."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lintas.assistance import services
from lintas.assistance.choices import OPEN_STATUSES, RequestStatus
from lintas.assistance.forms import DraftForm
from lintas.assistance.models import AssistanceRequest
from lintas.audit.choices import Action
from lintas.audit.services import record_denial, record_event
from lintas.core.access import get_visible_or_404
from lintas.core.views import add_service_errors
from lintas.notifications.services import language_of

DUE_SOON = dt.timedelta(hours=24)


def panels(user) -> dict:
    """The five request panels of the dashboard and the requests page, each a queryset."""
    now = timezone.now()
    mine = AssistanceRequest.objects.visible_to(user).select_related("sender_agency", "receiver_agency")
    open_ = mine.filter(status__in=OPEN_STATUSES).exclude(status__in=[RequestStatus.DRAFT])
    incoming = open_.filter(receiver_agency_id=user.agency_id)
    return {
        "incoming": incoming,
        "outgoing": mine.filter(sender_agency_id=user.agency_id, status__in=OPEN_STATUSES),
        "approval": mine.filter(sender_agency_id=user.agency_id, status=RequestStatus.AWAITING_APPROVAL).exclude(
            drafted_by=user
        )
        if user.has_role("supervisor")
        else mine.none(),
        "due_soon": open_.filter(due_at__gt=now, due_at__lte=now + DUE_SOON),
        "overdue": open_.filter(due_at__lte=now).filter(
            Q(receiver_agency_id=user.agency_id) | Q(sender_agency_id=user.agency_id)
        ),
    }


@login_required
def request_list(request):
    boxes = panels(request.user)
    box = request.GET.get("box", "incoming")
    items = list(boxes.get(box, boxes["incoming"]).order_by("due_at")[:200])
    for item in items:
        item.receiver_shown = item.receiver_label(request.user)
    counts = {name: qs.count() for name, qs in boxes.items()}
    template = "assistance/_request_rows.html" if request.htmx else "assistance/request_list.html"
    return render(request, template, {"items": items, "box": box, "counts": counts, "now": timezone.now()})


@login_required
def request_draft(request):
    initial = {}
    hit_id = request.GET.get("hit") or request.POST.get("hit")
    hit = None
    if hit_id:
        from lintas.matching.models import Hit
        from lintas.matching.presenters import present_hits

        # A hit the user may see, or 404 as for a missing (or malformed) one.
        hit = get_visible_or_404(Hit.objects.all(), request.user, pk=hit_id)
        view = present_hits([hit], request.user)[0]
        holder = hit.right_agency if hit.left_agency_id == request.user.agency_id else hit.left_agency
        hidden_holder = not view.other.visible and view.other.holder != holder.short_name
        mine = hit.left if hit.left_agency_id == request.user.agency_id else hit.right
        # Pre-filled with what the hit already told the requester, nothing more.
        initial = {
            "receivers": [] if hidden_holder else [holder.code],
            "type": "general",
            "subject": _("Details of a case holding %(identifier)s") % {"identifier": view.my_identifier},
            "asked": _(
                "Lintas shows that your agency holds a case, recorded %(month)s, containing %(identifier)s, "
                "which is also in our case %(reference)s. Please share the details you can."
            )
            % {"month": view.other.recorded_month, "identifier": view.my_identifier, "reference": view.my_reference},
            "cases": [view.my_case_id],
        }
    else:
        hidden_holder = False
    form = DraftForm(request.POST or None, user=request.user, initial=initial, routed_by_hit=hidden_holder)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        receivers = [holder] if hidden_holder else list(data.pop("receivers"))
        try:
            created = services.draft_request(
                request.user,
                receivers=receivers,
                cases=list(data.pop("cases")),
                hit=hit,
                receiver_hidden=hidden_holder,
                identifiers=[mine] if hit else None,
                language=data.pop("language", None) or language_of(translation.get_language()),  # the form's
                **{k: v for k, v in data.items() if v not in (None, "")},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            record_denial(request.user, str(error), object_type="assistance.assistancerequest")
            raise
        else:
            messages.success(request, _("Draft saved: %(refs)s") % {"refs": ", ".join(r.reference for r in created)})
            return redirect("assistance:detail", request_id=created[0].pk)
    return render(request, "assistance/request_form.html", {"form": form, "hidden_holder": hidden_holder})


@login_required
def request_detail(request, request_id: int):
    item = get_visible_or_404(
        AssistanceRequest.objects.select_related("sender_agency", "receiver_agency", "drafted_by", "approved_by"),
        request.user,
        pk=request_id,
    )
    record_event(Action.REQUEST_VIEWED, actor=request.user, target=item, agency=request.user.agency)
    thread = services.read_thread(request.user, item)
    actions = [(name, services.TRANSITIONS[name].label) for name in services.allowed_actions(request.user, item)]
    # Linked cases are listed only as far as the reader may see them.
    from lintas.assistance.outcomes import ANSWERING, hops
    from lintas.cases.models import Case

    cases = Case.objects.visible_to(request.user).filter(assistance_requests=item)
    visible = set(AssistanceRequest.objects.visible_to(request.user).values_list("pk", flat=True))
    context = {
        "receiver_label": item.receiver_label(request.user),
        "linked_identifiers": [i for i in item.identifiers.all() if not i.blind],
        "thread": thread,
        "attachments": item.attachments.select_related("agency"),
        "item": item,
        "actions": actions,
        "cases": cases,
        "outcome": getattr(item, "outcome", None) if hasattr(item, "outcome") else None,
        "can_record_outcome": item.receiver_agency_id == request.user.agency_id and item.status in ANSWERING,
        "trail": [hop for hop in hops(item) if hop["request"].pk in visible],
        "visible_ids": visible,
        "written_in": written_in(item.language),
    }
    return render(request, "assistance/request_detail.html", context)


def written_in(code: str) -> str:
    """The name of language ``code`` in the reader's language ("English", "영어"); the code itself if Django does not
    know it (the API takes any code, e.g. ``tet`` for Tetum)."""
    try:
        return translation.get_language_info(code)["name_translated"]
    except KeyError:
        return code


@login_required
@require_POST
def request_move(request, request_id: int, action: str):
    item = get_visible_or_404(AssistanceRequest.objects.all(), request.user, pk=request_id)
    try:
        version = int(request.POST.get("version", ""))
        services.transition(request.user, item, action, version=version, reason=request.POST.get("reason", ""))
    except services.Conflict as conflict:
        messages.error(request, str(conflict))
    except (ValidationError, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [_("Reload the page and try again.")])))
    except PermissionDenied as error:
        record_denial(request.user, str(error), target=item)
        messages.error(request, str(error))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": services.TRANSITIONS[action].label})
    return redirect("assistance:detail", request_id=item.pk)


@login_required
@require_POST
def request_outcome(request, request_id: int):
    """The receiving agency records what it froze and, one per line, onward transfers it found."""
    from decimal import InvalidOperation

    from lintas.assistance.outcomes import TransferIn, record_outcome

    item = get_visible_or_404(AssistanceRequest.objects.all(), request.user, pk=request_id)
    try:
        transfers = []
        for number, line in enumerate(request.POST.get("transfers", "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(";")]
            if len(parts) < 4:
                raise ValidationError(
                    _("Transfer line %(n)d: destination; amount; currency; YYYY-MM-DD HH:MM") % {"n": number}
                )
            moved = dt.datetime.fromisoformat(parts[3]).replace(tzinfo=timezone.get_current_timezone())
            transfers.append(
                TransferIn(parts[0], parts[1], parts[2], moved, country=(parts[4] if len(parts) > 4 else None) or None)
            )
        _outcome, follow_ups = record_outcome(
            request.user,
            item,
            currency=request.POST.get("currency", "USD") or "USD",
            # As typed: record_outcome checks each against its column and says what is wrong.
            amount_frozen=request.POST.get("amount_frozen") or 0,
            amount_returned=request.POST.get("amount_returned") or 0,
            accounts_frozen=request.POST.get("accounts_frozen") or 0,
            wallets_frozen=request.POST.get("wallets_frozen") or 0,
            note=request.POST.get("note", ""),
            transfers=transfers,
        )
    except PermissionDenied as error:
        record_denial(request.user, str(error), target=item)
        raise
    except (ValidationError, ValueError, InvalidOperation) as error:
        messages.error(request, " ".join(getattr(error, "messages", [_("Check the amounts and dates.")])))
    else:
        messages.success(
            request, _("Outcome recorded; %(n)d follow-up request(s) proposed to the sender.") % {"n": len(follow_ups)}
        )
    return redirect("assistance:detail", request_id=item.pk)


@login_required
def outcome_ledger(request):
    from lintas.assistance.outcomes import ledger

    return render(request, "assistance/ledger.html", {"rows": ledger(request.user)})


@login_required
def panel_counts(request):
    """HTMX partial polled by the dashboard: the five request panels' counts."""
    counts = {name: qs.count() for name, qs in panels(request.user).items()}
    return render(request, "assistance/_dashboard_counts.html", {"request_counts": counts})


@login_required
def capabilities(request):
    """Every member's capabilities per request type; an agency's admins edit their own rows."""
    from lintas.agencies.models import Agency
    from lintas.assistance.models import CountryCapability

    code = request.GET.get("agency") or request.user.agency.code
    agency = Agency.objects.filter(code=code).first() or request.user.agency
    rows = CountryCapability.objects.filter(agency=agency)
    can_edit = agency.pk == request.user.agency_id and request.user.has_role("agency_admin")
    if request.method == "POST":
        row = _capability_row(request, rows)

        def _int(name):
            return request.POST.get(name, "").strip() or None  # update_capability checks the number

        def _tri(name):
            return {"yes": True, "no": False}.get(request.POST.get(name, ""))

        try:
            services.update_capability(
                request.user,
                row,
                without_court_order=_tri("without_court_order"),
                desk_24_7=_tri("desk_24_7"),
                turnaround_hours=_int("turnaround_hours"),
                longest_freeze_days=_int("longest_freeze_days"),
                documents=request.POST.get("documents", "").strip(),
            )
        except PermissionDenied as error:
            record_denial(request.user, str(error), target=row)
            raise
        except (ValidationError, ValueError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [_("Whole numbers of hours and days.")])))
        else:
            messages.success(request, _("Saved and marked confirmed."))
        return redirect(f"{request.path}?agency={agency.code}")
    agencies = Agency.objects.filter(kind="national_police")
    return render(
        request,
        "assistance/capabilities.html",
        {"agency": agency, "rows": rows, "can_edit": can_edit, "agencies": agencies},
    )


def _capability_row(request, rows):
    from django.http import Http404

    from lintas.core.access import parse_id

    pk = parse_id(request.POST.get("row", ""))  # a malformed or out-of-range id is a missing row, not a 500
    row = rows.filter(pk=pk).first() if pk else None
    if row is None:
        raise Http404
    return row


@login_required
def capability_hint(request):
    """HTMX partial on the draft form: what the chosen receivers can do for the chosen type."""
    from lintas.assistance.models import CountryCapability

    codes = request.GET.getlist("receivers")
    rows = CountryCapability.objects.filter(agency__code__in=codes, request_type=request.GET.get("type", ""))
    return render(request, "assistance/_capability_hint.html", {"rows": rows.select_related("agency")})


@login_required
@require_POST
def request_message(request, request_id: int):
    item = get_visible_or_404(AssistanceRequest.objects.all(), request.user, pk=request_id)
    try:
        services.post_message(request.user, item, request.POST.get("body", ""))
    except PermissionDenied as error:
        record_denial(request.user, str(error), target=item)
        raise
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{request.path.rsplit('/messages/', 1)[0]}/#thread")


@login_required
@require_POST
def request_attach(request, request_id: int):
    from lintas.assistance.attachments import add_attachment

    item = get_visible_or_404(AssistanceRequest.objects.all(), request.user, pk=request_id)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError(_("Choose a file."))
        attachment = add_attachment(request.user, item, upload)
    except PermissionDenied as error:
        record_denial(request.user, str(error), target=item)
        raise
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s attached (SHA-256 %(sha)s).") % {"name": attachment.original_name, "sha": attachment.sha256},
        )
    return redirect("assistance:detail", request_id=item.pk)


@login_required
def attachment_download(request, request_id: int, attachment_id: int):
    """Readable by whoever reads the request; every download is audited."""
    from lintas.core.uploads import download_response

    item = get_visible_or_404(AssistanceRequest.objects.all(), request.user, pk=request_id)
    attachment = item.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        from django.http import Http404

        raise Http404
    record_event(
        Action.ATTACHMENT_DOWNLOADED,
        actor=request.user,
        target=item,
        agency=request.user.agency,
        details={"attachment": attachment.pk, "sha256": attachment.sha256},
    )
    return download_response(attachment.file, filename=attachment.original_name, content_type=attachment.content_type)
