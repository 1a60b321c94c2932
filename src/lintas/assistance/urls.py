from django.urls import path

from lintas.assistance import views

app_name = "assistance"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_draft, name="draft"),
    path("ledger/", views.outcome_ledger, name="ledger"),
    path("counts/", views.panel_counts, name="panel_counts"),
    path("capabilities/", views.capabilities, name="capabilities"),
    path("capabilities/hint/", views.capability_hint, name="capability_hint"),
    path("<int:request_id>/", views.request_detail, name="detail"),
    path("<int:request_id>/outcome/", views.request_outcome, name="outcome"),
    path("<int:request_id>/messages/", views.request_message, name="message"),
    path("<int:request_id>/attachments/", views.request_attach, name="attach"),
    path("<int:request_id>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<int:request_id>/<slug:action>/", views.request_move, name="move"),
]
