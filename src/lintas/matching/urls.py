from django.urls import path

from lintas.matching import views

app_name = "matching"

urlpatterns = [
    path("hits/", views.hit_list, name="hit_list"),
    path("hits/inbox/", views.inbox, name="inbox"),
    path("hits/<int:hit_id>/", views.hit_detail, name="hit_detail"),
    path("hits/<int:hit_id>/request-details/", views.hit_request_details, name="request_details"),
    path("lookup/", views.lookup, name="lookup"),
    path("benign/", views.benign_list, name="benign"),
]
