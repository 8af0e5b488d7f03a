"""Staff pages of the disclosure app (login required): publication deadline status."""

from django.urls import path

from shuangsuiji.disclosure import views, views_national

app_name = "disclosure_staff"

urlpatterns = [
    path("deadlines/", views.deadline_overview, name="deadlines"),
    path("national-export/", views_national.national_export_page, name="national_export"),
    path("tasks/<int:pk>/publish/", views.task_publish, name="task_publish"),
    path("draws/<int:pk>/audit-bundle.json", views.draw_audit_bundle, name="draw_audit_bundle"),
]
