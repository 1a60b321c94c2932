"""Case pages: list with filters and paging, the form with a live identifier paste box, the case page."""

import csv
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.audit.services import record_denial, record_event
from lintas.cases import paste, services
from lintas.cases.choices import CaseStatus, CrimeType, IdentifierRole
from lintas.cases.forms import ROLE_CHOICES, CaseForm
from lintas.cases.models import Case, CaseIdentifier, CaseLoss
from lintas.core.access import get_visible_or_404
from lintas.core.views import add_service_errors
from lintas.identify.forms import TYPE_LABELS
from lintas.matching.allowance import LookupLimitReached
from lintas.matching.models import Hit
from lintas.matching.presenters import present_hits
from lintas.matching.services import related_cases
from lintas.matching.views import asked_by_others


def _filtered_cases(request):
    """The cases the user may see, narrowed by the list's filters: (queryset, status, crime type, scope, query)."""
    cases = Case.objects.visible_to(request.user).select_related("owner_agency")
    status, crime_type, scope, query = (request.GET.get(k, "") for k in ("status", "crime_type", "scope", "q"))
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    if crime_type in CrimeType.values:
        cases = cases.filter(crime_type=crime_type)
    if scope == "mine":
        cases = cases.filter(owner_agency_id=request.user.agency_id)
    if query:
        cases = cases.filter(Q(title__icontains=query) | Q(reference__iexact=query.strip()))
    return cases, status, crime_type, scope, query


@login_required
def case_list(request):
    cases, status, crime_type, scope, query = _filtered_cases(request)
    page = Paginator(cases, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    if not request.htmx or request.GET.get("page") in (None, "1"):
        record_event(Action.CASES_LISTED, actor=request.user, details={"filters": request.GET.dict()})
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "status": status,
        "crime_type": crime_type,
        "scope": scope,
        "q": query,
        "statuses": CaseStatus.choices,
        "crime_types": CrimeType.choices,
        "querystring": params.urlencode(),
    }
    return render(request, "cases/_case_rows.html" if request.htmx else "cases/case_list.html", context)


EXPORT_COLUMNS = (
    "reference", "agency", "title", "crime_type", "status", "first_incident", "last_incident", "countries",
    "victims", "distribution", "tlp", "handling_code", "handling_text", "identifiers", "losses_usd", "recorded",
)  # fmt: skip


def _cell(value) -> str:
    """A CSV cell a spreadsheet shows as text: a leading = + - @ (or tab, CR) would run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def case_export(request):
    """The list's cases (same filters, same access path) as CSV, streamed; audited with the filters and the count."""
    cases, *_filters = _filtered_cases(request)
    count = cases.count()
    record_event(Action.CASES_EXPORTED, actor=request.user, details={"filters": request.GET.dict(), "cases": count})
    # Counted in subqueries: joining both identifiers and losses would multiply the sums.
    identifiers = CaseIdentifier.objects.filter(case=OuterRef("pk")).order_by().values("case")
    losses = CaseLoss.objects.filter(case=OuterRef("pk")).order_by().values("case")
    cases = cases.annotate(
        identifier_count=Subquery(identifiers.annotate(n=Count("id")).values("n")),
        usd=Subquery(losses.annotate(total=Sum("usd_amount")).values("total")),
    )
    rows = cases.order_by("-created_at", "-id").iterator(chunk_size=2000)

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff"  # spreadsheets read the file as UTF-8 (Hangul, Thai, Vietnamese)
        yield writer.writerow(EXPORT_COLUMNS)
        for case in rows:
            yield writer.writerow(
                _cell(v)
                for v in (
                    case.reference, case.owner_agency.short_name, case.title, case.crime_type, case.status,
                    case.first_incident_on, case.last_incident_on, " ".join(case.countries), case.victim_count,
                    case.distribution, case.tlp, case.handling_code, case.handling_text, case.identifier_count or 0,
                    "" if case.usd is None else f"{Decimal(case.usd):.2f}", case.created_at.date(),
                )
            )  # fmt: skip

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lintas-cases-{timezone.now():%Y%m%d-%H%M}.csv"'
    return response


def _writer_or_403(request, case=None) -> None:
    """Refuse (and audit) anyone who may not record or change this case."""
    try:
        services.check_case_writer(request.user, case)
    except PermissionDenied as error:
        record_denial(request.user, str(error), target=case, object_type="" if case else "cases.case")
        raise


@login_required
def case_create(request):
    _writer_or_403(request)
    form = CaseForm(request.POST or None, owner=request.user.agency)
    if request.method == "POST" and form.is_valid():
        try:
            case, outcome = services.create_case(request.user, form.clean_result)
        except LookupLimitReached as refused:  # nothing was written: the form comes back as it was sent
            form.add_error(None, str(refused))
            response = render(request, "cases/case_form.html", {"form": form}, status=429)
            response["Retry-After"] = str(refused.retry_after)
            return response
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if outcome.hits:
                messages.warning(request, _("%(n)d hit(s) with other agencies' cases.") % {"n": len(outcome.hits)})
            messages.success(request, _("Case %(reference)s recorded.") % {"reference": case.reference})
            return redirect("cases:detail", case_id=case.pk)
    return render(request, "cases/case_form.html", {"form": form})


@login_required
def case_detail(request, case_id: int):
    case = get_visible_or_404(
        Case.objects.select_related("owner_agency", "created_by").prefetch_related("losses", "shares__agency"),
        request.user,
        pk=case_id,
    )
    record_event(Action.CASE_VIEWED, actor=request.user, target=case)
    mine = case.owner_agency_id == request.user.agency_id
    idents = list(case.identifiers.all())
    hits = present_hits(
        (Hit.objects.visible_to(request.user).filter(Q(left_case=case) | Q(right_case=case)))[:200], request.user
    )
    history = (
        AuditEvent.objects.visible_to(request.user).filter(object_type="cases.case", object_id=str(case.pk))[:50]
        if mine
        else []
    )
    related = related_cases(case, request.user) if mine else {}
    from lintas.assistance.choices import RequestType
    from lintas.assistance.prefill import STOPPABLE_TYPES
    from lintas.assistance.services import DRAFTER_ROLES

    for ident in idents:
        ident.related_cases = related.get(ident.pk, [])
        ident.stoppable = ident.type in STOPPABLE_TYPES
    context = {
        "case": case,
        "mine": mine,
        # From one's own case, one click opens a request already filled in (assistance.views.request_draft).
        "can_request": mine and request.user.has_role(*DRAFTER_ROLES),
        "request_types": RequestType.choices,
        "identifiers": idents,
        "hits": hits,
        "asked": asked_by_others(hits, request.user),
        "history": history,
        "roles": ROLE_CHOICES,
    }
    return render(request, "cases/case_detail.html", context)


@login_required
@require_POST
def identifier_preview(request):
    """HTMX partial: each pasted line with its detected type, canonical form and role (given on the line, chosen for
    lines without one, or guessed from the type and the crime type)."""
    country = request.user.agency.country or None
    lines = [line.strip() for line in request.POST.get("identifiers", "").splitlines() if line.strip()][:200]
    kind = request.POST.get("identifier_type", "")
    kind = kind if kind in TYPE_LABELS and kind != "unknown" else None
    default_role = request.POST.get("identifier_role", "")
    default_role = default_role if default_role in IdentifierRole.values else ""
    crime_type = request.POST.get("crime_type", "")
    rows = []
    for line in lines:
        read = paste.read_line(line, default_role=default_role, crime_type=crime_type, kind=kind, country=country)
        result = read.result
        row = {
            "input": line,
            "label": TYPE_LABELS.get(str(result.type), result.type),
            "result": result,
            "hint": "",
            "role": read.role_label,
            "role_source": read.source,
        }
        if result.valid and result.type == "social_handle" and result.details.get("platform") == "unknown":
            # A bare @name links only weakly (decision 0049): say so before the case is recorded.
            row["hint"] = _(
                "Platform not stated: this links weakly to the same handle on any platform. "
                "Write it as Telegram @%(name)s, Instagram @%(name)s, t.me/%(name)s … if you know the platform."
            ) % {"name": result.details.get("handle", "")}
        rows.append(row)
    return render(request, "cases/_identifier_preview.html", {"rows": rows})


@login_required
@require_POST
def case_add_identifiers(request, case_id: int):
    from lintas.cases.forms import identifier_lines
    from lintas.cases.validation import CaseInvalid, clean_case

    case = get_visible_or_404(Case.objects.all(), request.user, pk=case_id)
    _writer_or_403(request, case)
    data = {
        "title": case.title,
        "crime_type": case.crime_type,
        "identifiers": identifier_lines(
            request.POST.get("identifiers", ""),
            request.POST.get("role", ""),
            crime_type=case.crime_type,
            country=case.owner_agency.country or None,
        ),
    }
    try:
        clean = clean_case(data, owner=case.owner_agency)
    except CaseInvalid as error:
        for messages_ in error.errors.values():
            for message in messages_:
                messages.error(request, message)
        return redirect("cases:detail", case_id=case.pk)
    try:
        added, outcome = services.add_identifiers(request.user, case, clean.identifiers)
    except LookupLimitReached as refused:  # nothing was added
        messages.error(request, str(refused))
        return redirect("cases:detail", case_id=case.pk)
    messages.success(
        request, _("%(n)d identifier(s) added, %(h)d new hit(s).") % {"n": len(added), "h": len(outcome.hits)}
    )
    return redirect("cases:detail", case_id=case.pk)


@login_required
def case_edit(request, case_id: int):
    """Change a case and its sharing: the owner agency only."""
    from django.core.exceptions import ValidationError

    from lintas.cases.forms import CaseEditForm
    from lintas.cases.validation import CaseInvalid
    from lintas.core.views import add_service_errors

    case = get_visible_or_404(Case.objects.select_related("owner_agency"), request.user, pk=case_id)
    _writer_or_403(request, case)
    initial = services.case_as_data(case)
    form = CaseEditForm(
        request.POST or None, owner=case.owner_agency, initial={**initial, "countries": ", ".join(initial["countries"])}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_case(request.user, case, form.changes())
        except CaseInvalid as error:
            add_service_errors(form, ValidationError(error.errors))
        else:
            messages.success(request, _("Case %(reference)s saved.") % {"reference": case.reference})
            return redirect("cases:detail", case_id=case.pk)
    return render(request, "cases/case_edit.html", {"form": form, "case": case})


@login_required
def exchange_rates(request):
    """Monthly USD rates: everyone reads them; the platform admin uploads a CSV file."""
    from django.core.exceptions import ValidationError

    from lintas.accounts.choices import Role
    from lintas.cases.models import ExchangeRate

    can_upload = request.user.has_role(Role.PLATFORM_ADMIN)
    errors = []
    if request.method == "POST":
        if not can_upload:
            record_denial(
                request.user, "exchange rates upload needs the platform admin", object_type="cases.exchangerate"
            )
            raise PermissionDenied(_("Only the platform admin keeps the exchange rates."))
        upload = request.FILES.get("file")
        try:
            if upload is None or upload.size > 1_000_000:
                raise ValidationError(_("Choose a CSV file of at most 1 MB."))
            count = services.import_exchange_rates(request.user, upload.read().decode("utf-8-sig"))
        except (ValidationError, UnicodeDecodeError) as error:
            errors = getattr(error, "messages", [_("The file is not UTF-8 text.")])
        else:
            messages.success(request, _("%(n)d rates saved.") % {"n": count})
            return redirect("cases:exchange_rates")
    rates = ExchangeRate.objects.all()[:240]
    return render(request, "cases/exchange_rates.html", {"rates": rates, "can_upload": can_upload, "errors": errors})
