from django.urls import path

from shuangsuiji.inspections import views, views_measures, views_nonrandom, views_team, views_testing

app_name = "inspections"

urlpatterns = [
    path("", views.record_list, name="record_list"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:pk>/", views.task_records, name="task_records"),
    path("tasks/<int:pk>/generate/", views.records_generate, name="records_generate"),
    path("tasks/<int:pk>/nonrandom/", views_nonrandom.nonrandom_team, name="nonrandom_team"),
    path("review/", views.review_queue, name="review_queue"),
    path("records/<int:pk>/", views.record_detail, name="record_detail"),
    path("records/<int:pk>/entry/", views.record_entry, name="record_entry"),
    path("records/<int:pk>/review/", views.record_review, name="record_review"),
    path("records/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("records/<int:pk>/form.pdf", views.record_pdf, name="record_pdf"),
    path("records/<int:pk>/form.docx", views.record_docx, name="record_docx"),
    path("records/<int:pk>/notices/", views.notice_issue, name="notice_issue"),
    path("notices/<int:pk>/notice.pdf", views.notice_pdf, name="notice_pdf"),
    path("notices/<int:pk>/notice.docx", views_team.notice_docx, name="notice_docx"),
    path("records/<int:pk>/members/", views_team.member_assign, name="member_assign"),
    path("members/<int:pk>/remove/", views_team.member_remove, name="member_remove"),
    path("records/<int:pk>/testings/", views_testing.testing_create, name="testing_create"),
    path("testings/<int:pk>/report/", views_testing.testing_report, name="testing_report"),
    path("records/<int:pk>/measures/", views_measures.measure_create, name="measure_create"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/export.xlsx", views.case_export, name="case_export"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/evidence/", views.case_evidence, name="case_evidence"),
    path("cases/<int:pk>/do/<str:action>/", views.case_action, name="case_action"),
    path("targets/<int:pk>/", views.target_history, name="target_history"),
    path("settings/", views.settings_edit, name="settings"),
]
