from django.urls import path

from lintas.agencies import views

app_name = "agencies"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("<slug:code>/", views.agency_detail, name="detail"),
    path("<slug:code>/edit/", views.agency_edit, name="edit"),
    path("<slug:code>/duty/", views.duty_roster, name="duty"),
    path("<slug:code>/duty/shifts/", views.duty_shift_add, name="duty_shift_add"),
    path("<slug:code>/duty/shifts/<int:shift_id>/remove/", views.duty_shift_remove, name="duty_shift_remove"),
    path("<slug:code>/duty/escalation/", views.duty_escalation, name="duty_escalation"),
]
