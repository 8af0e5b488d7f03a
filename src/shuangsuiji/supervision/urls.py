from django.urls import path

from shuangsuiji.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/do/<str:action>/", views.campaign_action, name="campaign_action"),
    path("<int:pk>/notice.<str:fmt>", views.notice_file, name="notice_file"),
    path("parts/<int:pk>/", views.part_detail, name="part_detail"),
    path("parts/<int:pk>/do/<str:action>/", views.part_action, name="part_action"),
]
