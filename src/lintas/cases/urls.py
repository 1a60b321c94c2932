from django.urls import path

from lintas.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("export.csv", views.case_export, name="export"),
    path("new/", views.case_create, name="create"),
    path("identifier-preview/", views.identifier_preview, name="identifier_preview"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/identifiers/", views.case_add_identifiers, name="add_identifiers"),
    path("<int:case_id>/edit/", views.case_edit, name="edit"),
    path("exchange-rates/", views.exchange_rates, name="exchange_rates"),
]
