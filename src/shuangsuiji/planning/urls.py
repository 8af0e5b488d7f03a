from django.urls import path

from shuangsuiji.planning import views, views_nonrandom, views_rules

app_name = "planning"

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("rules/", views_rules.draw_rules, name="draw_rules"),
    path("plans/<int:pk>/rules/", views_rules.plan_rules, name="plan_rules"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/lines/", views.plan_lines, name="plan_lines"),
    path("plans/<int:pk>/uncovered/", views.plan_uncovered_add, name="plan_uncovered_add"),
    path("plans/<int:pk>/add-missing/", views.plan_add_missing, name="plan_add_missing"),
    path("plans/<int:pk>/history/", views.plan_history, name="plan_history"),
    path("plans/<int:pk>/do/<str:action>/", views.plan_action, name="plan_action"),
    path("plan-lines/<int:pk>/delete/", views.plan_line_delete, name="plan_line_delete"),
    path("plan-uncovered/<int:pk>/delete/", views.plan_uncovered_delete, name="plan_uncovered_delete"),
    path("joint/", views.joint_list, name="joint_list"),
    path("joint/new/", views.joint_edit, name="joint_create"),
    path("joint/<int:pk>/", views.joint_detail, name="joint_detail"),
    path("joint/<int:pk>/edit/", views.joint_edit, name="joint_edit"),
    path("joint/<int:pk>/history/", views.joint_history, name="joint_history"),
    path("joint/<int:pk>/do/<str:action>/", views.joint_action, name="joint_action"),
    path("joint/participants/<int:pk>/confirm/", views.joint_confirm, name="joint_confirm"),
    path("national/", views.national_list, name="national_list"),
    path("national/import/", views.national_import, name="national_import"),
    path("national/<int:pk>/claim/", views.national_claim, name="national_claim"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/nonrandom/new/", views_nonrandom.nonrandom_create, name="nonrandom_create"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/transition/", views.task_transition, name="task_transition"),
    path("tasks/<int:pk>/scheme/", views.scheme_edit, name="scheme_edit"),
    path("tasks/<int:pk>/scheme/generate/", views.scheme_generate, name="scheme_generate"),
    path("tasks/<int:pk>/scheme/do/<str:action>/", views.scheme_action, name="scheme_action"),
    path("tasks/<int:pk>/scheme.<str:fmt>", views.scheme_download, name="scheme_download"),
]
