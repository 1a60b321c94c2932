"""The programmes' pages anyone may open without signing in (decision 0042): certificate verification and published
summaries. Both are rate-limited per address (``lintas.programmes.throttle``) and show nothing but what they say."""

from django.urls import path

from lintas.programmes import views

app_name = "programmes_public"

urlpatterns = [
    path("verify/<str:code>/", views.verify_certificate, name="verify"),
    path("public/editions/<int:edition_id>/", views.public_summary, name="summary"),
]
