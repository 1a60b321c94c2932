from django.urls import path

from lintas.agencies import views

app_name = "agencies"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("<slug:code>/", views.agency_detail, name="detail"),
    path("<slug:code>/edit/", views.agency_edit, name="edit"),
]
