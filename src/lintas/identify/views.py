"""The Identify page and the live preview shown wherever a person types an identifier."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_POST

from lintas.core.views import add_service_errors
from lintas.identify import services
from lintas.identify.forms import TYPE_LABELS, ExtractForm, ValueForm


def _label(result: dict) -> dict:
    return {**result, "type_label": TYPE_LABELS.get(result["type"], result["type"])}


@login_required
def identify(request):
    value_form = ValueForm(prefix="one")
    extract_form = ExtractForm(request.POST or None, prefix="text")
    results = None
    if request.method == "POST" and extract_form.is_valid():
        try:
            country = extract_form.cleaned_data["country"] or request.user.agency.country
            results = [_label(r) for r in services.extract_text(extract_form.cleaned_data["text"], country)]
        except ValidationError as error:
            add_service_errors(extract_form, error)
    context = {"value_form": value_form, "extract_form": extract_form, "results": results}
    return render(request, "identify/identify.html", context)


@login_required
@require_POST
def preview(request):
    """HTMX partial: the recognised type, canonical form and problems of one value, as the person types."""
    form = ValueForm(request.POST, prefix=request.POST.get("prefix", "one") or None)
    result, error = None, ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            # Local numbers are read as the officer's own country unless they say otherwise.
            items = [(data["value"], data["type"], data["country"])]
            result = _label(services.normalize_many(items, request.user.agency.country or None)[0])
        except ValidationError as exc:
            error = " ".join(exc.messages)
    elif form.data.get(form.add_prefix("value"), "").strip():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return render(request, "identify/_preview.html", {"result": result, "error": error})
