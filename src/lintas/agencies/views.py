"""Member directory pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from lintas.agencies.models import Agency


@login_required
def directory(request):
    agencies = Agency.objects.all()
    return render(request, "agencies/directory.html", {"agencies": agencies})


@login_required
def agency_detail(request, code: str):
    agency = get_object_or_404(Agency, code=code)
    return render(request, "agencies/agency_detail.html", {"agency": agency})
