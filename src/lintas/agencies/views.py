"""Member directory pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lintas.agencies import services
from lintas.agencies.forms import AgencyForm
from lintas.agencies.models import Agency
from lintas.audit.services import record_denial
from lintas.core.views import add_service_errors


@login_required
def directory(request):
    return render(request, "agencies/directory.html", {"agencies": Agency.objects.all()})


@login_required
def agency_detail(request, code: str):
    agency = get_object_or_404(Agency, code=code)
    can_edit = bool(services.editable_fields(request.user, agency))
    return render(request, "agencies/agency_detail.html", {"agency": agency, "can_edit": can_edit})


@login_required
def agency_edit(request, code: str):
    agency = get_object_or_404(Agency, code=code)
    editable = services.editable_fields(request.user, agency)
    if not editable:
        message = _("Only this agency's admins and the platform admin change its details.")
        record_denial(request.user, message, target=agency)
        raise PermissionDenied(message)
    form = AgencyForm(request.POST or None, instance=Agency.objects.get(pk=agency.pk), editable=editable)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_agency(request.user, agency, **form.changes())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The directory entry is saved."))
            return redirect("agencies:detail", code=agency.code)
    return render(request, "agencies/agency_form.html", {"agency": agency, "form": form})
