from django.urls import path

from lintas.insights import views

app_name = "insights"

urlpatterns = [
    path("trends/", views.trends_page, name="trends"),
    path("trends/export.csv", views.trends_export, name="trends_export"),
    path("trends/briefing/", views.briefing, name="briefing"),
    path("trends/briefing.pdf", views.briefing_pdf, name="briefing_pdf"),
]
