from django.urls import path

from shuangsuiji.oversight import views_archive, views_dashboard, views_register, views_reports

app_name = "oversight"

urlpatterns = [
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("tasks/<int:pk>/archive/", views_archive.task_archive_page, name="task_archive"),
    path("tasks/<int:pk>/summary.<str:fmt>", views_archive.task_summary_file, name="task_summary_file"),
    path("tasks/<int:pk>/archive/new/", views_archive.task_archive_create, name="task_archive_create"),
    path("archives/<int:pk>/download/", views_archive.task_archive_download, name="task_archive_download"),
    path("archives/<int:pk>/summary.<str:fmt>", views_archive.task_archive_summary, name="task_archive_summary"),
    path("dashboard/<slug:table>.xlsx", views_dashboard.dashboard_export, name="dashboard_export"),
    path("dashboard/drill/<slug:metric>.xlsx", views_dashboard.dashboard_drill_export, name="dashboard_drill_export"),
    path("dashboard/drill/<slug:metric>/", views_dashboard.dashboard_drill, name="dashboard_drill"),
    path("statistics/", views_dashboard.statistics_page, name="statistics"),
    path("statistics/<slug:table>.xlsx", views_dashboard.statistics_export, name="statistics_export"),
    path("register/", views_register.register_page, name="register"),
    path("register/<slug:kind>/new/", views_register.register_edit, name="register_create"),
    path("register/<slug:kind>/<int:pk>/edit/", views_register.register_edit, name="register_edit"),
    path("register/<slug:kind>/<int:pk>/delete/", views_register.register_delete, name="register_delete"),
    path("reports/", views_reports.report_list, name="report_list"),
    path("reports/new/", views_reports.report_create, name="report_create"),
    path("reports/monthly/<int:pk>/", views_reports.monthly_detail, name="monthly_detail"),
    path("reports/monthly/<int:pk>/submit/", views_reports.monthly_submit, name="monthly_submit"),
    path("reports/monthly/<int:pk>/report.xlsx", views_reports.monthly_xlsx_download, name="monthly_xlsx"),
    path("reports/monthly/<int:pk>/report.pdf", views_reports.monthly_pdf_download, name="monthly_pdf"),
    path("reports/period/<int:pk>/", views_reports.period_detail, name="period_detail"),
    path("reports/period/<int:pk>/submit/", views_reports.period_submit, name="period_submit"),
    path("reports/period/<int:pk>/report.docx", views_reports.period_docx_download, name="period_docx"),
    path("reports/period/<int:pk>/report.pdf", views_reports.period_pdf_download, name="period_pdf"),
    path("reports/period/<int:pk>/charts/<slug:name>.png", views_reports.period_chart, name="period_chart"),
]
