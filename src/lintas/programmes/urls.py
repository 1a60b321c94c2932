from django.urls import path

from lintas.programmes import views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_create, name="programme_create"),
    path("editions/new/", views.edition_create, name="edition_create"),
    path("editions/<int:edition_id>/", views.edition_detail, name="edition_detail"),
    path("editions/<int:edition_id>/edit/", views.edition_edit, name="edition_edit"),
    path("editions/<int:edition_id>/agenda.ics", views.edition_ics, name="edition_ics"),
    path("editions/<int:edition_id>/plan-next/", views.plan_next, name="plan_next"),
    path("editions/<int:edition_id>/sessions/new/", views.session_form, name="session_create"),
    path("editions/<int:edition_id>/sessions/<int:session_id>/edit/", views.session_form, name="session_edit"),
    path("editions/<int:edition_id>/checklist/new/", views.checklist_task_create, name="task_create"),
    path("editions/<int:edition_id>/checklist/<int:task_id>/done/", views.checklist_task_done, name="task_done"),
    # Materials and the feedback survey (issue 16 items 4 and 5)
    path("editions/<int:edition_id>/materials/", views.material_list, name="material_list"),
    path("editions/<int:edition_id>/materials/new/", views.material_create, name="material_create"),
    path("editions/<int:edition_id>/materials/<int:material_id>/", views.material_download, name="material_download"),
    path(
        "editions/<int:edition_id>/materials/<int:material_id>/remove/", views.material_remove, name="material_remove"
    ),
    path("editions/<int:edition_id>/survey/", views.survey_edit, name="survey_edit"),
    path("editions/<int:edition_id>/feedback/", views.feedback_give, name="feedback_give"),
    path("editions/<int:edition_id>/feedback/results/", views.feedback_results, name="feedback_results"),
    path("experts/", views.expert_list, name="expert_list"),
    path("experts/new/", views.expert_create, name="expert_create"),
    # --- Certificates, the post-programme report and cooperation after it (decision 0042) ---
    path("editions/<int:edition_id>/report/", views.report_page, name="report"),
    path("editions/<int:edition_id>/report.pdf", views.report_pdf, name="report_pdf"),
    path("editions/<int:edition_id>/report/edit/", views.report_edit, name="report_edit"),
    path("editions/<int:edition_id>/report/publish/", views.report_publish, name="report_publish"),
    path("editions/<int:edition_id>/cooperation/", views.cooperation_page, name="cooperation"),
    path("editions/<int:edition_id>/certificates/", views.certificate_list, name="certificate_list"),
    path("editions/<int:edition_id>/certificates/issue/", views.certificates_issue, name="certificates_issue"),
    path(
        "editions/<int:edition_id>/nominations/<int:nomination_id>/certificate/",
        views.certificate_issue_one,
        name="certificate_issue_one",
    ),
    path(
        "editions/<int:edition_id>/certificates/<int:certificate_id>/revoke/",
        views.certificate_revoke,
        name="certificate_revoke",
    ),
    path(
        "editions/<int:edition_id>/certificates/<int:certificate_id>/certificate.pdf",
        views.certificate_pdf,
        name="certificate_pdf",
    ),
]

# Seats, nominations, attendance, my agenda, expert links (decision 0040)
urlpatterns += [
    path("editions/<int:edition_id>/seats/", views.seats, name="seats"),
    path("editions/<int:edition_id>/nominate/", views.nominate, name="nominate"),
    path(
        "editions/<int:edition_id>/nominations/<int:nomination_id>/withdraw/",
        views.nomination_withdraw,
        name="nomination_withdraw",
    ),
    path("editions/<int:edition_id>/participants/", views.participants, name="participants"),
    path("editions/<int:edition_id>/attendance/", views.attendance, name="attendance"),
    path(
        "editions/<int:edition_id>/attendance/<int:session_id>/all-present/",
        views.attendance_all_present,
        name="attendance_all_present",
    ),
    path(
        "editions/<int:edition_id>/attendance/<int:session_id>/<int:nomination_id>/",
        views.attendance_mark,
        name="attendance_mark",
    ),
    path("editions/<int:edition_id>/attendance/import/", views.attendance_import, name="attendance_import"),
    path("editions/<int:edition_id>/sessions/<int:session_id>/join/", views.session_join, name="session_join"),
    path("editions/<int:edition_id>/my-agenda.ics", views.my_agenda_ics, name="my_agenda_ics"),
    path("editions/<int:edition_id>/expert-links/", views.expert_links, name="expert_links"),
    path(
        "editions/<int:edition_id>/expert-links/<int:link_id>/revoke/",
        views.expert_link_revoke,
        name="expert_link_revoke",
    ),
    path("expert/<str:token>/", views.expert_page, name="expert_page"),
    path("expert/<str:token>/materials/<int:material_id>/", views.expert_material, name="expert_material"),
]
