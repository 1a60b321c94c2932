"""My hits inbox (live), one hit, and the lookup page behind the search box on every page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.cases.models import Case
from lintas.core.access import get_visible_or_404
from lintas.matching import services
from lintas.matching.models import DetailRequest, Hit
from lintas.matching.presenters import present_hits
from lintas.notifications.models import Notification, NotificationKind


def asked_by_others(hits, user) -> set[int]:
    """Ids of ``hits`` (already visible to ``user``) whose other agency asked ``user``'s agency for details."""
    return set(
        DetailRequest.objects.filter(hit_id__in=[hit.id for hit in hits])
        .exclude(requesting_agency_id=user.agency_id)
        .values_list("hit_id", flat=True)
    )


@login_required
def hit_list(request):
    hits = Hit.objects.visible_to(request.user)
    case, filtered_case = request.GET.get("case", ""), None
    if case:
        # A case the user may see, or 404 as for a missing one: a hidden case's hits would link it to identifiers.
        filtered_case = get_visible_or_404(Case.objects.only("pk", "reference"), request.user, pk=case)
        hits = hits.filter(Q(left_case_id=filtered_case.pk) | Q(right_case_id=filtered_case.pk))
    page = Paginator(hits, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    views = present_hits(page.object_list, request.user)
    context = {
        "page": page,
        "hits": views,
        "filtered_case": filtered_case,
        "asked": asked_by_others(views, request.user),
        "querystring": f"case={filtered_case.pk}" if filtered_case else "",
    }
    template = "matching/_hit_rows.html" if request.htmx else "matching/hit_list.html"
    return render(request, template, context)


@login_required
def hit_detail(request, hit_id: int):
    hit = get_visible_or_404(Hit.objects.all(), request.user, pk=hit_id)
    record_event(Action.HIT_VIEWED, actor=request.user, target=hit, agency=request.user.agency)
    view = present_hits([hit], request.user)[0]
    requested = hit.detail_requests.filter(requesting_agency_id=request.user.agency_id).exists()
    from lintas.assistance.prefill import STOPPABLE_TYPES

    context = {
        "hit": view,
        "requested": requested,
        "asked": asked_by_others([view], request.user),
        "stoppable_types": STOPPABLE_TYPES,
    }
    return render(request, "matching/hit_detail.html", context)


@login_required
@require_POST
def hit_request_details(request, hit_id: int):
    hit = get_visible_or_404(Hit.objects.all(), request.user, pk=hit_id)
    services.request_details(request.user, hit)
    messages.success(request, _("Your request for details is recorded; the holding agency sees it on this hit."))
    return redirect("matching:hit_detail", hit_id=hit.pk)


def inbox_context(user) -> dict:
    hits = present_hits(Hit.objects.visible_to(user)[:5], user)
    # Requests have their own panel ("Requests waiting for me", lintas.live): their notifications stay out of here.
    notes = Notification.objects.visible_to(user).exclude(kind=NotificationKind.REQUEST)
    return {
        "notes": notes[:5],
        "hits": hits,
        "asked": asked_by_others(hits, user),
        "unread": notes.unread().count(),
    }


def inbox(request):
    """HTMX partial polled every few seconds by the dashboard: newest hits and notifications."""
    if not request.user.is_authenticated:
        if request.htmx:  # signed out elsewhere: the whole page goes to sign-in, not the sign-in form into the card
            return HttpResponseClientRedirect(resolve_url(settings.LOGIN_URL))
        return redirect_to_login(request.get_full_path())
    return render(request, "matching/_inbox.html", inbox_context(request.user))


@login_required
def lookup(request):
    answers, error = None, ""
    text = request.POST.get("q", "") if request.method == "POST" else ""
    if request.method == "POST":
        try:
            # A text is searched for identifiers; a list is one value per line. Never both: each value would be
            # answered twice (once found in the text, once as a line).
            if _looks_like_text(text):
                answers = services.lookup(request.user, text=text)
            else:
                answers = services.lookup(request.user, values=text.splitlines())
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except services.LookupLimitReached as exc:
            response = render(request, "matching/lookup.html", {"answers": None, "q": text, "error": str(exc)})
            response.status_code = 429
            response["Retry-After"] = str(exc.retry_after)
            return response
    return render(request, "matching/lookup.html", {"answers": answers, "q": text, "error": error})


def _looks_like_text(text: str) -> bool:
    """A paste of several words per line is a text to search; a list of values is one value per line."""
    return any(len(line.split()) > 3 for line in text.splitlines())


@login_required
def benign_list(request):
    """Benign values, readable by every member; the platform admin adds and removes them."""
    from django.core.exceptions import PermissionDenied

    from lintas.accounts.choices import Role
    from lintas.audit.services import record_denial
    from lintas.matching.choices import BenignCategory
    from lintas.matching.models import BenignValue

    is_admin = request.user.has_role(Role.PLATFORM_ADMIN)
    errors = []
    if request.method == "POST":
        if not is_admin:
            record_denial(request.user, "benign list needs the platform admin", object_type="matching.benignvalue")
            raise PermissionDenied(_("Only the platform admin keeps the benign lists."))
        try:
            if request.POST.get("remove"):
                services.remove_benign(request.user, BenignValue.objects.get(pk=int(request.POST["remove"])))
            else:
                services.add_benign(
                    request.user,
                    value=request.POST.get("value", ""),
                    type=request.POST.get("type") or None,
                    category=request.POST.get("category", "other"),
                    reason=request.POST.get("reason", ""),
                    country=request.POST.get("country", ""),
                )
        except (ValidationError, BenignValue.DoesNotExist, ValueError) as error:
            errors = getattr(error, "messages", [_("No such benign value.")])
        else:
            return redirect("matching:benign")
    context = {
        "values": BenignValue.objects.all(),
        "is_admin": is_admin,
        "errors": errors,
        "categories": BenignCategory.choices,
    }
    return render(request, "matching/benign.html", context)
