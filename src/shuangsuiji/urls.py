from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from shuangsuiji.accounts import views as account_views
from shuangsuiji.api.api import api
from shuangsuiji.common.views import home, stats
from shuangsuiji.disclosure.api import public_api

urlpatterns = [
    path("", home, name="home"),
    path("stats/", stats, name="stats"),
    path("accounts/login/", account_views.login_view, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("shuangsuiji.accounts.urls")),
    path("audit/", include("shuangsuiji.audit.urls")),
    path("directory/", include("shuangsuiji.directory.urls")),
    path("draws/", include("shuangsuiji.draws.urls")),
    path("gs/", include("shuangsuiji.disclosure.urls")),
    path("disclosure/", include("shuangsuiji.disclosure.urls_staff")),
    path("api/public/", public_api.urls),
    path("planning/", include("shuangsuiji.planning.urls")),
    # deadlines and oversight share the /oversight/ prefix (the deadline pages were there before the split)
    path("oversight/", include("shuangsuiji.deadlines.urls")),
    path("oversight/", include("shuangsuiji.oversight.urls")),
    path("inspections/", include("shuangsuiji.inspections.urls")),
    path("supervision/", include("shuangsuiji.supervision.urls")),
    path("api/", api.urls),
    # Admin pages of the models that moved from oversight to deadlines (issue 19): old bookmarks still work.
    re_path(
        r"^admin/oversight/(?P<rest>(?:calendaryear|calendarday|deadlinesettings|deadline|notification|supervision"
        r"|accountability)/.*)$",
        RedirectView.as_view(url="/admin/deadlines/%(rest)s", permanent=True, query_string=True),
    ),
    path("admin/", admin.site.urls),
]

handler404 = "shuangsuiji.common.errors.page_not_found"
handler403 = "shuangsuiji.common.errors.permission_denied"
handler500 = "shuangsuiji.common.errors.server_error"
