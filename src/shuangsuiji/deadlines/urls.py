"""Pages of 期限督办, 提醒 and the working-day calendar. Mounted under ``/oversight/`` as before the
``deadlines`` app existed, so that the addresses users know stay the same (names: ``deadlines:…``)."""

from django.urls import path

from shuangsuiji.deadlines import views

app_name = "deadlines"

urlpatterns = [
    path("", views.deadline_list, name="deadline_list"),
    path("deadlines.xlsx", views.deadline_export, name="deadline_export"),
    path("deadlines/<int:pk>/", views.deadline_detail, name="deadline_detail"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("supervisions/", views.supervision_list, name="supervision_list"),
    path("supervisions/export.xlsx", views.supervision_export, name="supervision_export"),
    path("supervisions/<int:pk>/", views.supervision_detail, name="supervision_detail"),
    path("accountability/", views.accountability_list, name="accountability_list"),
    path("accountability/export.xlsx", views.accountability_export, name="accountability_export"),
    path("accountability/<int:pk>/", views.accountability_detail, name="accountability_detail"),
    path("calendar/", views.calendar_current, name="calendar"),
    path("calendar/<int:year>/", views.calendar_year, name="calendar_year"),
    path("calendar/<int:year>/notice.csv", views.calendar_export, name="calendar_export"),
    path("calendar/import/", views.calendar_import, name="calendar_import"),
]
