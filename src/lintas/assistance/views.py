"""Request pages: the inbox (incoming, outgoing, awaiting my approval, due soon, overdue), drafting, one request."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from lintas.assistance import services
from lintas.assistance.choices import OPEN_STATUSES, Priority, RequestStatus, RequestType
from lintas.assistance.forms import DraftForm, OutcomeForm
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


def _draft_source(request) -> dict:
    """What a draft is opened from: ``?hit=``, ``?case=``, ``?identifier=`` and ``?type=``. Each id names something the
    user may see and, for a case or an identifier, their own agency's; a hidden, foreign, missing or malformed one, an
    identifier of another case than ``case``, a case or identifier that is not the hit's own side, and an unknown type
    all answer 404, as for a missing page."""
    from django.http import Http404

    from lintas.cases.models import Case, CaseIdentifier
    from lintas.matching.models import Hit

    user = request.user
    request_type = request.GET.get("type", "")
    if request_type and request_type not in RequestType.values:
        raise Http404
    hit = case = identifier = None
    hit_id = request.GET.get("hit") or request.POST.get("hit")
    if hit_id:
        hit = get_visible_or_404(Hit.objects.all(), user, pk=hit_id)
    if request.GET.get("case"):
        case = get_visible_or_404(Case.objects.filter(owner_agency_id=user.agency_id), user, pk=request.GET["case"])
    if request.GET.get("identifier"):
        identifier = get_visible_or_404(
            CaseIdentifier.objects.filter(owner_agency_id=user.agency_id), user, pk=request.GET["identifier"]
        )
        if case is not None and identifier.case_id != case.pk:
            raise Http404
    if hit is not None:
        mine = hit.left if hit.left_agency_id == user.agency_id else hit.right
        if (case is not None and case.pk != mine.case_id) or (identifier is not None and identifier.pk != mine.pk):
            raise Http404
        identifier = mine
    if identifier is not None:
        case = identifier.case
    return {"hit": hit, "case": case, "identifier": identifier, "type": request_type}


def _initial_from_hit(user, hit, request_type: str) -> tuple[dict, bool, object]:
    """The draft from a hit: to its holder (unless it hides its name: then the hit routes it), about the user's side."""
    from lintas.assistance import prefill
    from lintas.matching.presenters import present_hits

    view = present_hits([hit], user)[0]
    holder = hit.right_agency if hit.left_agency_id == user.agency_id else hit.left_agency
    hidden_holder = not view.other.visible and view.other.holder != holder.short_name
    mine = hit.left if hit.left_agency_id == user.agency_id else hit.right
    request_type = request_type or RequestType.GENERAL
    amount, currency = prefill.amount_at_stake(mine.case)
    if request_type == RequestType.GENERAL:
        # Pre-filled with what the hit already told the requester, nothing more.
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = _("Details of a case holding %(identifier)s") % {"identifier": view.my_identifier}
            asked = _(
                "Lintas shows that your agency holds a case, recorded %(month)s, containing %(identifier)s, "
                "which is also in our case %(reference)s. Please share the details you can."
            ) % {"month": view.other.recorded_month, "identifier": view.my_identifier, "reference": view.my_reference}
    else:
        subject, asked = prefill.texts(
            user, request_type, case=mine.case, identifier=mine, amount=amount, currency=currency
        )
    initial = {
        "receivers": [] if hidden_holder else [holder.code],
        "type": request_type,
        "priority": prefill.default_priority(request_type),
        "subject": subject,
        "asked": asked,
        "amount": amount,
        "currency": currency,
        "cases": [view.my_case_id],
    }
    return initial, hidden_holder, holder


def _initial_from_case(user, case, identifier, request_type: str) -> dict:
    """The draft from a case or one of its identifiers: to the member of the identifier's country (or of the case's
    countries involved), the type the identifier calls for, the case's losses as the amount at stake."""
    from lintas.assistance import prefill

    if identifier is not None:
        request_type = request_type or prefill.suggested_type(identifier.type)
        receivers = prefill.receivers_for_countries([identifier.country], user.agency)[:1]
    else:
        request_type = request_type or RequestType.GENERAL
        countries = [c for c in case.countries or [] if c != user.agency.country]
        receivers = prefill.receivers_for_countries(countries, user.agency)
    amount, currency = prefill.amount_at_stake(case)
    subject, asked = prefill.texts(
        user, request_type, case=case, identifier=identifier, amount=amount, currency=currency
    )
    return {
        "receivers": receivers,
        "type": request_type,
        "priority": prefill.default_priority(request_type),
        "subject": subject,
        "asked": asked,
        "amount": amount,
        "currency": currency,
        "cases": [case.pk],
        "identifiers": [identifier.pk] if identifier is not None else [],
    }


@login_required
def request_draft(request):
    """The draft form, empty or opened from a hit, a case or an identifier already filled in (``_draft_source``).
    "Submit for approval" drafts and submits in one go; "Save draft" keeps it in the agency's drafts."""
    from lintas.assistance import prefill

    source = _draft_source(request)
    hit, case = source["hit"], source["case"]
    user = request.user
    initial, hidden_holder, holder, identifier_choices = {}, False, None, None
    if hit is not None:
        initial, hidden_holder, holder = _initial_from_hit(user, hit, source["type"])
    elif case is not None:
        initial = _initial_from_case(user, case, source["identifier"], source["type"])
        identifier_choices = case.identifiers.all()
    else:
        initial["type"] = source["type"] or RequestType.values[0]  # the list's first type when none is named
        initial["priority"] = prefill.default_priority(initial["type"])
    form = DraftForm(
        request.POST or None,
        user=user,
        initial=initial,
        routed_by_hit=hidden_holder,
        identifier_choices=identifier_choices,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        receivers = [holder] if hidden_holder else list(data.pop("receivers"))
        chosen = list(data.pop("identifiers", None) or [])
        submit = request.POST.get("then") == "submit"
        draft = services.draft_and_submit if submit else services.draft_request
        try:
            created = draft(
                user,
                receivers=receivers,
                cases=list(data.pop("cases")),
                hit=hit,
                receiver_hidden=hidden_holder,
                identifiers=[source["identifier"]] if hit else chosen,
                # the text is written in the sender's language (the templates' language, decision 0046)
                language=language_of(user.language or translation.get_language()),
                **{k: v for k, v in data.items() if v not in (None, "")},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            record_denial(user, str(error), object_type="assistance.assistancerequest")
            raise
        else:
            refs = ", ".join(r.reference for r in created)
            if submit:
                messages.success(request, _("Submitted for approval: %(refs)s") % {"refs": refs})
            else:
                messages.success(request, _("Draft saved: %(refs)s") % {"refs": refs})
            return redirect("assistance:detail", request_id=created[0].pk)
    codes = [] if hidden_holder else form["receivers"].value() or []
    context = {
        "form": form,
        "hidden_holder": hidden_holder,
        "source_case": case,
        **_hint_context(codes, form["type"].value(), form["priority"].value()),
    }
    return render(request, "assistance/request_form.html", context)


@login_required
def request_detail(request, request_id: int):
    item = get_visible_or_404(
        AssistanceRequest.objects.select_related("sender_agency", "receiver_agency", "drafted_by", "approved_by"),
        request.user,
        pk=request_id,
    )
    record_event(Action.REQUEST_VIEWED, actor=request.user, target=item, agency=request.user.agency)
    from lintas.notifications.services import mark_read_at

    mark_read_at(request.user, f"/requests/{item.pk}/")  # its notices are read: they leave the news under the banner
    return render(request, "assistance/request_detail.html", _detail_context(request, item))


def _detail_context(request, item: AssistanceRequest, outcome_form: OutcomeForm | None = None) -> dict:
    thread = services.read_thread(request.user, item)
    actions = [(name, services.TRANSITIONS[name].label) for name in services.allowed_actions(request.user, item)]
    # Linked cases are listed only as far as the reader may see them.
    from lintas.assistance.escalation import escalations_for
    from lintas.assistance.outcomes import ANSWERING, hops, proposed_from
    from lintas.cases.models import Case

    cases = Case.objects.visible_to(request.user).filter(assistance_requests=item)
    visible = set(AssistanceRequest.objects.visible_to(request.user).values_list("pk", flat=True))
    outcome = getattr(item, "outcome", None) if hasattr(item, "outcome") else None
    can_record_outcome = item.receiver_agency_id == request.user.agency_id and item.status in ANSWERING
    if can_record_outcome and outcome_form is None:
        outcome_form = OutcomeForm(
            initial={
                "amount_frozen": outcome.amount_frozen if outcome else "",
                "amount_returned": outcome.amount_returned if outcome else "",
                "accounts_frozen": outcome.accounts_frozen if outcome else 0,
                "wallets_frozen": outcome.wallets_frozen if outcome else 0,
                "currency": outcome.currency if outcome else (item.currency or "USD"),
                "note": outcome.note if outcome else "",
            }
        )
    return {
        "receiver_label": item.receiver_label(request.user),
        "linked_identifiers": [i for i in item.identifiers.all() if not i.blind],
        "thread": thread,
        "attachments": item.attachments.select_related("agency"),
        "item": item,
        "actions": actions,
        "cases": cases,
        "outcome": outcome,
        "can_record_outcome": can_record_outcome,
        "outcome_form": outcome_form,
        "can_answer_fully": "answer_fully" in dict(actions),
        # Why Lintas drafted this request (a follow-up from an outcome), for the sending agency only.
        "proposed_from": proposed_from(item) if item.sender_agency_id == request.user.agency_id else None,
        "trail": [hop for hop in hops(item) if hop["request"].pk in visible],
        "visible_ids": visible,
        "escalations": escalations_for(request.user, item),
        "written_in": written_in(item.language),
    }


# Django's catalogues have no Lao (added to LANG_INFO in settings): its English name is marked here.
gettext_noop("Lao")


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
    """The receiving agency records what it froze and the onward transfers it found; "Record and answer in full"
    also answers the request, in the same transaction. On an error the page comes back with every field as typed and
    each error by its field (a transfer's with its line number)."""
    from lintas.assistance.outcomes import check_may_record, record_outcome

    item = get_visible_or_404(
        AssistanceRequest.objects.select_related("sender_agency", "receiver_agency", "drafted_by", "approved_by"),
        request.user,
        pk=request_id,
    )
    try:
        check_may_record(request.user, item)
    except PermissionDenied as error:
        record_denial(request.user, str(error), target=item)
        raise
    form = OutcomeForm(request.POST, decimal_mark=get_format("DECIMAL_SEPARATOR"))
    answer = request.POST.get("then") == "answer_fully"
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                _outcome, follow_ups = record_outcome(
                    request.user,
                    item,
                    currency=data["currency"],
                    amount_frozen=data["amount_frozen"],
                    amount_returned=data["amount_returned"],
                    accounts_frozen=data["accounts_frozen"] or 0,
                    wallets_frozen=data["wallets_frozen"] or 0,
                    note=data["note"],
                    transfers=data["transfer_list"],
                )
                if answer:
                    item.refresh_from_db()
                    services.transition(request.user, item, "answer_fully", version=item.version)
        except services.Conflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            form.add_service_errors(error)
        except PermissionDenied as error:
            record_denial(request.user, str(error), target=item)
            form.add_error(None, str(error))
        else:
            done = _("Outcome recorded; %(n)d follow-up request(s) proposed to the sender.") % {"n": len(follow_ups)}
            if answer:
                done = f"{done} {_('Done: %(action)s.') % {'action': services.TRANSITIONS['answer_fully'].label}}"
            messages.success(request, done)
            return redirect("assistance:detail", request_id=item.pk)
    item.refresh_from_db()
    context = _detail_context(request, item, outcome_form=form)
    return render(request, "assistance/request_detail.html", context, status=400)


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


def _hint_context(codes, request_type, priority) -> dict:
    """What the chosen receivers can do for the type, and when the request will be due if the form names no date:
    per receiver, its usual turnaround for the type when it gave one (``services.capability_due``), else the
    priority's default, saying plainly when the receiver has not confirmed its value."""
    from lintas.assistance.models import CountryCapability
    from lintas.assistance.prefill import default_priority

    request_type = request_type if request_type in RequestType.values else RequestType.GENERAL
    priority = priority if priority in Priority.values else default_priority(request_type)
    codes = [code for code in codes if isinstance(code, str)][:20]
    rows = list(
        CountryCapability.objects.filter(agency__code__in=codes, request_type=request_type).select_related("agency")
    )
    now = timezone.now()
    default = services.default_due(priority, now)
    for row in rows:
        row.due_at = services.capability_due(row.agency, request_type, priority, now)
        row.uses_default = row.due_at == default
    return {
        "rows": rows,
        "now": now,
        "default_due_at": default,
        "priority_label": Priority(priority).label,
        "type_label": RequestType(request_type).label,
    }


@login_required
def capability_hint(request):
    """HTMX partial on the draft form: what the chosen receivers can do for the chosen type, and the due time."""
    context = _hint_context(
        request.GET.getlist("receivers"), request.GET.get("type", ""), request.GET.get("priority", "")
    )
    return render(request, "assistance/_capability_hint.html", context)


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
