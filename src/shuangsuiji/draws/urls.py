from django.urls import path

from shuangsuiji.draws import views, views_experts

app_name = "draws"

urlpatterns = [
    path("", views.index, name="index"),
    path("tasks/<int:task_id>/", views.task_draw, name="task_draw"),
    path("tasks/<int:task_id>/freeze/", views.task_freeze, name="task_freeze"),
    path("tasks/<int:task_id>/experts/", views_experts.task_experts, name="task_experts"),
    path("experts/<int:pk>/", views_experts.expert_draw_detail, name="expert_draw_detail"),
    path("experts/<int:pk>/record.json", views_experts.expert_draw_record, name="expert_draw_record"),
    path("<int:pk>/", views.draw_detail, name="draw_detail"),
    path("<int:pk>/execute/", views.draw_execute, name="draw_execute"),
    path("<int:pk>/confirm/", views.draw_confirm, name="draw_confirm"),
    path("department-confirmations/<int:pk>/confirm/", views.department_confirm, name="department_confirm"),
    path("<int:pk>/redraw/", views.draw_redraw_request, name="draw_redraw_request"),
    path("<int:pk>/record.json", views.draw_record, name="draw_record"),
    path("<int:pk>/pool.csv", views.draw_pool, name="draw_pool"),
    path("<int:pk>/verify/", views.draw_verify, name="draw_verify"),
    path("<int:pk>/match/", views.draw_match, name="draw_match"),
    path("redraw-requests/<int:pk>/decide/", views.redraw_decide, name="redraw_decide"),
    path("matches/<int:pk>/", views.match_detail, name="match_detail"),
    path("matches/<int:pk>/confirm/", views.match_confirm, name="match_confirm"),
    path("matches/<int:pk>/record.json", views.match_record, name="match_record"),
    path("matches/<int:pk>/inputs.zip", views.match_inputs, name="match_inputs"),
    path("matches/<int:pk>/verify/", views.match_verify, name="match_verify"),
    path("assignments/<int:pk>/replace/", views.assignment_replace, name="assignment_replace"),
]
