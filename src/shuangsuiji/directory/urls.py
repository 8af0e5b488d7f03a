from django.urls import path

from shuangsuiji.directory import views, views_review

app_name = "directory"

urlpatterns = [
    path("item-reviews/", views_review.review_list, name="item_review_list"),
    path("item-reviews/<int:pk>/", views_review.review_detail, name="item_review_detail"),
    path("item-reviews/<int:pk>/decide/", views_review.review_decide, name="item_review_decide"),
    path("item-reviews/<int:pk>/publish/", views_review.review_publish, name="item_review_publish"),
    path("items/", views.item_list, name="item_list"),
    path("items/new/", views.item_edit, name="item_create"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/<str:action>/", views.item_action, name="item_action"),
    path("targets/", views.target_list, name="target_list"),
    path("targets/new/", views.target_edit, name="target_create"),
    path("targets/<int:pk>/", views.target_detail, name="target_detail"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/retire/", views.target_retire, name="target_retire"),
    path("inspectors/", views.inspector_list, name="inspector_list"),
    path("inspectors/new/", views.inspector_edit, name="inspector_create"),
    path("inspectors/<int:pk>/", views.inspector_detail, name="inspector_detail"),
    path("inspectors/<int:pk>/edit/", views.inspector_edit, name="inspector_edit"),
    path("inspectors/<int:pk>/retire/", views.inspector_retire, name="inspector_retire"),
    path("inspectors/<int:pk>/conflicts/", views.conflict_create, name="conflict_create"),
]

from shuangsuiji.directory import flag_views, views_io  # noqa: E402

urlpatterns += [
    path("targets/<int:pk>/flags/new/", flag_views.flag_create, name="flag_create"),
    path("flags/<int:pk>/end/", flag_views.flag_end, name="flag_end"),
    path("flags/<int:pk>/withdraw/", flag_views.flag_withdraw, name="flag_withdraw"),
    path("flag-lists/", flag_views.flag_list_list, name="flag_list_list"),
    path("flag-lists/import/", flag_views.flag_list_import, name="flag_list_import"),
    path("flag-lists/template.csv", flag_views.flag_list_template, name="flag_list_template"),
    path("flag-lists/<int:pk>/", flag_views.flag_list_detail, name="flag_list_detail"),
    path("flag-lists/<int:pk>/unmatched.csv", flag_views.flag_list_unmatched, name="flag_list_unmatched"),
    path("<str:kind>/export/", views_io.export_list, name="export"),
    path("<str:kind>/import/", views_io.import_upload, name="import"),
    path("<str:kind>/template.<str:fmt>", views_io.import_template, name="import_template"),
    path("imports/", views_io.import_list, name="import_list"),
    path("imports/<int:pk>/", views_io.import_detail, name="import_detail"),
]
