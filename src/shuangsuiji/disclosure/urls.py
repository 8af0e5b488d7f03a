"""The public portal /gs/ (no login)."""

from django.urls import path

from shuangsuiji.disclosure import downloads, feeds, views
from shuangsuiji.disclosure.page_cache import public_page

app_name = "disclosure"

urlpatterns = [
    path("", views.index, name="index"),
    path("items/", views.item_list, name="item_list"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("joint-plans/<int:pk>/", views.joint_plan_detail, name="joint_plan_detail"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/results/", views.task_results, name="task_results"),
    path("draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("draws/<int:pk>/verify/", views.draw_verify, name="draw_verify"),
    path("draws/<int:pk>/record.json", views.draw_record, name="draw_record"),
    path("draws/<int:pk>/pool.csv", views.draw_pool, name="draw_pool"),
    path("draws/<int:pk>/proof.json", views.draw_proof, name="draw_proof"),
    path("draws/<int:pk>/inclusion.json", views.draw_inclusion, name="draw_inclusion"),
    path("transparency/", views.transparency_log, name="transparency"),
    path("transparency/head.json", views.transparency_head, name="transparency_head"),
    path("transparency/heads/<int:head_id>.json", views.transparency_head, name="transparency_head_id"),
    path("transparency/consistency.json", views.transparency_consistency, name="transparency_consistency"),
    path("results/", views.result_search, name="result_search"),
    path("results/<int:pk>/", views.result_detail, name="result_detail"),
    path("results/e/<str:uscc>/", views.enterprise_results, name="enterprise_results"),
    path("data/", downloads.data_index, name="data_index"),
    path("data/<str:dataset>.<str:fmt>", downloads.dataset_download, name="dataset_download"),
    path("feed/", public_page()(feeds.AnnouncementFeed()), name="feed"),
]
