from django.urls import path

from lintas.identify import views

app_name = "identify"

urlpatterns = [
    path("", views.identify, name="identify"),
    path("preview/", views.preview, name="preview"),
]
