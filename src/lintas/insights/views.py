"""The trends page, its CSV and the briefing pack (page and PDF). Every view reads ``selectors.trends`` (the viewer's
own rows through ``MonthlyRollup.objects.visible_to``, community sums suppressed) and is audited."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.insights import charts, export
from lintas.insights.forms import TrendsFilterForm
from lintas.insights.selectors import trends

__all__ = ["briefing", "briefing_pdf", "trends_export", "trends_page"]


def _read(request):
    """The filters of the query string and the trends they select, or the form with its errors and None."""
    form = TrendsFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, trends(request.user, form.cleaned_data["filters"])


def _context(form, data) -> dict:
    return {
        "form": form,
        "trends": data,
        "charts": charts.page_charts(data) if data is not None else {},
        "tables": {
            name: {
                "table": t,
                "headers": export.headers(t),
                "rows": export.display_rows(t, data.rule.min_cases),
                "colspan": 1 + 2 * len(t.measures) + (2 if t.previous else 0),
            }
            for name, t in data.tables.items()
        }
        if data is not None
        else {},
        "querystring": urlencode(data.filters.as_params()) if data else "",
        "min_cases": data.rule.min_cases if data else None,
        "min_agencies": data.rule.min_agencies if data else None,
    }


@login_required
def trends_page(request):
    """Cases, victims and losses by crime type, country and month; emerging modus operandi; identifier kinds;
    hits across borders; requests by country pair. Each table beside its CSV."""
    form, data = _read(request)
    if data is not None:
        record_event(Action.TRENDS_VIEWED, actor=request.user, details={"filters": data.filters.as_params()})
    return render(request, "insights/trends.html", _context(form, data), status=200 if data is not None else 400)


@login_required
def trends_export(request):
    """One table (``?table=by_type``) or all of them as CSV, one row per key and measure."""
    form, data = _read(request)
    if data is None:
        return render(request, "insights/trends.html", _context(form, None), status=400)
    names = [n for n in request.GET.getlist("table") if n in data.tables] or None
    record_event(
        Action.TRENDS_EXPORTED,
        actor=request.user,
        details={"format": "csv", "filters": data.filters.as_params(), "tables": names or "all"},
    )
    response = HttpResponse(export.csv_text(data, names), content_type="text/csv; charset=utf-8")
    suffix = names[0] if names and len(names) == 1 else "all"
    response["Content-Disposition"] = f'attachment; filename="lintas-trends-{suffix}-{timezone.now():%Y%m%d-%H%M}.csv"'
    return response


@login_required
def briefing(request):
    """The briefing pack as a page: headline figures and the charts, for a programme session or any meeting."""
    form, data = _read(request)
    if data is not None:
        record_event(
            Action.TRENDS_VIEWED, actor=request.user, details={"filters": data.filters.as_params(), "briefing": True}
        )
    context = _context(form, data) | {"generated_at": timezone.now()}
    return render(request, "insights/briefing.html", context, status=200 if data is not None else 400)


@login_required
def briefing_pdf(request):
    """The briefing pack as a PDF (the same figures, charts drawn on the server)."""
    from lintas.core.pdf import render_pdf

    form, data = _read(request)
    if data is None:
        return render(request, "insights/trends.html", _context(form, None), status=400)
    record_event(
        Action.TRENDS_EXPORTED, actor=request.user, details={"format": "pdf", "filters": data.filters.as_params()}
    )
    context = _context(form, data) | {"generated_at": timezone.now(), "title": _("Cyber-financial crime trends")}
    body = render_pdf("insights/briefing_pdf.html", context, request=request)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="lintas-trends-briefing-{timezone.now():%Y%m%d}.pdf"'
    return response
