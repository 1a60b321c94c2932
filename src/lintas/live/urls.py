from django.urls import path

from lintas.live import views

app_name = "live"

urlpatterns = [
    path("stream/", views.stream, name="stream"),
    path("banner/", views.banner, name="banner"),
    path("requests/", views.requests_panel, name="requests_panel"),
]
